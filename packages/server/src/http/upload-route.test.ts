// The upload POST/PUT through real HTTP on loopback: form semantics (fields after the
// file, 100 files, userfile indirection and fallback, lenient multipart), the answers
// (plain text, <upload_done>, redirect), PUT, Expect: 100-continue, chunked bodies, mail.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { mailText, startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { createTestFolder } from '../testing/stored-file.js';
import { startTestServer, testDatabases, type TestServer } from '../testing/test-server.js';
import {
  anonymousUploadInfo,
  assertNoUploadLeftovers,
  BOUNDARY,
  multipart,
  send,
  sessionAnswer,
  uploadInfo,
  type Part,
} from '../testing/upload-kit.js';

const run = promisify(execFile);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

for (const database of testDatabases) {
  describe(`upload POST and PUT (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let smtp: SmtpSink;

    before(async () => {
      smtp = await startSmtpSink();
      server = await startTestServer({ database, env: { SENDBAY_SMTP_URL: smtp.url } });
    });
    after(async () => {
      await server.stop();
      await smtp.close();
    });

    const rowsOf = (ownerId: string) =>
      server.ctx.db.selectFrom('files').selectAll().where('owner_id', '=', ownerId).orderBy('upload_time').execute();
    const row = (id: string) => server.ctx.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const diskUsed = async (userId: string) =>
      (await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', userId).executeTakeFirstOrThrow()).diskspace_used;
    const blobBytes = async (key: string) => {
      const chunks: Buffer[] = [];
      for await (const c of await server.ctx.blobs.get(key)) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    const session = async (plan: 'lite' | 'pro' | 'max' = 'max') => {
      const u = await server.userClient({ plan });
      return { ...u, info: await uploadInfo(u.client) };
    };

    it('stores a file whose text fields come after it, and answers the four plain-text lines', async () => {
      const u = await session();
      const folderId = await createTestFolder(server.ctx, u.id, 'Docs');
      const content = randomBytes(3000);
      const answer = await send(
        u.info.url,
        multipart([
          { name: 'userfile', filename: 'report.pdf', content, contentType: 'application/pdf' },
          { name: 'description', value: 'Quarterly report' },
          { name: 'password', value: 's3cret' },
          { name: 'folder_id', value: folderId },
          { name: 'notify_uploader', value: '0' },
        ]),
      );
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
      assert.ok(!answer.text.includes('\r'), 'LF line endings');
      const lines = answer.text.split('\n');
      assert.equal(lines.length, 5, answer.text);
      assert.equal(lines[0], 'upload_status=ok');
      assert.match(lines[1]!, /^file_id=[a-z0-9]{6}$/);
      assert.equal(lines[2], 'bandwidth_left=-1');
      assert.match(lines[3]!, /^diskspace_left=\d+$/);
      assert.equal(lines[4], '');

      const f = await row(lines[1]!.slice(8));
      assert.equal(f.owner_id, u.id);
      assert.equal(f.name, 'report.pdf');
      assert.equal(f.description, 'Quarterly report');
      assert.equal(f.folder_id, folderId);
      assert.equal(f.size, 3000);
      assert.equal(f.sha256, sha256(content));
      assert.equal(server.ctx.secrets.decrypt(f.password_sealed!), 's3cret', 'the password is stored sealed');
      assert.match(f.delete_salt, /^[a-z0-9]{16}$/);
      assert.match(f.blob_key, /^[a-z0-9]{32}$/);
      assert.deepEqual(await blobBytes(f.blob_key), content);
      assert.equal(await diskUsed(u.id), 3000, 'the quota is charged');
      await assertNoUploadLeftovers(server);
    });

    it('takes 100 files in one form, answering one file_id line each in form order', async () => {
      const u = await session();
      const parts: Part[] = [];
      for (let n = 1; n <= 100; n++) {
        const suffix = n === 1 ? '' : String(n);
        parts.push({ name: `userfile${suffix}`, filename: `f${n}.txt`, content: `file number ${n}\n` });
        parts.push({ name: `description${suffix}`, value: `description ${n}` });
      }
      const answer = await send(u.info.url, multipart(parts));
      const a = sessionAnswer(answer.text);
      assert.equal(a.status, 'ok', answer.text);
      assert.equal(a.fileIds.length, 100);
      assert.equal(a.lines[1], `file_id=${a.fileIds[0]}`, 'the first file_id line is the first file');
      for (const [i, id] of a.fileIds.entries()) {
        const f = await row(id);
        assert.equal(f.name, `f${i + 1}.txt`);
        assert.equal(f.description, `description ${i + 1}`);
        assert.deepEqual(await blobBytes(f.blob_key), Buffer.from(`file number ${i + 1}\n`));
      }
      assert.equal(new Set(a.fileIds).size, 100);
    });

    it('follows the userfile=<field name> indirection, even when the field comes last', async () => {
      const u = await session();
      const answer = await send(
        u.info.url,
        multipart([
          { name: 'thumbnail', filename: 'thumb.png', content: 'not the upload' },
          { name: 'Filedata', filename: 'movie.flv', content: 'flash upload', contentType: 'application/octet-stream' },
          { name: 'description', value: 'from flash' },
          { name: 'userfile', value: 'Filedata' },
        ]),
      );
      const a = sessionAnswer(answer.text);
      assert.equal(a.status, 'ok', answer.text);
      assert.equal(a.fileIds.length, 1);
      const f = await row(a.fileIds[0]!);
      assert.equal(f.name, 'movie.flv');
      assert.equal(f.description, 'from flash');
      assert.equal((await rowsOf(u.id)).length, 1);
      await assertNoUploadLeftovers(server);
    });

    it('falls back to the first file part whatever its name', async () => {
      const u = await session();
      const answer = await send(
        u.info.url,
        multipart([
          { name: 'description', value: 'fallback' },
          { name: 'file', filename: 'first.txt', content: 'first' },
          { name: 'attachment', filename: 'second.txt', content: 'second' },
        ]),
      );
      const a = sessionAnswer(answer.text);
      assert.equal(a.status, 'ok', answer.text);
      assert.equal(a.fileIds.length, 1);
      const f = await row(a.fileIds[0]!);
      assert.equal(f.name, 'first.txt');
      assert.equal(f.description, 'fallback');
      await assertNoUploadLeftovers(server);
    });

    it('reads real-world multipart: trailing ";", odd or missing types, a file named "userfile", loose closing delimiters', async () => {
      const u = await session();
      const cases: { parts: Part[]; closing?: string; name: string; content: string }[] = [
        {
          parts: [
            {
              name: 'userfile',
              disposition: 'form-data; name="userfile"; filename="semi colon;.txt";',
              content: 'A',
              contentType: '"image/pjpeg"',
            },
          ],
          name: 'semi colon;.txt',
          content: 'A',
        },
        { parts: [{ name: 'userfile', filename: 'userfile', content: 'B', contentType: 'binary' }], name: 'userfile', content: 'B' },
        {
          parts: [{ name: 'userfile', filename: 'plain.txt', content: 'C' }],
          closing: `--${BOUNDARY}\r\n`,
          name: 'plain.txt',
          content: 'C',
        },
        { parts: [{ name: 'userfile', filename: 'cut.txt', content: 'D' }], closing: `--${BOUNDARY}`, name: 'cut.txt', content: 'D' },
        {
          parts: [
            { name: 'userfile', filename: 'ünïcødé näme.txt', content: 'E' },
            // An empty file input, as browsers send it: never a file.
            { name: 'userfile2', filename: '', content: '', contentType: 'application/octet-stream' },
          ],
          closing: `--${BOUNDARY}--`,
          name: 'ünïcødé näme.txt',
          content: 'E',
        },
      ];
      for (const c of cases) {
        const info = await uploadInfo(u.client);
        const answer = await send(info.url, multipart(c.parts, c.closing === undefined ? {} : { closing: c.closing }));
        const a = sessionAnswer(answer.text);
        assert.equal(a.status, 'ok', `${c.name}: ${answer.text}`);
        assert.equal(a.fileIds.length, 1, c.name);
        const f = await row(a.fileIds[0]!);
        assert.equal(f.name, c.name);
        assert.deepEqual(await blobBytes(f.blob_key), Buffer.from(c.content));
      }
      await assertNoUploadLeftovers(server);
    });

    it('finds the identifier in the form or the query when the URL has none', async () => {
      const u = await session();
      const viaForm = await send(
        `${server.url}/upload`,
        multipart([
          { name: 'MAX_FILE_SIZE', value: u.info.max_file_size },
          { name: 'UPLOAD_IDENTIFIER', value: u.info.upload_identifier },
          { name: 'extra_info', value: u.info.extra_info },
          { name: 'userfile', filename: 'a.txt', content: 'via form' },
        ]),
      );
      assert.equal(sessionAnswer(viaForm.text).status, 'ok', viaForm.text);
      const viaQuery = await send(
        `${server.url}/upload?extra_info=${u.info.extra_info}`,
        multipart([{ name: 'userfile', filename: 'b.txt', content: 'q' }]),
      );
      assert.equal(sessionAnswer(viaQuery.text).status, 'ok', viaQuery.text);
      // A client that appends &extra_info=… to the url it was given.
      const appended = await send(
        `${u.info.url}&extra_info=${u.info.extra_info}`,
        multipart([{ name: 'userfile', filename: 'c.txt', content: 'c' }]),
      );
      assert.equal(sessionAnswer(appended.text).status, 'ok', appended.text);
    });

    it('answers an anonymous upload with <upload_done>, one child per line, download_url ending with the id', async () => {
      const info = await anonymousUploadInfo(server.client());
      const answer = await send(info.url, multipart([{ name: 'userfile', filename: 'anon.txt', content: 'anonymous bytes' }]));
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'text/xml; charset=utf-8');
      const m =
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<upload_done>\n {4}<status>ok<\/status>\n {4}<download_url>([^<]+)<\/download_url>\n {4}<delete_url>([^<]+)<\/delete_url>\n {4}<file_id>([a-z0-9]{6})<\/file_id>\n<\/upload_done>\n$/.exec(
          answer.text,
        );
      assert.ok(m, answer.text);
      const [, downloadUrl, deleteUrl, id] = m as unknown as string[];
      assert.equal(downloadUrl!.slice(-6), id);
      assert.equal(downloadUrl, `${server.config.publicUrl}/file/${id}`);
      assert.match(deleteUrl!, new RegExp(`^${server.config.publicUrl}/delete/${id}/[a-z0-9]+$`));
      const f = await row(id!);
      assert.equal(f.owner_id, null);
      assert.equal(f.name, 'anon.txt');
    });

    it('redirects to an http(s) redirect_url with upload_status and file_id appended, and ignores other schemes', async () => {
      const u = await session();
      const ok = await send(
        u.info.url,
        multipart([
          { name: 'userfile', filename: 'r.txt', content: 'redirect me' },
          { name: 'redirect_url', value: 'https://example.com/done?from=test#top' },
        ]),
      );
      assert.equal(ok.status, 302);
      const location = new URL(ok.headers.location!);
      assert.equal(location.origin + location.pathname, 'https://example.com/done');
      assert.equal(location.searchParams.get('from'), 'test');
      assert.equal(location.searchParams.get('upload_status'), 'ok');
      assert.match(location.searchParams.get('file_id')!, /^[a-z0-9]{6}$/);
      assert.equal(location.hash, '#top');
      await row(location.searchParams.get('file_id')!);

      const failed = await send(
        `${server.url}/upload/not-a-ticket`,
        multipart([
          { name: 'redirect_url', value: 'http://example.com/back' },
          { name: 'userfile', filename: 'r.txt', content: 'x' },
        ]),
      );
      assert.equal(failed.status, 302);
      assert.equal(failed.headers.location, 'http://example.com/back?upload_status=fail&file_id=');

      const js = await send(
        (await uploadInfo(u.client)).url,
        multipart([
          { name: 'redirect_url', value: 'javascript:alert(1)' },
          { name: 'userfile', filename: 'r.txt', content: 'x' },
        ]),
      );
      assert.equal(js.status, 200);
      assert.equal(sessionAnswer(js.text).status, 'ok');
    });

    it('accepts PUT (and a non-form POST) with the raw body as the file', async () => {
      const u = await session();
      const content = randomBytes(5000);
      const put = await send(`${u.info.url}&filename=${encodeURIComponent('raw data.bin')}&description=raw`, content, {
        method: 'PUT',
        contentType: 'application/octet-stream',
      });
      const a = sessionAnswer(put.text);
      assert.equal(a.status, 'ok', put.text);
      const f = await row(a.fileIds[0]!);
      assert.equal(f.name, 'raw data.bin');
      assert.equal(f.description, 'raw');
      assert.equal(f.sha256, sha256(content));

      const disposition = await send((await uploadInfo(u.client)).url, Buffer.from('named by header'), {
        method: 'PUT',
        contentType: null,
        headers: { 'content-disposition': `attachment; filename*=UTF-8''caf%C3%A9.txt` },
      });
      const b = sessionAnswer(disposition.text);
      assert.equal(b.status, 'ok', disposition.text);
      assert.equal((await row(b.fileIds[0]!)).name, 'café.txt');

      const post = await send(`${(await uploadInfo(u.client)).url}&filename=post.bin`, Buffer.from('posted raw'), {
        contentType: 'application/octet-stream',
      });
      const c = sessionAnswer(post.text);
      assert.equal(c.status, 'ok', post.text);
      assert.deepEqual(await blobBytes((await row(c.fileIds[0]!)).blob_key), Buffer.from('posted raw'));
    });

    it('accepts a chunked body (no Content-Length)', async () => {
      const u = await session();
      const content = randomBytes(50_000);
      const answer = await send(u.info.url, multipart([{ name: 'userfile', filename: 'chunked.bin', content }]), { chunked: true });
      const a = sessionAnswer(answer.text);
      assert.equal(a.status, 'ok', answer.text);
      assert.equal((await row(a.fileIds[0]!)).sha256, sha256(content));
    });

    it('honours Expect: 100-continue (curl -F sends it above 1 MiB)', async () => {
      const u = await session();
      const content = randomBytes(1536 * 1024);
      const path = join(server.dataDir, 'curl-upload.bin');
      await writeFile(path, content);
      const { stdout } = await run('curl', ['-sS', '-i', '-F', `userfile=@${path}`, '-F', 'description=by curl', u.info.url]);
      assert.match(stdout, /^HTTP\/1\.1 100 Continue/m, 'the server said continue');
      const a = sessionAnswer(stdout.split('\r\n\r\n').pop()!);
      assert.equal(a.status, 'ok', stdout);
      const f = await row(a.fileIds[0]!);
      assert.equal(f.name, 'curl-upload.bin');
      assert.equal(f.sha256, sha256(content));
    });

    it('mails the recipients and the uploader, skipping invalid addresses, and collects the contacts', async () => {
      const u = await session();
      const before = smtp.messages.length;
      const answer = await send(
        u.info.url,
        multipart([
          { name: 'recipient_email', value: 'Alice@example.com, not-an-address; bob@example.com' },
          { name: 'userfile', filename: 'shared.txt', content: 'for you' },
          { name: 'recipient_message', value: 'Here is the file' },
          { name: 'notify_uploader', value: '1' },
        ]),
      );
      const a = sessionAnswer(answer.text);
      assert.equal(a.status, 'ok', answer.text);
      const id = a.fileIds[0]!;
      const mails = (await smtp.waitFor(before + 2)).slice(before);
      const shared = mails.find((m) => m.to.includes('alice@example.com'));
      assert.ok(shared, 'the recipients got a mail');
      assert.deepEqual([...shared.to].sort(), ['alice@example.com', 'bob@example.com']);
      assert.ok(mailText(shared).includes(`${server.config.publicUrl}/file/${id}`));
      assert.ok(mailText(shared).includes('Here is the file'));
      const receipt = mails.find((m) => m.to.includes(u.email));
      assert.ok(receipt, 'the uploader got a receipt');
      assert.ok(mailText(receipt).includes(`/delete/${id}/`));
      const contacts = await server.ctx.db.selectFrom('contacts').select('email').where('owner_id', '=', u.id).execute();
      assert.deepEqual(contacts.map((c) => c.email).sort(), ['alice@example.com', 'bob@example.com']);
    });

    it('sends an anonymous uploader a receipt at the address given in notify_uploader', async () => {
      const info = await anonymousUploadInfo(server.client());
      const before = smtp.messages.length;
      const answer = await send(
        info.url,
        multipart([
          { name: 'userfile', filename: 'anon-mail.txt', content: 'x' },
          { name: 'notify_uploader', value: 'uploader@example.com' },
        ]),
      );
      assert.match(answer.text, /<status>ok<\/status>/);
      const [mail] = (await smtp.waitFor(before + 1)).slice(before);
      assert.deepEqual(mail?.to, ['uploader@example.com']);
      assert.ok(mailText(mail!).includes('/delete/'));
    });

    it('does not fail the upload when the mail cannot be sent', async () => {
      const u = await session();
      const mailer = server.ctx.mailer;
      const original = mailer.send;
      mailer.send = async () => {
        throw new Error('SMTP is down');
      };
      try {
        const answer = await send(
          u.info.url,
          multipart([
            { name: 'userfile', filename: 'nomail.txt', content: 'x' },
            { name: 'recipient_email', value: 'carol@example.com' },
          ]),
        );
        assert.equal(sessionAnswer(answer.text).status, 'ok', answer.text);
      } finally {
        mailer.send = original;
      }
    });
  });
}
