/**
 * Coordination through Redis, for several nodes: progress any node can answer, rate
 * limits every node counts together (in the database while Redis is unreachable), locks
 * and session-change notices across nodes. Loaded by the composition root only when
 * SENDBAY_REDIS_URL is set, so a single node never loads the Redis client.
 */
import type { Logger } from 'pino';
import type { Coordination } from '../coordination/coordination.js';
import { RedisInvalidation } from '../coordination/redis-invalidation.js';
import { RedisLockBackend } from '../coordination/redis-locks.js';
import { RenewingLocks } from '../coordination/renewing-locks.js';
import { RedisProgress } from '../progress/redis-progress.js';
import { FallbackRateLimits } from '../ratelimit/fallback-rate-limits.js';
import type { RateLimitStore } from '../ratelimit/rate-limit-store.js';
import { RedisRateLimits } from '../ratelimit/redis-rate-limits.js';
import type { HealthCheck } from '../services.js';
import { RedisConnection } from './redis-connection.js';

export function createRedisCoordination(
  settings: { url: string; prefix: string },
  sqlRateLimits: RateLimitStore,
  log: Logger,
  closers: (() => Promise<unknown>)[],
  health: HealthCheck[],
): Coordination {
  const redisLog = log.child({ component: 'redis' });
  const conn = new RedisConnection(settings.url, redisLog, { prefix: settings.prefix });
  closers.push(() => conn.close());
  const progress = new RedisProgress(conn.client);
  // Closed before the connection (closers run newest first): the last reports go out.
  closers.push(async () => progress.flush());
  health.push({ name: 'redis', check: () => conn.check() });
  let warned = 0;
  return {
    progress,
    rateLimits: new FallbackRateLimits(new RedisRateLimits(conn.client), sqlRateLimits, (err) => {
      if (Date.now() - warned < 60_000) return;
      warned = Date.now();
      redisLog.warn({ err }, 'rate limits counted in the database while Redis is unreachable');
    }),
    locks: new RenewingLocks(new RedisLockBackend(conn.client)),
    invalidation: new RedisInvalidation(conn.client, conn.subscriber(), `${conn.prefix}invalidate`),
  };
}
