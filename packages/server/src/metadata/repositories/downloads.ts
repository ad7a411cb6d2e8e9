/**
 * The writes a download makes, and the claims that make limit actions run once.
 *
 * Every rule that must hold under concurrency (two requests, or two server processes)
 * is a single conditional UPDATE, so the database decides, never a read-then-write:
 * - a counted download only happens while the file is below its download limit, not
 *   blocked and not past its time limit; the UPDATE that brings `downloads` up to
 *   `download_limit` is the only one that returns that value, so exactly one request
 *   learns that it reached the limit;
 * - `blocked = 1` records that the file's limit has fired (any action but delete). The
 *   claim sets it only where it is still 0 and the limit is really reached, so of
 *   several requests or sweepers trying at once exactly one wins, and its action (the
 *   block itself, or the move, in the same statement) runs once. A file that is blocked
 *   is never served; the owner re-arms it by changing its limits (files.setInfo).
 */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import type { FileRow } from './files.js';

type FilesEb = ExpressionBuilder<Database, 'files'>;

/** Download limit used up, or time limit passed, at `now`. */
function limitReached(eb: FilesEb, now: number) {
  return eb.or([
    eb.and([eb('download_limit', 'is not', null), eb('downloads', '>=', eb.ref('download_limit'))]),
    eb.and([eb('limit_expires_at', 'is not', null), eb('limit_expires_at', '<=', now)]),
  ]);
}

/** The file may be served at `now`: not blocked, below its download limit, before its time limit. */
function servable(eb: FilesEb, now: number) {
  return eb.and([
    eb('blocked', '=', 0),
    eb.or([eb('download_limit', 'is', null), eb('downloads', '<', eb.ref('download_limit'))]),
    eb.or([eb('limit_expires_at', 'is', null), eb('limit_expires_at', '>', now)]),
  ]);
}

export interface CountedAccess {
  downloads: number;
  download_limit: number | null;
}

export class DownloadsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Records an access to a servable file: `downloads + 1` when `count`, and
   * `last_download_at` either way. Undefined, changing nothing, when the file is gone,
   * blocked, used up or expired (the gate every served byte passes).
   */
  recordAccess(id: string, now: number, count: boolean): Promise<CountedAccess | undefined> {
    return this.db
      .updateTable('files')
      .set(count ? { downloads: sql`downloads + 1`, last_download_at: now } : { last_download_at: now })
      .where('id', '=', id)
      .where((eb) => servable(eb, now))
      .returning(['downloads', 'download_limit'])
      .executeTakeFirst();
  }

  /** Takes back a counted download that could not be served (e.g. bandwidth ran out). */
  async uncount(id: string): Promise<void> {
    await this.db
      .updateTable('files')
      .set({ downloads: sql`downloads - 1` })
      .where('id', '=', id)
      .where('downloads', '>', 0)
      .execute();
  }

  /** Claims the fired limit and blocks the file (actions 0 and 1). True for the one winner. */
  async claimBlock(id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('files')
      .set({ blocked: 1 })
      .where('id', '=', id)
      .where('blocked', '=', 0)
      .where((eb) => limitReached(eb, now))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Claims the fired limit and moves the file (action 3) in the same statement: into
   * `folderId` if the owner still has that folder, else into the root.
   */
  async claimMove(id: string, folderId: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('files')
      .set({
        blocked: 1,
        folder_id: sql<string>`coalesce((select f.id from folders f where f.id = ${folderId} and f.owner_id = files.owner_id), '0')`,
      })
      .where('id', '=', id)
      .where('blocked', '=', 0)
      .where((eb) => limitReached(eb, now))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Files whose limit is reached but whose action has not run yet (for the sweeper). */
  findDueLimits(now: number, batch: number): Promise<FileRow[]> {
    return this.db
      .selectFrom('files')
      .selectAll()
      .where('blocked', '=', 0)
      .where((eb) =>
        eb.or([
          eb.and([eb('limit_expires_at', 'is not', null), eb('limit_expires_at', '<=', now)]),
          eb.and([eb('download_limit', 'is not', null), eb('downloads', '>=', eb.ref('download_limit'))]),
        ]),
      )
      .orderBy('id')
      .limit(batch)
      .execute();
  }

  /** Anonymous files neither downloaded nor uploaded since `cutoff` (inclusive). */
  findIdleAnonymous(cutoff: number, batch: number): Promise<FileRow[]> {
    return this.db
      .selectFrom('files')
      .selectAll()
      .where('owner_id', 'is', null)
      .where((eb) => eb(eb.fn.coalesce('last_download_at', 'upload_time'), '<=', cutoff))
      .orderBy('id')
      .limit(batch)
      .execute();
  }
}
