// The disk store: the shared BlobStore contract, plus what only a disk store has
// (temporary files, the key-to-path mapping that must stay inside its root).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { randomKey } from '../lib/crypto.js';
import { blobStoreContract } from './blob-store-contract.js';
import { DiskBlobStore } from './disk-store.js';

blobStoreContract('DiskBlobStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sendbay-blobs-'));
  return { store: new DiskBlobStore(root), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('DiskBlobStore on disk', () => {
  let root: string;
  let store: DiskBlobStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sendbay-blobs-'));
    store = new DiskBlobStore(root);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('files a blob under blobs/ab/cd/<key> and leaves no temporary file', async () => {
    const key = randomKey(32);
    await store.put(key, Readable.from([Buffer.from('x')]));
    assert.deepEqual(await readdir(join(root, 'blobs', key.slice(0, 2), key.slice(2, 4))), [key]);
    assert.deepEqual(await readdir(store.tmpDir), []);
  });

  it('removes the temporary file of a failed put', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(1000);
        throw new Error('boom');
      })(),
    );
    await assert.rejects(store.put(randomKey(32), failing));
    assert.deepEqual(await readdir(store.tmpDir), []);
  });

  it('refuses keys that are not server-made, so no path can leave the store', async () => {
    for (const key of ['../../etc/passwd', 'a/b/cdefghij', 'short', '', 'x'.repeat(129), 'abcdefgh.part']) {
      await assert.rejects(store.put(key, Readable.from([Buffer.from('x')])), /invalid blob key/, key);
      await assert.rejects(store.stat(key), /invalid blob key/);
    }
  });

  it('removes stale temporary files only', async () => {
    await mkdir(store.tmpDir, { recursive: true });
    const stale = join(store.tmpDir, 'stale.part');
    const fresh = join(store.tmpDir, 'fresh.part');
    await writeFile(stale, 'left by a crash');
    await writeFile(fresh, 'being written');
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(stale, old, old);
    assert.equal(await store.removeStaleTemporaries(3600), 1);
    assert.deepEqual(await readdir(store.tmpDir), ['fresh.part']);
    await rm(fresh);
  });

  // writeTo reuses its two buffers: a chunk must stay intact until its write completes.
  it('writeTo sends every byte (and exact ranges) through a slow destination', async () => {
    const data = Buffer.alloc(5 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 20)) & 0xff;
    const key = randomKey(32);
    await store.put(key, Readable.from([data]));
    const send = async (range?: { start: number; end: number }) => {
      const got: Buffer[] = [];
      const slow = new Writable({
        write(chunk: Buffer, _enc, cb) {
          const copy = Buffer.from(chunk);
          setTimeout(() => {
            assert.ok(chunk.equals(copy), 'a chunk changed before its write completed');
            got.push(copy);
            cb();
          }, 2);
        },
      });
      await (await store.get(key, range)).writeTo(slow);
      return Buffer.concat(got);
    };
    assert.ok((await send()).equals(data));
    assert.ok((await send({ start: 1_000_000, end: 3_500_000 })).equals(data.subarray(1_000_000, 3_500_001)));
  });

  it('writeTo stops and closes the file when the destination closes', async () => {
    const key = randomKey(32);
    await store.put(key, Readable.from([Buffer.alloc(4 * 1024 * 1024, 1)]));
    const body = await store.get(key);
    const closing = new Writable({
      write(_chunk, _enc, cb) {
        this.destroy();
        cb();
      },
    });
    await assert.rejects(body.writeTo(closing));
    assert.ok(body.destroyed);
  });
});
