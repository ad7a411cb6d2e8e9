// tus 1.0.0 at /tus/ over real HTTP on loopback, with the official tus-js-client where a
// client drives it: creation, resumption, the limits, tickets, checksums, termination,
// expiration and one writer per upload; the finished upload is an ordinary file.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueTicket } from '../domain/uploads/upload-ticket.js';
import { mailText, startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { createTestFolder } from '../testing/stored-file.js';
import { startTestServer, testDatabases, type TestServer } from '../testing/test-server.js';
import { anonymousUploadInfo, assertNoUploadLeftovers, openRequest, uploadInfo } from '../testing/upload-kit.js';
import { clientUpload, createUpload, patch, tusRequest } from '../tus/tus-test-kit.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha256b64 = (b: Buffer) => createHash('sha256').update(b).digest('base64');

for (const database of testDatabases) {
  describe(`tus uploads (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let smtp: SmtpSink;

    before(async () => {
      smtp = await startSmtpSink();
      server = await startTestServer({
        database,
        env: { SENDBAY_SMTP_URL: smtp.url, SENDBAY_PLAN_LITE_MAX_FILE_SIZE: '100000', SENDBAY_PLAN_LITE_DISK_SPACE: '150000' },
      });
    });
    after(async () => {
      await server.stop();
      await smtp.close();
    });

    const ticketOf = async (plan: 'lite' | 'max' = 'max') => {
      const u = await server.userClient({ plan });
      return { ...u, ticket: (await uploadInfo(u.client)).extra_info as string };
    };
    const fileRow = (id: string) => server.ctx.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const blobBytes = async (key: string) => {
      const chunks: Buffer[] = [];
      for await (const c of await server.ctx.blobs.get(key)) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    // Files of unfinished uploads under the data folder: the whole upload on disk; on S3 the
    // local copy of the bytes past the last full part (`<id>.t<tag>`).
    const tusDataFiles = async () => readdir(join(server.dataDir, 'tus')).catch(() => [] as string[]);
    const tusFiles = async () => (await tusDataFiles()).map((name) => name.split('.')[0]);
    const tusFileOf = async (id: string) => join(server.dataDir, 'tus', (await tusDataFiles()).find((n) => n.startsWith(id)) ?? id);

    it('announces tus 1.0.0, its extensions and CORS on OPTIONS', async () => {
      const r = await tusRequest(`${server.url}/tus/`, 'OPTIONS', {
        origin: 'https://app.example',
        'access-control-request-method': 'PATCH',
      });
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('tus-version'), '1.0.0');
      assert.equal(r.headers.get('tus-extension'), 'creation,creation-with-upload,termination,checksum,expiration');
      assert.equal(r.headers.get('tus-checksum-algorithm'), 'sha256');
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.match(r.headers.get('access-control-allow-methods') ?? '', /PATCH/);
      assert.match(r.headers.get('access-control-allow-headers') ?? '', /Upload-Offset/);
    });

    it('takes a file from tus-js-client in chunks and makes it an ordinary file with its options, quota and mail', async () => {
      const u = await ticketOf();
      const folder = await createTestFolder(server.ctx, u.id, 'Inbox');
      const content = randomBytes(300_000);
      const mailsBefore = smtp.messages.length;
      const done = await clientUpload(
        `${server.url}/tus/`,
        content,
        {
          ticket: u.ticket,
          filename: 'report ü.pdf',
          description: 'quarterly',
          password: 'secret-pw',
          folder_id: folder,
          recipients: 'friend@example.com',
          message: 'have a look',
        },
        { chunkSize: 64 * 1024 },
      );
      assert.ok(done.fileId, 'the final PATCH names the file');
      assert.equal(done.downloadUrl, `${server.url}/file/${done.fileId}`);
      const row = await fileRow(done.fileId);
      assert.equal(row.owner_id, u.id);
      assert.equal(row.name, 'report ü.pdf');
      assert.equal(row.description, 'quarterly');
      assert.equal(row.folder_id, folder);
      assert.equal(row.size, content.length);
      assert.equal(row.sha256, sha256(content));
      assert.ok(row.password_sealed && !row.password_sealed.includes('secret-pw'), 'the password is sealed, not stored in the clear');
      assert.ok((await blobBytes(row.blob_key)).equals(content));
      const user = await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', u.id).executeTakeFirstOrThrow();
      assert.equal(user.diskspace_used, content.length);
      const [mail] = (await smtp.waitFor(mailsBefore + 1)).slice(mailsBefore);
      assert.deepEqual(mail?.to, ['friend@example.com']);
      assert.match(mailText(mail!), new RegExp(`/file/${done.fileId}`));
      const contacts = await server.ctx.db.selectFrom('contacts').select('email').where('owner_id', '=', u.id).execute();
      assert.deepEqual(
        contacts.map((c) => c.email),
        ['friend@example.com'],
      );
      // A later HEAD still names the file.
      const head = await tusRequest(done.url, 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('upload-offset'), String(content.length));
      assert.equal(head.headers.get('sendbay-file-id'), done.fileId);
      assert.equal(head.headers.get('sendbay-download-url'), done.downloadUrl);
      assert.match(head.headers.get('access-control-expose-headers') ?? '', /Sendbay-File-Id/);
      assert.deepEqual(await tusFiles(), [], 'the temporary data became the blob');
      await assertNoUploadLeftovers(server);
    });

    it('accepts anonymous tickets, and the whole file in the creation request', async () => {
      const info = await anonymousUploadInfo(server.client());
      const content = randomBytes(5000);
      const r = await createUpload(
        server.url,
        content.length,
        { ticket: info.extra_info as string, filename: 'a.bin' },
        {
          'content-type': 'application/offset+octet-stream',
        },
      );
      // fetch cannot send a body with these helpers' POST: send it explicitly.
      assert.equal(r.status, 201);
      const url = r.headers.get('location') as string;
      assert.match(url, new RegExp(`^${server.url}/tus/[a-z0-9]{32}$`));
      assert.equal(r.headers.get('upload-offset'), '0');
      const withBody = await tusRequest(
        `${server.url}/tus/`,
        'POST',
        {
          'upload-length': String(content.length),
          'upload-metadata': `ticket ${Buffer.from(info.extra_info as string).toString('base64')},filename ${Buffer.from('b.bin').toString('base64')}`,
          'content-type': 'application/offset+octet-stream',
        },
        content,
      );
      assert.equal(withBody.status, 201);
      assert.equal(withBody.headers.get('upload-offset'), String(content.length));
      const fileId = withBody.headers.get('sendbay-file-id') as string;
      const row = await fileRow(fileId);
      assert.equal(row.owner_id, null);
      assert.equal(row.name, 'b.bin');
      assert.ok((await blobBytes(row.blob_key)).equals(content));
      assert.ok(withBody.headers.get('upload-expires'));
      await tusRequest(url, 'DELETE');
    });

    it('takes the web session cookie in place of a ticket', async () => {
      const u = await server.userClient({ plan: 'max' });
      const login = await server.ctx.webSessions.login({
        email: u.email,
        password: u.password,
        remember: false,
        address: '127.0.0.1',
        userAgent: 'test',
      });
      assert.ok(login.ok);
      const cookie = `ssal=${login.key}`;
      const content = randomBytes(1234);
      const created = await createUpload(server.url, content.length, { filename: 'from-page.txt' }, { cookie });
      assert.equal(created.status, 201);
      const done = await patch(created.headers.get('location') as string, 0, content);
      assert.equal(done.status, 204);
      const row = await fileRow(done.headers.get('sendbay-file-id') as string);
      assert.equal(row.owner_id, u.id);
      assert.equal((await createUpload(server.url, 10, { filename: 'x' }, { cookie: 'ssal=notasession' })).status, 401);
    });

    it('answers 409 to a PATCH at the wrong offset and 412 without Tus-Resumable', async () => {
      const u = await ticketOf();
      const url = (await createUpload(server.url, 100, { ticket: u.ticket, filename: 'x' })).headers.get('location') as string;
      assert.equal((await patch(url, 0, randomBytes(40))).status, 204);
      const wrong = await patch(url, 10, randomBytes(10));
      assert.equal(wrong.status, 409);
      assert.match(wrong.text, /offset 40/);
      const noVersion = await fetch(url, { method: 'HEAD' });
      assert.equal(noVersion.status, 412);
      assert.equal((await patch(url, 40, randomBytes(10), { 'content-type': 'text/plain' })).status, 415);
      // A Content-Type that is no media type at all gets the same tus answer a browser can read.
      const bogus = await patch(url, 40, randomBytes(10), { 'content-type': 'bogus', origin: 'https://elsewhere.example' });
      assert.equal(bogus.status, 415);
      assert.equal(bogus.headers.get('tus-resumable'), '1.0.0');
      assert.equal(bogus.headers.get('access-control-allow-origin'), '*');
      assert.match(bogus.text, /Content-Type must be application\/offset\+octet-stream/);
      const head = await tusRequest(url, 'HEAD');
      assert.equal(head.headers.get('upload-offset'), '40');
      assert.equal(head.headers.get('upload-length'), '100');
    });

    it('checks Upload-Checksum: 460 and nothing kept on a mismatch, 400 for another algorithm', async () => {
      const u = await ticketOf();
      const content = randomBytes(2000);
      const url = (await createUpload(server.url, content.length, { ticket: u.ticket, filename: 'c' })).headers.get('location') as string;
      const first = content.subarray(0, 1000);
      const bad = await patch(url, 0, first, { 'upload-checksum': `sha256 ${sha256b64(randomBytes(8))}` });
      assert.equal(bad.status, 460);
      assert.equal((await tusRequest(url, 'HEAD')).headers.get('upload-offset'), '0');
      assert.equal((await patch(url, 0, first, { 'upload-checksum': `md5 ${sha256b64(first)}` })).status, 400);
      assert.equal((await patch(url, 0, first, { 'upload-checksum': `sha256 ${sha256b64(first)}` })).status, 204);
      const rest = content.subarray(1000);
      const last = await patch(url, 1000, rest, { 'upload-checksum': `sha256 ${sha256b64(rest)}` });
      assert.equal(last.status, 204);
      assert.equal((await fileRow(last.headers.get('sendbay-file-id') as string)).sha256, sha256(content));
    });

    it('refuses at creation a file over the plan limit or the disk space left (413), and while bytes arrive once the space is gone', async () => {
      const u = await ticketOf('lite'); // 100 000 bytes per file, 150 000 of space (see before())
      const over = await createUpload(server.url, 100_001, { ticket: u.ticket, filename: 'big' });
      assert.equal(over.status, 413);
      assert.match(over.text, /larger than the limit of 100000 bytes/);
      const a = (await createUpload(server.url, 90_000, { ticket: u.ticket, filename: 'a' })).headers.get('location') as string;
      const b = (await createUpload(server.url, 90_000, { ticket: u.ticket, filename: 'b' })).headers.get('location') as string;
      assert.equal((await patch(a, 0, randomBytes(90_000))).status, 204);
      const late = await patch(b, 0, randomBytes(1000));
      assert.equal(late.status, 413);
      assert.match(late.text, /disk space/);
      assert.equal((await createUpload(server.url, 70_000, { ticket: u.ticket, filename: 'c' })).status, 413);
      // More bytes than Upload-Length are refused too.
      const small = (await createUpload(server.url, 10, { ticket: u.ticket, filename: 's' })).headers.get('location') as string;
      assert.equal((await patch(small, 0, randomBytes(11))).status, 413);
      assert.equal((await tusRequest(small, 'HEAD')).headers.get('upload-offset'), '0');
    });

    it('refuses missing, expired and tampered tickets, and bad metadata', async () => {
      const u = await ticketOf();
      assert.equal((await createUpload(server.url, 10, { filename: 'x' })).status, 401);
      const expired = issueTicket(server.ctx.secrets, {
        owner: u.id,
        maxFileSize: 1000,
        speedLimitKb: 0,
        expires: server.ctx.clock.now() - 1,
      });
      assert.equal((await createUpload(server.url, 10, { ticket: expired.value, filename: 'x' })).status, 403);
      const parts = u.ticket.split('.');
      parts[2] = (parseInt(parts[2] as string, 36) * 2).toString(36); // a larger size limit
      assert.equal((await createUpload(server.url, 10, { ticket: parts.join('.'), filename: 'x' })).status, 403);
      const other = await server.userClient();
      const stolen = u.ticket.replace(`.${u.id}.`, `.${other.id}.`);
      assert.equal((await createUpload(server.url, 10, { ticket: stolen, filename: 'x' })).status, 403);
      assert.equal((await createUpload(server.url, 10, { ticket: u.ticket })).status, 400, 'no file name');
      assert.equal((await createUpload(server.url, 10, { ticket: u.ticket, filename: 'x', folder_id: 'nothere' })).status, 400);
      assert.equal((await createUpload(server.url, 10, { ticket: u.ticket, filename: 'x', evil: '1' })).status, 400);
      const garbled = await tusRequest(`${server.url}/tus/`, 'POST', { 'upload-length': '10', 'upload-metadata': 'ticket !!!' });
      assert.equal(garbled.status, 400);
      const noLength = await tusRequest(`${server.url}/tus/`, 'POST', { 'upload-defer-length': '1' });
      assert.equal(noLength.status, 400);
      assert.equal((await tusRequest(`${server.url}/tus/notanupload`, 'HEAD')).status, 404);
    });

    it('terminates an upload: DELETE removes its bytes and later requests find nothing', async () => {
      const u = await ticketOf();
      const sent = 6 * 1024 * 1024; // on S3, more than a part: the multipart upload is open
      const url = (await createUpload(server.url, sent + 100, { ticket: u.ticket, filename: 't' })).headers.get('location') as string;
      assert.equal((await patch(url, 0, randomBytes(sent))).status, 204);
      const id = url.split('/').pop() as string;
      assert.ok((await tusFiles()).includes(id));
      if (server.bucket) assert.equal(await server.bucket.openUploads(), 1, 'the parts wait in a multipart upload');
      assert.equal((await tusRequest(url, 'DELETE')).status, 204);
      assert.ok(!(await tusFiles()).includes(id));
      assert.equal((await tusRequest(url, 'HEAD')).status, 404);
      assert.equal((await patch(url, sent, randomBytes(50))).status, 404);
      await assertNoUploadLeftovers(server); // on S3: no multipart upload left open
    });

    it('takes 5 000 000-byte chunks as PsiTransfer sends them: the same bytes and SHA-256, nothing left over', async () => {
      const u = await ticketOf();
      const content = randomBytes(12_345_678);
      const done = await clientUpload(`${server.url}/tus/`, content, { ticket: u.ticket, filename: 'psi.bin' }, { chunkSize: 5_000_000 });
      const id = done.url.split('/').pop() as string;
      const row = await fileRow(done.fileId as string);
      assert.equal(row.size, content.length);
      assert.equal(row.sha256, sha256(content));
      assert.equal(sha256(await blobBytes(row.blob_key)), sha256(content));
      assert.ok(!(await tusFiles()).includes(id), 'the gathered bytes are gone');
      await assertNoUploadLeftovers(server);
    });

    it('expires untouched uploads (410), and the sweeper removes them; in-progress data survives the orphan sweeper', async () => {
      const u = await ticketOf();
      const keep = (await createUpload(server.url, 100, { ticket: u.ticket, filename: 'k' })).headers.get('location') as string;
      const old = (await createUpload(server.url, 100, { ticket: u.ticket, filename: 'o' })).headers.get('location') as string;
      const expires = new Date((await patch(keep, 0, randomBytes(30))).headers.get('upload-expires') as string).getTime() / 1000;
      assert.ok(Math.abs(expires - (server.ctx.clock.now() + server.config.tusExpirySeconds)) < 5);
      await patch(old, 0, randomBytes(30));
      const oldId = old.split('/').pop() as string;
      const keepId = keep.split('/').pop() as string;
      await server.ctx.db
        .updateTable('tus_uploads')
        .set({ expires_at: server.ctx.clock.now() - 1 })
        .where('id', '=', oldId)
        .execute();
      assert.equal((await tusRequest(old, 'HEAD')).status, 410);
      assert.equal((await patch(old, 30, randomBytes(10))).status, 410);
      // Data no upload knows, old enough, is a leftover; an in-progress upload's data never is, however old.
      const stray = 'x'.repeat(32);
      await writeFile(join(server.dataDir, 'tus', stray), 'left behind');
      const longAgo = new Date(Date.now() - 10 * 86_400_000);
      for (const name of [stray, keepId]) await utimes(await tusFileOf(name), longAgo, longAgo);
      for (const job of server.ctx.jobs) await job.run();
      const left = await tusFiles();
      assert.ok(!left.includes(oldId), 'the expired upload is removed');
      if (server.bucket) {
        const objects = await server.bucket.objectKeys();
        assert.ok(!objects.some((k) => k.includes(oldId)), 'with its tail object on S3');
        assert.ok(
          objects.some((k) => k.includes(keepId)),
          'while the upload in progress keeps its own',
        );
      }
      assert.ok(!left.includes(stray), 'the leftover is removed');
      assert.ok(left.includes(keepId), 'the upload in progress keeps its data');
      assert.equal((await stat(await tusFileOf(keepId))).size, 30);
      assert.equal((await tusRequest(old, 'HEAD')).status, 404);
      assert.equal((await patch(keep, 30, randomBytes(70))).status, 204);
    });

    it('lets one PATCH at a time write an upload: a second one meanwhile gets 423 or 409', async () => {
      const u = await ticketOf();
      const url = (await createUpload(server.url, 2000, { ticket: u.ticket, filename: 'p' })).headers.get('location') as string;
      const first = openRequest(url, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          'content-type': 'application/offset+octet-stream',
          'upload-offset': 0,
          'content-length': 1000,
        },
      });
      const a = randomBytes(1000);
      first.req.write(a.subarray(0, 500));
      // Wait until the first holds the lock.
      for (let i = 0; i < 200; i++) {
        const r = await server.ctx.db
          .selectFrom('tus_uploads')
          .select('lock_token')
          .where('id', '=', url.split('/').pop() as string)
          .executeTakeFirstOrThrow();
        if (r.lock_token) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const second = await patch(url, 0, randomBytes(1000));
      assert.ok(second.status === 423 || second.status === 409, `second PATCH: ${second.status}`);
      first.req.end(a.subarray(500));
      const answer = await first.answer;
      assert.equal(answer.status, 204);
      assert.equal(answer.headers['upload-offset'], '1000');
      assert.equal((await patch(url, 0, randomBytes(1000))).status, 409);
      const b = randomBytes(1000);
      const done = await patch(url, 1000, b);
      assert.equal(done.status, 204);
      const row = await fileRow(done.headers.get('sendbay-file-id') as string);
      assert.ok((await blobBytes(row.blob_key)).equals(Buffer.concat([a, b])));
    });
  });
}
