/**
 * Upload locks on the cluster's shared locks (Redis, with SENDBAY_REDIS_URL): one writer
 * per upload across every node without a database write per lease renewal. The shared
 * lock renews itself; `renew` here only reports whether it is still held, so the PATCH
 * stops writing once it is lost. If Redis cannot be reached when a PATCH starts, the
 * lock cannot be taken and the PATCH is refused (503, the client retries); if Redis
 * goes away while a PATCH writes, the lock still counts until its TTL runs out since
 * the last renewal, then the PATCH stops — what it stored by then is kept only if the
 * offset has not moved meanwhile (the conditional offset update is the fence).
 */
import type { Locks } from '../coordination/locks.js';
import type { UploadLock, UploadLocks } from '../domain/uploads/resumable-locks.js';

export class SharedUploadLocks implements UploadLocks {
  constructor(private readonly locks: Locks) {}

  async acquire(key: string, ttlMs: number): Promise<UploadLock | null> {
    const lock = await this.locks.acquire(`tus:${key}`, ttlMs);
    if (!lock) return null;
    return {
      renew: () => lock.renew(),
      release: () => lock.release(),
    };
  }
}
