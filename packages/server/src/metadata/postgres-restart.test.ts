// Fault: PostgreSQL restarts under traffic. A PostgreSQL of its own (started with the
// project's scripts/services/postgres.sh, so the shared test engine is left alone) is
// stopped and started again while API calls and uploads keep coming. Every answer in
// between is a proper one (a <result> with a spec code, an upload_status), the server
// never dies, and once the engine is back the pool serves again with no restart.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startTestServer, testPostgresUrl, type TestServer } from '../testing/test-server.js';
import { multipart, send, sessionAnswer, uploadInfo, waitFor } from '../testing/upload-kit.js';

const run = promisify(execFile);
const script = join(import.meta.dirname, '../../../../scripts/services/postgres.sh');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('PostgreSQL restarted under traffic', () => {
  let dir: string;
  let port: number;
  let server: TestServer | undefined;

  before(async () => {
    if (!testPostgresUrl) return;
    dir = await mkdtemp('/tmp/sendbay-pg-restart-');
    port = await freePort();
    const { stdout } = await run('bash', [script, 'start', dir, String(port)]);
    const url = /SENDBAY_TEST_DATABASE_URL=(\S+)/.exec(stdout)?.[1];
    assert.ok(url, stdout);
    server = await startTestServer({ env: { SENDBAY_DATABASE_URL: url } });
  });
  after(async () => {
    await server?.stop();
    if (dir) {
      await run('bash', [script, 'stop', dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers properly during the outage and recovers without a restart', async (t) => {
    if (!server) return t.skip('SENDBAY_TEST_DATABASE_URL is not set: this test needs PostgreSQL binaries (CI sets it)');
    const s = server;
    const u = await s.userClient();
    let stop = false;
    const seen = { ok: 0, failed: 0 };
    const check = (xml: string, status: string, code?: number) => {
      assert.doesNotMatch(xml, /at .*\.ts|Error:|ECONNREFUSED|57P01/, xml);
      if (status === 'ok') seen.ok++;
      else {
        assert.ok(code !== undefined && code >= 1 && code <= 33, xml);
        seen.failed++;
      }
    };
    const apiTraffic = (async () => {
      while (!stop) {
        const r = await u.client.call('folders.getAll');
        check(r.xml, r.status, r.error?.code);
      }
    })();
    const info = await uploadInfo(u.client);
    const uploadTraffic = (async () => {
      while (!stop) {
        const a = await send(info.url, multipart([{ name: 'userfile', filename: 'during.txt', content: 'restart' }]));
        const parsed = sessionAnswer(a.text);
        assert.ok(parsed.status === 'ok' || parsed.status === 'fail', a.text);
        assert.doesNotMatch(a.text, /at .*\.ts|Error:/);
      }
    })();

    await new Promise((r) => setTimeout(r, 300));
    await run('bash', [script, 'stop', dir]);
    await new Promise((r) => setTimeout(r, 500));
    await run('bash', [script, 'start', dir, String(port)]);
    // Recovered: calls succeed again on the same server process.
    await waitFor(async () => ((await u.client.call('folders.getAll')).status === 'ok' ? true : undefined), 15_000, 'the pool to recover');
    stop = true;
    await Promise.all([apiTraffic, uploadTraffic]);
    assert.ok(seen.ok > 0, 'calls succeeded around the outage');

    const after = await send((await uploadInfo(u.client)).url, multipart([{ name: 'userfile', filename: 'after.txt', content: 'back' }]));
    assert.equal(sessionAnswer(after.text).status, 'ok', after.text);
    assert.equal((await u.client.call('folders.create', { name: 'after-restart' })).status, 'ok');
  });
});
