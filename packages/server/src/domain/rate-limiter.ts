/** Counts failures per bucket in fixed windows; the store is shared by every process. */
export interface RateLimitStore {
  count(bucket: string, windowStart: number): Promise<number>;
  hit(bucket: string, now: number, windowStart: number): Promise<void>;
  clear(bucket: string): Promise<void>;
}

export class FailureLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly max: number,
    private readonly windowSeconds: number,
  ) {}

  async isBlocked(buckets: string[], now: number): Promise<boolean> {
    const since = now - this.windowSeconds;
    for (const b of buckets) if ((await this.store.count(b, since)) >= this.max) return true;
    return false;
  }

  async recordFailure(buckets: string[], now: number): Promise<void> {
    for (const b of buckets) await this.store.hit(b, now, now - this.windowSeconds);
  }

  async clear(bucket: string): Promise<void> {
    await this.store.clear(bucket);
  }

  get retryAfterMinutes(): number {
    return Math.ceil(this.windowSeconds / 60);
  }
}
