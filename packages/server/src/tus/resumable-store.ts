/**
 * Where the bytes of a resumable upload wait until the last one arrives: on disk, one
 * temporary file per upload; on S3, the parts of a multipart upload at the final blob
 * key. `append` is durable when it resolves, for every byte it reports written, so an
 * acknowledged offset survives a crash.
 *
 * A store may keep a little state per upload (the S3 store: its multipart upload id and
 * parts). It hands that state back from `append`, and the caller records it with the new
 * offset in ONE conditional update, so the offset and the bytes it names never disagree;
 * the next call gets it back in `StoredUpload.state`.
 */
import type { Readable } from 'node:stream';

/** An upload as the store sees it. */
export interface StoredUpload {
  id: string;
  /** The blob the complete upload becomes. */
  blobKey: string;
  /** What the store returned with the last acknowledged append; null before any. */
  state: string | null;
}

export interface AppendResult {
  /** Bytes now durably stored after `offset`. */
  written: number;
  /** Why the body stopped early (client gone, a limit broken), if it did. */
  error?: unknown;
  /** The store's state once those bytes count: record it with the new offset. */
  state: string | null;
  /** True when `whole` refused the body: nothing of it was kept. */
  rejected?: boolean;
}

export interface AppendOptions {
  /**
   * The body counts whole or not at all (a chunk under Upload-Checksum): asked once the
   * body has ended; when it answers false, or the body fails, nothing of it is kept.
   */
  whole?: () => boolean;
}

export interface ResumableStore {
  /** Makes an empty upload. */
  create(upload: StoredUpload): Promise<void>;
  /**
   * Writes `body` at `offset` (which must be where the upload's state ends), first
   * dropping whatever an earlier, unacknowledged append left past it. Never rejects for
   * a failing body: it reports what was written and the error.
   */
  append(upload: StoredUpload, offset: number, body: Readable, opts?: AppendOptions): Promise<AppendResult>;
  /** Drops the bytes past `offset` (an append that broke a limit); its state is not recorded. */
  truncate(upload: StoredUpload, offset: number): Promise<void>;
  /** Hands the complete upload to the blob store at its `blobKey`; the upload's data is gone after. */
  finish(upload: StoredUpload): Promise<void>;
  /** Removes an unfinished upload's data (all of it, whatever state was recorded). Idempotent. */
  remove(id: string, blobKey: string | null): Promise<void>;
  /** Ids of every upload with data here, with when each was last written (Unix seconds). */
  list(): AsyncIterable<{ id: string; modifiedAt: number }[]>;
}
