// Browser sessions through the front door: the login form and the original site's
// /login.html, cookie flags, logout, CSRF on every form, the login rate limit, and a
// cookie that never authenticates /rest/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { WebAgent } from '../testing/web-agent.js';

describe('web sessions', () => {
  let server: TestServer;
  let email: string;
  let password: string;

  before(async () => {
    server = await startTestServer({ env: { SENDBAY_LOGIN_MAX_FAILURES: '3' } });
    ({ email, password } = await server.userClient());
  });
  after(() => server.stop());

  const ssal = (res: { headers: Headers }) => res.headers.getSetCookie().find((c) => c.startsWith('ssal='));

  it('logs in with e-mail and password: an HttpOnly, SameSite=Lax cookie, stored only as a hash', async () => {
    const web = new WebAgent(server.url);
    const form = await web.get('/login');
    assert.equal(form.status, 200);
    assert.ok(form.csrf, 'the form carries a CSRF token');
    const res = await web.post('/login', { email: email.toUpperCase(), password, next: '/files' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/files');
    const cookie = ssal(res)!;
    assert.match(cookie, /^ssal=[a-z0-9]{40}; Path=\/; HttpOnly; SameSite=Lax$/, 'no Secure on http, no Max-Age without remember');
    const key = web.cookies.get('ssal')!;
    const rows = await server.ctx.db.selectFrom('web_sessions').selectAll().execute();
    assert.ok(rows.length >= 1);
    assert.ok(
      rows.every((r) => r.key_hash !== key && /^[0-9a-f]{64}$/.test(r.key_hash)),
      'only the hash is stored',
    );

    const home = await web.get('/');
    assert.match(home.text, new RegExp(`Signed in as ${email.replace('.', '\\.')}`));
    assert.match(home.text, /action="\/logout"/);
  });

  it('keeps a remembered session for 30 days, and logs out (the cookie is cleared, the session gone)', async () => {
    const web = new WebAgent(server.url);
    await web.get('/login');
    const res = await web.post('/login', { email, password, remember: '1' });
    assert.match(ssal(res)!, /Max-Age=2592000/);
    const before = (await server.ctx.db.selectFrom('web_sessions').selectAll().execute()).length;
    await web.get('/'); // the page after logging in carries the session's token
    const out = await web.post('/logout', {});
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/login?out=1');
    assert.match(ssal(out)!, /^ssal=deleted;.*Max-Age=0/);
    assert.equal((await server.ctx.db.selectFrom('web_sessions').selectAll().execute()).length, before - 1);
    assert.doesNotMatch((await web.get('/')).text, /Signed in as/);
  });

  it("takes the original site's POST /login.html from a script, and sets no ssal cookie when it fails", async () => {
    const body = (pw: string) =>
      `action=login&submit=login&target=%2F&action_type=login&remember=1&username=${encodeURIComponent(email)}&password=${encodeURIComponent(pw)}`;
    const post = (pw: string) =>
      fetch(`${server.url}/login.html`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body(pw),
        redirect: 'manual',
      });
    const ok = await post(password);
    assert.equal(ok.status, 303);
    const cookie = ssal(ok);
    assert.ok(cookie && !cookie.startsWith('ssal=deleted'), 'a cookie named ssal, not "deleted"');
    const bad = await post('wrong-password');
    assert.equal(bad.status, 401);
    assert.equal(ssal(bad), undefined, 'a failed login sets no ssal cookie');
    await bad.text();

    // The same form sent by a browser from another site is refused: browsers send Origin.
    const forged = await fetch(`${server.url}/login.html`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: body(password),
      redirect: 'manual',
    });
    assert.equal(forged.status, 403);
    assert.equal(ssal(forged), undefined);
    await forged.text();
  });

  it('refuses every form POST without the right CSRF token', async () => {
    const web = new WebAgent(server.url);
    await web.get('/login');
    assert.equal((await web.post('/login', { email, password, csrf: null })).status, 403, 'no token');
    assert.equal((await web.post('/login', { email, password, csrf: 'x'.repeat(32) })).status, 403, 'a made-up token');
    const other = new WebAgent(server.url);
    await other.get('/login');
    assert.equal((await web.post('/login', { email, password, csrf: other.csrf! })).status, 403, "another browser's token");
    assert.equal((await web.post('/login', { email, password })).status, 303, 'its own token');
    // Logged in, the token changes with the session: the old one no longer works.
    const stale = other.csrf!;
    await web.get('/');
    assert.equal((await web.post('/logout', { csrf: stale })).status, 403);
    assert.equal((await web.post('/logout', {})).status, 303);
  });

  it('shows what was typed and a message beside the field when the login fails', async () => {
    const web = new WebAgent(server.url);
    await web.get('/login');
    const empty = await web.post('/login', { email: 'typed@example.com', password: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /value="typed@example\.com"/);
    assert.match(empty.text, /id="f-password-error"[^>]*>Enter your password/);
    assert.match(empty.text, /aria-describedby="f-password-error"/);
  });

  it('rate limits logins in the same buckets as auth.login', async () => {
    const victim = await server.userClient();
    const web = new WebAgent(server.url);
    await web.get('/login');
    for (let i = 0; i < 3; i++) assert.equal((await web.post('/login', { email: victim.email, password: `bad${i}` })).status, 401);
    const blocked = await web.post('/login', { email: victim.email, password: victim.password });
    assert.equal(blocked.status, 429, 'even the right password is refused while blocked');
    assert.match(blocked.text, /Too many failed logins/);
    // The API's door is shut for that account too.
    const api = await server.client().login(victim.email, victim.password);
    assert.equal(api.status, 'fail');
  });

  it('never lets a cookie authenticate /rest/', async () => {
    const web = new WebAgent(server.url);
    await web.get('/login');
    await web.post('/login', { email, password });
    const key = web.cookies.get('ssal')!;
    const apiKey = (await server.client().call('auth.createToken', { api_key: 'k', api_version: '1.2' })).status;
    assert.equal(apiKey, 'ok');
    for (const url of [`${server.url}/rest/?method=auth.checkSession&session_key=${key}`, `${server.url}/rest/?method=auth.checkSession`]) {
      const res = await fetch(url, { headers: { cookie: `ssal=${key}` } });
      const xml = await res.text();
      assert.match(xml, /<result[^>]*status="fail"/, xml);
    }
  });

  it('does not log in an account that is not activated or is disabled', async () => {
    const u = await server.userClient();
    const row = (await server.ctx.accounts.find(u.email))!;
    await server.ctx.accounts.setDisabled(row, true);
    const web = new WebAgent(server.url);
    await web.get('/login');
    const res = await web.post('/login', { email: u.email, password: u.password });
    assert.equal(res.status, 401);
    assert.match(res.text, /disabled/);
  });
});
