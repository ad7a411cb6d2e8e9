// The rate-limit contract on every store: memory, SQL on SQLite (and PostgreSQL when configured), Redis, and Redis down -> SQL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../metadata/db.js';
import { RateLimitsRepository } from '../metadata/repositories/rate-limits.js';
import { randomKey } from '../lib/crypto.js';
import { deadRedisConnection, skipWithoutRedis, testPrefix, testRedisConnection } from '../testing/test-redis.js';
import { testPostgresUrl } from '../testing/test-server.js';
import { FallbackRateLimits } from './fallback-rate-limits.js';
import { MemoryRateLimits } from './memory-rate-limits.js';
import { rateLimitContract } from './rate-limit-contract.js';
import { RedisRateLimits } from './redis-rate-limits.js';

if (skipWithoutRedis) console.log(`# skipping the Redis rate-limit stores: ${skipWithoutRedis}`);
if (!testPostgresUrl) console.log('# skipping the PostgreSQL rate-limit store: SENDBAY_TEST_DATABASE_URL is not set');

async function sqlite() {
  const dir = await mkdtemp(join(tmpdir(), 'sendbay-rl-'));
  const { db } = await openDatabase({ kind: 'sqlite', file: join(dir, 'db.sqlite') });
  await migrateToLatest(db);
  const repo = new RateLimitsRepository(db);
  return {
    repo,
    close: async () => {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

rateLimitContract('memory', async () => {
  const m = new MemoryRateLimits();
  return { a: m, b: m, close: async () => {} };
});

rateLimitContract('sql (sqlite)', async () => {
  const s = await sqlite();
  return { a: s.repo, b: s.repo, close: s.close };
});

rateLimitContract(
  'sql (postgresql)',
  async () => {
    const base = testPostgresUrl as string;
    const name = `sendbay_rl_${randomKey(8).toLowerCase()}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const { db } = await openDatabase({ kind: 'postgres', url: url.href });
    await migrateToLatest(db);
    const repo = new RateLimitsRepository(db);
    return {
      a: repo,
      b: repo,
      close: async () => {
        await db.destroy();
        await admin.query(`drop database if exists ${name}`);
        await admin.end();
      },
    };
  },
  testPostgresUrl ? false : 'SENDBAY_TEST_DATABASE_URL is not set',
);

rateLimitContract(
  'redis',
  async () => {
    const prefix = testPrefix();
    const conns = [testRedisConnection(prefix), testRedisConnection(prefix)];
    return {
      a: new RedisRateLimits(conns[0]!.client),
      b: new RedisRateLimits(conns[1]!.client),
      close: async () => {
        await Promise.all(conns.map((c) => c.close()));
      },
    };
  },
  skipWithoutRedis,
);

rateLimitContract('redis down, falling back to sql (sqlite)', async () => {
  const dead = deadRedisConnection();
  const s = await sqlite();
  const store = new FallbackRateLimits(new RedisRateLimits(dead.client), s.repo);
  return {
    a: store,
    b: store,
    close: async () => {
      await dead.close();
      await s.close();
    },
  };
});
