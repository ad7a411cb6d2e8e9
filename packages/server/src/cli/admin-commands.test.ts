// The operator's commands: --help everywhere, refusing a data folder that is not there,
// passwords from standard input, reset-password, delete (files, blobs, quota) and doctor,
// against the data folder a real server is using.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { blobFilesOnDisk } from '../testing/library-fixtures.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { multipart, send, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';
import { COMMANDS } from './commands.js';
import { main } from './main.js';

const SECRET = 'test-secret-0123456789abcdef';
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function cli(env: Record<string, string>, argv: string[], stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const input = stdin === undefined ? undefined : { stdin: Readable.from([stdin]), prompt: new PassThrough() };
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), ...(input ? { input } : {}) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function child(env: Record<string, string>, argv: string[], stdin: string) {
  return new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
    const c = spawn(process.execPath, ['packages/server/bin/sendbay.js', ...argv], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    c.stdin.end(stdin);
  });
}

describe('admin commands', () => {
  let dataDir: string;
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sendbay-admin-'));
    env = { SENDBAY_DATA_DIR: dataDir, SENDBAY_SECRET: SECRET, SENDBAY_LOG_LEVEL: 'silent' };
    server = await startTestServer({ env: { SENDBAY_DATA_DIR: dataDir, SENDBAY_SECRET: SECRET } });
  });
  after(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('--help on every command prints its usage and exits 0, touching nothing', async () => {
    const nowhere = join(dataDir, 'no-such-folder');
    for (const c of COMMANDS) {
      const r = await cli({ ...env, SENDBAY_DATA_DIR: nowhere }, [...c.name.split(' '), '--help']);
      assert.equal(r.code, 0, `${c.name}: ${r.err}`);
      assert.ok(r.out.startsWith(`Usage: sendbay ${c.synopsis}\n`), `${c.name}: ${r.out}`);
      const viaHelp = await cli(env, ['help', ...c.name.split(' ')]);
      assert.equal(viaHelp.out, r.out);
    }
    assert.equal(existsSync(nowhere), false);
  });

  it('an admin command on a data folder that does not exist fails clearly and creates nothing', async () => {
    const nowhere = join(dataDir, 'typo');
    for (const argv of [
      ['user', 'list'],
      ['apikey', 'list'],
      ['user', 'reset-password', 'a@example.com', '--password-stdin'],
    ]) {
      const r = await cli({ ...env, SENDBAY_DATA_DIR: nowhere }, argv, 'pw-1234\n');
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(
        r.err,
        /^sendbay: no Sendbay database at .*typo\/sendbay\.sqlite \(SENDBAY_DATA_DIR=.*typo\): run this where the server runs/,
      );
    }
    assert.equal(existsSync(nowhere), false);
  });

  it('user add --password-stdin (a real child process, password piped in) makes an account that logs in', async () => {
    const r = await child(env, ['user', 'add', '--email', 'piped@example.com', '--password-stdin'], 'pw-piped\n');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '', 'no warning when the password comes from stdin');
    assert.equal((await server.client().login('piped@example.com', 'pw-piped')).status, 'ok');
    const empty = await child(env, ['user', 'add', '--email', 'empty@example.com', '--password-stdin'], '');
    assert.equal(empty.code, 2);
    assert.match(empty.err, /no password on standard input/);
  });

  it('user reset-password sets the new password and ends the open sessions', async () => {
    const u = await server.userClient({ password: 'old-pass' });
    assert.equal((await u.client.call('auth.checkSession')).status, 'ok');
    const r = await cli(env, ['user', 'reset-password', u.email, '--password-stdin'], 'new-pass\n');
    assert.equal(r.code, 0, r.err);
    // The command runs in its own context, as another process would: the server sees that
    // write once its 250 ms session cache entry has aged out (docs/architecture.md).
    await new Promise((done) => setTimeout(done, 300));
    assert.equal((await u.client.call('auth.checkSession')).status, 'fail', 'the old session is over');
    assert.equal((await server.client().login(u.email, 'old-pass')).status, 'fail');
    assert.equal((await server.client().login(u.email, 'new-pass')).status, 'ok');
    const unknown = await cli(env, ['user', 'reset-password', 'nobody@example.com', '--password-stdin'], 'x-pass\n');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no such user: nobody@example.com/);
  });

  it('user delete removes the account, its files, their blobs and its usage; without --yes nothing', async () => {
    const u = await server.userClient();
    const other = await server.userClient();
    const upload = async (who: typeof u, name: string) => {
      const info = await uploadInfo(who.client);
      const a = sessionAnswer((await send(info.url, multipart([{ name: 'userfile', filename: name, content: `bytes of ${name}` }]))).text);
      assert.equal(a.status, 'ok');
      return a.fileIds[0]!;
    };
    await upload(u, 'a.txt');
    await upload(u, 'b.txt');
    const kept = await upload(other, 'keep.txt');
    const blobsBefore = await blobFilesOnDisk(dataDir);

    const refused = await cli(env, ['user', 'delete', u.email]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /add --yes to confirm/);
    assert.ok(await server.ctx.accounts.find(u.email));

    const r = await cli(env, ['user', 'delete', u.email, '--yes']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /deleted, with 2 file\(s\), \d+ bytes$/);
    assert.equal(await server.ctx.accounts.find(u.email), undefined);
    const rows = await server.ctx.db.selectFrom('files').select(['id', 'owner_id']).execute();
    assert.deepEqual(
      rows.filter((f) => f.owner_id === u.id),
      [],
    );
    assert.ok(rows.some((f) => f.id === kept));
    const blobsAfter = await blobFilesOnDisk(dataDir);
    assert.equal(blobsAfter.size, blobsBefore.size - 2, 'exactly the two blobs are gone');
    assert.equal((await u.client.call('auth.checkSession')).status, 'fail');
  });

  describe('doctor', () => {
    it('reaches every configured service and exits 0', async () => {
      const r = await cli(env, ['doctor']);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /^ok {4}database answers \(\d+ ms\)$/m);
      assert.match(r.out, /^ok {4}blobs answers/m);
      assert.match(r.out, /^ok {4}mail \(outbox\) answers/m);
      assert.match(r.out, /everything answers$/);
    });

    it('names a service that does not answer (SMTP on a closed port) and exits 1', async () => {
      const r = await cli({ ...env, SENDBAY_SMTP_URL: 'smtp://127.0.0.1:9' }, ['doctor']);
      assert.equal(r.code, 1);
      assert.match(r.out, /^FAIL {2}mail \(smtp\) answers: no\. .+$/m);
      assert.match(r.out, /1 problem\(s\) found$/);
    });

    it('reports a missing data folder and an unknown setting, and creates nothing', async () => {
      const nowhere = join(dataDir, 'gone');
      const r = await cli({ ...env, SENDBAY_DATA_DIR: nowhere, SENDBAY_SMTP_ULR: 'x' }, ['doctor']);
      assert.equal(r.code, 1);
      assert.match(r.out, /^warn {2}SENDBAY_SMTP_ULR is ignored/m);
      assert.match(r.out, /^FAIL {2}no Sendbay database at /m);
      assert.equal(existsSync(nowhere), false);
    });

    it('names every configuration problem and exits 1', async () => {
      const r = await cli({ ...env, PORT: 'abc' }, ['doctor']);
      assert.equal(r.code, 1);
      assert.match(r.err, /PORT must be a whole number/);
    });
  });
});
