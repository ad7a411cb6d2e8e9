// auth.*: every success path and every spec error, through HTTP on loopback, on each database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { md5 } from '@sendbay/client';
import { mailText, startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';
import { WebAgent } from '../../testing/web-agent.js';

for (const database of testDatabases) {
  describe(`auth methods (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let smtp: SmtpSink;

    before(async () => {
      smtp = await startSmtpSink();
      server = await startTestServer({ database, env: { SENDBAY_SMTP_URL: smtp.url, SENDBAY_MAX_SESSIONS: '3' } });
    });
    after(async () => {
      await server.stop();
      await smtp.close();
    });

    const token = async () => {
      const r = await server.client().call('auth.createToken', { api_key: 'k', api_version: '1.2' });
      return String(r.body.token);
    };
    const login = async (email: string, password: string, opts: { upper?: boolean } = {}) => {
      const t = await token();
      const tp = md5(t + md5(password));
      return server.client().call('auth.login', { token: t, user_name: email, tokened_password: opts.upper ? tp.toUpperCase() : tp });
    };

    describe('auth.register', () => {
      it('creates an inactive account and mails an activation link that activates it', async () => {
        const before = smtp.messages.length;
        const r = await server
          .client()
          .call('auth.register', { api_key: 'k', full_name: 'Ada Lovelace', email: 'ada@example.com', password: 'secret1' });
        assert.equal(r.status, 'ok', r.xml);
        assert.equal(r.body.status, 'ok');
        const [mail] = (await smtp.waitFor(before + 1)).slice(before);
        assert.deepEqual(mail?.to, ['ada@example.com']);
        const link = /http:\/\/\S+\/activate\/[a-z0-9]{32}/.exec(mailText(mail!))?.[0];
        assert.ok(link, 'the mail carries an activation link');

        const early = await login('ada@example.com', 'secret1');
        assert.equal(early.error?.code, 11, 'an inactive account cannot log in');
        assert.match(early.error!.text, /not activated/);

        // Opening the link (as a mail scanner does) activates nothing: its button does.
        const web = new WebAgent(server.url);
        assert.match((await web.get(link!)).text, /Activate account/);
        assert.equal((await login('ada@example.com', 'secret1')).error?.code, 11, 'a GET does not activate');
        const page = await web.post(link!, {});
        assert.equal(page.status, 200);
        assert.match(page.text, /Your account is active/);
        assert.equal((await login('ada@example.com', 'secret1')).status, 'ok');
        assert.equal((await web.post(link!, {})).status, 404, 'the link works once');
      });

      it('mails a generated password when the password is left empty', async () => {
        const before = smtp.messages.length;
        const r = await server
          .client()
          .call('auth.register', { api_key: 'k', full_name: 'Grace Hopper', email: 'grace@example.com', password: '' });
        assert.equal(r.status, 'ok', r.xml);
        const [mail] = (await smtp.waitFor(before + 1)).slice(before);
        const text = mailText(mail!);
        const password = /Your password: (\S+)/.exec(text)?.[1];
        assert.ok(password && password.length >= 4);
        await new WebAgent(server.url).submit(/http:\/\/\S+\/activate\/[a-z0-9]{32}/.exec(text)![0], {});
        assert.equal((await login('grace@example.com', password!)).status, 'ok');
      });

      for (const [what, params, text] of [
        ['a name with digits', { full_name: 'R2D2 Robot', email: 'r2@example.com', password: 'abcd' }, /Full name/],
        ['a name too short', { full_name: 'Al', email: 'al@example.com', password: 'abcd' }, /Full name/],
        ['an invalid e-mail', { full_name: 'Alan Turing', email: 'not-an-email', password: 'abcd' }, /e-mail/],
        ['a password too short', { full_name: 'Alan Turing', email: 'alan@example.com', password: 'abc' }, /Password/],
        ['a password too long', { full_name: 'Alan Turing', email: 'alan@example.com', password: 'x'.repeat(21) }, /Password/],
        ['an e-mail already taken', { full_name: 'Other Ada', email: 'ADA@example.com', password: 'abcd' }, /already registered/],
      ] as const) {
        it(`refuses ${what} with error 27 and a specific text`, async () => {
          const r = await server.client().call('auth.register', { api_key: 'k', ...params });
          assert.equal(r.status, 'fail');
          assert.equal(r.error?.code, 27);
          assert.match(r.error!.text, text);
        });
      }
    });

    describe('auth.createToken', () => {
      it('returns a 32-character [a-z0-9] token for api_version 1.0, 1.1, 1.2 or none', async () => {
        for (const api_version of ['1.0', '1.1', '1.2', undefined]) {
          const r = await server.client().call('auth.createtoken', { api_key: 'any-key', api_version, response_format: 'json' });
          assert.equal(r.status, 'ok', r.xml);
          assert.equal(r.method, 'auth.createtoken', 'the method is echoed as sent');
          assert.match(String(r.body.token), /^[a-z0-9]{32}$/);
        }
      });

      it('answers 5 for an unsupported api_version', async () => {
        const r = await server.client().call('auth.createToken', { api_key: 'k', api_version: '2.0' });
        assert.equal(r.error?.code, 5);
      });
    });

    describe('auth.login', () => {
      let email: string;
      before(async () => {
        email = `Login-${Date.now()}@Example.com`;
        await server.ctx.accounts.create({ email, password: 'pässword', fullName: 'Login User', plan: 'pro' });
      });

      it('returns every field of the spec, with e-mail and hex case ignored', async () => {
        const r = await login(email.toUpperCase(), 'pässword', { upper: true });
        assert.equal(r.status, 'ok', r.xml);
        assert.match(String(r.body.session_key), /^[a-z0-9]{32}$/);
        assert.equal(r.body.user_name, 'Login User');
        assert.equal(r.body.email, email.toLowerCase());
        assert.equal(r.body.membership_type, 'pro');
        assert.equal(r.body.membership_ends, '-1');
        assert.equal(r.body.subscribed, '1');
        for (const cap of ['capable_upload', 'capable_download', 'capable_folders', 'capable_files']) assert.equal(r.body[cap], '1');
        assert.equal(r.body.bandwidth_left, '-1');
        assert.equal(r.body.diskspace_left, '2147483647', 'large figures are capped to a signed 32-bit int');
        assert.equal(r.body.diskspace_used, '0');
        assert.equal(r.body.points, '0');
        assert.equal(r.body.chat_ready, undefined, 'only business users get chat_ready');
      });

      it('answers 8 for a wrong password or an unknown user', async () => {
        assert.equal((await login(email, 'wrong')).error?.code, 8);
        assert.equal((await login('nobody@example.com', 'x')).error?.code, 8);
      });

      it('answers 6 for an unknown token, and a token works only once', async () => {
        const bad = await server.client().call('auth.login', { token: 'a'.repeat(32), user_name: email, tokened_password: 'x' });
        assert.equal(bad.error?.code, 6);
        const t = await token();
        const params = { token: t, user_name: email, tokened_password: md5(t + md5('pässword')) };
        assert.equal((await server.client().call('auth.login', params)).status, 'ok');
        assert.equal((await server.client().call('auth.login', params)).error?.code, 6);
      });

      it('answers 4 when a parameter is missing', async () => {
        const r = await server.client().call('auth.login', { token: await token(), user_name: email });
        assert.equal(r.error?.code, 4);
        assert.match(r.error!.text, /tokened_password/);
      });

      it('answers 30 once the account has the configured number of sessions', async () => {
        const e = `many-${Date.now()}@example.com`;
        await server.ctx.accounts.create({ email: e, password: 'pw12' });
        for (let i = 0; i < 3; i++) assert.equal((await login(e, 'pw12')).status, 'ok');
        assert.equal((await login(e, 'pw12')).error?.code, 30);
      });

      it('answers 11 for a disabled account', async () => {
        const e = `disabled-${Date.now()}@example.com`;
        const u = await server.ctx.accounts.create({ email: e, password: 'pw12' });
        await server.ctx.accounts.setDisabled(u, true);
        assert.equal((await login(e, 'pw12')).error?.code, 11);
      });

      it('locks an account after repeated failures, even with the right password', async () => {
        const e = `locked-${Date.now()}@example.com`;
        await server.ctx.accounts.create({ email: e, password: 'right' });
        for (let i = 0; i < server.config.loginFailuresPerWindow; i++) assert.equal((await login(e, 'wrong')).error?.code, 8);
        const r = await login(e, 'right');
        assert.equal(r.error?.code, 8);
        assert.match(r.error!.text, /Too many failed logins/);
      });
    });

    describe('auth.checkSession and auth.logout', () => {
      it('report a live session with its figures, then expired after logout', async () => {
        const { client } = await server.userClient();
        const ok = await client.call('auth.checkSession');
        assert.equal(ok.status, 'ok', ok.xml);
        assert.equal(ok.body.session, 'ok');
        assert.equal(ok.body.bandwidth_left, '-1');
        assert.match(String(ok.body.diskspace_left), /^\d+$/);

        const out = await client.call('auth.logout');
        assert.equal(out.status, 'ok');
        assert.equal(out.body.status, 'ok');

        const gone = await client.call('auth.checksession');
        assert.equal(gone.status, 'fail');
        assert.equal(gone.error?.code, 6);
        assert.equal(gone.body.session, 'expired');
        assert.match(gone.xml, /<error code="6"[^>]*\/>\n {4}<session>expired<\/session>/, 'the error comes first');
        assert.equal((await client.call('auth.logout')).error?.code, 6);
      });

      it('answer 3 without a session key and 6 for a malformed one', async () => {
        assert.equal((await server.client().call('auth.checkSession')).error?.code, 3);
        assert.equal((await server.client().call('auth.logout', { session_key: 'x' })).error?.code, 6);
      });

      it('serve at least 10 concurrent calls on one session', async () => {
        const { client } = await server.userClient();
        const results = await Promise.all(Array.from({ length: 20 }, () => client.call('auth.checkSession')));
        assert.ok(results.every((r) => r.status === 'ok'));
      });
    });
  });
}

describe('sessions expire after the configured idle time', () => {
  it('answers 6 once the idle time has passed without a call', async () => {
    let now = Math.floor(Date.now() / 1000);
    const server = await startTestServer({ env: { SENDBAY_SESSION_IDLE: '60' }, overrides: { clock: { now: () => now } } });
    try {
      const { client } = await server.userClient();
      now += 59;
      assert.equal((await client.call('auth.checkSession')).status, 'ok');
      now += 59;
      assert.equal((await client.call('auth.checkSession')).status, 'ok', 'each call keeps the session alive');
      now += 61;
      assert.equal((await client.call('auth.checkSession')).error?.code, 6);
    } finally {
      await server.stop();
    }
  });

  it('tokens expire after the configured time', async () => {
    let now = Math.floor(Date.now() / 1000);
    const server = await startTestServer({ env: { SENDBAY_TOKEN_TTL: '300' }, overrides: { clock: { now: () => now } } });
    try {
      await server.ctx.accounts.create({ email: 'tok@example.com', password: 'pw12' });
      const t = String((await server.client().call('auth.createToken', { api_key: 'k' })).body.token);
      now += 301;
      const r = await server
        .client()
        .call('auth.login', { token: t, user_name: 'tok@example.com', tokened_password: md5(t + md5('pw12')) });
      assert.equal(r.error?.code, 6);
    } finally {
      await server.stop();
    }
  });
});

describe('registration settings and failures', () => {
  it('answers 11 when the operator closed registration', async () => {
    const server = await startTestServer({ env: { SENDBAY_REGISTRATION: 'closed' } });
    try {
      const r = await server
        .client()
        .call('auth.register', { api_key: 'k', full_name: 'Closed Door', email: 'c@example.com', password: 'abcd' });
      assert.equal(r.error?.code, 11);
      assert.match(r.error!.text, /closed/);
    } finally {
      await server.stop();
    }
  });

  it('undoes the account and answers 27 when the activation e-mail cannot be sent', async () => {
    // Port 1 on loopback refuses connections: the SMTP server is down.
    const server = await startTestServer({ env: { SENDBAY_SMTP_URL: 'smtp://127.0.0.1:1' } });
    try {
      const params = { api_key: 'k', full_name: 'Mail Less', email: 'mailless@example.com', password: 'abcd' };
      const r = await server.client().call('auth.register', params);
      assert.equal(r.error?.code, 27);
      assert.match(r.error!.text, /could not be sent/);
      assert.equal(await server.ctx.accounts.find('mailless@example.com'), undefined, 'no half-made account is left');
    } finally {
      await server.stop();
    }
  });
});

describe('operator settings for API keys and app versions', () => {
  it('registered mode answers 18 for unknown keys and accepts registered ones', async () => {
    const server = await startTestServer({ env: { SENDBAY_API_KEYS: 'registered' } });
    try {
      const c = server.client();
      assert.equal((await c.call('auth.createToken', { api_key: 'made-up', api_version: '1.2' })).error?.code, 18);
      assert.equal((await c.call('auth.createToken', { api_version: '1.2' })).error?.code, 4, 'a missing key is a missing parameter');
      const key = await server.ctx.apiKeys.add('test app');
      assert.equal((await c.call('auth.createToken', { api_key: key, api_version: '1.2' })).status, 'ok');
      await server.ctx.apiKeys.revoke(key.slice(0, 8));
      assert.equal((await c.call('auth.createToken', { api_key: key, api_version: '1.2' })).error?.code, 18);
    } finally {
      await server.stop();
    }
  });

  it('a minimum app_version answers 25 to older apps', async () => {
    const server = await startTestServer({ env: { SENDBAY_MIN_APP_VERSION: '2.1' } });
    try {
      const c = server.client();
      assert.equal((await c.call('auth.createToken', { api_key: 'k', app_version: '2.0.9' })).error?.code, 25);
      assert.equal((await c.call('auth.createToken', { api_key: 'k' })).error?.code, 25);
      assert.equal((await c.call('auth.createToken', { api_key: 'k', app_version: '2.10' })).status, 'ok');
    } finally {
      await server.stop();
    }
  });
});
