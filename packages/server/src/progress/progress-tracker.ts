/**
 * Live upload progress, keyed by upload identifier. The upload route reports bytes as
 * they are read; the progress URL reads them back. Writes are cheap and frequent (one
 * per chunk), so an implementation must never turn a report into a database write:
 * the in-memory one just sets a number; the Redis one (several nodes) batches
 * reports itself. Every implementation passes `progress-contract.ts`. Entries are kept a while after the end, then forgotten.
 */

export type ProgressStatus = 'running' | 'done' | 'fail';

export interface ProgressEntry {
  status: ProgressStatus;
  /** Expected bytes (the request's Content-Length), 0 when unknown. */
  totalBytes: number;
  receivedBytes: number;
  /** Milliseconds since the epoch. */
  startedAt: number;
  /** Milliseconds since the epoch, once the upload has ended. */
  endedAt?: number;
}

export interface ProgressTracker {
  /** An upload starts (again, if the identifier was used before). */
  begin(id: string, totalBytes: number): void;
  /** Bytes received so far (a running total, not a delta); a smaller total than one seen is ignored. */
  report(id: string, receivedBytes: number): void;
  end(id: string, outcome: 'done' | 'fail'): void;
  get(id: string): Promise<ProgressEntry | undefined>;
}
