// Redis down: every adapter answers (rejects or degrades) within its command timeout instead of hanging.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RedisInvalidation } from '../coordination/redis-invalidation.js';
import { RedisLockBackend } from '../coordination/redis-locks.js';
import { RenewingLocks } from '../coordination/renewing-locks.js';
import { RedisProgress } from '../progress/redis-progress.js';
import { RedisRateLimits } from '../ratelimit/redis-rate-limits.js';
import { deadRedisConnection } from '../testing/test-redis.js';

describe('Redis down', () => {
  const conn = deadRedisConnection();
  after(() => conn.close());

  it('ping rejects, so health can say Redis is down', async () => {
    await assert.rejects(conn.ping());
    await assert.rejects(conn.check());
  });

  it('acquiring a lock rejects instead of hanging; publishing an invalidation rejects', async () => {
    await assert.rejects(new RenewingLocks(new RedisLockBackend(conn.client)).acquire('k', 1_000));
    const bus = new RedisInvalidation(conn.client, conn.subscriber(), 'x');
    const off = bus.subscribe(() => {});
    await assert.rejects(bus.publish({ kind: 'user', userId: 'u' }));
    off();
  });

  it('progress writes are dropped without an error and reads answer "unknown"', async () => {
    const p = new RedisProgress(conn.client, { flushMs: 10 });
    p.begin('u', 10);
    p.report('u', 5);
    p.end('u', 'done');
    p.flush();
    assert.equal(await p.get('u'), undefined);
  });

  it('rate-limit calls reject (the fallback store then counts in the database)', async () => {
    await assert.rejects(new RedisRateLimits(conn.client).count('b', 0));
  });
});
