// Fault: another process holds SQLite's write lock. The server waits for it (busy
// timeout) and carries on when it is released; when it is held for longer, uploads
// answer upload_status=fail leaving nothing behind, API calls answer a <result> error
// (never a stack trace), and everything works again once the lock is gone.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { assertNoUploadLeftovers, multipart, send, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';

/**
 * A separate process (the server's SQLite calls block its own thread) holding the write
 * lock: for `ms`, or until `release()` when `ms` is 0.
 */
async function holdWriteLock(file: string, ms: number): Promise<{ child: ChildProcess; released: Promise<void>; release: () => void }> {
  const code = `
    const db = require('better-sqlite3')(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    const done = () => { db.exec('COMMIT'); db.close(); process.exit(0); };
    if (Number(process.argv[2]) > 0) setTimeout(done, Number(process.argv[2]));
    else process.stdin.on('data', done);`;
  const child = spawn(process.execPath, ['-e', code, file, String(ms)], { stdio: ['pipe', 'pipe', 'inherit'], cwd: import.meta.dirname });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (c) => reject(new Error(`lock holder exited early (${c})`)));
  });
  return { child, released: new Promise((r) => child.on('exit', () => r())), release: () => child.stdin!.write('go\n') };
}

describe('SQLite busy: another writer holds the lock', () => {
  let server: TestServer;
  let file: string;
  before(async () => {
    server = await startTestServer();
    file = join(server.dataDir, 'sendbay.sqlite');
  });
  after(() => server.stop());

  it('waits for a short lock and succeeds', async () => {
    const { client } = await server.userClient();
    const info = await uploadInfo(client);
    const lock = await holdWriteLock(file, 800);
    const answer = await send(info.url, multipart([{ name: 'userfile', filename: 'waited.txt', content: 'after the lock' }]));
    assert.equal(sessionAnswer(answer.text).status, 'ok', answer.text);
    await lock.released;
  });

  it('answers cleanly while the lock outlasts the busy timeout, and recovers after', async () => {
    const u = await server.userClient();
    const info = await uploadInfo(u.client);
    const lock = await holdWriteLock(file, 0);
    const answer = await send(info.url, multipart([{ name: 'userfile', filename: 'blocked.txt', content: 'never committed' }]));
    const a = sessionAnswer(answer.text);
    assert.equal(a.status, 'fail', answer.text);
    assert.equal(a.reason, 'Upload is temporarily unavailable; please try again later');
    const call = await u.client.call('folders.create', { name: 'blocked' });
    assert.equal(call.status, 'fail', call.xml);
    assert.ok(call.error && call.error.code >= 1 && call.error.code <= 33, call.xml);
    assert.doesNotMatch(call.xml, /SQLITE|at .*\.ts|Error:/);
    lock.release();
    await lock.released;

    await assertNoUploadLeftovers(server);
    const next = await uploadInfo(u.client);
    const ok = await send(next.url, multipart([{ name: 'userfile', filename: 'free.txt', content: 'free again' }]));
    assert.equal(sessionAnswer(ok.text).status, 'ok', ok.text);
    assert.equal((await u.client.call('folders.create', { name: 'free' })).status, 'ok');
  });
});
