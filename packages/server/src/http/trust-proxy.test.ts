// SENDBAY_TRUST_PROXY: X-Forwarded-For decides the client's address (here: its login
// rate-limit bucket) only through configured proxies; without them it is ignored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { md5 } from '@sendbay/client';
import { ConfigError, parseConfig } from '../config.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

async function call(server: TestServer, params: Record<string, string>, forwardedFor?: string): Promise<string> {
  const res = await fetch(`${server.url}/rest/?${new URLSearchParams(params).toString()}`, {
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });
  return res.text();
}

async function login(server: TestServer, email: string, password: string, forwardedFor?: string): Promise<string> {
  const t = /<token>([^<]+)<\/token>/.exec(await call(server, { method: 'auth.createToken', api_key: 'k', api_version: '1.2' }))?.[1] ?? '';
  return call(server, { method: 'auth.login', token: t, user_name: email, tokened_password: md5(t + md5(password)) }, forwardedFor);
}

/** SENDBAY_LOGIN_MAX_FAILURES=1 makes the per-address limit 10 failures. */
async function failTenTimes(server: TestServer, forwardedFor: string): Promise<void> {
  for (let i = 0; i < 10; i++) assert.match(await login(server, `nobody-${i}@example.com`, 'x', forwardedFor), /code="8"/);
}

describe('client addresses behind proxies', () => {
  describe('with SENDBAY_TRUST_PROXY=127.0.0.1', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { SENDBAY_LOGIN_MAX_FAILURES: '1', SENDBAY_TRUST_PROXY: '127.0.0.1' } });
      await server.ctx.accounts.create({ email: 'real@example.com', password: 'right' });
    });
    after(() => server.stop());

    it('limits the forwarded client, not the proxy: one address locked out leaves the others alone', async () => {
      await failTenTimes(server, '203.0.113.7');
      assert.match(await login(server, 'real@example.com', 'right', '203.0.113.7'), /Too many failed logins/);
      assert.match(await login(server, 'real@example.com', 'right', '203.0.113.8'), /status="ok"/);
    });

    it('reads the chain only up to the first untrusted hop, so a client cannot forge its way out', async () => {
      // The client sent "203.0.113.8"; the trusted proxy appended the address it saw.
      assert.match(await login(server, 'real@example.com', 'right', '203.0.113.8, 203.0.113.7'), /Too many failed logins/);
    });
  });

  describe('without SENDBAY_TRUST_PROXY', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { SENDBAY_LOGIN_MAX_FAILURES: '1' } });
      await server.ctx.accounts.create({ email: 'real@example.com', password: 'right' });
    });
    after(() => server.stop());

    it('ignores X-Forwarded-For: every attempt counts against the peer address', async () => {
      await failTenTimes(server, '203.0.113.7');
      assert.match(await login(server, 'real@example.com', 'right', '203.0.113.8'), /Too many failed logins/);
      assert.match(await login(server, 'real@example.com', 'right'), /Too many failed logins/);
    });
  });

  describe('parsing SENDBAY_TRUST_PROXY', () => {
    it('takes addresses, CIDRs and named ranges, and trusts nothing by default', () => {
      assert.deepEqual(parseConfig({}).trustProxy, []);
      assert.deepEqual(parseConfig({ SENDBAY_TRUST_PROXY: ' 10.0.0.1, 10.1.0.0/16 ,fd00::/8, loopback' }).trustProxy, [
        '10.0.0.1',
        '10.1.0.0/16',
        'fd00::/8',
        'loopback',
      ]);
    });

    it('names every entry it cannot read', () => {
      assert.throws(
        () => parseConfig({ SENDBAY_TRUST_PROXY: '10.0.0.1, proxy.example, 10.0.0.0/33, ::1/129' }),
        (err: unknown) => err instanceof ConfigError && /proxy\.example, 10\.0\.0\.0\/33, ::1\/129/.test(err.message),
      );
    });
  });
});
