/**
 * A pass-through that fails the moment more than `limit` bytes have gone by. It sits
 * first in an upload's chain so an oversized file is refused at the byte that breaks
 * the limit, not after it has been stored.
 */
import { Transform, type TransformCallback } from 'node:stream';

export class ByteLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
    this.name = 'ByteLimitExceeded';
  }
}

export class ByteLimiter extends Transform {
  /** Bytes seen so far. */
  bytes = 0;
  /** True once the limit was broken (the stream then fails with ByteLimitExceeded). */
  exceeded = false;

  /** `limit` < 0 means no limit. */
  constructor(readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.limit >= 0 && this.bytes > this.limit) {
      this.exceeded = true;
      return cb(new ByteLimitExceeded(this.limit));
    }
    cb(null, chunk);
  }
}
