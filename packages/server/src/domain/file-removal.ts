/**
 * Removing stored files: rows and quota in one transaction first, bytes after. If the
 * process dies between the two, the blobs are orphans and the sweeper removes them;
 * the reverse order could leave rows pointing at nothing.
 */
import type { BlobStore } from '../blobs/blob-store.js';
import type { Db } from '../metadata/db.js';
import type { FileRow } from '../metadata/repositories/files.js';
import type { QuotaRepository } from '../metadata/repositories/quota.js';
import type { Logger } from 'pino';

export class FileRemoval {
  constructor(
    private readonly db: Db,
    private readonly quota: QuotaRepository,
    private readonly blobs: BlobStore,
    private readonly log: Logger,
  ) {}

  /** Deletes the given files; returns the ids that were still there and are now gone. */
  async remove(files: readonly FileRow[]): Promise<string[]> {
    if (files.length === 0) return [];
    const removed: FileRow[] = await this.db.transaction().execute(async (trx) => {
      const gone: FileRow[] = [];
      for (const f of files) {
        const r = await trx.deleteFrom('files').where('id', '=', f.id).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) continue; // someone else removed it first
        gone.push(f);
        if (f.owner_id) await this.quota.releaseDisk(f.owner_id, f.size, trx);
      }
      return gone;
    });
    for (const f of removed) {
      await this.blobs
        .delete(f.blob_key)
        .catch((err: unknown) => this.log.warn({ err, key: f.blob_key }, 'blob delete failed; the sweeper will retry'));
    }
    return removed.map((f) => f.id);
  }
}
