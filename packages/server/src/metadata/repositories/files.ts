import type { Insertable, Selectable, Transaction } from 'kysely';
import type { Db } from '../db.js';
import type { Database, FilesTable } from '../schema.js';

export type FileRow = Selectable<FilesTable>;
export type NewFileRow = Insertable<FilesTable>;
type Executor = Db | Transaction<Database>;

export class FilesRepository {
  constructor(private readonly db: Db) {}

  findById(id: string, db: Executor = this.db): Promise<FileRow | undefined> {
    return db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByIds(ids: readonly string[]): Promise<FileRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('files').selectAll().where('id', 'in', ids).execute();
  }

  async idExists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('files').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async insert(row: NewFileRow, db: Executor = this.db): Promise<void> {
    await db.insertInto('files').values(row).execute();
  }

  /** Up to `limit` of an owner's files (account deletion removes them batch by batch). */
  ownedBatch(ownerId: string, limit: number): Promise<FileRow[]> {
    return this.db.selectFrom('files').selectAll().where('owner_id', '=', ownerId).orderBy('id').limit(limit).execute();
  }

  /** Every row's blob facts, in id order, `limit` after `afterId` (for fsck). */
  integrityBatch(afterId: string, limit: number): Promise<Pick<FileRow, 'id' | 'owner_id' | 'blob_key' | 'size' | 'sha256'>[]> {
    return this.db
      .selectFrom('files')
      .select(['id', 'owner_id', 'blob_key', 'size', 'sha256'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * The blob keys among `keys` that something still needs (for the orphan sweeper and
   * fsck): a file row's, or that of a resumable upload whose bytes moved into the blob
   * store but whose commit did not happen (a crash, a failed transaction). Its next
   * HEAD or PATCH makes it a file; its expiry (the tus job) drops the row, and the blob
   * is an orphan from then on.
   */
  async referencedBlobKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const files = await this.db.selectFrom('files').select('blob_key').where('blob_key', 'in', keys).execute();
    const waiting = await this.db
      .selectFrom('tus_uploads')
      .select('blob_key')
      .where('blob_key', 'in', keys)
      .where('file_id', 'is', null)
      .execute();
    return new Set([...files.map((r) => r.blob_key), ...waiting.flatMap((r) => (r.blob_key === null ? [] : [r.blob_key]))]);
  }
}
