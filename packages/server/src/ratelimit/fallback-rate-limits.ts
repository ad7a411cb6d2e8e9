/**
 * Redis first, the database when Redis cannot be reached. Logins neither fail open
 * (an outage would lift the brute-force limit for everyone) nor fail closed (an outage
 * would lock every user out): during the outage the limits are counted in the shared
 * database, as a single-node server does, and Redis is used again as soon as it
 * answers. Counts made in one store are not carried into the other, so a switch can
 * give an attacker at most one extra window's worth of attempts.
 */
import type { RateLimitStore } from './rate-limit-store.js';

export class FallbackRateLimits implements RateLimitStore {
  constructor(
    private readonly primary: RateLimitStore,
    private readonly fallback: RateLimitStore,
    private readonly onFallback: (err: unknown) => void = () => {},
  ) {}

  count(bucket: string, windowStart: number): Promise<number> {
    return this.either((s) => s.count(bucket, windowStart));
  }

  hit(bucket: string, now: number, windowStart: number): Promise<void> {
    return this.either((s) => s.hit(bucket, now, windowStart));
  }

  async clear(bucket: string): Promise<void> {
    // Cleared in both, so a success during an outage is not undone when Redis returns.
    await Promise.all([this.primary.clear(bucket).catch(this.onFallback), this.fallback.clear(bucket)]);
  }

  private async either<T>(op: (s: RateLimitStore) => Promise<T>): Promise<T> {
    try {
      return await op(this.primary);
    } catch (err) {
      this.onFallback(err);
      return op(this.fallback);
    }
  }
}
