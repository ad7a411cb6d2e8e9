/**
 * The byte store seam. Keys are server-made and opaque (never a user's file name).
 * `put` is durable when it resolves and leaves nothing at `key` when it rejects.
 */
import type { Readable, Writable } from 'node:stream';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/**
 * The store itself failed (its engine is down, slow or refusing), as opposed to a key
 * that holds nothing. The message says what was being done and what went wrong.
 */
export class BlobStoreUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobStoreUnavailable';
  }
}

export interface BlobStore {
  put(key: string, body: Readable, opts?: { signal?: AbortSignal }): Promise<{ size: number }>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<{ size: number; modifiedAt: number } | null>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Every key in the store, in batches, for the orphan sweeper. */
  list(): AsyncIterable<string[]>;
  /**
   * Optional: removes the leftovers of puts that never finished (a crash mid-upload)
   * untouched for `olderThanSeconds`, except those of keys `keep` accepts (puts still
   * running); returns how many. Stores that leave none need not have it.
   */
  removeStaleTemporaries?(olderThanSeconds: number, keep?: (key: string) => boolean): Promise<number>;
  /** Resolves when the store can take and serve blobs now; rejects saying why not (health checks). */
  check(): Promise<void>;
  /**
   * Optional: a short-lived URL at which the client fetches the blob (or a range of it)
   * from the store itself, served as an attachment with `contentDisposition`.
   */
  presignedUrl?(key: string, opts: { contentDisposition: string; expiresInSeconds: number }): Promise<string>;
  /** Releases connections or handles the store holds. */
  close?(): Promise<void>;
  /**
   * Optional: moves a complete, already durable local file into the store at `key` (a
   * rename, no copy). Stores that cannot take a local file need not have it; their
   * callers `put` the file's bytes instead.
   */
  adoptFile?(key: string, path: string): Promise<void>;
}

/**
 * An optional capability of a blob body: writing itself to a destination faster than a
 * pipe can (the disk store reuses its read buffers).
 */
export interface DirectWritable {
  /**
   * Writes the bytes to `dest`, each write awaited, and resolves with how many went out.
   * With `limit`, stops after that many and keeps the blob open for the rest; otherwise
   * releases the blob at the end. Rejects, having released it, when `dest` goes away.
   */
  writeTo(dest: Writable, limit?: number): Promise<number>;
  /**
   * For a blob that is a local file: its open descriptor and the next byte to send, so
   * the HTTP layer may hand the rest to the kernel (sendfile). The body stays the file's
   * owner: destroy it when done.
   */
  fileCursor?(): { fd: number; position: number };
}

export function canWriteDirect(body: Readable): body is Readable & DirectWritable {
  return typeof (body as Partial<DirectWritable>).writeTo === 'function';
}
