/**
 * Where the bytes of a resumable upload wait until the last one arrives: the disk store
 * appends to one temporary file per upload. `append` is durable when it resolves, for
 * every byte it reports written, so an acknowledged offset survives a crash.
 */
import type { Readable } from 'node:stream';

export interface AppendResult {
  /** Bytes now durably stored after `offset`. */
  written: number;
  /** Why the body stopped early (client gone, a limit broken), if it did. */
  error?: unknown;
}

export interface ResumableStore {
  /** Makes an empty upload. */
  create(id: string): Promise<void>;
  /**
   * Writes `body` at `offset`, first dropping whatever lies past it (bytes of an earlier
   * append that was never acknowledged). Never rejects for a failing body: it reports
   * what was written and the error.
   */
  append(id: string, offset: number, body: Readable): Promise<AppendResult>;
  /** Drops the bytes past `offset` (a chunk that failed its checksum). */
  truncate(id: string, offset: number): Promise<void>;
  /** The bytes stored so far. */
  read(id: string): Promise<Readable>;
  /** Hands the complete upload to the blob store at `key`; the upload's data is gone after. */
  finish(id: string, key: string): Promise<void>;
  /** Idempotent. */
  remove(id: string): Promise<void>;
  /** Ids of every upload with data here, with when each was last written (Unix seconds). */
  list(): AsyncIterable<{ id: string; modifiedAt: number }[]>;
}
