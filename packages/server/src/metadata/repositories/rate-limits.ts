import { sql } from 'kysely';
import type { Db } from '../db.js';

/**
 * Fixed-window counters kept in the database, so every server process sharing it
 * enforces the same limit.
 */
export class RateLimitsRepository {
  constructor(private readonly db: Db) {}

  async count(bucket: string, windowStart: number): Promise<number> {
    const r = await this.db
      .selectFrom('rate_limits')
      .select('count')
      .where('bucket', '=', bucket)
      .where('window_start', '>=', windowStart)
      .executeTakeFirst();
    return r?.count ?? 0;
  }

  /** Adds one hit; a window older than `windowStart` starts again from one. */
  async hit(bucket: string, now: number, windowStart: number): Promise<void> {
    await this.db
      .insertInto('rate_limits')
      .values({ bucket, window_start: now, count: 1 })
      .onConflict((oc) =>
        oc.column('bucket').doUpdateSet({
          count: sql`case when rate_limits.window_start < ${windowStart} then 1 else rate_limits.count + 1 end`,
          window_start: sql`case when rate_limits.window_start < ${windowStart} then ${now} else rate_limits.window_start end`,
        }),
      )
      .execute();
  }

  async clear(bucket: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('bucket', '=', bucket).execute();
  }
}
