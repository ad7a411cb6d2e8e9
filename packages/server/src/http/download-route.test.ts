// The direct link /dl/<id>/<expires>/<sig>/<name>: bytes, HEAD, ranges, validators,
// headers, refusals and accounting, through HTTP on loopback, on each database.
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { monthOf } from '../domain/clock.js';
import type { FileRow } from '../metadata/repositories/files.js';
import { storeTestFile } from '../testing/stored-file.js';
import { startTestServer, testBlobsOnS3, testDatabases, type TestServer } from '../testing/test-server.js';

const CONTENT = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'); // 36 bytes

for (const database of testDatabases) {
  describe(`direct download link (${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let server: TestServer;
    let now = Math.floor(Date.now() / 1000);
    let ownerId: string;

    before(async () => {
      server = await startTestServer({ database, overrides: { clock: { now: () => now } } });
      ownerId = (await server.userClient()).id;
    });
    after(() => server.stop());

    const store = (opts: Parameters<typeof storeTestFile>[1] = {}) => storeTestFile(server.ctx, { ownerId, content: CONTENT, ...opts });
    const link = (f: FileRow, expires = 0) => server.ctx.links.direct(f.id, f.delete_salt, f.name, expires);
    const row = async (id: string) => server.ctx.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
    const user = async (id: string) => server.ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    it('serves the exact bytes with the headers of a safe attachment', async () => {
      const f = await store({ name: 'notes.txt' });
      const res = await fetch(link(f));
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), CONTENT);
      assert.equal(res.headers.get('content-length'), String(CONTENT.length));
      assert.equal(res.headers.get('accept-ranges'), 'bytes');
      assert.equal(res.headers.get('etag'), `"${f.sha256}"`);
      assert.equal(res.headers.get('last-modified'), new Date(f.upload_time * 1000).toUTCString());
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('cache-control'), 'private');
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`);
    });

    it('never serves HTML as text/html', async () => {
      const f = await store({ name: 'page.html', content: '<html><script>alert(1)</script></html>' });
      const res = await fetch(link(f));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.match(res.headers.get('content-disposition')!, /^attachment;/);
      await res.arrayBuffer();
    });

    it('gives a non-ASCII name with quotes an ASCII fallback and an exact filename*', async () => {
      const name = 'naïve "quoted" файл\\(1).txt';
      const f = await store({ name });
      const res = await fetch(link(f));
      await res.arrayBuffer();
      const cd = res.headers.get('content-disposition')!;
      const m = /^attachment; filename="([^"\\]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/.exec(cd);
      assert.ok(m, cd);
      assert.equal(m[1], 'naive _quoted_ _____(1).txt');
      assert.equal(decodeURIComponent(m[2]!), 'naïve "quoted" файл_(1).txt', 'only the path separator is replaced');
    });

    it('answers HEAD with the same headers, no body, and counts nothing', async () => {
      const f = await store();
      const res = await fetch(link(f), { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-length'), String(CONTENT.length));
      assert.equal(res.headers.get('etag'), `"${f.sha256}"`);
      assert.equal((await res.arrayBuffer()).byteLength, 0);
      const partial = await fetch(link(f), { method: 'HEAD', headers: { range: 'bytes=2-5' } });
      assert.equal(partial.status, 206);
      assert.equal(partial.headers.get('content-range'), `bytes 2-5/${CONTENT.length}`);
      assert.equal(partial.headers.get('content-length'), '4');
      assert.equal((await row(f.id))?.downloads, 0);
    });

    describe('Range', () => {
      let f: FileRow;
      before(async () => {
        f = await store();
      });
      const get = async (range: string, extra: Record<string, string> = {}) => {
        const res = await fetch(link(f), { headers: { range, ...extra } });
        return { res, body: Buffer.from(await res.arrayBuffer()) };
      };

      it('bytes=0-0 is the first byte', async () => {
        const { res, body } = await get('bytes=0-0');
        assert.equal(res.status, 206);
        assert.equal(res.headers.get('content-range'), `bytes 0-0/${CONTENT.length}`);
        assert.equal(res.headers.get('content-length'), '1');
        assert.deepEqual(body, CONTENT.subarray(0, 1));
      });

      it('bytes=-5 is the last five bytes, and a suffix longer than the file is all of it', async () => {
        const { res, body } = await get('bytes=-5');
        assert.equal(res.status, 206);
        assert.equal(res.headers.get('content-range'), `bytes 31-35/${CONTENT.length}`);
        assert.deepEqual(body, CONTENT.subarray(31));
        const all = await get('bytes=-1000');
        assert.equal(all.res.status, 206);
        assert.deepEqual(all.body, CONTENT);
      });

      it('bytes=5- runs to the end, and an end past the size is clamped', async () => {
        const { res, body } = await get('bytes=5-');
        assert.equal(res.status, 206);
        assert.equal(res.headers.get('content-range'), `bytes 5-35/${CONTENT.length}`);
        assert.deepEqual(body, CONTENT.subarray(5));
        const clamped = await get('bytes=30-999');
        assert.equal(clamped.res.headers.get('content-range'), `bytes 30-35/${CONTENT.length}`);
        assert.deepEqual(clamped.body, CONTENT.subarray(30));
      });

      it('a start at or beyond the size is 416 with Content-Range bytes */size', async () => {
        for (const range of [`bytes=${CONTENT.length}-`, 'bytes=1000-2000', 'bytes=-0']) {
          const { res } = await get(range);
          assert.equal(res.status, 416, range);
          assert.equal(res.headers.get('content-range'), `bytes */${CONTENT.length}`);
        }
      });

      it('a malformed or multi-range header is ignored: 200 with everything', async () => {
        for (const range of ['bytes=abc', 'bytes=5-2', 'items=0-5', 'bytes=0-1,4-5', 'bytes=']) {
          const { res, body } = await get(range);
          assert.equal(res.status, 200, range);
          assert.deepEqual(body, CONTENT, range);
        }
      });

      it('If-Range with another validator gives the whole file; ours (tag or date) the range', async () => {
        const stale = await get('bytes=5-9', { 'if-range': '"0000"' });
        assert.equal(stale.res.status, 200);
        assert.deepEqual(stale.body, CONTENT);
        const byTag = await get('bytes=5-9', { 'if-range': `"${f.sha256}"` });
        assert.equal(byTag.res.status, 206);
        assert.deepEqual(byTag.body, CONTENT.subarray(5, 10));
        const byDate = await get('bytes=5-9', { 'if-range': new Date(f.upload_time * 1000).toUTCString() });
        assert.equal(byDate.res.status, 206);
        const weak = await get('bytes=5-9', { 'if-range': `W/"${f.sha256}"` });
        assert.equal(weak.res.status, 200, 'a weak tag never validates a range');
      });
    });

    it('answers 304 to a matching If-None-Match, and counts nothing', async () => {
      const f = await store();
      for (const inm of [`"${f.sha256}"`, `W/"${f.sha256}"`, `"other", "${f.sha256}"`, '*']) {
        const res = await fetch(link(f), { headers: { 'if-none-match': inm } });
        assert.equal(res.status, 304, inm);
        assert.equal(res.headers.get('etag'), `"${f.sha256}"`);
        assert.equal((await res.arrayBuffer()).byteLength, 0);
      }
      const miss = await fetch(link(f), { headers: { 'if-none-match': '"other"' } });
      assert.equal(miss.status, 200);
      await miss.arrayBuffer();
      assert.equal((await row(f.id))?.downloads, 1);
    });

    it('refuses bad links with plain text, never a stack trace', async () => {
      const f = await store();
      const good = link(f);
      const badSig = good.replace(
        /\/dl\/(\w+)\/0\/([^/]+)\//,
        (_m, id: string, sig: string) => `/dl/${id}/0/${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}/`,
      );
      const other = await store();
      // Every link that is not one this server issued answers like an unknown id: a 403
      // would tell a prober that the id exists.
      const cases: [string, number][] = [
        [badSig, 404],
        [good.replace(`/dl/${f.id}/0/`, `/dl/${f.id}/1/`), 404],
        [good.replace(`/dl/${f.id}/`, '/dl/zzzzzz/'), 404],
        [good.replace(`/dl/${f.id}/`, `/dl/${other.id}/`), 404],
        [good.replace(`/dl/${f.id}/0/`, `/dl/${f.id}/x/`), 404],
        [`${server.url}/dl/${f.id}/0/short`, 404],
      ];
      for (const [url, status] of cases) {
        const res = await fetch(url);
        assert.equal(res.status, status, url);
        assert.match(res.headers.get('content-type')!, /^text\/plain/);
        const text = await res.text();
        assert.doesNotMatch(text, /at .*\.ts|Error:/);
      }
      const noName = good.slice(0, good.lastIndexOf('/'));
      assert.equal((await fetch(noName)).status, 200, 'the trailing name is optional');
    });

    it('serves a protected file only through an expiring link, until it expires', async () => {
      const f = await store({ password: 'sesame' });
      assert.equal((await fetch(link(f))).status, 403, 'no non-expiring link for a protected file');
      const url = link(f, now + 60);
      const ok = await fetch(url);
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
      now += 61;
      const late = await fetch(url);
      assert.equal(late.status, 403);
      await late.text();
    });

    it('counts a download only for requests starting at byte 0, and charges the owner the bytes sent', async () => {
      const { id: owner } = await server.userClient();
      const f = await storeTestFile(server.ctx, { ownerId: owner, content: CONTENT });
      const send = async (range?: string) => {
        const res = await fetch(link(f), range ? { headers: { range } } : {});
        await res.arrayBuffer();
        return res.status;
      };
      assert.equal(await send(), 200); // counts, 36 bytes
      assert.equal(await send('bytes=10-19'), 206); // 10 bytes
      assert.equal(await send('bytes=-6'), 206); // 6 bytes
      assert.equal(await send('bytes=0-3'), 206); // counts, 4 bytes
      const r = await row(f.id);
      assert.equal(r?.downloads, 2);
      assert.equal(r?.last_download_at, now);
      const u = await user(owner);
      assert.equal(u.bandwidth_used, 36 + 10 + 6 + 4);
      assert.equal(u.bandwidth_month, monthOf(now));
    });

    it('refuses once the owner has no bandwidth left this month, without counting', async () => {
      const limited = await startTestServer({ database, env: { SENDBAY_PLAN_LITE_BANDWIDTH: '100' } });
      try {
        const { id: owner } = await limited.userClient();
        const f = await storeTestFile(limited.ctx, { ownerId: owner, content: CONTENT });
        const url = limited.ctx.links.direct(f.id, f.delete_salt, f.name);
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const res = await fetch(url);
          await res.arrayBuffer();
          statuses.push(res.status);
        }
        assert.deepEqual(statuses, [200, 200, 403], '100 bytes fit two 36-byte downloads');
        const r = await limited.ctx.db.selectFrom('files').select('downloads').where('id', '=', f.id).executeTakeFirstOrThrow();
        assert.equal(r.downloads, 2);
        const u = await limited.ctx.db.selectFrom('users').select('bandwidth_used').where('id', '=', owner).executeTakeFirstOrThrow();
        assert.equal(u.bandwidth_used, 72);
      } finally {
        await limited.stop();
      }
    });

    it('answers 410 when the blob is gone', async () => {
      const f = await store();
      await server.ctx.blobs.delete(f.blob_key);
      const res = await fetch(link(f));
      assert.equal(res.status, 410);
      await res.text();
      assert.equal((await row(f.id))?.downloads, 0);
    });

    // Linux: open descriptors are read from /proc. A disk store's file only: the S3 run
    // (SENDBAY_TEST_BLOB_STORE=s3) has no descriptor to watch.
    const diskOnly = testBlobsOnS3 && 'watches the disk store’s file descriptor; runs in the disk pass';
    it('closes the stored file as soon as the client goes away', { skip: diskOnly }, async () => {
      const big = Buffer.alloc(16 * 1024 * 1024, 7);
      const f = await store({ content: big });
      const openOnBlob = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`).endsWith(f.blob_key);
          } catch {
            return false;
          }
        }).length;
      // node:http, so that "going away" is exactly a closed socket.
      await new Promise<void>((resolve, reject) => {
        const req = http.get(link(f), (res) => {
          res.once('data', () => {
            try {
              assert.equal(openOnBlob(), 1, 'the blob is open while the download runs');
              resolve();
            } catch (err) {
              reject(err as Error);
            } finally {
              req.destroy();
            }
          });
        });
        req.on('error', () => {});
      });
      for (let i = 0; i < 200 && openOnBlob() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(openOnBlob(), 0, 'the read stopped and the file was closed');
    });
  });
}
