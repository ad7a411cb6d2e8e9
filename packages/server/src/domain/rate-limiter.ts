import type { RateLimitStore } from '../ratelimit/rate-limit-store.js';

export type { RateLimitStore };

/** Counts failures per bucket in fixed windows; the store is shared by every process. */
export class FailureLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly max: number,
    private readonly windowSeconds: number,
  ) {}

  /**
   * `account` is limited to `max` failures per window; `address` to ten times that, since
   * many honest users can share one address (offices, NAT).
   */
  async isBlocked(buckets: { account: string; address: string }, now: number): Promise<boolean> {
    const since = now - this.windowSeconds;
    if ((await this.store.count(buckets.account, since)) >= this.max) return true;
    return (await this.store.count(buckets.address, since)) >= this.max * 10;
  }

  async recordFailure(buckets: { account: string; address: string }, now: number): Promise<void> {
    await this.store.hit(buckets.account, now, now - this.windowSeconds);
    await this.store.hit(buckets.address, now, now - this.windowSeconds);
  }

  async clear(bucket: string): Promise<void> {
    await this.store.clear(bucket);
  }

  get retryAfterMinutes(): number {
    return Math.ceil(this.windowSeconds / 60);
  }
}
