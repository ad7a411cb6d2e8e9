// Races between an upload's commit and folders.delete, and between two folders.delete of
// one folder, over HTTP on loopback, on each database. Every round holds several uploads
// back just before their closing delimiter, then releases them all together with one
// folders.delete of their folder: whatever the interleaving, no file may be left in the
// deleted folder, every acknowledged file must be gone with it, and the account's usage
// must equal the sum of what it still holds.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { SendspaceClient } from '@sendbay/client';
import { randomKey } from '../../lib/crypto.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';
import { BOUNDARY, FORM_TYPE, openRequest, partHead, sessionAnswer, uploadInfo, waitFor } from '../../testing/upload-kit.js';

const ROUNDS = 12;
const UPLOADS = 6;
const NOT_FOUND = 'Folder not found: folder_id must be one of your folders, or 0';

for (const database of testDatabases) {
  describe(`upload commit vs folders.delete (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ database, env: { SENDBAY_PLAN_LITE_DISK_SPACE: '1GB' } });
    });
    after(() => server.stop());

    const createFolder = async (client: SendspaceClient, name: string) => {
      const r = await client.call('folders.create', { name });
      assert.equal(r.status, 'ok', r.xml);
      return ((r.body.folder as Record<string, string>[])[0] as Record<string, string>).id as string;
    };

    /** Usage on the account row against the sizes of the files it owns. */
    const assertUsageMatches = async (userId: string) => {
      const user = await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', userId).executeTakeFirstOrThrow();
      const files = await server.ctx.db.selectFrom('files').select('size').where('owner_id', '=', userId).execute();
      assert.equal(
        Number(user.diskspace_used),
        files.reduce((n, f) => n + Number(f.size), 0),
        'usage equals the sum of sizes',
      );
    };

    it(`${UPLOADS} uploads finishing while their folder is deleted never leave a file in a missing folder (${ROUNDS} rounds)`, async () => {
      const u = await server.userClient();
      let acknowledged = 0;
      let refused = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const folder = await createFolder(u.client, `race-${round}`);
        const held = [];
        for (let i = 0; i < UPLOADS; i++) {
          const info = await uploadInfo(u.client);
          const body = Buffer.concat([
            Buffer.from(`${partHead({ name: 'folder_id', value: folder })}${folder}\r\n`),
            Buffer.from(partHead({ name: 'userfile', filename: `f${i}.txt`, content: '' })),
            Buffer.from(`round ${round} file ${i} `.repeat(200)),
            Buffer.from('\r\n'),
          ]);
          const closing = Buffer.from(`--${BOUNDARY}--\r\n`);
          const open = openRequest(info.url, { headers: { 'content-type': FORM_TYPE, 'content-length': body.length + closing.length } });
          open.req.write(body);
          held.push({ ...open, closing, identifier: info.upload_identifier });
        }
        // Every part is being stored; only the closing delimiters are missing.
        for (const h of held)
          await waitFor(async () => ((await server.ctx.uploads.progress(h.identifier)).uploadedBytes > 0 ? true : undefined));

        // Release the uploads and delete the folder at the same moment, the delete in the
        // middle so that some commits come before it and some after.
        const half = Math.floor(UPLOADS / 2);
        for (const h of held.slice(0, half)) h.req.end(h.closing);
        const deletion = u.client.call('folders.delete', { folder_id: folder });
        for (const h of held.slice(half)) h.req.end(h.closing);
        const answers = await Promise.all(held.map((h) => h.answer));
        const deleted = await deletion;
        assert.equal(deleted.status, 'ok', deleted.xml);

        const okIds: string[] = [];
        for (const a of answers) {
          const s = sessionAnswer(a.text);
          if (s.status === 'ok') okIds.push(...s.fileIds);
          else assert.equal(s.reason, NOT_FOUND, a.text);
        }
        acknowledged += okIds.length;
        refused += answers.length - okIds.length;
        const inFolder = await server.ctx.db.selectFrom('files').select('id').where('folder_id', '=', folder).execute();
        assert.deepEqual(inFolder, [], 'no file is left in the deleted folder');
        if (okIds.length > 0) {
          const kept = await server.ctx.db.selectFrom('files').select('id').where('id', 'in', okIds).execute();
          assert.deepEqual(kept, [], 'an acknowledged upload into the folder went with it');
        }
        const listed = await u.client.call('folders.getContents', { folder_id: folder });
        assert.equal(listed.error?.code, 10, listed.xml);
        await assertUsageMatches(u.id);
      }
      // Both outcomes happen across the rounds; neither is an error.
      assert.equal(acknowledged + refused, ROUNDS * UPLOADS);
    });

    it('the commit step itself, started at every offset around a folders.delete, lands before it or is refused (40 tries)', async () => {
      const u = await server.userClient();
      const user = await server.ctx.db.selectFrom('users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow();
      const ticks = (n: number) =>
        (async () => {
          for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
        })();
      let refused = 0;
      for (let t = 0; t < 40; t++) {
        const folder = await createFolder(u.client, `step-${t}`);
        const grant = await server.ctx.uploads.authorize((await uploadInfo(u.client)).extra_info);
        const key = randomKey(32);
        const content = Buffer.from(`try ${t}`);
        await server.ctx.blobs.put(key, Readable.from([content]));
        const file = {
          key,
          size: content.length,
          sha256: createHash('sha256').update(content).digest('hex'),
          name: 'f.txt',
          description: '',
        };
        const [committed] = await Promise.allSettled([
          ticks(t % 8).then(() => server.ctx.uploads.commit({ grant, folderId: folder, password: '', files: [file] })),
          ticks(Math.floor(t / 8)).then(() => server.ctx.libraryFolders.delete(user, [folder])),
        ]);
        if (committed.status === 'rejected') {
          assert.equal((committed.reason as Error).message, NOT_FOUND);
          refused++;
          await server.ctx.blobs.delete(key);
        }
        const inFolder = await server.ctx.db.selectFrom('files').select('id').where('folder_id', '=', folder).execute();
        assert.deepEqual(inFolder, [], 'no file is left in the deleted folder');
        await assertUsageMatches(u.id);
      }
      assert.ok(refused > 0 && refused < 40, `both orders happen (${refused} of 40 refused)`);
    });

    it('of concurrent folders.delete calls of one folder, one answers ok and the others 10 (3 rounds of 3)', async () => {
      const u = await server.userClient();
      for (let round = 0; round < 3; round++) {
        const top = await createFolder(u.client, `twice-${round}`);
        const sub = await u.client.call('folders.create', { name: 'sub', parent_folder_id: top });
        assert.equal(sub.status, 'ok', sub.xml);
        const answers = await Promise.all([0, 1, 2].map(() => u.client.call('folders.delete', { folder_id: top })));
        const ok = answers.filter((a) => a.status === 'ok');
        assert.equal(ok.length, 1, answers.map((a) => a.xml).join('\n'));
        for (const a of answers.filter((x) => x.status !== 'ok')) assert.equal(a.error?.code, 10, a.xml);
        await assertUsageMatches(u.id);
      }
    });
  });
}
