/** Every sbay command, run as a child process against the real server on loopback. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSmtpSink, type SmtpSink } from '../../server/src/testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../../server/src/testing/test-server.js';
import { runSbay, type CliRun } from './cli-kit.js';
import { COMMANDS } from './commands/index.js';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A failure is one line on stderr, no stack, and the given exit code. */
function failsWith(r: CliRun, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, /^sbay: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('sbay', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let home: string;
  let work: string;
  let email: string;
  let password: string;
  let env: Record<string, string>;
  const sbay = (args: string[], extra: { env?: Record<string, string | undefined>; input?: string } = {}) =>
    runSbay(args, { env: { ...env, ...extra.env }, input: extra.input, cwd: work });

  before(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SENDBAY_SMTP_URL: smtp.url } });
    ({ email, password } = await server.userClient());
    home = await mkdtemp(join(tmpdir(), 'sbay-home-'));
    work = await mkdtemp(join(tmpdir(), 'sbay-work-'));
    env = { XDG_CONFIG_HOME: join(home, 'config'), HOME: home };
  });
  after(async () => {
    await server.stop();
    await smtp.close();
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('--help everywhere, and usage errors exit 2', async () => {
    const top = await sbay(['--help']);
    assert.equal(top.code, 0);
    for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`\\n  ${c.name} `));
    assert.match(top.stdout, /Exit codes:/);
    for (const c of COMMANDS) {
      const r = await sbay([c.name, '--help']);
      assert.equal(r.code, 0, c.name);
      assert.match(r.stdout, new RegExp(`^Usage: sbay ${c.name}`), c.name);
      assert.match(r.stdout, /--json/);
    }
    failsWith(await sbay(['frobnicate']), 2, /unknown command "frobnicate"/);
    failsWith(await sbay(['upload', '--bogus', 'x']), 2, /Unknown option '--bogus'/);
    failsWith(await sbay(['upload']), 2, /missing FILE/);
    assert.equal((await sbay([])).code, 2);
    assert.match((await sbay(['--version'])).stdout, /^sbay \d+\.\d+\.\d+/);
  });

  it('login: a bad server URL and a wrong password are one clear line and a non-zero exit', async () => {
    const port = await closedPort();
    failsWith(
      await sbay(['login', '--server', `http://127.0.0.1:${port}`, '--email', email], { env: { SBAY_PASSWORD: 'x' } }),
      5,
      /cannot reach .*ECONNREFUSED/,
    );
    failsWith(await sbay(['login', '--server', 'not a url', '--email', email], { env: { SBAY_PASSWORD: 'x' } }), 2, /bad server URL/);
    failsWith(await sbay(['login', '--server', `${server.url}/file/x`, '--email', email], { env: { SBAY_PASSWORD: 'x' } }), 5, /sendspace/);
    failsWith(
      await sbay(['login', '--server', server.url, '--email', email], { env: { SBAY_PASSWORD: 'wrong' } }),
      3,
      /wrong e-mail or password/,
    );
    failsWith(await sbay(['ls']), 3, /not logged in/);
  });

  it('login from stdin keeps a 0600 session file; whoami shows plan and quotas', async () => {
    const r = await sbay(['login', '--server', server.url, '--email', email], { input: `${password}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Logged in to .* as .* \(lite\)/);
    const file = join(home, 'config', 'sendbay', 'session.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    assert.equal(saved.email, email);
    assert.doesNotMatch(JSON.stringify(saved), new RegExp(password));
    const who = await sbay(['whoami']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /plan: lite\ndisk space left: /);
    const json = JSON.parse((await sbay(['whoami', '--json'])).stdout) as { email: string; plan: string; diskspaceLeft: number };
    assert.equal(json.email, email);
    assert.equal(typeof json.diskspaceLeft, 'number');
    const viaEnv = await sbay(['login', '--server', server.url, '--email', email, '--json'], { env: { SBAY_PASSWORD: password } });
    assert.equal((JSON.parse(viaEnv.stdout) as { email: string }).email, email);
  });

  it('upload with every option prints the links, with plain progress lines when not a terminal', async () => {
    const a = join(work, 'a.bin');
    const b = join(work, 'b.txt');
    await writeFile(a, randomBytes(300_000));
    await writeFile(b, 'bee');
    const folder = JSON.parse((await sbay(['mkdir', 'Uploads', '--json'])).stdout) as { id: string };
    const r = await sbay([
      'upload',
      a,
      b,
      '--folder',
      folder.id,
      '--description',
      'two files',
      '--password',
      'pw1',
      '--expire',
      '2h',
      '--limit',
      '3',
      '--limit-action',
      'delete',
      '--to',
      'friend@example.com',
      '--message',
      'have these',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^a\.bin\thttp:\/\/127\.0\.0\.1:\d+\/file\/[a-z0-9]{6}$/);
    assert.match(r.stderr, /^upload a\.bin: 100% .*total .* of .*, .*\/s, ETA /m);
    assert.ok(!r.stderr.includes('\u001b['), 'no terminal codes in a log');
    const json = JSON.parse((await sbay(['ls', folder.id, '--json'])).stdout) as {
      files: {
        id: string;
        name: string;
        description: string;
        password: string;
        downloadLimit: number;
        limitAction: number;
        timeLimit: number;
      }[];
    };
    const fa = json.files.find((f) => f.name === 'a.bin')!;
    assert.equal(fa.description, 'two files');
    assert.equal(fa.password, 'pw1');
    assert.equal(fa.downloadLimit, 3);
    assert.equal(fa.limitAction, 2);
    assert.ok(fa.timeLimit > 7000 && fa.timeLimit <= 7200);
    assert.ok(
      smtp.messages.some((m) => m.to.includes('friend@example.com')),
      'recipients mailed',
    );
    const j = JSON.parse((await sbay(['upload', b, '--json', '--quiet'])).stdout) as { fileId: string; downloadUrl: string }[];
    assert.match(j[0]!.fileId, /^[a-z0-9]{6}$/);
    failsWith(await sbay(['upload', join(work, 'nope.bin')]), 2, /nope\.bin: no such file/);
    failsWith(await sbay(['upload', b, '--expire', 'soon']), 2, /--expire soon/);
    failsWith(await sbay(['upload', b, '--folder', 'zzzzzz', '--quiet']), 6, /upload failed: Folder not found/);
  });

  it('download resumes a partial file with Range to identical bytes, -o - writes to stdout', async () => {
    const body = randomBytes(2 * 1024 * 1024 + 7);
    const src = join(work, 'big.bin');
    await writeFile(src, body);
    const [up] = JSON.parse((await sbay(['upload', src, '--json', '--quiet'])).stdout) as { fileId: string; downloadUrl: string }[];
    const out = join(work, 'got.bin');
    const first = await sbay(['download', up!.fileId, '-o', out]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /SHA-256 checked/);
    await truncate(out, 1_000_000);
    const resumed = await sbay(['download', up!.downloadUrl, '-o', out, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const r = JSON.parse(resumed.stdout) as { resumedFrom: number; verified: boolean; bytes: number };
    assert.equal(r.resumedFrom, 1_000_000);
    assert.equal(r.verified, true);
    assert.equal(
      createHash('sha256')
        .update(await readFile(out))
        .digest('hex'),
      createHash('sha256').update(body).digest('hex'),
    );
    const small = JSON.parse((await sbay(['upload', join(work, 'b.txt'), '--json', '--quiet'])).stdout) as { fileId: string }[];
    const piped = await sbay(['download', small[0]!.fileId, '-o', '-']);
    assert.equal(piped.stdout, 'bee');
    const unchecked = await sbay(['download', up!.fileId, '-o', join(work, 'unchecked.bin'), '--no-verify']);
    assert.equal(unchecked.code, 0, unchecked.stderr);
    assert.doesNotMatch(unchecked.stdout, /SHA-256 checked/);
    assert.ok((await readFile(join(work, 'unchecked.bin'))).equals(body));
    failsWith(await sbay(['download', 'zzzzzz']), 4, /File not found/);
  });

  it('ls, info, mkdir, mv, rm, share and contacts', async () => {
    const dir = JSON.parse((await sbay(['mkdir', 'Box', '--shared', '--json'])).stdout) as { id: string; shared: boolean };
    assert.equal(dir.shared, true);
    const sub = (await sbay(['mkdir', 'Inner', '--parent', dir.id])).stdout.split('\t')[0]!;
    const [file] = JSON.parse((await sbay(['upload', join(work, 'b.txt'), '--json', '--quiet'])).stdout) as { fileId: string }[];
    const mv = await sbay(['mv', file!.fileId, sub, dir.id]);
    assert.equal(mv.code, 0, mv.stderr);
    const listing = await sbay(['ls', dir.id]);
    assert.match(listing.stdout, /^ID +SIZE +UPLOADED +DL +NAME\n/);
    assert.match(listing.stdout, new RegExp(`${sub} +folder .*Inner/`));
    assert.match(listing.stdout, new RegExp(`${file!.fileId} +3 B .*b\\.txt`));
    const fi = await sbay(['info', file!.fileId]);
    assert.match(fi.stdout, /^id +[a-z0-9]{6}\nname +b\.txt\n/);
    assert.match((await sbay(['info', dir.id])).stdout, /shared +yes/);
    assert.equal((JSON.parse((await sbay(['info', dir.id, '--json'])).stdout) as { type: string }).type, 'folder');
    const sh = await sbay(['share', file!.fileId, dir.id, '--to', 'pal@example.com', '--message', 'look']);
    assert.equal(sh.code, 0, sh.stderr);
    assert.match(sh.stdout, /mailed .* to pal@example\.com/);
    failsWith(await sbay(['share', file!.fileId]), 2, /missing --to/);
    assert.equal((await sbay(['contacts', 'add', 'bob@example.com', '--name', 'Bob'])).code, 0);
    assert.match((await sbay(['contacts'])).stdout, /bob@example\.com +Bob/);
    const list = JSON.parse((await sbay(['contacts', 'list', '--json'])).stdout) as { email: string }[];
    assert.ok(list.some((c) => c.email === 'bob@example.com'));
    assert.match((await sbay(['contacts', 'rm', 'bob@example.com'])).stdout, /deleted bob@example\.com/);
    failsWith(await sbay(['contacts', 'rm', 'bob@example.com']), 4, /Contact doesn't exist \(bob@example\.com\)/);
    const del = await sbay(['rm', file!.fileId, sub, '--json']);
    assert.deepEqual((JSON.parse(del.stdout) as { deleted: string[] }).deleted.sort(), [file!.fileId, sub].sort());
    assert.equal((await sbay(['rm', dir.id])).code, 0);
    failsWith(await sbay(['info', 'zzzzzz']), 4, /no file or folder zzzzzz/);
    failsWith(await sbay(['rm', 'zzzzzz']), 4, /zzzzzz/);
    failsWith(await sbay(['mv', 'zzzzzz', '0']), 4, /zzzzzz/);
    assert.match((await sbay(['ls'])).stdout, /ID|empty/);
  });

  it('anonymous upload prints the delete link, which deletes; its link downloads without a login', async () => {
    const anonEnv = { XDG_CONFIG_HOME: join(home, 'nobody') };
    const src = join(work, 'anon.txt');
    await writeFile(src, 'anonymous');
    const r = await sbay(['upload', src, '--anonymous', '--server', server.url, '--quiet'], { env: anonEnv });
    assert.equal(r.code, 0, r.stderr);
    const page = /\t(http\S+\/file\/\S+)/.exec(r.stdout)![1]!;
    const del = /delete: (\S+)/.exec(r.stdout)![1]!;
    const got = await sbay(['download', page, '-o', join(work, 'anon-got.txt'), '--server', server.url], { env: anonEnv });
    assert.equal(got.code, 0, got.stderr);
    assert.equal(await readFile(join(work, 'anon-got.txt'), 'utf8'), 'anonymous');
    const res = await fetch(del, { method: 'POST' });
    assert.equal(res.status, 200);
    await res.text();
    const gone = await sbay(['download', page, '-o', join(work, 'anon-again.txt'), '--server', server.url], { env: anonEnv });
    assert.equal(gone.code, 6, gone.stderr);
    failsWith(await sbay(['upload', src, '--anonymous'], { env: anonEnv }), 2, /no server/);
  });

  it('completion scripts for bash and zsh', async () => {
    const bash = await sbay(['completion', 'bash']);
    assert.match(bash.stdout, /complete -o filenames -F _sbay sbay/);
    assert.match(bash.stdout, /upload\) opts="--server --json --help --folder/);
    assert.match((await sbay(['completion', 'zsh'])).stdout, /^#compdef sbay/);
    failsWith(await sbay(['completion', 'fish']), 2, /give the shell/);
  });

  it('logout ends the session and removes the file', async () => {
    const r = await sbay(['logout']);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(stat(join(home, 'config', 'sendbay', 'session.json')));
    failsWith(await sbay(['whoami']), 3, /not logged in/);
  });
});

describe('sbay with an expired session', () => {
  it('logs in again with $SBAY_PASSWORD and saves the new key; without it says to log in', async () => {
    let now = Math.floor(Date.now() / 1000);
    const server = await startTestServer({ env: { SENDBAY_SESSION_IDLE: '60' }, overrides: { clock: { now: () => now } } });
    const home = await mkdtemp(join(tmpdir(), 'sbay-home-'));
    try {
      const { email, password } = await server.userClient();
      const env = { XDG_CONFIG_HOME: home };
      assert.equal(
        (await runSbay(['login', '--server', server.url, '--email', email], { env: { ...env, SBAY_PASSWORD: password } })).code,
        0,
      );
      const file = join(home, 'sendbay', 'session.json');
      const before = JSON.parse(await readFile(file, 'utf8')) as { sessionKey: string };
      now += 120;
      failsWith(await runSbay(['whoami'], { env }), 3, /session expired .*sbay login/);
      const again = await runSbay(['whoami'], { env: { ...env, SBAY_PASSWORD: password } });
      assert.equal(again.code, 0, again.stderr);
      const afterLogin = JSON.parse(await readFile(file, 'utf8')) as { sessionKey: string };
      assert.notEqual(afterLogin.sessionKey, before.sessionKey, 'the new session was saved');
      assert.equal((await runSbay(['ls'], { env })).code, 0, 'and is used without the password');
    } finally {
      await server.stop();
      await rm(home, { recursive: true, force: true });
    }
  });
});
