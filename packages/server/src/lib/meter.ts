/**
 * A pass-through that counts the bytes going by and, optionally, hashes them, so a
 * stream is measured while it flows instead of being read twice.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface MeterOptions {
  /** Called with the running total after each chunk (keep it cheap: it runs per chunk). */
  onProgress?: (totalBytes: number) => void;
  /** Compute the SHA-256 of everything that passes. */
  sha256?: boolean;
}

export class Meter extends Transform {
  bytes = 0;
  private readonly hash: Hash | undefined;
  private readonly onProgress: ((totalBytes: number) => void) | undefined;

  constructor(opts: MeterOptions = {}) {
    super();
    this.hash = opts.sha256 ? createHash('sha256') : undefined;
    this.onProgress = opts.onProgress;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    this.onProgress?.(this.bytes);
    cb(null, chunk);
  }

  /** Hex SHA-256 of the bytes so far; call once, after the stream has ended. */
  sha256Hex(): string {
    if (!this.hash) throw new Error('this meter does not hash');
    return this.hash.digest('hex');
  }
}
