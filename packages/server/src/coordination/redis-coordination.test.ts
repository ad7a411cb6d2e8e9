// The coordination contract on Redis: two connections (two "nodes") on one Redis, under one key prefix.
import { skipWithoutRedis, testPrefix, testRedisConnection } from '../testing/test-redis.js';
import { coordinationContract } from './coordination-contract.js';
import { RedisInvalidation } from './redis-invalidation.js';
import { RedisLockBackend } from './redis-locks.js';
import { RenewingLocks } from './renewing-locks.js';

if (skipWithoutRedis) console.log(`# skipping the Redis coordination contract: ${skipWithoutRedis}`);

coordinationContract(
  'redis',
  async () => {
    const prefix = testPrefix();
    const conns = [testRedisConnection(prefix), testRedisConnection(prefix)];
    const nodes = conns.map((c) => {
      const backend = new RedisLockBackend(c.client);
      const bus = new RedisInvalidation(c.client, c.subscriber(), `${prefix}invalidate`);
      return { locks: new RenewingLocks(backend), backend, bus };
    });
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    return {
      a,
      b,
      ready: async () => {
        await Promise.all(nodes.map((n) => n.bus.ready()));
      },
      evict: async (key) => {
        await conns[0]?.client.del(`lock:${key}`);
      },
      close: async () => {
        await Promise.all(conns.map((c) => c.close()));
      },
    };
  },
  skipWithoutRedis,
);
