// The progress contract on Redis (writer and reader on two connections), and the batching of reports.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { skipWithoutRedis, testPrefix, testRedisConnection } from '../testing/test-redis.js';
import { progressContract } from './progress-contract.js';
import { RedisProgress } from './redis-progress.js';

if (skipWithoutRedis) console.log(`# skipping the Redis progress tests: ${skipWithoutRedis}`);

progressContract(
  'redis',
  async ({ retentionMs }) => {
    const prefix = testPrefix();
    const conns = [testRedisConnection(prefix), testRedisConnection(prefix)];
    return {
      writer: new RedisProgress(conns[0]!.client, { retentionMs, flushMs: 20 }),
      reader: new RedisProgress(conns[1]!.client, { retentionMs }),
      close: async () => {
        await Promise.all(conns.map((c) => c.close()));
      },
    };
  },
  skipWithoutRedis,
);

describe('RedisProgress batching', { skip: skipWithoutRedis }, () => {
  const conn = skipWithoutRedis ? undefined : testRedisConnection();
  after(() => conn?.close());

  it('turns a thousand reports within one flush interval into one write', async () => {
    const p = new RedisProgress(conn!.client, { flushMs: 100 });
    p.begin('many', 1_000_000);
    const afterBegin = p.writes;
    for (let i = 1; i <= 1000; i++) p.report('many', i * 1000);
    await sleep(250);
    assert.equal(p.writes - afterBegin, 1);
    assert.equal((await p.get('many'))?.receivedBytes, 1_000_000);
  });
});
