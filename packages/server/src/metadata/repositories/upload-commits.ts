/**
 * The one metadata write that makes an upload visible: the file rows, the quota charge,
 * and the check that the target folder still exists, in ONE transaction.
 *
 * It must serialize with folders.delete, or a file could land in a folder deleted a
 * moment before (acknowledged, charged, listed nowhere). Both take the owner's account
 * row first: the quota charge is an UPDATE of that row, and folder deletion makes a
 * no-op UPDATE of it (`LibraryFoldersRepository.inOwnerLock`). PostgreSQL then holds the
 * row lock to the end of the transaction, so the folder is read only after any deletion
 * that got there first has committed (READ COMMITTED reads afresh per statement); SQLite
 * runs write transactions one at a time anyway. A deletion that comes second finds the
 * new rows in its final pass over the deleted folders and removes them.
 */
import type { Db } from '../db.js';
import type { NewFileRow } from './files.js';
import type { QuotaRepository } from './quota.js';

export interface UploadCommitRequest {
  /** Account id; null for an anonymous upload (no quota, root folder only). */
  ownerId: string | null;
  /** '0' (the root) or one of the owner's folders. */
  folderId: string;
  /** Bytes of disk space the account may use in all (-1: no limit). */
  diskLimit: number;
  rows: readonly NewFileRow[];
}

export type UploadCommitResult = 'ok' | 'disk-full' | 'folder-gone';

class Rollback extends Error {
  constructor(readonly result: UploadCommitResult) {
    super(result);
  }
}

export class UploadCommitsRepository {
  constructor(
    private readonly db: Db,
    private readonly quota: QuotaRepository,
  ) {}

  async commit(req: UploadCommitRequest): Promise<UploadCommitResult> {
    const total = req.rows.reduce((n, r) => n + Number(r.size), 0);
    try {
      await this.db.transaction().execute(async (trx) => {
        if (req.ownerId !== null) {
          // First statement: takes the owner's row lock (and SQLite's write lock) at once.
          if (!(await this.quota.chargeDisk(req.ownerId, total, req.diskLimit, trx))) throw new Rollback('disk-full');
        }
        if (req.folderId !== '0') {
          const folder = await trx
            .selectFrom('folders')
            .select('id')
            .where('id', '=', req.folderId)
            .where('owner_id', '=', req.ownerId ?? '')
            .executeTakeFirst();
          if (!folder) throw new Rollback('folder-gone');
        }
        for (const row of req.rows) await trx.insertInto('files').values(row).execute();
      });
    } catch (err) {
      if (err instanceof Rollback) return err.result;
      throw err;
    }
    return 'ok';
  }
}
