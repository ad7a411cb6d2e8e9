// A node whose Redis is down (nothing listens at SENDBAY_REDIS_URL): it starts, /readyz
// names Redis as down, and the API keeps working in its degraded form: logins are still
// rate-limited (in the database), uploads succeed, the progress URL answers at once, a
// logout holds, and maintenance is skipped rather than run without its lease.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { multipart, send, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';

describe('a node with Redis down', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { SENDBAY_REDIS_URL: 'redis://127.0.0.1:1/0', SENDBAY_LOGIN_MAX_FAILURES: '2' } });
  });
  after(() => server.stop());

  it('starts, stays live, and reports Redis as down on /readyz', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { down: string[] };
    assert.deepEqual(body.down, ['redis']);
  });

  it('logs users in and out, and still limits failed logins (counted in the database)', async () => {
    const { client, email } = await server.userClient();
    assert.equal((await client.call('auth.checkSession')).status, 'ok');
    assert.equal((await client.call('auth.logout')).status, 'ok');
    assert.equal((await client.call('auth.checkSession')).error?.code, 6);
    const fresh = server.client();
    for (let i = 0; i < 2; i++) assert.equal((await fresh.login(email, 'wrong')).error?.code, 8);
    const locked = await fresh.login(email, 'wrong-again');
    assert.match(locked.error?.text ?? '', /Too many failed logins/);
    const rows = await server.ctx.db.selectFrom('rate_limits').selectAll().where('bucket', '=', `login:acct:${email}`).execute();
    assert.equal(rows[0]?.count, 2);
  });

  it('stores uploads, and the progress URL answers (without figures) instead of hanging', async () => {
    const { client } = await server.userClient();
    const info = await uploadInfo(client);
    const up = sessionAnswer((await send(info.url, multipart([{ name: 'userfile', filename: 'a.txt', content: 'hello' }]))).text);
    assert.equal(up.status, 'ok', up.lines.join('\n'));
    const res = await fetch(info.progress_url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<status>/);
  });

  it('skips a maintenance job it cannot take the lease for, with an error, and runs nothing', async () => {
    let ran = false;
    await assert.rejects(
      server.ctx.jobGuard({ name: 'probe', intervalSeconds: 60, run: async () => {} }, async () => {
        ran = true;
      }),
    );
    assert.equal(ran, false);
  });
});
