// The admin CLI: every command in-process against the data folder a running server uses
// (so its effect is checked over HTTP), and `sendbay` as a real child process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { main } from './main.js';

const SECRET = 'test-secret-0123456789abcdef';
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface Outcome {
  code: number;
  out: string;
  err: string;
}

/** Runs `sendbay <argv>` in this process with a capturing io (and `stdin`, when given, as its standard input). */
async function cliWith(stdin: string | undefined, env: Record<string, string>, ...argv: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const input = stdin === undefined ? undefined : { stdin: Readable.from([stdin]), prompt: new PassThrough() };
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), ...(input ? { input } : {}) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const cli = (env: Record<string, string>, ...argv: string[]) => cliWith(undefined, env, ...argv);

/** A clean environment for child processes: only what is passed, plus PATH. */
function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env };
}

/** Runs `node packages/server/bin/sendbay.js <argv>` from the repository root, as `npx sendbay` does. */
function runChild(env: Record<string, string>, ...argv: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['packages/server/bin/sendbay.js', ...argv], { cwd: REPO_ROOT, env: childEnv(env) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('sendbay admin CLI', () => {
  let dataDir: string;
  let server: TestServer;
  let env: Record<string, string>;
  let apiKey: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sendbay-cli-'));
    env = { SENDBAY_DATA_DIR: dataDir, SENDBAY_SECRET: SECRET, SENDBAY_LOG_LEVEL: 'silent' };
    // The server and the CLI share one SQLite file, as an operator's would.
    server = await startTestServer({ env: { SENDBAY_DATA_DIR: dataDir, SENDBAY_SECRET: SECRET, SENDBAY_API_KEYS: 'registered' } });
    const added = await cli(env, 'apikey', 'add', '--name', 'tests');
    assert.equal(added.code, 0, added.err);
    apiKey = added.out;
  });
  after(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const login = async (email: string, password: string) => {
    const client = server.client({ apiKey });
    return { client, result: await client.login(email, password) };
  };

  describe('user add', () => {
    it('prints the new id, and the account logs in over HTTP at once', async () => {
      const r = await cliWith(
        'pw-ann\n',
        env,
        'user',
        'add',
        '--email',
        'Ann@Example.com',
        '--password-stdin',
        '--name',
        'Ann Admin',
        '--plan',
        'pro',
      );
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      assert.match(r.out, /^[a-z0-9]{12}$/);
      const { result } = await login('ann@example.com', 'pw-ann');
      assert.equal(result.status, 'ok', result.xml);
      assert.equal(result.body.user_name, 'Ann Admin');
      assert.equal(result.body.membership_type, 'pro');
    });

    it('refuses an address already registered, in any case, with exit 1 and a clear message', async () => {
      const r = await cliWith('other\n', env, 'user', 'add', '--email', 'ANN@example.com', '--password-stdin');
      assert.equal(r.code, 1);
      assert.equal(r.out, '');
      assert.equal(r.err, 'sendbay: ann@example.com is already registered');
    });

    it('refuses an invalid e-mail and a short password with exit 1', async () => {
      const bad = await cli(env, 'user', 'add', '--email', 'not-an-address', '--password', 'secret');
      assert.equal(bad.code, 1);
      assert.match(bad.err, /not a valid e-mail address: not-an-address/);
      const short = await cli(env, 'user', 'add', '--email', 'short@example.com', '--password', 'abc');
      assert.equal(short.code, 1);
      assert.match(short.err, /password must be at least 4 characters/);
    });

    it('answers a usage error (exit 2) for a missing --password, an unknown option or an unknown plan', async () => {
      const missing = await cli(env, 'user', 'add', '--email', 'nopw@example.com');
      assert.equal(missing.code, 2);
      assert.match(missing.err, /^sendbay: this command needs a password: give it with --password-stdin\n\nUsage: sendbay <command>/);
      const noValue = await cli(env, 'user', 'add', '--email', 'nopw@example.com', '--password');
      assert.equal(noValue.code, 2);
      const unknown = await cli(env, 'user', 'add', '--email', 'nopw@example.com', '--pasword', 'x1234');
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /pasword/);
      const plan = await cli(env, 'user', 'add', '--email', 'nopw@example.com', '--password', 'x1234', '--plan', 'gold');
      assert.equal(plan.code, 2);
      assert.match(plan.err, /unknown plan "gold"/);
      assert.ok(!(await cli(env, 'user', 'list')).out.includes('nopw@example.com'), 'no account was made');
    });
  });

  describe('user list', () => {
    it('prints id, e-mail, plan, state, disk used and name, one account a line', async () => {
      const id = (await cli(env, 'user', 'add', '--email', 'lena@example.com', '--password', 'pw-lena', '--name', 'Lena List')).out;
      const r = await cli(env, 'user', 'list');
      assert.equal(r.code, 0, r.err);
      const line = r.out.split('\n').find((l) => l.startsWith(id));
      assert.equal(line, [id, 'lena@example.com', 'lite', 'active', '0', 'Lena List'].join('\t'));
    });
  });

  describe('user set-plan', () => {
    before(async () => {
      assert.equal((await cli(env, 'user', 'add', '--email', 'paul@example.com', '--password', 'pw-paul')).code, 0);
    });

    it('changes the plan, with --until as the membership end the server reports', async () => {
      const r = await cli(env, 'user', 'set-plan', 'paul@example.com', 'max', '--until', '2030-01-31');
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, 'paul@example.com: plan max until 2030-01-31T00:00:00.000Z');
      const { result } = await login('paul@example.com', 'pw-paul');
      assert.equal(result.body.membership_type, 'max');
      assert.equal(result.body.membership_ends, String(Date.UTC(2030, 0, 31) / 1000));
    });

    it('finds the account by id too; without --until the membership never ends', async () => {
      const id = (await cli(env, 'user', 'list')).out
        .split('\n')
        .find((l) => l.includes('paul@example.com'))!
        .split('\t')[0]!;
      const r = await cli(env, 'user', 'set-plan', id, 'pro');
      assert.equal(r.code, 0, r.err);
      const { result } = await login('paul@example.com', 'pw-paul');
      assert.equal(result.body.membership_type, 'pro');
      assert.equal(result.body.membership_ends, '-1');
    });

    it('drops the end date when going back to lite', async () => {
      const r = await cli(env, 'user', 'set-plan', 'paul@example.com', 'lite', '--until', '2030-01-31');
      assert.equal(r.out, 'paul@example.com: plan lite');
      const { result } = await login('paul@example.com', 'pw-paul');
      assert.equal(result.body.membership_type, 'lite');
      assert.equal(result.body.membership_ends, '-1');
    });

    it('refuses an unknown plan or a bad date (exit 2) and an unknown account (exit 1)', async () => {
      const plan = await cli(env, 'user', 'set-plan', 'paul@example.com', 'gold');
      assert.equal(plan.code, 2);
      assert.match(plan.err, /unknown plan "gold" \(use lite, pro, max, business\)/);
      for (const date of ['someday', '2030-02-31', '2030-13-01', '1']) {
        const r = await cli(env, 'user', 'set-plan', 'paul@example.com', 'pro', '--until', date);
        assert.equal(r.code, 2, date);
        assert.match(r.err, /--until must be a date such as 2027-01-31/);
      }
      const nobody = await cli(env, 'user', 'set-plan', 'nobody@example.com', 'pro');
      assert.equal(nobody.code, 1);
      assert.equal(nobody.err, 'sendbay: no such user: nobody@example.com');
      const { result } = await login('paul@example.com', 'pw-paul');
      assert.equal(result.body.membership_type, 'lite', 'nothing changed');
    });
  });

  describe('user disable / enable', () => {
    it("ends the account's sessions and refuses logins until enabled again", async () => {
      await cli(env, 'user', 'add', '--email', 'dan@example.com', '--password', 'pw-dan');
      const first = await login('dan@example.com', 'pw-dan');
      const second = await login('dan@example.com', 'pw-dan');
      assert.equal(first.result.status, 'ok');
      assert.equal((await first.client.call('auth.checkSession')).status, 'ok');

      const r = await cli(env, 'user', 'disable', 'dan@example.com');
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, 'dan@example.com: disabled');
      const ended = await second.client.call('auth.checkSession');
      assert.equal(ended.error?.code, 6, 'the open session is gone');
      const refused = (await login('dan@example.com', 'pw-dan')).result;
      assert.equal(refused.error?.code, 11);
      assert.match(refused.error!.text, /disabled/);
      assert.match((await cli(env, 'user', 'list')).out, /\tdan@example\.com\tlite\tdisabled\t/);

      assert.equal((await cli(env, 'user', 'enable', 'dan@example.com')).code, 0);
      assert.equal((await login('dan@example.com', 'pw-dan')).result.status, 'ok');
    });

    it('needs an account (exit 2 without one, 1 for an unknown one)', async () => {
      assert.equal((await cli(env, 'user', 'disable')).code, 2);
      assert.equal((await cli(env, 'user', 'disable', 'ghost@example.com')).code, 1);
    });
  });

  describe('apikey', () => {
    it('adds a key that works over HTTP, lists it, and revokes it by its prefix', async () => {
      const added = await cli(env, 'apikey', 'add', '--name', 'Mobile app');
      assert.equal(added.code, 0, added.err);
      const key = added.out;
      assert.match(key, /^[A-Z0-9]{32}$/);
      const token = () => server.client().call('auth.createToken', { api_key: key, api_version: '1.2' });
      assert.equal((await token()).status, 'ok');

      const listed = (await cli(env, 'apikey', 'list')).out.split('\n');
      const line = listed.find((l) => l.startsWith(key.slice(0, 8)));
      assert.match(line ?? '', new RegExp(`^${key.slice(0, 8)}…\\tactive\\t\\d{4}-\\d{2}-\\d{2}T[^\\t]+\\tMobile app$`));
      assert.ok(!listed.join('\n').includes(key), 'the whole key is never shown again');

      const wrong = await cli(env, 'apikey', 'revoke', key.slice(0, 8) + 'X'.repeat(24));
      assert.equal(wrong.code, 1, 'a mistyped whole key revokes nothing');
      assert.equal((await token()).status, 'ok');

      const revoked = await cli(env, 'apikey', 'revoke', key.slice(0, 8).toLowerCase());
      assert.equal(revoked.code, 0, revoked.err);
      assert.equal(revoked.out, 'revoked');
      assert.equal((await token()).error?.code, 18);
      assert.match((await cli(env, 'apikey', 'list')).out, new RegExp(`^${key.slice(0, 8)}…\\trevoked\\t`, 'm'));

      const again = await cli(env, 'apikey', 'revoke', key);
      assert.equal(again.code, 1);
      assert.match(again.err, /no active key matches/);
    });

    it('revokes by the whole key as well', async () => {
      const key = (await cli(env, 'apikey', 'add')).out;
      assert.equal((await cli(env, 'apikey', 'revoke', key)).code, 0);
      assert.equal((await server.client().call('auth.createToken', { api_key: key })).error?.code, 18);
      assert.equal((await cli(env, 'apikey', 'revoke')).code, 2);
    });
  });

  describe('team', () => {
    before(async () => {
      for (const who of ['owner', 'mate', 'other'])
        assert.equal((await cli(env, 'user', 'add', '--email', `${who}@team.example`, '--password', `pw-${who}`)).code, 0);
    });

    it('refuses an owner who is not on the business plan', async () => {
      const r = await cli(env, 'team', 'add-member', '--owner', 'owner@team.example', '--member', 'mate@team.example');
      assert.equal(r.code, 1);
      assert.equal(r.err, 'sendbay: owner@team.example is not on the business plan');
      assert.equal((await cli(env, 'team', 'list')).out, '');
    });

    it('adds, lists and removes members; login reports chat_ready accordingly', async () => {
      assert.equal((await cli(env, 'user', 'set-plan', 'owner@team.example', 'business')).code, 0);
      const added = await cli(env, 'team', 'add-member', '--owner', 'owner@team.example', '--member', 'mate@team.example');
      assert.equal(added.code, 0, added.err);
      assert.equal(added.out, "mate@team.example added to owner@team.example's team");
      assert.equal((await cli(env, 'team', 'list')).out, 'owner@team.example\tmate@team.example');
      assert.equal((await login('owner@team.example', 'pw-owner')).result.body.chat_ready, '2');

      const twice = await cli(env, 'team', 'add-member', '--owner', 'owner@team.example', '--member', 'mate@team.example');
      assert.equal(twice.code, 1);
      assert.match(twice.err, /already belongs to a team/);
      const self = await cli(env, 'team', 'add-member', '--owner', 'owner@team.example', '--member', 'owner@team.example');
      assert.equal(self.code, 1);

      const removed = await cli(env, 'team', 'remove-member', '--owner', 'owner@team.example', '--member', 'mate@team.example');
      assert.equal(removed.code, 0, removed.err);
      assert.equal((await cli(env, 'team', 'list')).out, 'owner@team.example');
      assert.equal((await login('owner@team.example', 'pw-owner')).result.body.chat_ready, '1');
      const notIn = await cli(env, 'team', 'remove-member', '--owner', 'owner@team.example', '--member', 'other@team.example');
      assert.equal(notIn.code, 1);
      assert.match(notIn.err, /other@team\.example is not in owner@team\.example's team/);
    });

    it('needs both accounts (exit 2 without one, 1 for an unknown one)', async () => {
      assert.equal((await cli(env, 'team', 'add-member', '--owner', 'owner@team.example')).code, 2);
      const r = await cli(env, 'team', 'add-member', '--owner', 'owner@team.example', '--member', 'ghost@team.example');
      assert.equal(r.code, 1);
      assert.match(r.err, /no such user: ghost@team\.example/);
    });
  });

  describe('usage and configuration', () => {
    it('prints the usage on stderr with exit 2 without a command, on stdout with 0 for help', async () => {
      const none = await cli(env);
      assert.equal(none.code, 2);
      assert.match(none.err, /^Usage: sendbay <command>/);
      assert.equal(none.out, '');
      const help = await cli(env, 'help');
      assert.equal(help.code, 0);
      assert.match(help.out, /user set-plan <email\|id> <plan> \[--until YYYY-MM-DD\]/);
    });

    it('answers an unknown command with exit 2, without creating a data folder', async () => {
      const fresh = join(dataDir, 'never-created');
      const r = await cli({ ...env, SENDBAY_DATA_DIR: fresh }, 'user', 'remove', 'ann@example.com');
      assert.equal(r.code, 2);
      assert.match(r.err, /^sendbay: unknown command "user remove"/);
      assert.equal(existsSync(fresh), false);
    });

    it('exits 1 with one message naming every configuration problem', async () => {
      const r = await cli({ ...env, PORT: 'abc', SENDBAY_API_KEYS: 'maybe' }, 'user', 'list');
      assert.equal(r.code, 1);
      assert.equal(r.err.match(/sendbay:/g)?.length, 1);
      assert.match(r.err, /^sendbay: Invalid configuration:\n {2}- PORT must be a whole number/);
      assert.match(r.err, /\n {2}- SENDBAY_API_KEYS must be one of open, registered \(got "maybe"\)/);
    });
  });

  describe('as a child process (npx sendbay)', () => {
    it('user add from the repository root makes an account the running server sees', async () => {
      const r = await runChild(env, 'user', 'add', '--email', 'child@example.com', '--password', 'pw-child', '--plan', 'pro');
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^[a-z0-9]{12}\n$/);
      const { result } = await login('child@example.com', 'pw-child');
      assert.equal(result.status, 'ok', result.xml);
      assert.equal(result.body.membership_type, 'pro');

      assert.match(r.err, /^warning: --password is visible to other users in the process list/);

      const usage = await runChild(env, 'user', 'add', '--email', 'child2@example.com');
      assert.equal(usage.code, 2);
      assert.match(usage.err, /no terminal to ask for the password on: pipe it in with --password-stdin/);
    });

    it('serve starts, answers /healthz and exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
      const serveDir = await mkdtemp(join(tmpdir(), 'sendbay-serve-'));
      try {
        const child = spawn(process.execPath, ['packages/server/bin/sendbay.js', 'serve'], {
          cwd: REPO_ROOT,
          env: childEnv({ HOST: '127.0.0.1', PORT: '0', SENDBAY_DATA_DIR: serveDir, SENDBAY_LOG_LEVEL: 'silent' }),
        });
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.on('exit', (code, signal) => resolve({ code, signal })),
        );
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /Sendbay is running at .* \(listening on (http:\/\/[^)\s]+)\)/.exec(out);
            if (m) {
              // The start-up line is JSON like every other, even with SENDBAY_LOG_LEVEL=silent.
              const line = JSON.parse(out.split('\n')[0]!) as { level: number; listen: string };
              assert.equal(line.level, 30);
              resolve(line.listen);
            }
          });
          void exited.then((e) => reject(new Error(`serve exited early (${e.code}): ${stderr}`)));
        });
        const health = await fetch(`${url}/healthz`);
        assert.equal(health.status, 200);
        assert.deepEqual(await health.json(), { status: 'ok' });

        child.kill('SIGTERM');
        assert.deepEqual(await exited, { code: 0, signal: null });
      } finally {
        await rm(serveDir, { recursive: true, force: true });
      }
    });

    it('serve with a bad configuration exits 1 with one message listing both problems', async () => {
      const r = await runChild({ ...env, PORT: 'abc', SENDBAY_API_KEYS: 'maybe' }, 'serve');
      assert.equal(r.code, 1);
      assert.equal(r.out, '');
      assert.equal(r.err.match(/Invalid configuration/g)?.length, 1, r.err);
      assert.match(r.err, /PORT must be a whole number from 0 to 65535 \(got "abc"\)/);
      assert.match(r.err, /SENDBAY_API_KEYS must be one of open, registered \(got "maybe"\)/);
    });
  });
});
