// Limits that fire on their own: download limits under concurrent downloads, time
// limits (touched and swept), each action exactly once, and the expiry of idle
// anonymous files. Through HTTP on loopback, on each database.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import type { FileRow } from '../../metadata/repositories/files.js';
import { createTestFolder, storeTestFile } from '../../testing/stored-file.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';

const CONTENT = Buffer.alloc(256 * 1024, 'x'); // large enough that downloads overlap
const DAY = 86_400;

for (const database of testDatabases) {
  describe(`file limits (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let now = Math.floor(Date.now() / 1000);
    const logLines: { msg?: string; fileId?: string; action?: string }[] = [];
    let ownerId: string;

    before(async () => {
      const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
      server = await startTestServer({
        database,
        env: { SENDBAY_ANON_EXPIRY_DAYS: '7' },
        overrides: { clock: { now: () => now }, logger },
      });
    });
    beforeEach(async () => {
      ownerId = (await server.userClient()).id;
    });
    after(() => server.stop());

    const store = (opts: Parameters<typeof storeTestFile>[1] = {}) => storeTestFile(server.ctx, { ownerId, content: CONTENT, ...opts });
    const link = (f: FileRow) => server.ctx.links.direct(f.id, f.delete_salt, f.name);
    const row = (id: string) => server.ctx.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
    const diskUsed = async (id: string) =>
      (await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', id).executeTakeFirstOrThrow()).diskspace_used;
    /** How many times the limit action of `fileId` ran, from the server's own log. */
    const actionsRun = (fileId: string) => logLines.filter((l) => l.msg === 'file limit reached' && l.fileId === fileId).length;
    const sweep = (name: string) => server.ctx.jobs.find((s) => s.name === name)!.run();
    const parallelGets = (url: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, async () => {
          const res = await fetch(url);
          return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
        }),
      );

    describe('download limit under concurrent downloads', () => {
      it('20 parallel downloads of a file limited to 1: exactly one is served, and it is blocked once', async () => {
        const f = await store({ downloadLimit: 1, limitAction: 1 });
        const results = await parallelGets(link(f), 20);
        const served = results.filter((r) => r.status === 200);
        assert.equal(served.length, 1, JSON.stringify(results.map((r) => r.status)));
        assert.deepEqual(served[0]!.body, CONTENT);
        assert.ok(results.every((r) => r.status === 200 || r.status === 410));
        const after = await row(f.id);
        assert.equal(after?.downloads, 1);
        assert.equal(after?.blocked, 1);
        assert.equal(actionsRun(f.id), 1);
        assert.equal((await fetch(link(f))).status, 410, 'blocked for good');
      });

      it('a limit of 3 serves exactly 3 of 20, and with action 0 still stops downloads', async () => {
        const f = await store({ downloadLimit: 3, limitAction: 0 });
        const results = await parallelGets(link(f), 20);
        assert.equal(results.filter((r) => r.status === 200).length, 3);
        assert.equal((await row(f.id))?.downloads, 3);
        assert.equal(actionsRun(f.id), 1);
        const r = await fetch(link(f));
        assert.equal(r.status, 410);
        await r.text();
      });

      it('action 2 deletes row and blob once, releasing the quota once', async () => {
        const keeper = await store({ content: Buffer.from('stays') });
        const f = await store({ downloadLimit: 1, limitAction: 2 });
        assert.equal(await diskUsed(ownerId), CONTENT.length + 5);
        const results = await parallelGets(link(f), 20);
        const served = results.filter((r) => r.status === 200);
        assert.equal(served.length, 1);
        assert.deepEqual(served[0]!.body, CONTENT, 'the download that reached the limit gets every byte');
        assert.equal(await row(f.id), undefined);
        assert.equal(await server.ctx.blobs.stat(f.blob_key), null);
        assert.equal(await diskUsed(ownerId), 5, 'only the deleted file was released, once');
        assert.ok(await row(keeper.id));
        assert.equal(actionsRun(f.id), 1);
        const late = await fetch(link(f));
        assert.equal(late.status, 404);
        await late.text();
      });

      it('action 3 moves the file once into the target folder, or into the root once that folder is gone', async () => {
        const archive = await createTestFolder(server.ctx, ownerId);
        const f = await store({ downloadLimit: 1, limitAction: 3, limitActionToFolder: archive });
        const results = await parallelGets(link(f), 20);
        assert.equal(results.filter((r) => r.status === 200).length, 1);
        const moved = await row(f.id);
        assert.equal(moved?.folder_id, archive);
        assert.equal(moved?.blocked, 1);
        assert.equal(actionsRun(f.id), 1);

        const elsewhere = await createTestFolder(server.ctx, ownerId, 'Inbox');
        const gone = await createTestFolder(server.ctx, ownerId, 'Deleted soon');
        const g = await store({ downloadLimit: 1, limitAction: 3, limitActionToFolder: gone, folderId: elsewhere });
        await server.ctx.db.deleteFrom('folders').where('id', '=', gone).execute();
        const res = await fetch(link(g));
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        assert.equal((await row(g.id))?.folder_id, '0');
      });

      it("action 3 never moves into another account's folder", async () => {
        const stranger = await server.userClient();
        const theirs = await createTestFolder(server.ctx, stranger.id);
        const f = await store({ downloadLimit: 1, limitAction: 3, limitActionToFolder: theirs });
        const res = await fetch(link(f));
        await res.arrayBuffer();
        assert.equal((await row(f.id))?.folder_id, '0');
      });

      it('the sweeper fires a limit that was reached but not acted on (e.g. after a crash)', async () => {
        const f = await store({ downloadLimit: 2, limitAction: 1 });
        await server.ctx.db.updateTable('files').set({ downloads: 2 }).where('id', '=', f.id).execute();
        await sweep('fire due file limits');
        assert.equal((await row(f.id))?.blocked, 1);
        await sweep('fire due file limits');
        assert.equal(actionsRun(f.id), 1);
      });
    });

    describe('time limit', () => {
      it('once passed, the file is never served and its action ran once, however often it is touched', async () => {
        const f = await store({ timeLimit: 3600, limitAction: 1 });
        const early = await fetch(link(f));
        assert.equal(early.status, 200);
        await early.arrayBuffer();
        now += 3600;
        const results = await parallelGets(link(f), 10);
        assert.ok(
          results.every((r) => r.status === 410),
          JSON.stringify(results.map((r) => r.status)),
        );
        const page = await fetch(`${server.config.publicUrl}/file/${f.id}`);
        assert.doesNotMatch(await page.text(), /download_button/);
        await sweep('fire due file limits');
        assert.equal((await row(f.id))?.blocked, 1);
        assert.equal(actionsRun(f.id), 1);
      });

      it('a delete action races many touches and still deletes once', async () => {
        const keeper = await store({ content: Buffer.from('keep') });
        const f = await store({ timeLimit: 60, limitAction: 2 });
        now += 61;
        const results = await parallelGets(link(f), 10);
        assert.ok(results.every((r) => r.status === 404));
        assert.equal(await row(f.id), undefined);
        assert.equal(await server.ctx.blobs.stat(f.blob_key), null);
        assert.equal(await diskUsed(ownerId), 4);
        assert.ok(await row(keeper.id));
        assert.equal(actionsRun(f.id), 1);
      });

      it('the sweeper runs the action of a file nobody touches, once', async () => {
        const archive = await createTestFolder(server.ctx, ownerId);
        const f = await store({ timeLimit: 60, limitAction: 3, limitActionToFolder: archive });
        const g = await store({ timeLimit: 60, limitAction: 2 });
        const later = await store({ timeLimit: 3600, limitAction: 2 });
        now += 60;
        await Promise.all([sweep('fire due file limits'), sweep('fire due file limits')]);
        assert.equal((await row(f.id))?.folder_id, archive);
        assert.equal(await row(g.id), undefined);
        assert.ok(await row(later.id), 'a limit not yet passed is left alone');
        await sweep('fire due file limits');
        assert.equal(actionsRun(f.id), 1);
        assert.equal(actionsRun(g.id), 1);
      });
    });

    describe('anonymous expiry', () => {
      it('deletes anonymous files idle for the configured days, measured from the last download', async () => {
        const idle = await storeTestFile(server.ctx, { uploadTime: now - 8 * DAY });
        const downloaded = await storeTestFile(server.ctx, { uploadTime: now - 30 * DAY, lastDownloadAt: now - 6 * DAY });
        const fresh = await storeTestFile(server.ctx, { uploadTime: now - 6 * DAY });
        const owned = await store({ uploadTime: now - 100 * DAY });
        await sweep('expire idle anonymous files');
        assert.equal(await row(idle.id), undefined);
        assert.equal(await server.ctx.blobs.stat(idle.blob_key), null);
        assert.ok(await row(downloaded.id));
        assert.ok(await row(fresh.id));
        assert.ok(await row(owned.id), 'files of an account never expire this way');
      });

      it('a download restarts the clock, and an expired file is never served even before the sweep', async () => {
        const f = await storeTestFile(server.ctx, { uploadTime: now - 6 * DAY });
        const res = await fetch(link(f));
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        now += 6 * DAY;
        await sweep('expire idle anonymous files');
        assert.ok(await row(f.id), 'downloaded 6 days ago: still there');
        now += DAY;
        const late = await fetch(link(f));
        assert.equal(late.status, 404);
        await late.text();
        assert.equal(await row(f.id), undefined, 'deleted when touched');
      });
    });
  });
}
