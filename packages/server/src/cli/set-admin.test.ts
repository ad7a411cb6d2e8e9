// `sendbay user set-admin`: the admin flag the operator pages require, set and cleared
// in the same SQLite file a running server reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { main } from './main.js';

const SECRET = 'test-secret-0123456789abcdef';

async function cli(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('sendbay user set-admin', () => {
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    server = await startTestServer({ env: { SENDBAY_SECRET: SECRET } });
    env = { SENDBAY_DATA_DIR: server.dataDir, SENDBAY_SECRET: SECRET, SENDBAY_LOG_LEVEL: 'silent' };
  });
  after(() => server.stop());

  it('sets the flag by e-mail, clears it with --off, and by id', async () => {
    const user = await server.ctx.accounts.create({ email: 'ops@example.com', password: 'pw-ops' });
    assert.equal(user.is_admin, 0, 'accounts start without it');

    const on = await cli(env, 'user', 'set-admin', 'ops@example.com');
    assert.equal(on.code, 0, on.err);
    assert.equal(on.out, 'ops@example.com: admin');
    assert.equal((await server.ctx.accounts.find(user.id))?.is_admin, 1);

    const off = await cli(env, 'user', 'set-admin', user.id, '--off');
    assert.equal(off.code, 0, off.err);
    assert.equal(off.out, 'ops@example.com: no longer an admin');
    assert.equal((await server.ctx.accounts.find('ops@example.com'))?.is_admin, 0);
  });

  it('needs an account: exit 2 without one, 1 for an unknown one; other options are refused', async () => {
    assert.equal((await cli(env, 'user', 'set-admin')).code, 2);
    const ghost = await cli(env, 'user', 'set-admin', 'ghost@example.com');
    assert.equal(ghost.code, 1);
    assert.match(ghost.err, /no such user/);
    assert.equal((await cli(env, 'user', 'set-admin', 'ops@example.com', '--of')).code, 2);
  });

  it('is in the usage text', async () => {
    const help = await cli(env, 'help');
    assert.match(help.out, /user set-admin <email\|id> \[--off\]/);
  });
});
