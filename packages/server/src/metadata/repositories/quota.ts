import { sql, type Transaction } from 'kysely';
import type { Db } from '../db.js';
import { AccountCache } from '../account-cache.js';
import type { Database } from '../schema.js';

type Executor = Db | Transaction<Database>;

/**
 * Usage counters on the account row, changed only by relative SQL updates so that
 * concurrent operations (and several server processes) never lose an increment.
 */
export class QuotaRepository {
  constructor(
    private readonly db: Db,
    private readonly cache: AccountCache = new AccountCache(0),
  ) {}

  /**
   * Adds `bytes` to disk usage only if the result stays within `limit` (-1: no limit).
   * Returns false, changing nothing, when it would not fit.
   */
  async chargeDisk(userId: string, bytes: number, limit: number, db: Executor = this.db): Promise<boolean> {
    this.cache.forgetUser(userId);
    let q = db
      .updateTable('users')
      .set({ diskspace_used: sql`diskspace_used + ${bytes}` })
      .where('id', '=', userId);
    if (limit >= 0) q = q.where(sql<boolean>`diskspace_used + ${bytes} <= ${limit}`);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Accounts whose recorded disk usage is not the sum of their files' sizes (for fsck). */
  async diskDrift(): Promise<{ userId: string; email: string; recorded: number; actual: number }[]> {
    const rows = await this.db
      .selectFrom('users')
      .leftJoin('files', 'files.owner_id', 'users.id')
      .select((eb) => [
        'users.id as userId',
        'users.email as email',
        'users.diskspace_used as recorded',
        eb.fn.coalesce(eb.fn.sum<number | string>('files.size'), sql<number>`0`).as('actual'),
      ])
      .groupBy(['users.id', 'users.email', 'users.diskspace_used'])
      .execute();
    return rows
      .map((r) => ({ userId: r.userId, email: r.email, recorded: Number(r.recorded), actual: Number(r.actual) }))
      .filter((r) => r.recorded !== r.actual);
  }

  /** Sets disk usage to the sum of the account's files, in one statement (right even with uploads running). */
  async recomputeDisk(userId: string): Promise<void> {
    this.cache.forgetUser(userId);
    await this.db
      .updateTable('users')
      .set({ diskspace_used: sql`(select coalesce(sum(size), 0) from files where files.owner_id = users.id)` })
      .where('id', '=', userId)
      .execute();
  }

  async releaseDisk(userId: string, bytes: number, db: Executor = this.db): Promise<void> {
    this.cache.forgetUser(userId);
    await db
      .updateTable('users')
      .set({ diskspace_used: sql`case when diskspace_used > ${bytes} then diskspace_used - ${bytes} else 0 end` })
      .where('id', '=', userId)
      .execute();
  }

  /**
   * Adds downloaded bytes to this month's counter (a new month starts from zero), only
   * while the result stays within `limit` (-1: no limit). Returns false when it would not.
   */
  async chargeBandwidth(userId: string, bytes: number, month: string, limit: number, db: Executor = this.db): Promise<boolean> {
    this.cache.forgetUser(userId);
    const current = sql`(case when bandwidth_month = ${month} then bandwidth_used else 0 end)`;
    let q = db
      .updateTable('users')
      .set({ bandwidth_used: sql`${current} + ${bytes}`, bandwidth_month: month })
      .where('id', '=', userId);
    if (limit >= 0) q = q.where(sql<boolean>`${current} + ${bytes} <= ${limit}`);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
