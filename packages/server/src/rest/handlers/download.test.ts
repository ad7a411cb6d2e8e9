// download.getInfo: by id and by URL, the password flow, and every error of the spec,
// through HTTP on loopback, on each database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SendspaceClient } from '@sendbay/client';
import { storeTestFile } from '../../testing/stored-file.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';

const CONTENT = Buffer.from('download me, please\n');

for (const database of testDatabases) {
  describe(`download.getInfo (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let now = Math.floor(Date.now() / 1000);
    let owner: { client: SendspaceClient; id: string };
    let other: { client: SendspaceClient; id: string };

    before(async () => {
      server = await startTestServer({
        database,
        env: {
          // pro: a plan without downloads; max: a plan with 50 bytes of monthly bandwidth.
          SENDBAY_PLAN_PRO_CAPABILITIES: 'upload,folders,files',
          SENDBAY_PLAN_MAX_BANDWIDTH: '50',
          SENDBAY_DOWNLOAD_LINK_TTL: '600',
          SENDBAY_LOGIN_MAX_FAILURES: '5',
        },
        overrides: { clock: { now: () => now } },
      });
      owner = await server.userClient();
      other = await server.userClient();
    });
    after(() => server.stop());

    const store = (opts: Parameters<typeof storeTestFile>[1] = {}) =>
      storeTestFile(server.ctx, { ownerId: owner.id, content: CONTENT, ...opts });

    it('answers <download file_id name url file_size/> for a file id, with a working link', async () => {
      const f = await store({ name: 'report.pdf' });
      const r = await other.client.call('download.getInfo', { file_id: f.id });
      assert.equal(r.status, 'ok', r.xml);
      const d = r.body.download as Record<string, string>;
      assert.equal(d.file_id, f.id);
      assert.equal(d.name, 'report.pdf');
      assert.equal(d.file_size, String(CONTENT.length));
      assert.match(r.xml, /<download file_id="[a-z0-9]{6}" name="report\.pdf" url="http[^"]+" file_size="\d+"\s*\/>/);
      assert.match(d.url!, new RegExp(`^${server.config.publicUrl}/dl/${f.id}/0/`), 'a normal file gets a link that does not expire');
      const res = await fetch(d.url!);
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), CONTENT);
    });

    it('accepts a download-page URL from any host, URL-encoded or not, in any case', async () => {
      const f = await store();
      for (const ref of [
        `http://www.sendspace.com/file/${f.id}`,
        `https://sendspace.com/file/${f.id.toUpperCase()}`,
        `${server.config.publicUrl}/file/${f.id}`,
        `${server.config.publicUrl}/file/${f.id}/?ref=mail`,
        encodeURIComponent(`http://www.sendspace.com/file/${f.id}`),
        f.id.toUpperCase(),
      ]) {
        const r = await owner.client.call('download.getinfo', { file_id: ref });
        assert.equal(r.status, 'ok', `${ref}: ${r.xml}`);
        assert.equal((r.body.download as Record<string, string>).file_id, f.id);
      }
    });

    it('keeps url the first url="http of the document whatever the name', async () => {
      const f = await store({ name: 'x" url="http://evil.example/ <b>' });
      const r = await owner.client.call('download.getInfo', { file_id: f.id });
      assert.equal(r.status, 'ok', r.xml);
      const first = /url="(http[^"]*)"/.exec(r.xml)?.[1];
      assert.equal(first, (r.body.download as Record<string, string>).url);
      assert.match(first!, /\/dl\//);
      assert.equal((r.body.download as Record<string, string>).name, f.name);
    });

    it('answers 26 for a URL that is not a download-page URL', async () => {
      for (const ref of [
        'http://www.sendspace.com/folder/abc123',
        'http://www.sendspace.com/',
        'https://example.com/file/abc',
        `${server.config.publicUrl}/delete/abc123/key`,
      ]) {
        const r = await owner.client.call('download.getInfo', { file_id: ref });
        assert.equal(r.error?.code, 26, ref);
      }
    });

    it('answers 9 for an unknown, malformed or deleted file', async () => {
      const f = await store();
      await server.ctx.fileRemoval.remove([f]);
      for (const ref of ['zzzzzz', 'abc', f.id, `http://www.sendspace.com/file/${f.id}`]) {
        const r = await owner.client.call('download.getInfo', { file_id: ref });
        assert.equal(r.status, 'fail');
        assert.equal(r.error?.code, 9, ref);
      }
    });

    it('asks others for the password of a protected file (22), and then gives an expiring link', async () => {
      const f = await store({ password: 'open sesame' });
      assert.equal((await other.client.call('download.getInfo', { file_id: f.id })).error?.code, 22);
      assert.equal((await other.client.call('download.getInfo', { file_id: f.id, password: '' })).error?.code, 22);
      assert.equal((await other.client.call('download.getInfo', { file_id: f.id, password: 'open sesam' })).error?.code, 22);
      const r = await other.client.call('download.getInfo', { file_id: f.id, password: 'open sesame' });
      assert.equal(r.status, 'ok', r.xml);
      const url = (r.body.download as Record<string, string>).url!;
      assert.match(url, new RegExp(`/dl/${f.id}/${now + 600}/`), 'the link expires after the configured time');
      const res = await fetch(url);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      const mine = await owner.client.call('download.getInfo', { file_id: f.id });
      assert.equal(mine.status, 'ok', 'the owner needs no password');
      assert.match((mine.body.download as Record<string, string>).url!, new RegExp(`/dl/${f.id}/${now + 600}/`));
    });

    it('stops counting guesses after too many wrong passwords for one file', async () => {
      const f = await store({ password: 'right' });
      for (let i = 0; i < 5; i++)
        assert.equal((await other.client.call('download.getInfo', { file_id: f.id, password: `wrong${i}` })).error?.code, 22);
      const r = await other.client.call('download.getInfo', { file_id: f.id, password: 'right' });
      assert.equal(r.error?.code, 22);
      assert.match(r.error!.text, /Too many wrong passwords/);
      assert.equal((await owner.client.call('download.getInfo', { file_id: f.id })).status, 'ok', 'the owner is not locked out');
    });

    it('answers 12 for a file blocked by its limit, or whose bytes are missing', async () => {
      const blocked = await store({ downloadLimit: 1, limitAction: 1 });
      const ok = await other.client.call('download.getInfo', { file_id: blocked.id });
      const res = await fetch((ok.body.download as Record<string, string>).url!);
      await res.arrayBuffer();
      assert.equal((await other.client.call('download.getInfo', { file_id: blocked.id })).error?.code, 12);
      const missing = await store();
      await server.ctx.blobs.delete(missing.blob_key);
      assert.equal((await other.client.call('download.getInfo', { file_id: missing.id })).error?.code, 12);
    });

    it('answers 11 when the caller’s plan has no downloads', async () => {
      const { client } = await server.userClient({ plan: 'pro' });
      const f = await store();
      assert.equal((await client.call('download.getInfo', { file_id: f.id })).error?.code, 11);
    });

    it('answers 19 when the caller’s paid plan has expired', async () => {
      const u = await server.userClient({ plan: 'business' });
      await server.ctx.accounts.setPlan((await server.ctx.accounts.find(u.id))!, 'business', now - 1);
      const f = await store();
      assert.equal((await u.client.call('download.getInfo', { file_id: f.id })).error?.code, 19);
    });

    it("answers 23 once the file owner's monthly bandwidth cannot carry the file", async () => {
      const rich = await server.userClient({ plan: 'max' }); // 50 bytes a month
      const f = await storeTestFile(server.ctx, { ownerId: rich.id, content: CONTENT }); // 20 bytes
      for (let i = 0; i < 2; i++) {
        const r = await other.client.call('download.getInfo', { file_id: f.id });
        assert.equal(r.status, 'ok', r.xml);
        const res = await fetch((r.body.download as Record<string, string>).url!);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
      const r = await other.client.call('download.getInfo', { file_id: f.id });
      assert.equal(r.error?.code, 23, '10 bytes left cannot carry 20');
    });

    it('answers 6 for a bad session and 4 without file_id', async () => {
      assert.equal((await server.client().call('download.getInfo', { session_key: 'x'.repeat(32), file_id: 'abcdef' })).error?.code, 6);
      assert.equal((await owner.client.call('download.getInfo', {})).error?.code, 4);
    });

    it('enforces a passed time limit when touched: never a link, and the action ran', async () => {
      const f = await store({ timeLimit: 60, limitAction: 2 });
      assert.equal((await other.client.call('download.getInfo', { file_id: f.id })).status, 'ok');
      now += 61;
      assert.equal((await other.client.call('download.getInfo', { file_id: f.id })).error?.code, 9);
      assert.equal(await server.ctx.db.selectFrom('files').select('id').where('id', '=', f.id).executeTakeFirst(), undefined);
    });
  });
}
