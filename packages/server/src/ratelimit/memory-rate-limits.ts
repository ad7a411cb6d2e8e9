/** Rate-limit windows in this process's memory, bounded: when full, windows that ended are dropped first, then the oldest. */
import type { RateLimitStore } from './rate-limit-store.js';

export class MemoryRateLimits implements RateLimitStore {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly maxBuckets = 100_000) {}

  async count(bucket: string, windowStart: number): Promise<number> {
    const w = this.windows.get(bucket);
    return w && w.start >= windowStart ? w.count : 0;
  }

  async hit(bucket: string, now: number, windowStart: number): Promise<void> {
    const w = this.windows.get(bucket);
    if (w && w.start >= windowStart) {
      w.count++;
      return;
    }
    this.windows.delete(bucket);
    if (this.windows.size >= this.maxBuckets) {
      for (const [k, v] of this.windows) if (v.start < windowStart) this.windows.delete(k);
      if (this.windows.size >= this.maxBuckets) this.windows.delete(this.windows.keys().next().value as string);
    }
    this.windows.set(bucket, { start: now, count: 1 });
  }

  async clear(bucket: string): Promise<void> {
    this.windows.delete(bucket);
  }
}
