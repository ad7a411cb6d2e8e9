// Two server processes' worth of nodes in one test: one PostgreSQL database, one Redis.
// A logout or a disabled account on one node holds on the other at once (not after its
// session cache expires), progress is read from the node that did not receive the
// upload, and a maintenance job runs on one node at a time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runUnderLease } from './lease.js';
import { skipWithoutRedis, testPrefix, testRedisUrl } from '../testing/test-redis.js';
import { startTestServer, testPostgresUrl, type TestServer } from '../testing/test-server.js';
import { FORM_TYPE, openRequest, partHead, sessionAnswer, uploadInfo, waitFor } from '../testing/upload-kit.js';

const skip = skipWithoutRedis || (testPostgresUrl ? false : 'SENDBAY_TEST_DATABASE_URL is not set');
if (skip) console.log(`# skipping the two-node tests: ${skip}`);

describe('two nodes on one database and one Redis', { skip }, () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    const env = { SENDBAY_REDIS_URL: testRedisUrl as string, SENDBAY_REDIS_PREFIX: testPrefix() };
    a = await startTestServer({ database: 'configured', env });
    const url = a.config.database.kind === 'postgres' ? a.config.database.url : '';
    b = await startTestServer({ env: { ...env, SENDBAY_DATABASE_URL: url } });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('a logout on one node is refused by the other at once, even with the session in its cache', async () => {
    for (let round = 0; round < 5; round++) {
      const { client } = await a.userClient();
      const onB = b.client();
      onB.sessionKey = client.sessionKey;
      assert.equal((await onB.call('auth.checkSession')).status, 'ok', 'b knows the session (and caches it)');
      assert.equal((await client.call('auth.logout')).status, 'ok');
      assert.equal((await onB.call('auth.checkSession')).error?.code, 6, 'b refuses it right after the logout answered');
    }
  });

  it('a disabled account is refused by the other node at once', async () => {
    const { client, id } = await a.userClient();
    const onB = b.client();
    onB.sessionKey = client.sessionKey;
    assert.equal((await onB.call('auth.checkSession')).status, 'ok');
    const user = (await a.ctx.accounts.list()).find((u) => u.id === id);
    assert.ok(user);
    await a.ctx.accounts.setDisabled(user, true);
    assert.equal((await onB.call('auth.checkSession')).error?.code, 6);
  });

  it('the node that did not receive an upload reports its progress, rising, then done', async () => {
    const { client } = await a.userClient();
    const info = await uploadInfo(client);
    const content = randomBytes(300_000);
    const head = Buffer.from(partHead({ name: 'userfile', filename: 'slow.bin', content: '' }));
    const tail = Buffer.from(`\r\n--${FORM_TYPE.split('boundary=')[1]}--\r\n`);
    const total = head.length + content.length + tail.length;
    const { req, answer } = openRequest(info.url, { headers: { 'content-type': FORM_TYPE, 'content-length': total } });
    const onB = info.progress_url.replace(a.url, b.url);
    const uploaded = async () => Number(/<uploaded_bytes>(\d+)</.exec(await (await fetch(onB)).text())?.[1] ?? -1);
    req.write(head);
    req.write(content.subarray(0, 100_000));
    const seen = await waitFor(async () => {
      const n = await uploaded();
      return n >= head.length + 100_000 ? n : undefined;
    });
    assert.equal(seen, head.length + 100_000);
    req.write(content.subarray(100_000));
    req.end(tail);
    assert.equal(sessionAnswer((await answer).text).status, 'ok');
    const done = await waitFor(async () => {
      const xml = await (await fetch(onB)).text();
      return xml.includes('<status>done</status>') ? xml : undefined;
    });
    assert.match(done, new RegExp(`<uploaded_bytes>${total}</uploaded_bytes>`));
  });

  it('a job leased by one node is skipped by the other while it runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = runUnderLease(a.ctx.locks, 'job:test', 5_000, () => gate);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await runUnderLease(b.ctx.locks, 'job:test', 5_000, async () => {}), 'held elsewhere');
    release();
    assert.equal(await first, 'ran');
    assert.equal(await runUnderLease(b.ctx.locks, 'job:test', 5_000, async () => {}), 'ran');
  });
});
