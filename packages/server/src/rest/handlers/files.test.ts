// files.*: every method's success paths, spec errors and list answer shapes, over HTTP on loopback, on each database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SendspaceClient } from '@sendbay/client';
import { attributeNames, storedBlobKeys, childNames, fileRow, manualClock, storeFile } from '../../testing/library-fixtures.js';
import { mailText, startSmtpSink, type SmtpSink } from '../../testing/smtp-sink.js';
import { startTestServer, testDatabases, type TestServer } from '../../testing/test-server.js';

type Attrs = Record<string, string>;
const files = (body: Record<string, unknown>) => (body.file ?? []) as Attrs[];
const FILE_ATTRS = [
  'id',
  'name',
  'description',
  'password',
  'folder_id',
  'download_page_url',
  'direct_download_url',
  'delete_url',
  'upload_time',
  'file_size',
  'downloads',
  'time_limit',
  'download_limit',
  'limit_action',
  'limit_action_to_folder',
  'business_shared',
  'not_owned',
];

for (const database of testDatabases) {
  describe(`files methods (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let smtp: SmtpSink;
    const clock = manualClock();

    before(async () => {
      smtp = await startSmtpSink();
      server = await startTestServer({
        database,
        // Disk limits under 2^31 so that diskspace_left is reported exactly.
        env: {
          SENDBAY_SMTP_URL: smtp.url,
          SENDBAY_PLAN_LITE_DISK_SPACE: '1GB',
          SENDBAY_PLAN_PRO_DISK_SPACE: '1GB',
          SENDBAY_PLAN_BUSINESS_DISK_SPACE: '1GB',
        },
        overrides: { clock },
      });
    });
    after(async () => {
      await server.stop();
      await smtp.close();
    });

    const diskLeft = async (client: SendspaceClient) => Number((await client.call('auth.checkSession')).body.diskspace_left);
    const folder = async (client: SendspaceClient, name = 'F') => {
      const r = await client.call('folders.create', { name });
      assert.equal(r.status, 'ok', r.xml);
      return (r.body.folder as Attrs[])[0]!.id!;
    };

    describe('files.getInfo', () => {
      it('returns every attribute in the spec order, the password in clear for its owner', async () => {
        const u = await server.userClient();
        const f = await storeFile(server, u.id, {
          name: 'report.pdf',
          description: 'Q3 numbers',
          password: 's3cret',
          content: 'pdf bytes',
        });
        const r = await u.client.call('files.getInfo', { file_id: f.id });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['file'], 'one <file>, no <id> when everything succeeded');
        assert.deepEqual(attributeNames(r.xml, 'file')[0], FILE_ATTRS);
        const [file] = files(r.body);
        assert.equal(file!.id, f.id);
        assert.equal(file!.name, 'report.pdf');
        assert.equal(file!.description, 'Q3 numbers');
        assert.equal(file!.password, 's3cret');
        assert.equal(file!.folder_id, '0');
        assert.equal(file!.download_page_url, `${server.url}/file/${f.id}`);
        const direct = new RegExp(`^${server.url}/dl/${f.id}/(\\d+)/[A-Za-z0-9_-]+/report\\.pdf$`).exec(file!.direct_download_url!);
        assert.ok(direct, file!.direct_download_url);
        assert.ok(Number(direct[1]) > clock.now(), 'a protected file gets an expiring direct link');
        assert.match(file!.delete_url!, new RegExp(`^${server.url}/delete/${f.id}/[a-z0-9]{16}$`));
        assert.equal(file!.upload_time, String(f.upload_time));
        assert.equal(file!.file_size, String('pdf bytes'.length));
        for (const [k, v] of Object.entries({
          downloads: '0',
          time_limit: '0',
          download_limit: '0',
          limit_action: '0',
          limit_action_to_folder: '',
          business_shared: '0',
          not_owned: '0',
        }))
          assert.equal(file![k], v, k);
      });

      it('has no password attribute for an unprotected file, and a direct link that never expires and serves the bytes', async () => {
        const u = await server.userClient();
        const f = await storeFile(server, u.id, { name: 'a b&c.txt', content: 'exact bytes' });
        const r = await u.client.call('files.getInfo', { file_id: f.id.toUpperCase() });
        const [file] = files(r.body);
        assert.equal(file!.password, undefined);
        assert.ok(!attributeNames(r.xml, 'file')[0]!.includes('password'));
        assert.match(file!.direct_download_url!, new RegExp(`/dl/${f.id}/0/`));
        const res = await fetch(file!.direct_download_url!);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'exact bytes');
      });

      it('lists several files in request order', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id);
        const b = await storeFile(server, u.id);
        const r = await u.client.call('files.getInfo', { file_id: `${b.id},${a.id},${b.id}` });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(
          files(r.body).map((f) => f.id),
          [b.id, a.id],
        );
      });

      it('answers a single unknown id with <error code="9"/> then <id>', async () => {
        const u = await server.userClient();
        const r = await u.client.call('files.getInfo', { file_id: 'u5txwy' });
        assert.equal(r.status, 'fail');
        assert.match(
          r.xml,
          /<result method="files.getInfo" status="fail">\n {4}<error code="9" text="File not found"\/>\n {4}<id>u5txwy<\/id>\n<\/result>/,
        );
      });

      it('gives the mixed shape: <id> of the found ones first, their files, then one error naming the others', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id);
        const r = await u.client.call('files.getinfo', { file_id: `zzzzz1,${a.id},not-an-id` });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['id', 'file', 'error']);
        assert.equal(r.body.id, a.id);
        assert.equal(r.errors.length, 1);
        assert.deepEqual(r.errors[0], { code: 9, text: 'File not found', id: 'zzzzz1,not-an-id' });
      });

      it('fails with every id named when none is found', async () => {
        const u = await server.userClient();
        const r = await u.client.call('files.getInfo', { file_id: 'aaaaa1,aaaaa2' });
        assert.equal(r.status, 'fail');
        assert.deepEqual(r.errors, [{ code: 9, text: 'File not found', id: 'aaaaa1,aaaaa2' }]);
        assert.equal(r.body.id, 'aaaaa1,aaaaa2');
      });

      it('answers 4 without file_id and 6 with a bad session', async () => {
        const u = await server.userClient();
        assert.equal((await u.client.call('files.getInfo')).error?.code, 4);
        assert.equal((await u.client.call('files.getInfo', { file_id: 'abcdef', session_key: 'x'.repeat(32) })).error?.code, 6);
      });
    });

    describe('files.setInfo', () => {
      it('changes only the parameters sent, clears those sent empty, and returns the full file', async () => {
        const u = await server.userClient();
        const f = await storeFile(server, u.id, { name: 'old.txt', description: 'old description' });
        const r1 = await u.client.call('files.setInfo', { file_id: f.id, name: '  new name.txt ' });
        assert.equal(r1.status, 'ok', r1.xml);
        assert.deepEqual(childNames(r1.xml), ['file']);
        assert.deepEqual(
          attributeNames(r1.xml, 'file')[0],
          FILE_ATTRS.filter((a) => a !== 'password'),
        );
        assert.equal(files(r1.body)[0]!.name, 'new name.txt');
        assert.equal(files(r1.body)[0]!.description, 'old description', 'a parameter not sent is left alone');

        const r2 = await u.client.call('files.setInfo', { file_id: f.id, description: '' });
        assert.equal(files(r2.body)[0]!.description, '');
        assert.equal(files(r2.body)[0]!.name, 'new name.txt');
      });

      it('sets a password (sealed, shown to the owner, revoking old direct links) and clears it when sent empty', async () => {
        const u = await server.userClient();
        const f = await storeFile(server, u.id, { name: 'p.txt' });
        const before = files((await u.client.call('files.getInfo', { file_id: f.id })).body)[0]!;
        const r = await u.client.call('files.setInfo', { file_id: f.id, password: 'open sesame' });
        const after = files(r.body)[0]!;
        assert.equal(after.password, 'open sesame');
        const row = await fileRow(server, f.id);
        assert.ok(row?.password_sealed && !row.password_sealed.includes('open sesame'), 'stored sealed, not in clear');
        assert.notEqual(after.delete_url, before.delete_url, 'the salt changed: earlier links are revoked');
        assert.notEqual((await fetch(before.direct_download_url!)).status, 200, 'the old direct link no longer serves the file');

        const cleared = files((await u.client.call('files.setInfo', { file_id: f.id, password: '' })).body)[0]!;
        assert.equal(cleared.password, undefined);
        assert.equal((await fileRow(server, f.id))?.password_sealed, null);
      });

      it('stores time and download limits and their action, and clears them when sent empty or 0', async () => {
        const u = await server.userClient();
        const f = await storeFile(server, u.id);
        const target = await folder(u.client, 'after limit');
        const r = await u.client.call('files.setInfo', {
          file_id: f.id,
          time_limit: 3600,
          download_limit: 5,
          limit_action: 3,
          limit_action_to_folder: target,
        });
        assert.equal(r.status, 'ok', r.xml);
        const file = files(r.body)[0]!;
        assert.equal(file.time_limit, '3600');
        assert.equal(file.download_limit, '5');
        assert.equal(file.limit_action, '3');
        assert.equal(file.limit_action_to_folder, target);
        const row = await fileRow(server, f.id);
        assert.equal(row?.time_limit, 3600);
        assert.equal(row?.limit_expires_at, clock.now() + 3600);

        clock.advance(600);
        assert.equal(
          files((await u.client.call('files.getInfo', { file_id: f.id })).body)[0]!.time_limit,
          '3000',
          'time_limit counts down',
        );

        const c = files(
          (
            await u.client.call('files.setInfo', {
              file_id: f.id,
              time_limit: '',
              download_limit: 0,
              limit_action: '',
              limit_action_to_folder: '',
            })
          ).body,
        )[0]!;
        assert.deepEqual([c.time_limit, c.download_limit, c.limit_action, c.limit_action_to_folder], ['0', '0', '0', '']);
        const cleared = await fileRow(server, f.id);
        assert.deepEqual([cleared?.time_limit, cleared?.limit_expires_at, cleared?.download_limit], [null, null, null]);
      });

      it('moves the file with folder_id (0 and the current folder included)', async () => {
        const u = await server.userClient();
        const f = await storeFile(server, u.id);
        const dest = await folder(u.client);
        assert.equal(files((await u.client.call('files.setInfo', { file_id: f.id, folder_id: dest })).body)[0]!.folder_id, dest);
        assert.equal(files((await u.client.call('files.setInfo', { file_id: f.id, folder_id: dest })).body)[0]!.folder_id, dest);
        assert.equal(files((await u.client.call('files.setInfo', { file_id: f.id, folder_id: '0' })).body)[0]!.folder_id, '0');
      });

      it('shares a root file with the business team, only for business accounts and only at the top level', async () => {
        const lite = await server.userClient();
        const lf = await storeFile(server, lite.id);
        const denied = await lite.client.call('files.setInfo', { file_id: lf.id, business_shared: 1 });
        assert.equal(denied.error?.code, 11, denied.xml);

        const biz = await server.userClient({ plan: 'business' });
        const top = await storeFile(server, biz.id);
        const dir = await folder(biz.client);
        const inside = await storeFile(server, biz.id, { folderId: dir });
        const ok = await biz.client.call('files.setInfo', { file_id: top.id, business_shared: 1 });
        assert.equal(files(ok.body)[0]!.business_shared, '1', ok.xml);
        const nested = await biz.client.call('files.setInfo', { file_id: inside.id, business_shared: 1 });
        assert.equal(nested.error?.code, 11, 'a file inside a folder is not top-level');

        const moved = await biz.client.call('files.moveToFolder', { file_id: top.id, folder_id: dir });
        assert.equal(files(moved.body)[0]!.business_shared, '0', 'leaving the root ends the team sharing');
        const off = await biz.client.call('files.setInfo', { file_id: inside.id, business_shared: 0 });
        assert.equal(off.status, 'ok');
      });

      it('answers 9 for an unknown file, 10 for an unknown folder_id or limit_action_to_folder, 21 for bad values', async () => {
        const u = await server.userClient();
        const f = await storeFile(server, u.id);
        const other = await server.userClient();
        const foreignFolder = await folder(other.client);
        assert.equal((await u.client.call('files.setInfo', { file_id: 'nofile', name: 'x' })).error?.code, 9);
        assert.equal((await u.client.call('files.setInfo', { file_id: f.id, folder_id: 'nofold' })).error?.code, 10);
        assert.equal((await u.client.call('files.setInfo', { file_id: f.id, folder_id: foreignFolder })).error?.code, 10);
        assert.equal(
          (await u.client.call('files.setInfo', { file_id: f.id, limit_action: 3, limit_action_to_folder: foreignFolder })).error?.code,
          10,
        );
        assert.equal((await u.client.call('files.setInfo', { file_id: f.id, limit_action: 4 })).error?.code, 21);
        assert.equal((await u.client.call('files.setInfo', { file_id: f.id, name: '' })).error?.code, 21);
        assert.equal((await u.client.call('files.setInfo', { file_id: f.id, time_limit: 'soon' })).error?.code, 21);
        assert.equal((await fileRow(server, f.id))?.folder_id, '0', 'nothing changed');
      });

      it('applies to a list of ids with the mixed shape', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id);
        const b = await storeFile(server, u.id);
        const r = await u.client.call('files.setInfo', { file_id: `${a.id},gone00,${b.id}`, description: 'batch' });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['id', 'file', 'file', 'error']);
        assert.equal(r.body.id, `${a.id},${b.id}`);
        assert.deepEqual(
          files(r.body).map((f) => f.description),
          ['batch', 'batch'],
        );
        assert.deepEqual(r.errors, [{ code: 9, text: 'File not found', id: 'gone00' }]);
      });
    });

    describe('files.moveToFolder', () => {
      it('moves files, answering <id> then the full files; to 0 and to the same folder succeed', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id);
        const b = await storeFile(server, u.id);
        const dest = await folder(u.client, 'dest');
        const r = await u.client.call('files.movetofolder', { file_id: `${a.id},${b.id}`, folder_id: dest });
        assert.equal(r.status, 'ok', r.xml);
        assert.equal(r.method, 'files.movetofolder');
        assert.deepEqual(childNames(r.xml), ['id', 'file', 'file']);
        assert.equal(r.body.id, `${a.id},${b.id}`);
        assert.deepEqual(
          files(r.body).map((f) => [f.id, f.folder_id]),
          [
            [a.id, dest],
            [b.id, dest],
          ],
        );
        assert.deepEqual(
          attributeNames(r.xml, 'file')[0],
          FILE_ATTRS.filter((x) => x !== 'password'),
        );
        assert.equal((await u.client.call('files.moveToFolder', { file_id: a.id, folder_id: dest })).status, 'ok', 'same folder');
        const home = await u.client.call('files.moveToFolder', { file_id: a.id, folder_id: '0' });
        assert.equal(files(home.body)[0]!.folder_id, '0');
        const contents = await u.client.call('folders.getContents', { folder_id: dest });
        assert.deepEqual(
          files(contents.body).map((f) => f.id),
          [b.id],
        );
      });

      it('fails with 10 for a target folder that is not the caller’s, changing nothing', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id);
        const other = await server.userClient();
        const theirs = await folder(other.client);
        for (const target of ['nofold', theirs]) {
          const r = await u.client.call('files.moveToFolder', { file_id: a.id, folder_id: target });
          assert.equal(r.status, 'fail');
          assert.equal(r.error?.code, 10, r.xml);
        }
        assert.equal((await fileRow(server, a.id))?.folder_id, '0');
      });

      it('answers unknown ids with 9: fail when all are unknown, mixed otherwise', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id);
        const fail = await u.client.call('files.moveToFolder', { file_id: 'qqqqq1', folder_id: '0' });
        assert.equal(fail.status, 'fail');
        assert.match(fail.xml, /^ {4}<error code="9"/m);
        assert.deepEqual(childNames(fail.xml), ['error', 'id']);
        const mixed = await u.client.call('files.moveToFolder', { file_id: `${a.id},qqqqq1,qqqqq2`, folder_id: '0' });
        assert.equal(mixed.status, 'ok');
        assert.deepEqual(childNames(mixed.xml), ['id', 'file', 'error']);
        assert.deepEqual(mixed.errors, [{ code: 9, text: 'File not found', id: 'qqqqq1,qqqqq2' }]);
      });
    });

    describe('files.delete', () => {
      it('deletes rows and blobs and gives the disk space back', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id, { content: 'x'.repeat(1000) });
        const b = await storeFile(server, u.id, { content: 'y'.repeat(234) });
        const keep = await storeFile(server, u.id, { content: 'z'.repeat(10) });
        const left = await diskLeft(u.client);
        assert.equal(left, 1024 ** 3 - 1244);
        assert.ok((await storedBlobKeys(server)).has(a.blob_key));

        const r = await u.client.call('files.delete', { file_id: `${a.id},${b.id}` });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['id', 'file', 'file']);
        assert.equal(r.body.id, `${a.id},${b.id}`);
        assert.deepEqual(attributeNames(r.xml, 'file'), [['id'], ['id']], 'minimal file tags');
        assert.equal(await diskLeft(u.client), left + 1234);
        const login = await server.client().login(u.email, u.password);
        assert.equal(login.body.diskspace_used, '10');
        const onDisk = await storedBlobKeys(server);
        assert.ok(!onDisk.has(a.blob_key) && !onDisk.has(b.blob_key), 'the bytes are gone');
        assert.ok(onDisk.has(keep.blob_key));
        assert.equal(await fileRow(server, a.id), undefined);

        const again = await u.client.call('files.delete', { file_id: a.id });
        assert.equal(again.status, 'fail');
        assert.equal(again.error?.code, 9);
        assert.equal(again.body.id, a.id);
      });

      it('gives the mixed shape', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id);
        const r = await u.client.call('files.delete', { file_id: `gone01,${a.id}` });
        assert.equal(r.status, 'ok');
        assert.deepEqual(childNames(r.xml), ['id', 'file', 'error']);
        assert.equal(r.body.id, a.id);
        assert.deepEqual(r.errors, [{ code: 9, text: 'File not found', id: 'gone01' }]);
      });
    });

    describe('files.sendMail', () => {
      it('mails the download pages to each recipient, replying to the sender, and collects the addresses', async () => {
        const u = await server.userClient({ name: 'Mail Sender' });
        const a = await storeFile(server, u.id, { name: 'holiday.jpg' });
        const b = await storeFile(server, u.id, { name: 'notes.txt' });
        const start = smtp.messages.length;
        const r = await u.client.call('files.sendMail', {
          file_id: `${a.id},${b.id}`,
          emails: 'one@example.com, Two@Example.com',
          message: 'Have a look',
        });
        assert.equal(r.status, 'ok', r.xml);
        assert.deepEqual(childNames(r.xml), ['id']);
        assert.equal(r.body.id, `${a.id},${b.id}`);
        const mails = (await smtp.waitFor(start + 2)).slice(start);
        assert.deepEqual(mails.map((m) => m.to).sort(), [['one@example.com'], ['two@example.com']], 'one message per recipient');
        for (const m of mails) {
          const text = mailText(m);
          assert.ok(text.includes(`${server.url}/file/${a.id}`) && text.includes(`${server.url}/file/${b.id}`), text);
          assert.match(text, /Have a look/);
          assert.match(m.raw, new RegExp(`^Reply-To: ${u.email}`, 'mi'));
          assert.match(text, /Mail Sender/);
        }
        const contacts = await server.ctx.contacts.list(u.id);
        assert.deepEqual(
          contacts.map((c) => [c.email, c.type]),
          [
            ['one@example.com', 1],
            ['two@example.com', 1],
          ],
        );
      });

      it('puts the direct link in the mail with direct_link=1 for paid accounts only, never for a protected file', async () => {
        const pro = await server.userClient({ plan: 'pro' });
        const open = await storeFile(server, pro.id, { name: 'open.bin' });
        const locked = await storeFile(server, pro.id, { name: 'locked.bin', password: 'pw' });
        let start = smtp.messages.length;
        await pro.client.call('files.sendMail', { file_id: `${open.id},${locked.id}`, emails: 'direct@example.com', direct_link: 1 });
        let text = mailText((await smtp.waitFor(start + 1))[start]!);
        assert.match(text, new RegExp(`/dl/${open.id}/0/`));
        assert.ok(text.includes(`${server.url}/file/${locked.id}`) && !text.includes(`/dl/${locked.id}/`), text);

        const lite = await server.userClient();
        const lf = await storeFile(server, lite.id);
        start = smtp.messages.length;
        await lite.client.call('files.sendMail', { file_id: lf.id, emails: 'direct@example.com', direct_link: 1 });
        text = mailText((await smtp.waitFor(start + 1))[start]!);
        assert.ok(text.includes(`${server.url}/file/${lf.id}`) && !text.includes('/dl/'), text);
      });

      it('answers 24 for invalid e-mails and 9 (with <id>) for unknown files, sending nothing', async () => {
        const u = await server.userClient();
        const a = await storeFile(server, u.id);
        const start = smtp.messages.length;
        const bad = await u.client.call('files.sendMail', { file_id: a.id, emails: 'not-an-address' });
        assert.equal(bad.error?.code, 24);
        const unknown = await u.client.call('files.sendMail', { file_id: 'nnnnn1', emails: 'x@example.com' });
        assert.match(unknown.xml, /<error code="9" text="File not found"\/>\n {4}<id>nnnnn1<\/id>/);
        const mixed = await u.client.call('files.sendMail', { file_id: `${a.id},nnnnn1`, emails: 'x@example.com' });
        assert.equal(mixed.status, 'ok');
        assert.equal(mixed.body.id, a.id);
        assert.deepEqual(mixed.errors, [{ code: 9, text: 'File not found', id: 'nnnnn1' }]);
        await smtp.waitFor(start + 1);
        assert.equal(smtp.messages.length, start + 1, 'only the mixed call sent mail');
      });
    });
  });
}
