// Uploads that must fail, and leave nothing behind: no row, no blob, no temporary file,
// no quota charge. Forged and expired tickets, limits broken while streaming, bad
// fields, a client that disconnects or goes quiet, and internal errors (which must
// not leak internals to the client).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { storedBlobKeys } from '../testing/library-fixtures.js';
import { createTestFolder } from '../testing/stored-file.js';
import { startTestServer, testDatabases, type TestServer } from '../testing/test-server.js';
import {
  assertNoUploadLeftovers,
  FORM_TYPE,
  multipart,
  openRequest,
  partHead,
  send,
  sessionAnswer,
  uploadInfo,
  waitFor,
  type HttpAnswer,
} from '../testing/upload-kit.js';

for (const database of testDatabases) {
  describe(`failed uploads leave nothing (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let now = Math.floor(Date.now() / 1000);

    before(async () => {
      server = await startTestServer({
        database,
        env: {
          SENDBAY_PLAN_LITE_MAX_FILE_SIZE: '1000',
          SENDBAY_PLAN_PRO_DISK_SPACE: '10000',
          SENDBAY_UPLOAD_INFO_TTL: '60',
          SENDBAY_MAX_FILES_PER_UPLOAD: '5',
        },
        overrides: { clock: { now: () => now } },
      });
    });
    after(() => server.stop());

    const rowsOf = (ownerId: string) => server.ctx.db.selectFrom('files').select('id').where('owner_id', '=', ownerId).execute();
    const diskUsed = async (userId: string) =>
      (await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', userId).executeTakeFirstOrThrow()).diskspace_used;
    /** A failed session answer: HTTP 200, upload_status=fail first, and a reason line. */
    const assertFailed = (answer: HttpAnswer, reason: RegExp) => {
      assert.equal(answer.status, 200);
      const a = sessionAnswer(answer.text);
      assert.equal(a.lines[0], 'upload_status=fail', answer.text);
      assert.deepEqual(a.fileIds, []);
      assert.match(a.reason ?? '', reason);
    };
    const progressOf = async (info: { progress_url: string }) => {
      const xml = await (await fetch(info.progress_url)).text();
      return { status: /<status>(\w+)<\/status>/.exec(xml)?.[1], uploaded: Number(/<uploaded_bytes>(\d+)</.exec(xml)?.[1]) };
    };

    it('refuses forged, altered, mismatched, missing and expired identifiers', async () => {
      const u = await server.userClient({ plan: 'pro' });
      const info = await uploadInfo(u.client);
      const other = await uploadInfo(u.client);
      const file = { name: 'userfile', filename: 'x.txt', content: 'x' };
      const tampered = info.upload_identifier.slice(0, -1) + (info.upload_identifier.endsWith('A') ? 'B' : 'A');
      const raised = info.upload_identifier.replace(/^([^.]+\.[^.]+\.)[^.]+/, '$1zzzzzzzz'); // a bigger size limit, old signature
      const cases: [string, string, ReturnType<typeof multipart>][] = [
        ['altered signature', info.url.replace(info.upload_identifier, tampered), multipart([file])],
        ['altered size limit', info.url.replace(info.upload_identifier, raised), multipart([file])],
        ['forged extra_info in the form', info.url, multipart([{ name: 'extra_info', value: 'forged' }, file])],
        ['another upload’s extra_info', info.url, multipart([{ name: 'extra_info', value: other.extra_info }, file])],
        ['no identifier at all', `${server.url}/upload`, multipart([file])],
      ];
      for (const [what, url, body] of cases) {
        const answer = await send(url, body);
        assert.equal(sessionAnswer(answer.text).status, 'fail', `${what}: ${answer.text}`);
        assert.ok(sessionAnswer(answer.text).reason, what);
      }
      now += 61; // past SENDBAY_UPLOAD_INFO_TTL
      try {
        assertFailed(await send(info.url, multipart([file])), /expired/);
        assert.equal((await progressOf(info)).status, 'fail', 'an expired identifier reads as failed');
      } finally {
        now -= 61;
      }
      assert.deepEqual(await rowsOf(u.id), []);
      await assertNoUploadLeftovers(server);
    });

    it('fails a file over the plan limit at once, before the rest of the body is read', async () => {
      const u = await server.userClient({ plan: 'lite' });
      const info = await uploadInfo(u.client);
      assert.equal(info.max_file_size, '1000');
      // Declares 20 MB but sends only the first 5 kB: the answer must come anyway.
      const { req, answer } = openRequest(info.url, { headers: { 'content-type': FORM_TYPE, 'content-length': 20 * 1024 * 1024 } });
      req.on('error', () => {}); // the server may cut the connection once it has answered
      req.write(partHead({ name: 'userfile', filename: 'big.bin', content: '' }));
      req.write(randomBytes(5000));
      const a = await answer;
      assertFailed(a, /larger than the limit of 1000 bytes/);
      req.destroy();
      assert.deepEqual(await rowsOf(u.id), []);
      assert.equal(await diskUsed(u.id), 0);
      await assertNoUploadLeftovers(server);
    });

    it('applies a smaller MAX_FILE_SIZE sent in the form', async () => {
      const u = await server.userClient({ plan: 'pro' });
      const info = await uploadInfo(u.client);
      const answer = await send(
        info.url,
        multipart([
          { name: 'MAX_FILE_SIZE', value: '100' },
          { name: 'userfile', filename: 'a.bin', content: randomBytes(500) },
        ]),
      );
      assertFailed(answer, /limit of 100 bytes/);
      await assertNoUploadLeftovers(server);
    });

    it('fails when the disk space left is exceeded, keeping earlier files and charging nothing more', async () => {
      const u = await server.userClient({ plan: 'pro' });
      const ok = await send(
        (await uploadInfo(u.client)).url,
        multipart([{ name: 'userfile', filename: 'a.bin', content: randomBytes(6000) }]),
      );
      assert.equal(sessionAnswer(ok.text).status, 'ok', ok.text);
      assert.equal(await diskUsed(u.id), 6000);

      const single = await send(
        (await uploadInfo(u.client)).url,
        multipart([{ name: 'userfile', filename: 'b.bin', content: randomBytes(6000) }]),
      );
      assertFailed(single, /disk space/);
      // Two files that fit one by one but not together: the first is removed too.
      const both = await send(
        (await uploadInfo(u.client)).url,
        multipart([
          { name: 'userfile', filename: 'c.bin', content: randomBytes(3000) },
          { name: 'userfile2', filename: 'd.bin', content: randomBytes(3000) },
        ]),
      );
      assertFailed(both, /disk space/);
      assert.equal((await rowsOf(u.id)).length, 1);
      assert.equal(await diskUsed(u.id), 6000);
      await assertNoUploadLeftovers(server);
    });

    it('fails on a folder_id that is not the uploader’s, even when it comes after the file', async () => {
      const owner = await server.userClient({ plan: 'pro' });
      const stranger = await server.userClient({ plan: 'pro' });
      const theirs = await createTestFolder(server.ctx, stranger.id);
      for (const folderId of [theirs, 'zzzzzz', '../etc']) {
        const answer = await send(
          (await uploadInfo(owner.client)).url,
          multipart([
            { name: 'userfile', filename: 'a.txt', content: 'x' },
            { name: 'folder_id', value: folderId },
          ]),
        );
        assertFailed(answer, /Folder not found/);
      }
      assert.deepEqual(await rowsOf(owner.id), []);
      assert.equal(await diskUsed(owner.id), 0);
      await assertNoUploadLeftovers(server);
    });

    it('fails on bad forms: too many files, an oversized field, no file, a part cut short, malformed data, a Content-Type that is no media type', async () => {
      const u = await server.userClient({ plan: 'pro' });
      const files = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ name: `userfile${i === 0 ? '' : i + 1}`, filename: `${i}.txt`, content: 'x' }));
      assertFailed(await send((await uploadInfo(u.client)).url, multipart(files(6))), /Too many files/);
      assertFailed(
        await send((await uploadInfo(u.client)).url, multipart([...files(1), { name: 'description', value: 'd'.repeat(5001) }])),
        /longer than 5000/,
      );
      assertFailed(await send((await uploadInfo(u.client)).url, multipart([{ name: 'description', value: 'only text' }])), /No file/);
      const cut = Buffer.concat([Buffer.from(partHead({ name: 'userfile', filename: 'cut.bin', content: '' })), randomBytes(2000)]);
      assert.equal(sessionAnswer((await send((await uploadInfo(u.client)).url, cut)).text).status, 'fail');
      const malformed = Buffer.from(`--${'x'.repeat(10)}\r\nno headers here\r\n\r\n`);
      assertFailed(await send((await uploadInfo(u.client)).url, malformed), /./);
      for (const contentType of ['', '!', 'form-data', '/x; boundary=b'])
        assertFailed(
          await send((await uploadInfo(u.client)).url, multipart(files(1)), { contentType }),
          /Content-Type header is not a media type/,
        );
      assert.deepEqual(await rowsOf(u.id), []);
      await assertNoUploadLeftovers(server);
    });

    it('removes everything when the client disconnects mid-upload, including files already complete', async () => {
      const u = await server.userClient({ plan: 'max' });
      const info = await uploadInfo(u.client);
      const { req, answer } = openRequest(info.url, { headers: { 'content-type': FORM_TYPE, 'content-length': 50 * 1024 * 1024 } });
      answer.catch(() => {});
      req.on('error', () => {});
      const first = Buffer.concat([
        Buffer.from(partHead({ name: 'userfile', filename: 'done.bin', content: '' })),
        randomBytes(100_000),
        Buffer.from('\r\n'),
      ]);
      req.write(first);
      req.write(partHead({ name: 'userfile2', filename: 'half.bin', content: '' }));
      req.write(randomBytes(256 * 1024));
      // The first file is a blob by now, and the second is being written.
      await waitFor(
        async () =>
          (await storedBlobKeys(server)).size > (await server.ctx.db.selectFrom('files').select('id').execute()).length ? true : undefined,
        5000,
        'the first blob',
      );
      await waitFor(
        async () => ((await progressOf(info)).uploaded >= first.length + 256 * 1024 ? true : undefined),
        5000,
        'the bytes to arrive',
      );
      req.destroy();
      await waitFor(async () => ((await progressOf(info)).status === 'fail' ? true : undefined), 5000, 'the upload to fail');
      assert.deepEqual(await rowsOf(u.id), []);
      assert.equal(await diskUsed(u.id), 0);
      await assertNoUploadLeftovers(server);
    });

    it('answers a generic reason for an internal error, never its details', async () => {
      const u = await server.userClient({ plan: 'pro' });
      const blobs = server.ctx.blobs;
      const original = blobs.put;
      blobs.put = async () => {
        throw new Error('EIO: i/o error, open /very/secret/path');
      };
      try {
        const answer = await send((await uploadInfo(u.client)).url, multipart([{ name: 'userfile', filename: 'a.txt', content: 'x' }]));
        assertFailed(answer, /temporarily unavailable/);
        assert.ok(!answer.text.includes('secret') && !answer.text.includes('EIO') && !/\bat \S+:\d+/.test(answer.text), answer.text);
      } finally {
        blobs.put = original;
      }
      await assertNoUploadLeftovers(server);
    });
  });
}

describe('a client that stops sending', () => {
  it('is dropped after the idle timeout, and its upload leaves nothing', async () => {
    const server = await startTestServer({ env: { SENDBAY_UPLOAD_IDLE_TIMEOUT: '1' } });
    try {
      const u = await server.userClient({ plan: 'pro' });
      const info = await uploadInfo(u.client);
      const { req, answer } = openRequest(info.url, { headers: { 'content-type': FORM_TYPE, 'content-length': 1024 * 1024 } });
      const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
      req.on('error', () => {});
      req.write(partHead({ name: 'userfile', filename: 'slow.bin', content: '' }));
      req.write(randomBytes(10_000));
      const a = sessionAnswer((await answer).text);
      assert.equal(a.status, 'fail');
      assert.match(a.reason ?? '', /timed out/);
      await closed; // and then the connection is cut
      const xml = await (await fetch(info.progress_url)).text();
      assert.match(xml, /<status>fail<\/status>/);
      assert.deepEqual(await server.ctx.db.selectFrom('files').select('id').execute(), []);
      await assertNoUploadLeftovers(server);
    } finally {
      await server.stop();
    }
  });
});
