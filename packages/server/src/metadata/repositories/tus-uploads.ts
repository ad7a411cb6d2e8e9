import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { TusUploadsTable } from '../schema.js';

export type TusUploadRow = Selectable<TusUploadsTable>;
export type NewTusUploadRow = Insertable<TusUploadsTable>;

/**
 * Resumable uploads in progress. Every change of the offset is conditional on the offset
 * it starts from and on the lease of the writer, so two writers (on two nodes) can never
 * both move an upload forward.
 */
export class TusUploadsRepository {
  constructor(private readonly db: Db) {}

  async insert(row: NewTusUploadRow): Promise<void> {
    await this.db.insertInto('tus_uploads').values(row).execute();
  }

  findById(id: string): Promise<TusUploadRow | undefined> {
    return this.db.selectFrom('tus_uploads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Moves the offset from `from` to `to`; false when it is no longer `from`. The upload
   * lock keeps writers apart; this condition is the fence should a lock ever be lost.
   */
  async advance(id: string, from: number, to: number, expiresAt: number, storeState: string | null): Promise<boolean> {
    const r = await this.db
      .updateTable('tus_uploads')
      .set({ upload_offset: to, expires_at: expiresAt, store_state: storeState })
      .where('id', '=', id)
      .where('file_id', 'is', null)
      .where('upload_offset', '=', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async setBlobKey(id: string, key: string): Promise<void> {
    await this.db.updateTable('tus_uploads').set({ blob_key: key }).where('id', '=', id).execute();
  }

  /** The file made from blob `key`, if the commit happened. */
  async fileWithBlob(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom('files').select('id').where('blob_key', '=', key).executeTakeFirst())?.id;
  }

  /** Records the file the upload became. */
  async complete(id: string, fileId: string, length: number, expiresAt: number): Promise<boolean> {
    const r = await this.db
      .updateTable('tus_uploads')
      .set({ file_id: fileId, upload_offset: length, expires_at: expiresAt })
      .where('id', '=', id)
      .where('file_id', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('tus_uploads').where('id', '=', id).execute();
  }

  /** Takes the lease when it is free or has run out; false when someone else holds it. */
  async tryLock(id: string, token: string, nowMs: number, untilMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('tus_uploads')
      .set({ lock_token: token, lock_until: untilMs })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('lock_token', 'is', null), eb('lock_until', '<', nowMs)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async renewLock(id: string, token: string, untilMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('tus_uploads')
      .set({ lock_until: untilMs })
      .where('id', '=', id)
      .where('lock_token', '=', token)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async unlock(id: string, token: string): Promise<void> {
    await this.db
      .updateTable('tus_uploads')
      .set({ lock_token: null, lock_until: null })
      .where('id', '=', id)
      .where('lock_token', '=', token)
      .execute();
  }

  /** Uploads (complete or not) past their expiry, oldest first, at most `limit`. */
  expired(now: number, limit: number): Promise<TusUploadRow[]> {
    return this.db.selectFrom('tus_uploads').selectAll().where('expires_at', '<', now).orderBy('expires_at').limit(limit).execute();
  }

  /**
   * The blob keys of unfinished uploads: the blob sweeper must not abort their multipart
   * uploads (on S3 an unfinished upload's parts wait at its blob key for days).
   */
  async unfinishedBlobKeys(): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('tus_uploads')
      .select('blob_key')
      .where('file_id', 'is', null)
      .where('blob_key', 'is not', null)
      .execute();
    return new Set(rows.map((r) => r.blob_key as string));
  }

  /** Which of `ids` are uploads still known here, each with whether it is finished (for the sweeper of the byte store). */
  async known(ids: readonly string[]): Promise<Map<string, boolean>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('tus_uploads').select(['id', 'file_id']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.file_id !== null]));
  }
}
