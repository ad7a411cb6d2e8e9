// The blob sweeper and tus on S3 agree: an unfinished tus upload's multipart upload waits
// at its blob key for as long as the upload lives (a day by default), so the sweep of
// stale multipart uploads must leave it, while still aborting one no upload knows. Real
// time on a real engine: the shortest grace the server takes is a minute.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomKey } from '../lib/crypto.js';
import { createTestBucket, missing, testS3, type TestBucket } from '../testing/s3-engines.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { uploadInfo } from '../testing/upload-kit.js';
import { createUpload, patch } from './tus-test-kit.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe(
  'the blob sweeper spares unfinished tus uploads on S3',
  { skip: testS3 ? false : missing('SENDBAY_TEST_S3_URL'), timeout: 180_000 },
  () => {
    let bucket: TestBucket;
    let server: TestServer;
    before(async () => {
      bucket = await createTestBucket(testS3!);
      server = await startTestServer({ env: { ...bucket.env, SENDBAY_ORPHAN_GRACE: '60' } });
    });
    after(async () => {
      await server.stop();
      await bucket.drop();
    });

    it('leaves the parts of an upload in progress past the grace period, and aborts a multipart upload no upload knows', async () => {
      const { client } = await server.userClient({ plan: 'max' });
      const ticket = (await uploadInfo(client)).extra_info as string;
      const content = randomBytes(7 * 1024 * 1024);
      const url = (await createUpload(server.url, content.length, { ticket, filename: 'slow.bin' })).headers.get('location') as string;
      assert.equal((await patch(url, 0, content.subarray(0, 6 * 1024 * 1024))).status, 204);
      await bucket.client.send(new CreateMultipartUploadCommand({ Bucket: bucket.bucket, Key: `blobs/${randomKey(32)}` }));
      assert.equal(await bucket.openUploads(), 2);
      await sleep(62_000);
      for (const job of server.ctx.jobs) await job.run();
      assert.equal(await bucket.openUploads(), 1, 'the stray multipart upload is aborted, the tus upload kept');
      const done = await patch(url, 6 * 1024 * 1024, content.subarray(6 * 1024 * 1024));
      assert.equal(done.status, 204);
      const row = await server.ctx.db
        .selectFrom('files')
        .selectAll()
        .where('id', '=', done.headers.get('sendbay-file-id') as string)
        .executeTakeFirstOrThrow();
      const h = createHash('sha256');
      for await (const c of await server.ctx.blobs.get(row.blob_key)) h.update(c as Buffer);
      assert.equal(h.digest('hex'), sha256(content));
      assert.equal(await bucket.openUploads(), 0);
    });
  },
);
