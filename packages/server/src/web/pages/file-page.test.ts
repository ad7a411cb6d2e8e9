// The public pages of a file: the download page (markup scrapers rely on, escaping,
// password form) and the delete page (confirmation, POST, ?action=1, wrong key).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeTestFile } from '../../testing/stored-file.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

describe('file pages', () => {
  let server: TestServer;
  let ownerId: string;

  before(async () => {
    server = await startTestServer({ env: { SENDBAY_LOGIN_MAX_FAILURES: '3' } });
    ownerId = (await server.userClient()).id;
  });
  after(() => server.stop());

  const store = (opts: Parameters<typeof storeTestFile>[1] = {}) => storeTestFile(server.ctx, { ownerId, ...opts });
  const pageUrl = (id: string) => server.ctx.links.downloadPage(id);
  const row = (id: string) => server.ctx.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  const postForm = (url: string, form: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });

  describe('download page /file/<id>', () => {
    it('shows name, size, description and date, with the download button scrapers look for', async () => {
      const f = await store({ name: 'holiday.jpg', description: 'Beach & sun', content: Buffer.alloc(1536) });
      const res = await fetch(pageUrl(f.id));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/html; charset=utf-8/);
      assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
      const body = await res.text();
      assert.match(body, /holiday\.jpg/);
      // The shapes download tools read (web-pages.md): name, size without a space, two buttons.
      assert.match(body, /<h2 class="bgray"><b>holiday\.jpg<\/b><\/h2>/);
      assert.match(body, /<div class="file_description reverse margin_center"><b>File Size:<\/b> 1\.5KB<\/div/);
      assert.match(body, /<a id="download_button" class="download_page_button button1" href="http/);
      assert.match(body, /Downloads left/);
      assert.match(body, /Beach &amp; sun/);
      assert.match(body, new RegExp(new Date(f.upload_time * 1000).toISOString().slice(0, 10)));
      const href = /<a id="download_button" href="(http[^"]+)"/.exec(body)?.[1];
      assert.ok(href, 'id first, then an absolute href');
      assert.equal(href, server.ctx.links.direct(f.id, f.delete_salt, f.name));
      const dl = await fetch(href);
      assert.equal(dl.status, 200);
      assert.equal((await dl.arrayBuffer()).byteLength, 1536);
    });

    it('escapes everything a user wrote', async () => {
      const f = await store({ name: '<script>alert(1)</script>', description: '"><img src=x onerror=alert(2)>' });
      const body = await (await fetch(pageUrl(f.id))).text();
      assert.doesNotMatch(body, /<script>alert\(1\)/);
      assert.doesNotMatch(body, /<img src=x/);
      assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.match(body, /&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;/);
      const href = /<a id="download_button" href="([^"]+)"/.exec(body)?.[1];
      assert.ok(href && !href.includes('<'), 'the name in the link is URL-encoded');
    });

    it('asks for the password of a protected file, and gives the link only for the right one', async () => {
      const f = await store({ name: 'secret.zip', password: 'p@ss word' });
      const first = await (await fetch(pageUrl(f.id))).text();
      assert.match(first, /<form method="post">/);
      assert.match(first, /<input[^>]*type="password"[^>]*name="password"/);
      assert.doesNotMatch(first, /download_button/);
      assert.doesNotMatch(first, /\/dl\//);

      const wrong = await postForm(pageUrl(f.id), { password: 'nope' });
      assert.equal(wrong.status, 200);
      const wrongBody = await wrong.text();
      assert.match(wrongBody, /Wrong password/);
      assert.doesNotMatch(wrongBody, /\/dl\//);
      assert.match(wrongBody, /<form method="post">/);

      const right = await postForm(pageUrl(f.id), { password: 'p@ss word' });
      const href = /<a id="download_button" href="(http[^"]+)"/.exec(await right.text())?.[1];
      assert.ok(href);
      assert.match(href, new RegExp(`/dl/${f.id}/[1-9]\\d+/`), 'an expiring link');
      const dl = await fetch(href);
      assert.equal(dl.status, 200);
      await dl.arrayBuffer();
    });

    it('stops taking guesses after too many wrong passwords', async () => {
      const f = await store({ password: 'right' });
      for (let i = 0; i < 3; i++) assert.match(await (await postForm(pageUrl(f.id), { password: `wrong${i}` })).text(), /Wrong password/);
      const body = await (await postForm(pageUrl(f.id), { password: 'right' })).text();
      assert.match(body, /Too many wrong passwords/);
      assert.doesNotMatch(body, /\/dl\//);
    });

    it('says when a file can no longer be downloaded, without a link', async () => {
      const f = await store({ downloadLimit: 1, limitAction: 1 });
      await (await fetch(server.ctx.links.direct(f.id, f.delete_salt, f.name))).arrayBuffer();
      const body = await (await fetch(pageUrl(f.id))).text();
      // A spent link reads like a dead one, as download tools expect.
      assert.match(body, /<div class="msg error" style="cursor: default">Sorry, the file you requested is not available\.<\/div>/);
      assert.doesNotMatch(body, /download_button/);
    });

    it('answers an unknown file with a 404 page', async () => {
      for (const id of ['zzzzzz', 'nope']) {
        const res = await fetch(pageUrl(id));
        assert.equal(res.status, 404);
        const body = await res.text();
        assert.match(body, /File not found/);
        assert.match(body, /<div class="msg error" style="cursor: default">Sorry, the file you requested is not available\.<\/div>/);
        // The one inline style is allowed by its hash, nothing else inline.
        assert.match(res.headers.get('content-security-policy')!, /style-src 'self' 'unsafe-hashes' 'sha256-/);
      }
    });
  });

  describe('delete page /delete/<id>/<key>', () => {
    const deleteUrl = (f: { id: string; delete_salt: string }) => server.ctx.links.deletePage(f.id, f.delete_salt);
    const diskUsed = async () =>
      (await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', ownerId).executeTakeFirstOrThrow()).diskspace_used;

    it('GET asks for confirmation and deletes nothing; the confirming POST deletes row, blob and quota', async () => {
      const f = await store({ name: 'old <draft>.doc', content: Buffer.from('12345') });
      const used = await diskUsed();
      const confirm = await fetch(deleteUrl(f));
      assert.equal(confirm.status, 200);
      const body = await confirm.text();
      assert.match(body, /You are about to delete the folowing file/);
      // Tools post the third form, whose tags are each on their own line, holding `delete`.
      const third = body.split('<form')[3]!.split('</form>')[0]!;
      assert.match(third, /<input[^>]*name="delete"/);
      for (const line of `<form${third}</form>`.split('\n').filter((l) => l.includes('<')))
        assert.equal(line.trim().match(/<[a-z/]/g)!.length, 1, line);
      assert.match(body, /old &lt;draft&gt;\.doc/);
      assert.ok(await row(f.id), 'a GET alone deletes nothing');

      const done = await postForm(deleteUrl(f), { delete: '1', submit: 'Delete' });
      assert.equal(done.status, 200);
      assert.match(await done.text(), /file has been successfully deleted/);
      assert.equal(await row(f.id), undefined);
      assert.equal(await server.ctx.blobs.stat(f.blob_key), null);
      assert.equal(await diskUsed(), used - 5);

      const again = await fetch(deleteUrl(f), { method: 'POST' });
      assert.equal(again.status, 404);
      await again.text();
    });

    it('GET with ?action=1 deletes at once (what one client sends)', async () => {
      const f = await store();
      const res = await fetch(`${deleteUrl(f)}?action=1`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /File deleted/);
      assert.equal(await row(f.id), undefined);
    });

    it('deletes anonymous uploads too', async () => {
      const f = await storeTestFile(server.ctx, {});
      const res = await fetch(deleteUrl(f), { method: 'POST' });
      assert.equal(res.status, 200);
      await res.text();
      assert.equal(await row(f.id), undefined);
    });

    it('answers a wrong key exactly like an unknown file, and deletes nothing', async () => {
      const f = await store();
      const good = deleteUrl(f);
      const wrongKey = good.replace(/\/[a-z0-9]+$/, `/${'a'.repeat(16)}`);
      const unknown = good.replace(`/delete/${f.id}/`, '/delete/zzzzzz/');
      const pages: string[] = [];
      for (const [url, method] of [
        [wrongKey, 'GET'],
        [`${wrongKey}?action=1`, 'GET'],
        [wrongKey, 'POST'],
        [unknown, 'GET'],
      ] as const) {
        const res = await fetch(url, { method });
        assert.equal(res.status, 404, `${method} ${url}`);
        pages.push(await res.text());
      }
      assert.ok(
        pages.every((p) => p === pages[0]),
        'no difference tells whether the file exists',
      );
      assert.ok(await row(f.id));
    });
  });
});
