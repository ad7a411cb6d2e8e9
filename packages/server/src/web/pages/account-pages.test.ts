// The account pages through HTTP with a cookie-keeping client and a real SMTP sink:
// register -> activation mail -> the button -> log in; forgotten password -> reset link
// (once); change password (other browsers logged out); change e-mail from the new address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mailText, startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { WebAgent } from '../../testing/web-agent.js';

describe('account pages', () => {
  let server: TestServer;
  let smtp: SmtpSink;
  before(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SENDBAY_SMTP_URL: smtp.url } });
  });
  after(async () => {
    await server.stop();
    await smtp.close();
  });

  const nextMail = async (n: number) => (await smtp.waitFor(n + 1))[n]!;
  const link = (text: string, path: string) => new RegExp(`http://\\S+${path}\\S+`).exec(text)![0];
  const login = async (email: string, password: string) => {
    const web = new WebAgent(server.url);
    await web.get('/login');
    const r = await web.post('/login', { email, password });
    return { web, status: r.status, text: r.text };
  };

  it('registers with a message beside each wrong field, keeping what was typed; activation needs the button', async () => {
    const web = new WebAgent(server.url);
    await web.get('/register');
    const bad = await web.post('/register', { fullName: 'R2', email: 'not-mail', password: 'abc', confirm: 'abc' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /id="f-fullName-error"[^>]*>Use 3 to 100 letters/);
    assert.match(bad.text, /id="f-email-error"[^>]*>Enter a valid e-mail/);
    assert.match(bad.text, /id="f-password-error"[^>]*>Use 4 to 20 characters/);
    assert.match(bad.text, /value="R2"/);
    assert.match(bad.text, /value="not-mail"/);
    const mismatch = await web.post('/register', {
      fullName: 'Ada Lovelace',
      email: 'ada.web@example.com',
      password: 'secret1',
      confirm: 'secret2',
    });
    assert.match(mismatch.text, /id="f-confirm-error"[^>]*>The two passwords differ/);

    const n = smtp.messages.length;
    const ok = await web.post('/register', {
      fullName: 'Ada Lovelace',
      email: 'Ada.Web@example.com',
      password: 'secret1',
      confirm: 'secret1',
    });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /activation link to ada\.web@example\.com/);
    const activate = link(mailText(await nextMail(n)), '/activate/');
    assert.equal((await login('ada.web@example.com', 'secret1')).status, 401, 'not active yet');

    const shown = await web.get(activate);
    assert.match(shown.text, /Activate account<\/button>/);
    assert.equal((await login('ada.web@example.com', 'secret1')).status, 401, 'opening the link activates nothing');
    assert.equal((await web.post(activate, { csrf: null })).status, 403, 'the button needs its token');
    const done = await web.post(activate, {});
    assert.match(done.text, /Your account is active/);
    assert.equal((await login('ada.web@example.com', 'secret1')).status, 303);

    const again = await web.post('/register', { fullName: 'Ada Again', email: 'ada.web@example.com', password: '', confirm: '' });
    assert.match(again.text, /already registered/);
  });

  it('resets a forgotten password with a mailed link that works once, and says the same for unknown addresses', async () => {
    const u = await server.userClient();
    const web = new WebAgent(server.url);
    await web.get('/forgot');
    const n = smtp.messages.length;
    const unknown = await web.post('/forgot', { email: 'nobody@example.com' });
    const known = await web.post('/forgot', { email: u.email });
    assert.equal(unknown.status, 200);
    assert.equal(known.status, 200);
    assert.equal(
      unknown.text.replace(/name="csrf" value="[^"]+"/, ''),
      known.text.replace(/name="csrf" value="[^"]+"/, ''),
      'no difference shows',
    );
    const mail = await nextMail(n);
    assert.deepEqual(mail.to, [u.email]);
    const reset = link(mailText(mail), '/reset/');
    await web.get(reset);
    const short = await web.post(reset, { password: 'x', confirm: 'x' });
    assert.match(short.text, /id="f-password-error"/);
    const set = await web.post(reset, { password: 'brand-new', confirm: 'brand-new' });
    assert.match(set.text, /Your password is changed/);
    assert.equal((await login(u.email, u.password)).status, 401);
    assert.equal((await login(u.email, 'brand-new')).status, 303);
    assert.equal((await web.get(reset)).status, 404, 'the link works once');
    assert.equal((await server.client().login(u.email, 'brand-new')).status, 'ok', 'the API takes the new password too');
  });

  it('changes the password (the current one first) and logs out the other browsers', async () => {
    const u = await server.userClient();
    const here = (await login(u.email, u.password)).web;
    const there = (await login(u.email, u.password)).web;
    assert.match((await there.get('/account/password')).text, /Change password/);
    await here.get('/account/password');
    const wrong = await here.post('/account/password', { current: 'nope', password: 'newer-pw', confirm: 'newer-pw' });
    assert.match(wrong.text, /id="f-current-error"[^>]*>The current password is wrong/);
    const ok = await here.post('/account/password', { current: u.password, password: 'newer-pw', confirm: 'newer-pw' });
    assert.match(ok.text, /Other devices were logged out/);
    assert.match((await here.get('/')).text, /Signed in as/, 'this browser stays logged in');
    assert.equal((await there.get('/account/password')).status, 303, 'the other one must log in again');
    assert.equal((await login(u.email, 'newer-pw')).status, 303);
  });

  it('changes the e-mail address from a link mailed to the new address', async () => {
    const u = await server.userClient();
    const { web } = await login(u.email, u.password);
    await web.get('/account/email');
    const n = smtp.messages.length;
    const bad = await web.post('/account/email', { email: 'new.address@example.com', current: 'wrong' });
    assert.match(bad.text, /id="f-current-error"/);
    assert.match(bad.text, /value="new\.address@example\.com"/);
    const ok = await web.post('/account/email', { email: 'new.address@example.com', current: u.password });
    assert.match(ok.text, /confirmation link to new\.address@example\.com/);
    const mail = await nextMail(n);
    assert.deepEqual(mail.to, ['new.address@example.com']);
    const confirm = link(mailText(mail), '/account/email/');
    assert.match((await web.get(confirm)).text, /Change e-mail<\/button>/);
    assert.equal((await login('new.address@example.com', u.password)).status, 401, 'not before the button');
    const done = await web.post(confirm, {});
    assert.match(done.text, /now new\.address@example\.com/);
    assert.equal((await login('new.address@example.com', u.password)).status, 303);
    assert.equal((await login(u.email, u.password)).status, 401);
  });

  it('sends people who are not logged in to the login page, and back after it', async () => {
    const web = new WebAgent(server.url);
    const res = await web.get('/account/password');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login?next=%2Faccount%2Fpassword');
    const u = await server.userClient();
    await web.get('/login?next=%2Faccount%2Fpassword');
    const back = await web.post('/login', { email: u.email, password: u.password, next: '/account/password' });
    assert.equal(back.headers.get('location'), '/account/password');
    const other = new WebAgent(server.url);
    await other.get('/login');
    const evil = await other.post('/login', { email: u.email, password: u.password, next: '//evil.example/' });
    assert.equal(evil.headers.get('location'), '/', 'never back to another site');
  });
});
