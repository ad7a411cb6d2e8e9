/**
 * Redis for the suites that need it: SENDBAY_TEST_REDIS_URL (set by .ci/run after
 * `scripts/services/redis.sh start`). Each connection gets its own key prefix, so test
 * files running in parallel on one Redis never see each other's keys or channels.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { RedisConnection } from '../redis/redis-connection.js';

export const testRedisUrl = process.env.SENDBAY_TEST_REDIS_URL;

/** Why a Redis suite is skipped, or false when it runs. */
export const skipWithoutRedis: string | false = testRedisUrl
  ? false
  : 'SENDBAY_TEST_REDIS_URL is not set (start one with scripts/services/redis.sh start DIR)';

export function testPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** A connection to the test Redis under `prefix` (a fresh one by default). */
export function testRedisConnection(prefix = testPrefix(), url = testRedisUrl): RedisConnection {
  if (!url) throw new Error('SENDBAY_TEST_REDIS_URL is not set');
  return new RedisConnection(url, pino({ level: 'silent' }), { prefix });
}

/** A connection to a port where nothing listens: Redis "down". */
export function deadRedisConnection(): RedisConnection {
  return new RedisConnection('redis://127.0.0.1:1/0', pino({ level: 'silent' }), { prefix: testPrefix(), commandTimeoutMs: 300 });
}
