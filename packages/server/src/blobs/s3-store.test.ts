// The S3 store: the shared BlobStore contract on each real engine CI starts (Swift with
// s3api, Ceph RGW), plus what only an S3 store has: multipart uploads that never stay
// open, the sweep of those a crash left, presigned URLs, and a check() that says the
// engine is down.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { randomKey } from '../lib/crypto.js';
import { createTestBucket, missing, testCeph, testS3, type S3Engine, type TestBucket } from '../testing/s3-engines.js';
import { blobStoreContract } from './blob-store-contract.js';
import { createS3Client } from './s3-client.js';
import { S3BlobStore } from './s3-store.js';

const MB = 1024 * 1024;

function storeIn(b: TestBucket, partSize = 5 * MB, queueSize = 2, spoolDir?: string): S3BlobStore {
  return new S3BlobStore(b.client, { bucket: b.bucket, partSize, queueSize, ...(spoolDir ? { spoolDir } : {}) });
}

/** Every file under `dir` (the spool's per-process folder included). */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

function onEngine(variable: string, e: S3Engine | undefined): void {
  if (!e) {
    describe(`S3BlobStore (${variable})`, () => {
      it('runs on a real engine', { skip: missing(variable) }, () => {});
    });
    return;
  }
  blobStoreContract(`S3BlobStore on ${e.name}`, async () => {
    const b = await createTestBucket(e);
    return { store: storeIn(b), cleanup: () => b.drop() };
  });

  describe(`S3BlobStore on ${e.name}`, () => {
    let b: TestBucket;
    let store: S3BlobStore;
    let spool: string;
    before(async () => {
      b = await createTestBucket(e);
      spool = await mkdtemp(join(tmpdir(), 'sendbay-spool-test-'));
      store = storeIn(b, 5 * MB, 2, spool);
    });
    after(async () => {
      await b.drop();
      await rm(spool, { recursive: true, force: true });
    });

    it('sends a file of several parts from its spool, keeping no spooled file afterwards', async () => {
      const key = randomKey(32);
      const body = Buffer.alloc(17 * MB + 5);
      for (let i = 0; i < body.length; i += 4096) body[i] = i & 0xff;
      assert.deepEqual(await store.put(key, Readable.from([body.subarray(0, 3 * MB), body.subarray(3 * MB)])), { size: body.length });
      const got = createHash('sha256');
      for await (const c of await store.get(key)) got.update(c as Buffer);
      assert.equal(got.digest('hex'), createHash('sha256').update(body).digest('hex'));
      assert.deepEqual(await filesIn(spool), []);
      assert.equal(await b.openUploads(), 0);
    });

    it('leaves no multipart upload open when the body fails after several parts', async () => {
      const key = randomKey(32);
      const failing = Readable.from(
        (async function* () {
          for (let i = 0; i < 12; i++) yield Buffer.alloc(MB, i);
          throw new Error('client went away');
        })(),
      );
      await assert.rejects(store.put(key, failing), /client went away/);
      assert.equal(await b.openUploads(), 0);
      assert.equal(await store.stat(key), null);
      assert.deepEqual(await filesIn(spool), [], 'no spooled part is left');
    });

    it('leaves no multipart upload open when aborted mid-way', async () => {
      const key = randomKey(32);
      const ac = new AbortController();
      let sent = 0;
      const endless = new Readable({
        read() {
          sent += MB;
          if (sent === 12 * MB) ac.abort();
          setImmediate(() => this.push(Buffer.alloc(MB)));
        },
      });
      await assert.rejects(store.put(key, endless, { signal: ac.signal }), { name: 'AbortError' });
      assert.equal(await b.openUploads(), 0);
      assert.equal(await store.stat(key), null);
      assert.deepEqual(await filesIn(spool), [], 'no spooled part is left');
    });

    it('keys its objects under blobs/ and lists only those', async () => {
      const key = randomKey(32);
      await store.put(key, Readable.from([Buffer.from('x')]));
      const other = new S3BlobStore(b.client, { bucket: b.bucket, prefix: 'elsewhere/', partSize: 5 * MB, queueSize: 1 });
      const otherKey = randomKey(32);
      await other.put(otherKey, Readable.from([Buffer.from('y')]));
      const listed = new Set<string>();
      for await (const batch of store.list()) for (const k of batch) listed.add(k);
      assert.ok(listed.has(key));
      assert.ok(!listed.has(otherKey));
      assert.equal(await store.stat(otherKey), null);
    });

    it('aborts stale multipart uploads (a crash mid-upload) but not fresh or kept ones', async () => {
      const open = async (key: string) => {
        const { UploadId } = await b.client.send(new CreateMultipartUploadCommand({ Bucket: b.bucket, Key: `blobs/${key}` }));
        await b.client.send(
          new UploadPartCommand({ Bucket: b.bucket, Key: `blobs/${key}`, UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MB) }),
        );
      };
      const [stale, kept] = [randomKey(32), randomKey(32)];
      await open(stale);
      await open(kept);
      assert.equal(await store.removeStaleTemporaries(3600), 0, 'fresh uploads stay');
      const later = Date.now() + 2 * 3600 * 1000;
      assert.equal(await store.removeStaleTemporaries(3600, (k) => k === kept, later), 1);
      assert.equal(await b.openUploads(), 1);
      assert.equal(await store.removeStaleTemporaries(3600, () => false, later), 1);
      assert.equal(await b.openUploads(), 0);
    });

    it('hands out a presigned URL that serves the bytes as an attachment', async () => {
      const key = randomKey(32);
      await store.put(key, Readable.from([Buffer.from('presigned bytes')]));
      const url = await store.presignedUrl(key, { contentDisposition: 'attachment; filename="a.txt"', expiresInSeconds: 60 });
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'presigned bytes');
      assert.equal(res.headers.get('content-disposition'), 'attachment; filename="a.txt"');
      const ranged = await fetch(url, { headers: { range: 'bytes=10-14' } });
      assert.equal(ranged.status, 206);
      assert.equal(await ranged.text(), 'bytes');
    });

    it('check() passes on the bucket and names the problem when it is missing', async () => {
      await store.check();
      const wrong = new S3BlobStore(b.client, { bucket: `${b.bucket}-missing`, partSize: 5 * MB, queueSize: 1 });
      await assert.rejects(wrong.check(), /S3 storage failed reaching the bucket .*HTTP 404/);
    });

    it('refuses wrong credentials with a clear error', async () => {
      const bad = createS3Client({ ...e.settings, secretAccessKey: 'wrong-secret' }, { maxAttempts: 1 });
      const s = new S3BlobStore(bad, { bucket: b.bucket, partSize: 5 * MB, queueSize: 1 });
      await assert.rejects(
        s.put(randomKey(32), Readable.from([Buffer.from('x')])),
        /S3 storage failed storing the file: the storage answered HTTP 403/,
      );
      bad.destroy();
    });
  });
}

onEngine('SENDBAY_TEST_S3_URL', testS3);
onEngine('SENDBAY_TEST_CEPH_URL', testCeph);

describe('S3BlobStore with no engine listening', () => {
  it('check() and get() reject with what went wrong, and put() leaves the body consumed', async () => {
    const client = createS3Client(
      { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true },
      { maxAttempts: 1 },
    );
    const store = new S3BlobStore(client, { bucket: 'nowhere', partSize: 5 * MB, queueSize: 1 });
    await assert.rejects(store.check(), /S3 storage failed reaching the bucket nowhere: ECONNREFUSED/);
    await assert.rejects(store.get(randomKey(32)), /S3 storage failed reading the file: ECONNREFUSED/);
    await assert.rejects(store.put(randomKey(32), Readable.from([Buffer.alloc(1000)])), /S3 storage failed storing the file/);
    client.destroy();
  });
});
