/**
 * One writer per resumable upload, across every process that serves it: a PATCH holds
 * the upload's lock while it writes, so offsets never race. The shape is the one of the
 * cluster's coordination locks (acquire with a time to live, renew, release), so either
 * kind can serve.
 */
export interface UploadLock {
  /** Extends the lease; false when it was lost (expired and taken by another writer). */
  renew(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

export interface UploadLocks {
  /** The lock, or null while another writer holds it. */
  acquire(key: string, ttlMs: number): Promise<UploadLock | null>;
}
