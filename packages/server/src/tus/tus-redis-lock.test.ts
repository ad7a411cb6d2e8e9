// One writer per upload across processes through Redis: two `sendbay serve` processes on
// one PostgreSQL database, one Redis and one data folder take PATCHes of the same upload
// at the same moment; exactly one writes, the other is answered 423, and the offset is
// the writer's. With Redis unreachable a PATCH is refused with 503 (and Retry-After)
// rather than written without a lock.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SendspaceClient } from '@sendbay/client';
import { freePort, startNode, type NodeProcess } from '../cluster/node-process.js';
import { skipWithoutRedis, testPrefix, testRedisConnection, testRedisUrl } from '../testing/test-redis.js';
import { createPgDatabase, startTestServer, testPostgresUrl } from '../testing/test-server.js';
import { anonymousUploadInfo, openRequest, waitFor } from '../testing/upload-kit.js';
import { createUpload, patch, tusRequest } from './tus-test-kit.js';

const skip = skipWithoutRedis || (testPostgresUrl ? false : 'SENDBAY_TEST_DATABASE_URL is not set');
if (skip) console.log(`# skipping the Redis upload-lock tests: ${skip}`);

describe('tus upload locks in Redis, across processes', { skip, timeout: 120_000 }, () => {
  const prefix = testPrefix();
  const nodes: NodeProcess[] = [];
  let dataDir: string;
  let dropDb: () => Promise<void>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sendbay-tus-redis-'));
    const database = await createPgDatabase(testPostgresUrl as string);
    dropDb = database.drop;
    const env = {
      SENDBAY_DATA_DIR: dataDir,
      SENDBAY_SECRET: 'lock-test-secret-0123456789abcdef',
      SENDBAY_DATABASE_URL: database.url,
      SENDBAY_REDIS_URL: testRedisUrl as string,
      SENDBAY_REDIS_PREFIX: prefix,
      SENDBAY_LOG_LEVEL: 'warn',
    };
    for (const name of ['a', 'b']) {
      const port = await freePort();
      nodes.push(await startNode(name, port, { ...env, SENDBAY_PUBLIC_URL: `http://127.0.0.1:${port}` }));
    }
  });
  after(async () => {
    for (const n of nodes) await n.kill();
    await dropDb?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lets exactly one of two concurrent PATCHes on two nodes write; the other gets 423 and the offset is right', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const info = await anonymousUploadInfo(new SendspaceClient(a.url));
    const created = await createUpload(a.url, 2000, { ticket: info.extra_info as string, filename: 'race.bin' });
    assert.equal(created.status, 201);
    const onA = created.headers.get('location') as string;
    const id = onA.split('/').pop() as string;
    const onB = `${b.url}/tus/${id}`;

    const redis = testRedisConnection(prefix);
    try {
      const first = openRequest(onA, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          'content-type': 'application/offset+octet-stream',
          'upload-offset': 0,
          'content-length': 1000,
        },
      });
      const sent = randomBytes(1000);
      first.req.write(sent.subarray(0, 400));
      // Node a holds the upload's lock in Redis (not a lease on the row) while its body is open.
      await waitFor(async () => ((await redis.client.exists(`lock:tus:${id}`)) === 1 ? true : undefined), 5000, 'the lock in Redis');
      const second = await patch(onB, 0, randomBytes(1000));
      assert.equal(second.status, 423, `the other node's PATCH: ${second.status} ${second.text}`);
      first.req.end(sent.subarray(400));
      const answer = await first.answer;
      assert.equal(answer.status, 204);
      assert.equal(answer.headers['upload-offset'], '1000');
      assert.equal((await redis.client.exists(`lock:tus:${id}`)) === 0, true, 'the lock is released');
    } finally {
      await redis.close();
    }
    assert.equal((await tusRequest(onB, 'HEAD')).headers.get('upload-offset'), '1000');
    const rest = await patch(onB, 1000, randomBytes(1000));
    assert.equal(rest.status, 204);
    assert.ok(rest.headers.get('sendbay-file-id'), 'the other node finished the upload');
  });

  it('refuses a PATCH with 503 and Retry-After while Redis cannot be reached, and writes nothing', async () => {
    const server = await startTestServer({ env: { SENDBAY_REDIS_URL: 'redis://127.0.0.1:1/0' } });
    try {
      const info = await anonymousUploadInfo(server.client());
      const url = (await createUpload(server.url, 100, { ticket: info.extra_info as string, filename: 'x' })).headers.get(
        'location',
      ) as string;
      const r = await patch(url, 0, randomBytes(100));
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '5');
      assert.match(r.text, /try again/);
      assert.equal((await tusRequest(url, 'HEAD')).headers.get('upload-offset'), '0');
    } finally {
      await server.stop();
    }
  });
});
