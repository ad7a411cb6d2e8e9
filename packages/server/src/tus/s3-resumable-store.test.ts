// The S3 resumable store on each real engine CI starts (Swift with s3api, Ceph RGW): the
// shared ResumableStore contract, with a second store on its own local folder as the
// other node, plus what only S3 has: parts of a multipart upload that must never hold a
// refused chunk, and tails that are fetched once by a node without a local copy.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { S3_BLOB_PREFIX, S3BlobStore } from '../blobs/s3-store.js';
import { randomKey } from '../lib/crypto.js';
import { createTestBucket, missing, testCeph, testS3, type S3Engine, type TestBucket } from '../testing/s3-engines.js';
import { contentAt, resumableStoreContract } from './resumable-store-contract.js';
import { S3ResumableStore } from './s3-resumable-store.js';
import { parseState } from './s3-upload-state.js';

const MB = 1024 * 1024;
const PART = 5 * MB;

function storeIn(b: TestBucket, dir: string): S3ResumableStore {
  return new S3ResumableStore(b.client, { bucket: b.bucket, blobPrefix: S3_BLOB_PREFIX, partSize: PART, queueSize: 2, dir });
}

async function openUploads(b: TestBucket): Promise<string[]> {
  const r = await b.client.send(new ListMultipartUploadsCommand({ Bucket: b.bucket }));
  return (r.Uploads ?? []).map((u) => `open multipart upload ${u.Key}`);
}

function onEngine(variable: string, e: S3Engine | undefined): void {
  if (!e) {
    describe(`S3ResumableStore (${variable})`, () => {
      it('runs on a real engine', { skip: missing(variable) }, () => {});
    });
    return;
  }
  resumableStoreContract(`S3ResumableStore on ${e.name}`, async () => {
    const b = await createTestBucket(e);
    const dirs = [await mkdtemp(join(tmpdir(), 'sendbay-tus-s3-a-')), await mkdtemp(join(tmpdir(), 'sendbay-tus-s3-b-'))];
    return {
      store: storeIn(b, dirs[0] as string),
      otherNode: storeIn(b, dirs[1] as string),
      blobs: new S3BlobStore(b.client, { bucket: b.bucket, partSize: PART, queueSize: 2 }),
      leftovers: async () => [
        ...(await readdir(dirs[0] as string)),
        ...(await readdir(dirs[1] as string)),
        ...(await b.objectKeys()).filter((k) => !k.startsWith(S3_BLOB_PREFIX)),
        ...(await openUploads(b)),
      ],
      cleanup: async () => {
        await b.drop();
        for (const d of dirs) await rm(d, { recursive: true, force: true });
      },
    };
  });

  describe(`S3ResumableStore on ${e.name}`, () => {
    let b: TestBucket;
    let dir: string;
    let store: S3ResumableStore;
    before(async () => {
      b = await createTestBucket(e);
      dir = await mkdtemp(join(tmpdir(), 'sendbay-tus-s3-'));
      store = storeIn(b, dir);
    });
    after(async () => {
      await b.drop();
      await rm(dir, { recursive: true, force: true });
    });
    const tailObjects = async () => (await b.objectKeys()).filter((k) => k.startsWith('tus/')).sort();

    it('uploads no part of a chunk refused by its checksum', async () => {
      const up = { id: randomKey(32), blobKey: randomKey(32), state: null as string | null };
      await store.create(up);
      const first = await store.append(up, 0, Readable.from([contentAt(0, 6 * MB)]));
      up.state = first.state;
      const { uploadId } = parseState(up.state);
      assert.ok(uploadId, 'a full part opened the multipart upload');
      const refused = await store.append(up, 6 * MB, Readable.from([contentAt(6 * MB, 12 * MB, 3)]), { whole: () => false });
      assert.equal(refused.rejected, true);
      const parts = await b.client.send(new ListPartsCommand({ Bucket: b.bucket, Key: S3_BLOB_PREFIX + up.blobKey, UploadId: uploadId }));
      assert.deepEqual(
        (parts.Parts ?? []).map((p) => p.PartNumber),
        [1],
        'only the part of the accepted bytes is in the multipart upload',
      );
      await store.remove(up.id, up.blobKey);
      assert.deepEqual(await openUploads(b), [], 'removal aborted the multipart upload');
      assert.deepEqual(await readdir(dir), []);
    });

    it('continues a tail larger than a part after the part size was lowered', async () => {
      const up = { id: randomKey(32), blobKey: randomKey(32), state: null as string | null };
      const before = new S3ResumableStore(b.client, { bucket: b.bucket, blobPrefix: S3_BLOB_PREFIX, partSize: 7 * MB, queueSize: 1, dir });
      await before.create(up);
      up.state = (await before.append(up, 0, Readable.from([contentAt(0, 6 * MB)]))).state;
      assert.equal(parseState(up.state).tail?.size, 6 * MB, 'all of it is a tail under the old 7 MiB parts');
      up.state = (await store.append(up, 6 * MB, Readable.from([contentAt(6 * MB, 2 * MB)]))).state;
      const after = parseState(up.state);
      assert.deepEqual(
        after.parts.map((p) => p.size),
        [6 * MB],
        'the old tail became a part of its own (larger parts are fine for S3)',
      );
      assert.equal(after.tail?.size, 2 * MB);
      await store.finish(up);
      const h = createHash('sha256');
      for await (const c of await new S3BlobStore(b.client, { bucket: b.bucket, partSize: PART, queueSize: 1 }).get(up.blobKey))
        h.update(c as Buffer);
      assert.equal(
        h.digest('hex'),
        createHash('sha256')
          .update(contentAt(0, 8 * MB))
          .digest('hex'),
      );
    });

    it('keeps the tail as a small object and a local copy, and replaces both as bytes arrive', async () => {
      const up = { id: randomKey(32), blobKey: randomKey(32), state: null as string | null };
      await store.create(up);
      up.state = (await store.append(up, 0, Readable.from([contentAt(0, 3 * MB)]))).state;
      const tail = parseState(up.state).tail;
      assert.equal(tail?.size, 3 * MB);
      assert.deepEqual(await readdir(dir), [`${up.id}.t${tail?.tag}`]);
      assert.deepEqual(await tailObjects(), [`tus/${up.id}/${tail?.tag}`]);
      up.state = (await store.append(up, 3 * MB, Readable.from([contentAt(3 * MB, 3 * MB)]))).state;
      const next = parseState(up.state);
      assert.equal(next.parts.length, 1);
      assert.equal(next.tail?.size, MB);
      // The replaced tail goes with the next append, once this state is surely the recorded one.
      up.state = (await store.append(up, 6 * MB, Readable.from([contentAt(6 * MB, 1000)]))).state;
      const last = parseState(up.state).tail;
      assert.deepEqual(await tailObjects(), [`tus/${up.id}/${next.tail?.tag}`, `tus/${up.id}/${last?.tag}`].sort());
      await store.remove(up.id, up.blobKey);
      assert.deepEqual(await tailObjects(), []);
    });
  });
}

onEngine('SENDBAY_TEST_S3_URL', testS3);
onEngine('SENDBAY_TEST_CEPH_URL', testCeph);
