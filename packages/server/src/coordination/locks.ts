/**
 * Locks with a time to live, for work that must happen on one node at a time: one
 * maintenance job across the cluster (a lease), one writer per upload (the tus engine
 * takes a lock per upload id). A lock renews itself every third of its TTL while it is
 * held, so a long job keeps it; a holder that dies stops renewing and the lock frees
 * itself when the TTL runs out, with no manual step.
 *
 * A lock can be lost while held (the backend was unreachable past the TTL, or someone
 * else took the key after it expired): `signal` then aborts, and the holder must stop
 * writing. `acquire` rejects when the backend cannot be reached at all.
 */

export interface Lock {
  readonly key: string;
  /** Aborts when the lock is lost before `release()`; pass it to whatever writes under the lock. */
  readonly signal: AbortSignal;
  /** Extends the TTL now (renewal also runs on its own); false once the lock is lost. */
  renew(): Promise<boolean>;
  /** Gives the lock up (idempotent); never frees a lock that someone else took since. */
  release(): Promise<void>;
}

export interface Locks {
  /** The lock if nobody holds `key`, else null. Rejects when the backend is unreachable. */
  acquire(key: string, ttlMs: number): Promise<Lock | null>;
}
