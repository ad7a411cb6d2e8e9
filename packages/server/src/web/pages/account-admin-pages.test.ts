// The account page (plan, limits, open sessions with revoke) and the operator pages
// (users, plan, disable/enable), through the front door with a cookie-keeping agent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { WebAgent } from '../../testing/web-agent.js';

describe('account and admin pages', () => {
  let server: TestServer;

  async function loggedIn(u: { email: string; password: string }): Promise<WebAgent> {
    const agent = new WebAgent(server.url);
    await agent.get('/login');
    const res = await agent.post('/login', { email: u.email, password: u.password });
    assert.equal(res.status, 303, res.text);
    await agent.get('/account');
    return agent;
  }

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  describe('/account', () => {
    it('shows the plan with its limits and both kinds of sessions', async () => {
      const u = await server.userClient({ plan: 'pro' });
      const web = await loggedIn(u);
      const page = await web.get('/account');
      assert.equal(page.status, 200);
      assert.match(page.text, /<dd>Pro<\/dd>/);
      assert.match(page.text, /Largest file/);
      assert.match(page.text, /Browsers/);
      assert.match(page.text, /\(this browser\)/);
      assert.equal([...page.text.matchAll(/name="kind" value="api"/g)].length, 1, 'the API session of userClient');
    });

    it('links to every account sub-page (password, e-mail, address book), and each link opens its page', async () => {
      const web = await loggedIn(await server.userClient());
      const page = await web.get('/account');
      const hrefs = [...page.text.matchAll(/<a href="(\/account\/[a-z]+|\/files\/contacts)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
      assert.deepEqual(hrefs, [
        ['/account/password', 'Change password'],
        ['/account/email', 'Change e-mail'],
        ['/files/contacts', 'Address book'],
      ]);
      for (const [href, title] of hrefs) {
        const sub = await web.get(href!);
        assert.equal(sub.status, 200, href);
        assert.match(sub.text, new RegExp(`<h1>${title}</h1>`), href);
      }
    });

    it('revokes an API session: the app is logged out at once', async () => {
      const u = await server.userClient();
      const web = await loggedIn(u);
      assert.equal((await u.client.call('auth.checkSession')).status, 'ok');
      const page = await web.get('/account');
      const handle = /name="kind" value="api" \/>\s*<input type="hidden" name="handle" value="([0-9a-f]{16})"/.exec(page.text)?.[1];
      assert.ok(handle, page.text);
      const res = await web.post('/account/sessions/revoke', { kind: 'api', handle });
      assert.equal(res.headers.get('location'), '/account?done=revoked');
      assert.equal((await u.client.call('auth.checkSession')).error?.code, 6);
      assert.match((await web.get('/account?done=revoked')).text, /The session was ended\./);
    });

    it('revokes another browser of the same account; never a session of someone else', async () => {
      const u = await server.userClient();
      const first = await loggedIn(u);
      const second = await loggedIn(u);
      const other = await server.userClient();
      const otherWeb = await loggedIn(other);
      const otherApiHandle = (await server.ctx.auth.openSessions((await server.ctx.accounts.find(other.id))!))[0]!.handle;
      const otherWebHandle = (await server.ctx.webSessions.list(other.id))[0]!.key_hash.slice(0, 16);

      // Someone else's handles are unknown, and their sessions live on.
      assert.equal(
        (await first.post('/account/sessions/revoke', { kind: 'api', handle: otherApiHandle })).headers.get('location'),
        '/account?done=unknown',
      );
      assert.equal(
        (await first.post('/account/sessions/revoke', { kind: 'web', handle: otherWebHandle })).headers.get('location'),
        '/account?done=unknown',
      );
      assert.equal((await other.client.call('auth.checkSession')).status, 'ok');
      assert.equal((await otherWeb.get('/account')).status, 200);

      const page = await first.get('/account');
      const handles = [
        ...page.text.matchAll(/name="kind" value="web" \/>\s*<input type="hidden" name="handle" value="([0-9a-f]{16})"/g),
      ].map((x) => x[1]!);
      assert.equal(handles.length, 2);
      // End the one that is not "this browser".
      const mine = /<td>[^<]*\(this browser\)<\/td>[\s\S]*?name="handle" value="([0-9a-f]{16})"/.exec(page.text)?.[1];
      const theOther = handles.find((h) => h !== mine)!;
      assert.equal(
        (await first.post('/account/sessions/revoke', { kind: 'web', handle: theOther })).headers.get('location'),
        '/account?done=revoked',
      );
      assert.equal((await second.get('/account')).status, 303, 'the other browser is logged out');
      assert.equal((await first.get('/account')).status, 200, 'this one is not');
    });
  });

  describe('/admin/users', () => {
    let admin: WebAgent;
    let plain: WebAgent;
    let target: { id: string; email: string; password: string; client: Awaited<ReturnType<TestServer['userClient']>>['client'] };

    before(async () => {
      const a = await server.userClient({ email: 'root@ops.example', name: 'Ops Root' });
      await server.ctx.accounts.setAdmin((await server.ctx.accounts.find(a.id))!, true);
      admin = await loggedIn(a);
      plain = await loggedIn(await server.userClient({ email: 'plain@ops.example' }));
      target = await server.userClient({ email: 'target@ops.example', name: 'Target Person' });
    });

    it('is not there for accounts without the admin flag', async () => {
      for (const path of ['/admin/users', `/admin/users/${target.id}`]) assert.equal((await plain.get(path)).status, 404, path);
      await plain.get('/account');
      for (const [path, form] of [
        [`/admin/users/${target.id}/plan`, { plan: 'max', until: '' }],
        [`/admin/users/${target.id}/state`, { disabled: '1' }],
      ] as const) {
        assert.equal((await plain.post(path, form)).status, 404, path);
      }
      const row = (await server.ctx.accounts.find(target.id))!;
      assert.equal(row.plan, 'lite');
      assert.equal(row.disabled, 0);
    });

    it('lists users with plan, state and usage, searches, and pages by address', async () => {
      const page = await admin.get('/admin/users');
      assert.equal(page.status, 200);
      assert.match(page.text, /target@ops\.example/);
      assert.match(page.text, /<td>active<\/td>/);
      const found = await admin.get('/admin/users?q=TARGET%20pers');
      assert.match(found.text, /target@ops\.example/);
      assert.doesNotMatch(found.text, /plain@ops\.example/);
      for (let i = 0; i < 55; i++)
        await server.ctx.accounts.create({ email: `bulk${String(i).padStart(2, '0')}@paging.example`, password: 'pw-bulk' });
      const p1 = await admin.get('/admin/users?q=paging.example');
      const next = /href="(\/admin\/users\?q=paging\.example&amp;after=[^"]+)" rel="next"/.exec(p1.text)?.[1];
      assert.ok(next);
      assert.equal([...p1.text.matchAll(/@paging\.example</g)].length, 50);
      const p2 = await admin.get(next.replace(/&amp;/g, '&'));
      assert.equal([...p2.text.matchAll(/@paging\.example</g)].length, 5);
      assert.match(p2.text, /bulk54@paging\.example/);
    });

    it('changes the plan (validated beside each field) and disables / enables the account', async () => {
      await admin.get(`/admin/users/${target.id}`);
      const bad = await admin.post(`/admin/users/${target.id}/plan`, { plan: 'gold', until: '2027-02-31' });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /id="f-plan-error">Choose one of the plans\./);
      assert.match(bad.text, /id="f-until-error">Enter a date such as 2027-01-31\./);
      assert.match(bad.text, /value="2027-02-31"/);
      const ok = await admin.post(`/admin/users/${target.id}/plan`, { plan: 'max', until: '2031-01-31' });
      assert.equal(ok.headers.get('location'), `/admin/users/${target.id}?done=saved`);
      const row = (await server.ctx.accounts.find(target.id))!;
      assert.equal(row.plan, 'max');
      assert.equal(row.membership_ends, Date.parse('2031-01-31T00:00:00Z') / 1000);

      assert.equal((await target.client.call('auth.checkSession')).status, 'ok');
      const off = await admin.post(`/admin/users/${target.id}/state`, { disabled: '1' });
      assert.equal(off.status, 303);
      assert.equal((await server.ctx.accounts.find(target.id))!.disabled, 1);
      assert.equal((await target.client.call('auth.checkSession')).error?.code, 6, 'its sessions ended');
      assert.match((await admin.get(`/admin/users/${target.id}`)).text, /Enable account/);
      await admin.post(`/admin/users/${target.id}/state`, { disabled: '0' });
      assert.equal((await server.ctx.accounts.find(target.id))!.disabled, 0);
    });

    it('refuses admin POSTs without the CSRF token', async () => {
      await admin.get(`/admin/users/${target.id}`);
      assert.equal((await admin.post(`/admin/users/${target.id}/state`, { disabled: '1', csrf: null })).status, 403);
      assert.equal((await admin.post(`/admin/users/${target.id}/plan`, { plan: 'lite', until: '', csrf: 'x'.repeat(32) })).status, 403);
      const row = (await server.ctx.accounts.find(target.id))!;
      assert.equal(row.disabled, 0);
      assert.equal(row.plan, 'max');
    });

    it('an unknown user id is the not-found page', async () => {
      assert.equal((await admin.get('/admin/users/nobody000000')).status, 404);
      assert.equal((await admin.post('/admin/users/nobody000000/state', { disabled: '1' })).status, 404);
    });
  });
});
