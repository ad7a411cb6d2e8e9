/**
 * Rate-limit windows in Redis: one hash per bucket (`rl:<bucket>`: window start, count),
 * updated by one script so concurrent hits from several nodes are all counted. A key
 * expires on its own once its window is over (relative TTL, so a test's fake clock
 * cannot make it vanish early).
 */
import type { Redis } from 'ioredis';
import type { RateLimitStore } from './rate-limit-store.js';

// KEYS[1] the hash; ARGV: now, windowStart, ttl seconds.
const HIT = `
local s = tonumber(redis.call('hget', KEYS[1], 's'))
if s == nil or s < tonumber(ARGV[2]) then
  redis.call('hset', KEYS[1], 's', ARGV[1], 'c', 1)
  redis.call('expire', KEYS[1], ARGV[3])
else
  redis.call('hincrby', KEYS[1], 'c', 1)
end
return 1`;

export class RedisRateLimits implements RateLimitStore {
  constructor(private readonly redis: Redis) {}

  async count(bucket: string, windowStart: number): Promise<number> {
    const [s, c] = await this.redis.hmget(`rl:${bucket}`, 's', 'c');
    return s !== null && c !== null && Number(s) >= windowStart ? Number(c) : 0;
  }

  async hit(bucket: string, now: number, windowStart: number): Promise<void> {
    await this.redis.eval(HIT, 1, `rl:${bucket}`, now, windowStart, Math.max(1, now - windowStart) + 1);
  }

  async clear(bucket: string): Promise<void> {
    await this.redis.del(`rl:${bucket}`);
  }
}
