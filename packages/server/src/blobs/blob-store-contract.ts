/**
 * The contract every BlobStore implementation must pass (disk now, S3 later): run it
 * from the implementation's own test file with a factory for a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { randomKey } from '../lib/crypto.js';
import type { BlobStore } from './blob-store.js';

export interface BlobStoreFixture {
  store: BlobStore;
  cleanup(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `size` bytes of a deterministic pattern, produced as they are read (never all in memory). */
function generated(size: number, chunk = 256 * 1024): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(chunk, size - sent);
      const buf = Buffer.alloc(n);
      for (let i = 0; i + 4 <= n; i += 4) buf.writeUInt32LE((sent + i) >>> 0, i);
      sent += n;
      this.push(buf);
    },
  });
}

/** SHA-256 (hex) and size of everything `stream` gives; shared with the resumable-store contract. */
export async function hashOf(stream: Readable): Promise<{ sha: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of stream) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { sha: h.digest('hex'), size };
}

async function allKeys(store: BlobStore): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const batch of store.list()) for (const k of batch) keys.add(k);
  return keys;
}

export function blobStoreContract(name: string, make: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let f: BlobStoreFixture;
    before(async () => {
      f = await make();
    });
    after(() => f.cleanup());

    it('returns the bytes it was given, and their size', async () => {
      const key = randomKey(32);
      const data = Buffer.from('hello, blob store\n');
      assert.deepEqual(await f.store.put(key, Readable.from([data.subarray(0, 5), data.subarray(5)])), { size: data.length });
      assert.deepEqual(await readAll(await f.store.get(key)), data);
    });

    it('serves an inclusive byte range', async () => {
      const key = randomKey(32);
      await f.store.put(key, Readable.from([Buffer.from('0123456789')]));
      assert.equal((await readAll(await f.store.get(key, { start: 2, end: 5 }))).toString(), '2345');
      assert.equal((await readAll(await f.store.get(key, { start: 9, end: 9 }))).toString(), '9');
    });

    it('stores an empty body as an empty blob', async () => {
      const key = randomKey(32);
      assert.deepEqual(await f.store.put(key, Readable.from([])), { size: 0 });
      assert.equal((await f.store.stat(key))?.size, 0);
    });

    it('stats a blob (size, modification time) and answers null for a missing key', async () => {
      const key = randomKey(32);
      const before = Math.floor(Date.now() / 1000);
      await f.store.put(key, Readable.from([Buffer.alloc(1234)]));
      const s = await f.store.stat(key);
      assert.equal(s?.size, 1234);
      assert.ok(s!.modifiedAt >= before - 1 && s!.modifiedAt <= Math.floor(Date.now() / 1000) + 1);
      assert.equal(await f.store.stat(randomKey(32)), null);
    });

    it('deletes idempotently', async () => {
      const key = randomKey(32);
      await f.store.put(key, Readable.from([Buffer.from('x')]));
      await f.store.delete(key);
      assert.equal(await f.store.stat(key), null);
      await f.store.delete(key);
      await f.store.delete(randomKey(32));
      await assert.rejects(f.store.get(key));
    });

    it('lists every stored key', async () => {
      const keys = [randomKey(32), randomKey(32), randomKey(32)];
      for (const k of keys) await f.store.put(k, Readable.from([Buffer.from(k)]));
      const listed = await allKeys(f.store);
      for (const k of keys) assert.ok(listed.has(k), k);
    });

    it('leaves nothing at the key when the body fails', async () => {
      const key = randomKey(32);
      const failing = Readable.from(
        (async function* () {
          yield Buffer.alloc(64 * 1024);
          throw new Error('client went away');
        })(),
      );
      await assert.rejects(f.store.put(key, failing), /client went away/);
      assert.equal(await f.store.stat(key), null);
      assert.ok(!(await allKeys(f.store)).has(key));
    });

    it('rejects and leaves nothing when the put is aborted', async () => {
      const key = randomKey(32);
      const ac = new AbortController();
      let sent = 0;
      const endless = new Readable({
        read() {
          sent += 16 * 1024;
          if (sent > 256 * 1024) ac.abort();
          setImmediate(() => this.push(Buffer.alloc(16 * 1024)));
        },
      });
      await assert.rejects(f.store.put(key, endless, { signal: ac.signal }));
      assert.equal(await f.store.stat(key), null);
    });

    it('streams a large body through (generated as it is read) and back', async () => {
      const key = randomKey(32);
      const size = 48 * 1024 * 1024 + 3;
      const expected = await hashOf(generated(size));
      assert.deepEqual(await f.store.put(key, generated(size)), { size });
      assert.deepEqual(await hashOf(await f.store.get(key)), expected);
      await f.store.delete(key);
    });
  });
}
