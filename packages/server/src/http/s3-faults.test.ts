// The server on S3 when the engine is in trouble (a fault-injecting proxy in front of
// the real engine): uploads answer upload_status=fail with a reason and charge nothing,
// leaving no row, no object and no open multipart upload; downloads answer 503 with a
// clear text; /readyz names the blob store as down, and all is well again once the
// engine is. Also: presigned-redirect downloads, counted like any other.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FileRow } from '../metadata/repositories/files.js';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy.js';
import { createTestBucket, missing, testS3, type TestBucket } from '../testing/s3-engines.js';
import { storeTestFile } from '../testing/stored-file.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { assertNoUploadLeftovers, multipart, send, sessionAnswer, uploadInfo } from '../testing/upload-kit.js';

const MB = 1024 * 1024;

if (!testS3) {
  describe('the server on S3 in trouble', () => {
    it('runs on a real engine', { skip: missing('SENDBAY_TEST_S3_URL') }, () => {});
  });
} else {
  const engine = testS3;

  describe('the server on S3 in trouble', () => {
    let proxy: FaultProxy;
    let bucket: TestBucket;
    let server: TestServer;
    before(async () => {
      proxy = await startFaultProxy(engine.settings.endpoint!);
      bucket = await createTestBucket(engine);
      server = await startTestServer({
        env: { ...bucket.env, SENDBAY_S3_ENDPOINT: proxy.endpoint, SENDBAY_S3_REQUEST_TIMEOUT: '2' },
      });
      // The test bucket is the server's, but made here: hand it to the kit's leftover checks.
      (server as { bucket: TestBucket | undefined }).bucket = bucket;
    });
    after(async () => {
      await server.stop();
      await bucket.drop();
      await proxy.close();
    });

    const diskUsed = async (id: string) =>
      (await server.ctx.db.selectFrom('users').select('diskspace_used').where('id', '=', id).executeTakeFirstOrThrow()).diskspace_used;
    const rows = (id: string) => server.ctx.db.selectFrom('files').select('id').where('owner_id', '=', id).execute();
    const link = (f: FileRow) => server.ctx.links.direct(f.id, f.delete_salt, f.name);
    const readiness = async () => {
      const res = await fetch(`${server.url}/readyz`);
      return { status: res.status, down: ((await res.json()) as { down?: string[] }).down ?? [] };
    };
    const upload = async (u: Awaited<ReturnType<TestServer['userClient']>>, content: Buffer) =>
      sessionAnswer((await send((await uploadInfo(u.client)).url, multipart([{ name: 'userfile', filename: 'f.bin', content }]))).text);

    for (const mode of ['error', 'refuse', 'hang'] as const) {
      it(`an engine that ${{ error: 'answers 503', refuse: 'refuses connections', hang: 'stops answering' }[mode]}: uploads fail cleanly, downloads answer 503, readiness says blobs`, async () => {
        const u = await server.userClient({ plan: 'pro' });
        const kept = await storeTestFile(server.ctx, { ownerId: u.id, content: Buffer.from('bytes stored before the fault') });
        const used = await diskUsed(u.id);
        proxy.mode = mode;
        try {
          const a = await upload(u, randomBytes(64 * 1024));
          assert.equal(a.status, 'fail');
          assert.match(a.reason ?? '', /temporarily unavailable/);
          assert.equal((await rows(u.id)).length, 1, 'only the file stored before');
          assert.equal(await diskUsed(u.id), used, 'nothing charged');

          const res = await fetch(link(kept));
          assert.equal(res.status, 503);
          assert.match(await res.text(), /storage is not answering/);

          assert.deepEqual(await readiness(), { status: 503, down: ['blobs'] });
        } finally {
          proxy.mode = 'pass';
        }
        assert.deepEqual(await readiness(), { status: 200, down: [] });
        const res = await fetch(link(kept));
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'bytes stored before the fault');
        const again = await upload(u, randomBytes(1000));
        assert.equal(again.status, 'ok');
        await assertNoUploadLeftovers(server);
      });
    }

    it('a part upload refused mid-file: the multipart upload is aborted, nothing is charged', async () => {
      const u = await server.userClient({ plan: 'pro' });
      const before = proxy.seen.length;
      proxy.mode = 'error';
      proxy.failWhen = (req) => req.method === 'PUT' && /partNumber=2\b/.test(req.url ?? '');
      try {
        const a = await upload(u, randomBytes(12 * MB));
        assert.equal(a.status, 'fail');
        assert.match(a.reason ?? '', /temporarily unavailable/);
      } finally {
        proxy.mode = 'pass';
        proxy.failWhen = () => true;
      }
      const seen = proxy.seen.slice(before);
      assert.ok(
        seen.some((r) => /^PUT .*partNumber=1\b/.test(r)),
        'the first part went through',
      );
      assert.ok(
        seen.some((r) => /^DELETE .*uploadId=/.test(r)),
        'the multipart upload was aborted',
      );
      assert.deepEqual(await rows(u.id), []);
      assert.equal(await diskUsed(u.id), 0);
      await assertNoUploadLeftovers(server);
    });
  });

  describe('presigned-redirect downloads from S3', () => {
    let bucket: TestBucket;
    let server: TestServer;
    before(async () => {
      bucket = await createTestBucket(engine);
      server = await startTestServer({ env: { ...bucket.env, SENDBAY_S3_PRESIGNED_DOWNLOADS: 'true' } });
    });
    after(async () => {
      await server.stop();
      await bucket.drop();
    });

    it('counts the download, then redirects to a signed URL that serves the bytes as an attachment', async () => {
      const u = await server.userClient();
      const content = randomBytes(100_000);
      const f = await storeTestFile(server.ctx, { ownerId: u.id, name: 'report.pdf', content });
      const res = await fetch(server.ctx.links.direct(f.id, f.delete_salt, f.name), { redirect: 'manual' });
      assert.equal(res.status, 302);
      const location = res.headers.get('location') ?? '';
      assert.ok(location.startsWith(engine.settings.endpoint!), location);
      assert.match(location, /X-Amz-Signature=/);
      const row = await server.ctx.db.selectFrom('files').select('downloads').where('id', '=', f.id).executeTakeFirstOrThrow();
      assert.equal(row.downloads, 1);
      const bytes = await fetch(location);
      assert.equal(bytes.status, 200);
      assert.match(bytes.headers.get('content-disposition') ?? '', /attachment; filename="report.pdf"/);
      assert.ok(Buffer.from(await bytes.arrayBuffer()).equals(content));
      // A missing blob still answers 410 here, not a redirect to the engine's error.
      await server.ctx.blobs.delete(f.blob_key);
      assert.equal((await fetch(server.ctx.links.direct(f.id, f.delete_salt, f.name), { redirect: 'manual' })).status, 410);
    });
  });
}
