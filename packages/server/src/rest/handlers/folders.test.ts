// folders.*: every method's success paths, spec errors and list answer shapes, over HTTP on loopback, on each database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SendspaceClient } from '@sendbay/client';
import { randomKey } from '../../lib/crypto.js';
import { attributeNames, storedBlobKeys, childNames, fileRow, storeFile } from '../../testing/library-fixtures.js';
import { mailText, startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';

type Attrs = Record<string, string>;
const folders = (body: Record<string, unknown>) => (body.folder ?? []) as Attrs[];
const files = (body: Record<string, unknown>) => (body.file ?? []) as Attrs[];
const FOLDER_ATTRS = ['id', 'name', 'shared', 'public_url', 'rss_url', 'parent_folder_id'];
const TOTALS = ['total_files', 'total_size', 'total_folders'];
const TAIL = ['not_owned', 'business_shared'];

for (const database of testDatabases) {
  describe(`folders methods (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let smtp: SmtpSink;

    before(async () => {
      smtp = await startSmtpSink();
      server = await startTestServer({
        database,
        env: { SENDBAY_SMTP_URL: smtp.url, SENDBAY_PLAN_LITE_DISK_SPACE: '1GB', SENDBAY_PLAN_BUSINESS_DISK_SPACE: '1GB' },
      });
    });
    after(async () => {
      await server.stop();
      await smtp.close();
    });

    const create = async (client: SendspaceClient, name: string, params: Record<string, string | number> = {}) => {
      const r = await client.call('folders.create', { name, ...params });
      assert.equal(r.status, 'ok', r.xml);
      return folders(r.body)[0]!.id!;
    };
    const diskLeft = async (client: SendspaceClient) => Number((await client.call('auth.checkSession')).body.diskspace_left);

    describe('folders.create', () => {
      it('creates a top-level folder, the <folder> first, with absolute public and feed URLs', async () => {
        const u = await server.userClient();
        const r = await u.client.call('folders.create', { name: '  Photos ', shared: 1 });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['folder']);
        assert.deepEqual(attributeNames(r.xml, 'folder')[0], [...FOLDER_ATTRS, ...TAIL]);
        const f = folders(r.body)[0]!;
        assert.match(f.id!, /^[a-z0-9]{6}$/);
        assert.equal(f.name, 'Photos');
        assert.equal(f.shared, '1');
        assert.equal(f.public_url, `${server.url}/folder/${f.id}`);
        assert.equal(f.rss_url, `${server.url}/folder/${f.id}/rss`);
        assert.equal(f.parent_folder_id, '0');
        assert.equal(f.not_owned, '0');
        assert.equal(f.business_shared, '0');
      });

      it('creates inside one of the caller’s folders; private by default', async () => {
        const u = await server.userClient();
        const parent = await create(u.client, 'parent');
        const r = await u.client.call('folders.create', { name: 'child', parent_folder_id: parent, shared: '' });
        assert.equal(folders(r.body)[0]!.parent_folder_id, parent);
        assert.equal(folders(r.body)[0]!.shared, '0');
        assert.equal(
          folders((await u.client.call('folders.create', { name: 'top', parent_folder_id: '0' })).body)[0]!.parent_folder_id,
          '0',
        );
      });

      it('answers 10 for an unknown parent, 4 for a missing name, 21 for a bad one', async () => {
        const u = await server.userClient();
        assert.equal((await u.client.call('folders.create', { name: 'x', parent_folder_id: 'nopar1' })).error?.code, 10);
        assert.equal((await u.client.call('folders.create', { name: '' })).error?.code, 4);
        assert.equal((await u.client.call('folders.create', { name: 'bad\u0001name' })).error?.code, 21);
      });
    });

    describe('folders.getInfo', () => {
      it('reports totals over the whole subtree, in the spec attribute order', async () => {
        const u = await server.userClient();
        const top = await create(u.client, 'top');
        const mid = await create(u.client, 'mid', { parent_folder_id: top });
        const low = await create(u.client, 'low', { parent_folder_id: mid });
        await create(u.client, 'side', { parent_folder_id: top });
        await storeFile(server, u.id, { folderId: top, content: 'a'.repeat(10) });
        await storeFile(server, u.id, { folderId: mid, content: 'b'.repeat(20) });
        await storeFile(server, u.id, { folderId: low, content: 'c'.repeat(30) });
        await storeFile(server, u.id, { content: 'root file' });

        const r = await u.client.call('folders.getInfo', { folder_id: top });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(attributeNames(r.xml, 'folder')[0], [...FOLDER_ATTRS, ...TOTALS, ...TAIL]);
        const f = folders(r.body)[0]!;
        assert.deepEqual([f.total_files, f.total_size, f.total_folders], ['3', '60', '3']);
        const m = folders((await u.client.call('folders.getInfo', { folder_id: mid })).body)[0]!;
        assert.deepEqual([m.total_files, m.total_size, m.total_folders, m.parent_folder_id], ['2', '50', '1', top]);
      });

      it('describes the virtual root 0: name Default, parent 0, totals of the whole account', async () => {
        const u = await server.userClient();
        const a = await create(u.client, 'a');
        await create(u.client, 'b', { parent_folder_id: a });
        await storeFile(server, u.id, { folderId: a, content: '12345' });
        await storeFile(server, u.id, { content: '123' });
        const r = await u.client.call('folders.getInfo', { folder_id: '0' });
        assert.equal(r.status, 'ok', r.xml);
        const f = folders(r.body)[0]!;
        assert.deepEqual([f.id, f.name, f.parent_folder_id, f.shared], ['0', 'Default', '0', '0']);
        assert.deepEqual([f.total_files, f.total_size, f.total_folders], ['2', '8', '2']);
      });

      it('shows folder_password to the owner when set', async () => {
        const u = await server.userClient();
        const id = await create(u.client, 'locked');
        await u.client.call('folders.setInfo', { folder_id: id, folder_password: 'hunter2' });
        const r = await u.client.call('folders.getInfo', { folder_id: id });
        assert.equal(folders(r.body)[0]!.folder_password, 'hunter2');
        assert.deepEqual(attributeNames(r.xml, 'folder')[0], [...FOLDER_ATTRS, ...TOTALS, 'folder_password', ...TAIL]);
      });

      it('answers 10 for an unknown folder and 4 without folder_id', async () => {
        const u = await server.userClient();
        assert.equal((await u.client.call('folders.getInfo', { folder_id: 'nofold' })).error?.code, 10);
        assert.equal((await u.client.call('folders.getInfo')).error?.code, 4);
      });
    });

    describe('folders.setInfo', () => {
      it('changes only what was sent and returns the current folder', async () => {
        const u = await server.userClient();
        const id = await create(u.client, 'before', { shared: 1 });
        const r = await u.client.call('folders.setInfo', { folder_id: id, name: 'after' });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['folder']);
        const f = folders(r.body)[0]!;
        assert.deepEqual([f.id, f.name, f.shared, f.parent_folder_id], [id, 'after', '1', '0']);
        const p = folders((await u.client.call('folders.setInfo', { folder_id: id, shared: '' })).body)[0]!;
        assert.deepEqual([p.name, p.shared], ['after', '0'], 'shared sent empty is cleared');
      });

      it('moves with parent_folder_id (empty: to the root) and refuses a cycle with 31', async () => {
        const u = await server.userClient();
        const a = await create(u.client, 'a');
        const b = await create(u.client, 'b');
        const c = await create(u.client, 'c', { parent_folder_id: b });
        assert.equal(folders((await u.client.call('folders.setInfo', { folder_id: b, parent_folder_id: a })).body)[0]!.parent_folder_id, a);
        assert.equal(
          (await u.client.call('folders.setInfo', { folder_id: a, parent_folder_id: c })).error?.code,
          31,
          'into its own grandchild',
        );
        assert.equal((await u.client.call('folders.setInfo', { folder_id: a, parent_folder_id: a })).error?.code, 31, 'into itself');
        assert.equal((await u.client.call('folders.setInfo', { folder_id: a, parent_folder_id: 'nopar1' })).error?.code, 10);
        assert.equal(
          folders((await u.client.call('folders.setInfo', { folder_id: b, parent_folder_id: '' })).body)[0]!.parent_folder_id,
          '0',
        );
      });

      it('sets and clears a folder password', async () => {
        const u = await server.userClient();
        const id = await create(u.client, 'pw');
        assert.equal(
          folders((await u.client.call('folders.setInfo', { folder_id: id, folder_password: 'pw1' })).body)[0]!.folder_password,
          'pw1',
        );
        assert.equal(
          folders((await u.client.call('folders.setInfo', { folder_id: id, folder_password: '' })).body)[0]!.folder_password,
          undefined,
        );
      });

      it('shares a top-level folder with the team for business accounts only', async () => {
        const lite = await server.userClient();
        const lid = await create(lite.client, 'mine');
        assert.equal((await lite.client.call('folders.setInfo', { folder_id: lid, business_shared: 1 })).error?.code, 11);
        const biz = await server.userClient({ plan: 'business' });
        const top = await create(biz.client, 'team');
        const sub = await create(biz.client, 'sub', { parent_folder_id: top });
        assert.equal(
          folders((await biz.client.call('folders.setInfo', { folder_id: top, business_shared: 1 })).body)[0]!.business_shared,
          '1',
        );
        assert.equal((await biz.client.call('folders.setInfo', { folder_id: sub, business_shared: 1 })).error?.code, 11, 'not top-level');
        const moved = await biz.client.call('folders.setInfo', { folder_id: top, parent_folder_id: await create(biz.client, 'other') });
        assert.equal(folders(moved.body)[0]!.business_shared, '0', 'leaving the top level ends the team sharing');
      });

      it('answers 11 for the root and 10 for an unknown folder', async () => {
        const u = await server.userClient();
        const r = await u.client.call('folders.setInfo', { folder_id: '0', name: 'renamed' });
        assert.equal(r.error?.code, 11);
        assert.equal((await u.client.call('folders.setInfo', { folder_id: 'nofold', name: 'x' })).error?.code, 10);
        assert.equal((await u.client.call('folders.setInfo', { folder_id: await create(u.client, 'n'), name: '' })).error?.code, 21);
      });
    });

    describe('folders.delete', () => {
      it('deletes recursively: sub-folders, files and their bytes, giving the disk space back', async () => {
        const u = await server.userClient();
        const top = await create(u.client, 'top');
        const mid = await create(u.client, 'mid', { parent_folder_id: top });
        const low = await create(u.client, 'low', { parent_folder_id: mid });
        const keepDir = await create(u.client, 'keep');
        const gone = [
          await storeFile(server, u.id, { folderId: top, content: 'x'.repeat(100) }),
          await storeFile(server, u.id, { folderId: mid, content: 'y'.repeat(200) }),
          await storeFile(server, u.id, { folderId: low, content: 'z'.repeat(300) }),
        ];
        const kept = await storeFile(server, u.id, { folderId: keepDir, content: 'k'.repeat(7) });
        const pointing = await storeFile(server, u.id, { content: 'limit' });
        await u.client.call('files.setInfo', { file_id: pointing.id, download_limit: 1, limit_action: 3, limit_action_to_folder: low });
        const left = await diskLeft(u.client);

        const r = await u.client.call('folders.delete', { folder_id: top });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['id', 'folder']);
        assert.equal(r.body.id, top);
        assert.deepEqual(attributeNames(r.xml, 'folder'), [['id']]);

        assert.equal(await diskLeft(u.client), left + 600);
        const login = await server.client().login(u.email, u.password);
        assert.equal(login.body.diskspace_used, String(7 + 'limit'.length));
        const onDisk = await storedBlobKeys(server);
        for (const f of gone) {
          assert.ok(!onDisk.has(f.blob_key), 'blob removed');
          assert.equal(await fileRow(server, f.id), undefined);
        }
        assert.ok(onDisk.has(kept.blob_key));
        for (const id of [top, mid, low]) assert.equal((await u.client.call('folders.getInfo', { folder_id: id })).error?.code, 10);
        assert.equal((await u.client.call('folders.getInfo', { folder_id: keepDir })).status, 'ok');
        assert.equal(
          (await fileRow(server, pointing.id))?.limit_action_to_folder,
          '0',
          'a limit aimed at a deleted folder now aims at the root',
        );
      });

      it('deletes a folder and its own sub-folder named in one call; mixed and failed shapes', async () => {
        const u = await server.userClient();
        const a = await create(u.client, 'a');
        const b = await create(u.client, 'b', { parent_folder_id: a });
        const both = await u.client.call('folders.delete', { folder_id: `${a},${b}` });
        assert.equal(both.status, 'ok', both.xml);
        assert.equal(both.body.id, `${a},${b}`);

        const c = await create(u.client, 'c');
        const mixed = await u.client.call('folders.delete', { folder_id: `${c},nofold,0` });
        assert.equal(mixed.status, 'ok');
        assert.deepEqual(childNames(mixed.xml), ['id', 'folder', 'error', 'error']);
        assert.equal(mixed.body.id, c);
        assert.deepEqual(
          mixed.errors.map((e) => [e.code, e.id]),
          [
            [10, 'nofold'],
            [11, '0'],
          ],
        );

        const root = await u.client.call('folders.delete', { folder_id: '0' });
        assert.equal(root.status, 'fail');
        assert.equal(root.error?.code, 11);
        const unknown = await u.client.call('folders.delete', { folder_id: 'nofold' });
        assert.equal(unknown.error?.code, 10);
        assert.equal(unknown.body.id, 'nofold');
      });
    });

    describe('folders.getContents', () => {
      it('lists direct children only: sub-folders, then files, never the folder itself', async () => {
        const u = await server.userClient();
        const top = await create(u.client, 'top');
        const sub = await create(u.client, 'sub', { parent_folder_id: top });
        await create(u.client, 'deeper', { parent_folder_id: sub });
        const f1 = await storeFile(server, u.id, { folderId: top, name: 'b.txt' });
        const f2 = await storeFile(server, u.id, { folderId: top, name: 'a.txt' });
        await storeFile(server, u.id, { folderId: sub, name: 'nested.txt' });
        const r = await u.client.call('folders.getContents', { folder_id: top });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['folder', 'file', 'file']);
        assert.deepEqual(
          folders(r.body).map((f) => f.id),
          [sub],
        );
        assert.deepEqual(
          files(r.body).map((f) => f.id),
          [f2.id, f1.id],
        );
        assert.equal(files(r.body)[0]!.delete_url?.startsWith(`${server.url}/delete/`), true);

        const root = await u.client.call('folders.getContents', { folder_id: '0' });
        assert.deepEqual(
          folders(root.body).map((f) => f.id),
          [top],
        );
        assert.equal(files(root.body).length, 0);
        assert.equal((await u.client.call('folders.getContents', { folder_id: 'nofold' })).error?.code, 10);
      });

      it('lists a 10,000-file folder completely, streamed as it is read', async () => {
        const u = await server.userClient();
        const id = await create(u.client, 'big');
        const rows = Array.from({ length: 10_000 }, (_, i) => ({
          id: `b${randomKey(5)}`,
          owner_id: u.id,
          folder_id: id,
          name: `file-${String(i).padStart(5, '0')}.dat`,
          description: '',
          size: i,
          sha256: '',
          blob_key: `bigtest${randomKey(24)}`,
          password_sealed: null,
          upload_time: 1_700_000_000 + i,
          time_limit: null,
          limit_expires_at: null,
          download_limit: null,
          limit_action_to_folder: null,
          delete_salt: 'salt',
          last_download_at: null,
        }));
        const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
        for (let i = 0; i < unique.length; i += 500)
          await server.ctx.db
            .insertInto('files')
            .values(unique.slice(i, i + 500))
            .execute();
        const r = await u.client.call('folders.getContents', { folder_id: id });
        assert.equal(r.status, 'ok');
        const listed = files(r.body);
        assert.equal(listed.length, unique.length);
        const names = listed.map((f) => f.name!);
        assert.deepEqual(names, [...names].sort(), 'by name');
        const raw = await fetch(`${server.url}/rest/?method=folders.getContents&session_key=${u.client.sessionKey}&folder_id=${id}`);
        assert.equal(raw.headers.get('transfer-encoding'), 'chunked', 'a long listing is streamed, not built whole');
        assert.equal(raw.headers.get('content-length'), null);
        const text = await raw.text();
        assert.ok(text.endsWith('</result>\n'));
        assert.equal(text.match(/<file /g)?.length, unique.length);
        const small = await fetch(`${server.url}/rest/?method=folders.getContents&session_key=${u.client.sessionKey}&folder_id=0`);
        assert.ok(Number(small.headers.get('content-length')) > 0, 'a short listing is sent whole');
        await small.text();
        const info = folders((await u.client.call('folders.getInfo', { folder_id: id })).body)[0]!;
        assert.equal(info.total_files, String(unique.length));
        await server.ctx.db.deleteFrom('files').where('folder_id', '=', id).execute();
      });
    });

    describe('folders.getAll', () => {
      it('lists the root first, then every folder with parents before children and whole-subtree totals', async () => {
        const u = await server.userClient();
        const a = await create(u.client, 'alpha');
        const b = await create(u.client, 'beta');
        const a1 = await create(u.client, 'a-child', { parent_folder_id: a });
        await storeFile(server, u.id, { folderId: a1, content: '1234' });
        await storeFile(server, u.id, { content: '12' });
        const r = await u.client.call('folders.getall');
        assert.equal(r.status, 'ok', r.xml);
        const all = folders(r.body);
        assert.deepEqual(
          all.map((f) => [f.id, f.parent_folder_id]),
          [
            ['0', '0'],
            [a, '0'],
            [a1, a],
            [b, '0'],
          ],
        );
        assert.match(r.xml, /^ {4}<folder id="0" name="Default" shared="0" public_url="" rss_url="" parent_folder_id="0" /m);
        assert.deepEqual([all[0]!.total_files, all[0]!.total_size, all[0]!.total_folders], ['2', '6', '3']);
        assert.deepEqual([all[1]!.total_files, all[1]!.total_size, all[1]!.total_folders], ['1', '4', '1']);
        assert.deepEqual([all[3]!.total_files, all[3]!.total_folders], ['0', '0']);
      });

      it('lists just the root for a new account', async () => {
        const u = await server.userClient();
        const all = folders((await u.client.call('folders.getAll')).body);
        assert.deepEqual(
          all.map((f) => [f.id, f.name, f.parent_folder_id]),
          [['0', 'Default', '0']],
        );
      });
    });

    describe('folders.move', () => {
      it('moves several folders, answering <id> and minimal folders; to the root too', async () => {
        const u = await server.userClient();
        const dest = await create(u.client, 'dest');
        const a = await create(u.client, 'a');
        const b = await create(u.client, 'b');
        const r = await u.client.call('folders.move', { folder_id: `${a},${b}`, parent_folder_id: dest });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['id', 'folder', 'folder']);
        assert.equal(r.body.id, `${a},${b}`);
        assert.deepEqual(attributeNames(r.xml, 'folder'), [['id'], ['id']]);
        assert.deepEqual(
          folders((await u.client.call('folders.getContents', { folder_id: dest })).body)
            .map((f) => f.id)
            .sort(),
          [a, b].sort(),
        );
        const back = await u.client.call('folders.move', { folder_id: a, parent_folder_id: '0' });
        assert.equal(back.status, 'ok');
        assert.equal(folders((await u.client.call('folders.getInfo', { folder_id: a })).body)[0]!.parent_folder_id, '0');
      });

      it('refuses a move into the folder itself or below it with 31, per id', async () => {
        const u = await server.userClient();
        const a = await create(u.client, 'a');
        const a1 = await create(u.client, 'a1', { parent_folder_id: a });
        const a2 = await create(u.client, 'a2', { parent_folder_id: a1 });
        const x = await create(u.client, 'x');
        const self = await u.client.call('folders.move', { folder_id: a, parent_folder_id: a });
        assert.equal(self.status, 'fail');
        assert.equal(self.error?.code, 31);
        const below = await u.client.call('folders.move', { folder_id: a, parent_folder_id: a2 });
        assert.equal(below.error?.code, 31);
        const mixed = await u.client.call('folders.move', { folder_id: `${x},${a}`, parent_folder_id: a2 });
        assert.equal(mixed.status, 'ok');
        assert.equal(mixed.body.id, x);
        assert.deepEqual(
          mixed.errors.map((e) => [e.code, e.id]),
          [[31, a]],
        );
        assert.equal(folders((await u.client.call('folders.getInfo', { folder_id: a })).body)[0]!.parent_folder_id, '0');
      });

      it('never builds a cycle from two crossing moves sent at the same time', async () => {
        const u = await server.userClient();
        for (let i = 0; i < 5; i++) {
          const a = await create(u.client, `a${i}`);
          const b = await create(u.client, `b${i}`);
          const [ab, ba] = await Promise.all([
            u.client.call('folders.move', { folder_id: a, parent_folder_id: b }),
            u.client.call('folders.move', { folder_id: b, parent_folder_id: a }),
          ]);
          assert.deepEqual([ab.status, ba.status].sort(), ['fail', 'ok'], `${ab.xml}${ba.xml}`);
          assert.equal((ab.status === 'fail' ? ab : ba).error?.code, 31);
          const parents = folders((await u.client.call('folders.getAll')).body)
            .filter((f) => f.id === a || f.id === b)
            .map((f) => f.parent_folder_id);
          assert.ok(parents.includes('0'), 'one of the two is still at the top');
        }
      });

      it('answers 10 for an unknown target or folder, 11 for the root', async () => {
        const u = await server.userClient();
        const a = await create(u.client, 'a');
        const target = await u.client.call('folders.move', { folder_id: a, parent_folder_id: 'nofold' });
        assert.equal(target.status, 'fail');
        assert.equal(target.error?.code, 10);
        assert.equal((await u.client.call('folders.move', { folder_id: 'nofold', parent_folder_id: '0' })).error?.code, 10);
        assert.equal((await u.client.call('folders.move', { folder_id: '0', parent_folder_id: a })).error?.code, 11);
        assert.equal((await u.client.call('folders.move', { folder_id: a })).error?.code, 4);
      });
    });

    describe('folders.sendMail', () => {
      it('mails the public page of each folder, replying to the sender, and collects the addresses', async () => {
        const u = await server.userClient({ name: 'Folder Sharer' });
        const pub = await create(u.client, 'Public stuff', { shared: 1 });
        const start = smtp.messages.length;
        const r = await u.client.call('folders.sendMail', { folder_id: pub, emails: 'friend@example.com', message: 'Enjoy' });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['id']);
        assert.equal(r.body.id, pub);
        const [mail] = (await smtp.waitFor(start + 1)).slice(start);
        assert.deepEqual(mail!.to, ['friend@example.com']);
        const text = mailText(mail!);
        assert.ok(text.includes(`${server.url}/folder/${pub}`), text);
        assert.match(text, /Enjoy/);
        assert.match(text, /Public stuff/);
        assert.match(mail!.raw, new RegExp(`^Reply-To: ${u.email}`, 'mi'));
        assert.deepEqual(
          (await server.ctx.contacts.list(u.id)).map((c) => c.email),
          ['friend@example.com'],
        );
      });

      it('answers 33 for a private folder, 10 for an unknown one, 24 for bad e-mails', async () => {
        const u = await server.userClient();
        const priv = await create(u.client, 'private');
        const pub = await create(u.client, 'public', { shared: 1 });
        const p = await u.client.call('folders.sendMail', { folder_id: priv, emails: 'a@example.com' });
        assert.equal(p.error?.code, 33);
        assert.equal(p.body.id, priv);
        assert.equal((await u.client.call('folders.sendMail', { folder_id: 'nofold', emails: 'a@example.com' })).error?.code, 10);
        assert.equal((await u.client.call('folders.sendMail', { folder_id: pub, emails: 'a@@example' })).error?.code, 24);
        const mixed = await u.client.call('folders.sendMail', { folder_id: `${pub},nofold`, emails: 'a@example.com' });
        assert.equal(mixed.status, 'ok');
        assert.deepEqual(
          mixed.errors.map((e) => [e.code, e.id]),
          [[10, 'nofold']],
        );
      });
    });

    describe('folders.getShared', () => {
      it('shows a public folder to anyone logged in, by id or public URL: <current>, public sub-folders, files', async () => {
        const owner = await server.userClient();
        const pub = await create(owner.client, 'Shared', { shared: 1 });
        const pubSub = await create(owner.client, 'Public sub', { shared: 1, parent_folder_id: pub });
        await create(owner.client, 'Private sub', { parent_folder_id: pub });
        const f = await storeFile(server, owner.id, { folderId: pub, name: 'song.mp3', description: 'a tune', password: 'not shown' });
        const viewer = await server.userClient();
        for (const folder_id of [pub, `${server.url}/folder/${pub}`, `http://elsewhere.example/folder/${pub.toUpperCase()}`]) {
          const r = await viewer.client.call('folders.getShared', { folder_id });
          assert.equal(r.status, 'ok', r.xml);
          assert.deepEqual(childNames(r.xml), ['current', 'folder', 'file']);
          assert.deepEqual(attributeNames(r.xml, 'current')[0], ['id', 'name', 'parent_folder_id']);
          assert.deepEqual(r.body.current, { id: pub, name: 'Shared', parent_folder_id: '0' });
          assert.deepEqual(folders(r.body), [{ id: pubSub, name: 'Public sub', parent_folder_id: pub }]);
          assert.deepEqual(files(r.body), [
            {
              id: f.id,
              name: 'song.mp3',
              description: 'a tune',
              folder_id: pub,
              upload_time: String(f.upload_time),
              file_size: String(f.size),
            },
          ]);
        }
      });

      it('answers 33 for a private folder (its owner may still look), 10 for an unknown one', async () => {
        const owner = await server.userClient();
        const priv = await create(owner.client, 'Private');
        const viewer = await server.userClient();
        const r = await viewer.client.call('folders.getShared', { folder_id: priv });
        assert.equal(r.error?.code, 33);
        assert.equal((await owner.client.call('folders.getShared', { folder_id: priv })).status, 'ok');
        assert.equal((await viewer.client.call('folders.getShared', { folder_id: 'nofold' })).error?.code, 10);
        assert.equal((await viewer.client.call('folders.getShared', { folder_id: 'http://x.example/file/abcdef' })).error?.code, 10);
      });

      it('asks others for the folder password (22 when missing or wrong), not the owner', async () => {
        const owner = await server.userClient();
        const pub = await create(owner.client, 'Locked', { shared: 1 });
        await owner.client.call('folders.setInfo', { folder_id: pub, folder_password: 'open up' });
        const viewer = await server.userClient();
        assert.equal((await viewer.client.call('folders.getShared', { folder_id: pub })).error?.code, 22);
        assert.equal((await viewer.client.call('folders.getShared', { folder_id: pub, folder_password: 'open' })).error?.code, 22);
        assert.equal((await viewer.client.call('folders.getShared', { folder_id: pub, folder_password: 'open up' })).status, 'ok');
        assert.equal((await owner.client.call('folders.getShared', { folder_id: pub })).status, 'ok');
      });
    });
  });
}
