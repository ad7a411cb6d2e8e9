/**
 * Upload locks kept on the upload's own row in the metadata database: a lease taken by a
 * conditional update, so it holds across every process that shares the database
 * (SQLite on one box, PostgreSQL in a cluster) and a crashed holder's lease simply runs
 * out. No extra service is needed.
 */
import { randomKey } from '../lib/crypto.js';
import type { UploadLock, UploadLocks } from '../domain/uploads/resumable-locks.js';
import type { TusUploadsRepository } from '../metadata/repositories/tus-uploads.js';

export class RowLeaseLocks implements UploadLocks {
  constructor(
    private readonly uploads: Pick<TusUploadsRepository, 'tryLock' | 'renewLock' | 'unlock'>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async acquire(key: string, ttlMs: number): Promise<UploadLock | null> {
    const token = randomKey(20);
    const now = this.nowMs();
    if (!(await this.uploads.tryLock(key, token, now, now + ttlMs))) return null;
    return {
      renew: (ttl) => this.uploads.renewLock(key, token, this.nowMs() + ttl),
      release: () => this.uploads.unlock(key, token),
    };
  }
}
