/**
 * A pass-through that lets at most `bytesPerSecond` through, averaged from the first
 * byte. It holds chunks back rather than dropping them, so the slowdown travels
 * upstream as backpressure and the socket itself is read more slowly. Chunks are cut
 * into slices of about a tenth of a second so the pace stays even.
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface ThrottleClock {
  /** Milliseconds, monotonic enough for pacing. */
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void;
}

export const realThrottleClock: ThrottleClock = {
  now: () => performance.now(),
  schedule(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export class Throttle extends Transform {
  private readonly slice: number;
  private started: number | undefined;
  private passed = 0;
  private cancel: (() => void) | undefined;

  constructor(
    readonly bytesPerSecond: number,
    private readonly clock: ThrottleClock = realThrottleClock,
  ) {
    super();
    if (!(bytesPerSecond > 0)) throw new RangeError('bytesPerSecond must be positive');
    this.slice = Math.max(1, Math.floor(bytesPerSecond / 10));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.started ??= this.clock.now();
    let offset = 0;
    const next = (): void => {
      this.cancel = undefined;
      if (this.destroyed) return;
      while (offset < chunk.length) {
        const piece = chunk.subarray(offset, offset + this.slice);
        // When this piece may leave so that the average stays at the rate.
        const due = (this.started as number) + ((this.passed + piece.length) * 1000) / this.bytesPerSecond;
        const wait = due - this.clock.now();
        if (wait > 0) {
          this.cancel = this.clock.schedule(next, Math.ceil(wait));
          return;
        }
        offset += piece.length;
        this.passed += piece.length;
        this.push(piece);
      }
      cb();
    };
    next();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.cancel?.();
    this.cancel = undefined;
    cb(err);
  }
}
