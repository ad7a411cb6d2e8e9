/**
 * A pass-through that counts the bytes going by and, optionally, hashes them, so a
 * stream is measured while it flows instead of being read twice. The hash runs on a
 * worker thread (see sha256-worker.ts); the digest is ready when the stream has ended.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { OffThreadSha256 } from './sha256-worker.js';

export interface MeterOptions {
  /** Called with the running total after each chunk (keep it cheap: it runs per chunk). */
  onProgress?: (totalBytes: number) => void;
  /** Compute the SHA-256 of everything that passes. */
  sha256?: boolean;
}

export class Meter extends Transform {
  bytes = 0;
  private readonly hash: OffThreadSha256 | undefined;
  private readonly onProgress: ((totalBytes: number) => void) | undefined;
  private hex: string | undefined;

  constructor(opts: MeterOptions = {}) {
    super();
    this.hash = opts.sha256 ? new OffThreadSha256() : undefined;
    this.onProgress = opts.onProgress;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    if (!this.hash) return cb(null, chunk);
    // Passed on at once (nothing changes a chunk once read); the next one waits only when
    // the hashing thread is behind.
    this.push(chunk);
    this.hash.update(chunk).then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    if (!this.hash) return cb();
    this.hash.digest().then((hex) => {
      this.hex = hex;
      cb();
    }, cb);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.hash?.discard();
    cb(err);
  }

  /** Hex SHA-256 of the bytes; available once the stream has ended. */
  sha256Hex(): string {
    if (!this.hash) throw new Error('this meter does not hash');
    if (this.hex === undefined) throw new Error('the stream has not ended yet');
    return this.hex;
  }
}
