/**
 * Deleting an account for good: its files first, batch by batch, through FileRemoval
 * (rows and quota in one transaction, then the bytes), then the account row, whose
 * foreign keys take sessions, folders, contacts and team places with it. A crash half
 * way leaves an account with fewer files, never a file without its account; running
 * the deletion again finishes it.
 */
import type { FileRow } from '../metadata/repositories/files.js';
import type { UserRow } from '../metadata/repositories/users.js';
import type { FileRemoval } from './file-removal.js';

export interface AccountDeletionDeps {
  files: { ownedBatch(ownerId: string, limit: number): Promise<FileRow[]> };
  users: { delete(id: string): Promise<void> };
  fileRemoval: Pick<FileRemoval, 'remove'>;
}

const BATCH = 500;

export class AccountDeletion {
  constructor(private readonly d: AccountDeletionDeps) {}

  /** Returns how many files and bytes went with the account. */
  async delete(user: UserRow): Promise<{ files: number; bytes: number }> {
    let files = 0;
    let bytes = 0;
    for (;;) {
      const batch = await this.d.files.ownedBatch(user.id, BATCH);
      if (batch.length === 0) break;
      const gone = new Set(await this.d.fileRemoval.remove(batch));
      for (const f of batch) {
        if (!gone.has(f.id)) continue;
        files++;
        bytes += f.size;
      }
    }
    await this.d.users.delete(user.id);
    return { files, bytes };
  }
}
