/**
 * The contract every ResumableStore must pass (disk; S3 on each real engine): run it from
 * the implementation's own test file with a factory for a fresh store over a fresh blob
 * store. The test plays the caller's part: it keeps the state each append returns, as
 * the database would, and hands it back.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { hashOf } from '../blobs/blob-store-contract.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { randomKey } from '../lib/crypto.js';
import type { ResumableStore, StoredUpload } from './resumable-store.js';

export interface ResumableStoreFixture {
  store: ResumableStore;
  /** The same uploads seen from another node (its own local folder where the store has one). */
  otherNode: ResumableStore;
  blobs: BlobStore;
  /** Whatever of the store's data is left anywhere (files, objects, open multipart uploads). */
  leftovers(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const MB = 1024 * 1024;

/** Bytes `start`…`start + size` of an upload's content: a pattern that depends on the position. */
export function contentAt(start: number, size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = ((start + i) * 31 + seed * 7 + ((start + i) >> 11)) & 0xff;
  return b;
}

/** A body of `size` bytes from `start`, in chunks as a socket delivers them; fails after them when `failWith`. */
function body(start: number, size: number, opts: { seed?: number; failWith?: Error } = {}): Readable {
  return Readable.from(
    (async function* () {
      for (let at = 0; at < size; at += 256 * 1024) yield contentAt(start + at, Math.min(256 * 1024, size - at), opts.seed);
      if (opts.failWith) throw opts.failWith;
    })(),
  );
}

function expectedSha(pieces: { start: number; size: number; seed?: number }[]): string {
  const h = createHash('sha256');
  for (const p of pieces) h.update(contentAt(p.start, p.size, p.seed));
  return h.digest('hex');
}

export function resumableStoreContract(name: string, make: () => Promise<ResumableStoreFixture>): void {
  describe(`ResumableStore contract: ${name}`, () => {
    let f: ResumableStoreFixture;
    before(async () => {
      f = await make();
    });
    after(() => f.cleanup());

    const newUpload = async (): Promise<StoredUpload> => {
      const up = { id: randomKey(32), blobKey: randomKey(32), state: null };
      await f.store.create(up);
      return up;
    };
    /** Appends and records the state, as the caller does once the new offset is stored. */
    const append = async (store: ResumableStore, up: StoredUpload, offset: number, b: Readable) => {
      const r = await store.append(up, offset, b);
      if (r.written > 0) up.state = r.state;
      return r;
    };

    it('gathers many small appends (under 5 MiB each) into the same bytes and SHA-256', async () => {
      const up = await newUpload();
      const sizes = [5_000_000, 5_000_000, 5_000_000, 123_457];
      let offset = 0;
      for (const size of sizes) {
        const r = await append(f.store, up, offset, body(offset, size));
        assert.equal(r.written, size);
        assert.equal(r.error, undefined);
        offset += size;
      }
      await f.store.finish(up);
      const got = await hashOf(await f.blobs.get(up.blobKey));
      assert.equal(got.size, offset);
      assert.equal(got.sha, expectedSha([{ start: 0, size: offset }]));
      assert.deepEqual(await f.leftovers(), [], 'nothing but the blob is left');
    });

    it('keeps what arrived of a cut append, and another node continues from there', async () => {
      const up = await newUpload();
      const cut = await append(f.store, up, 0, body(0, 7 * MB, { failWith: new Error('connection reset') }));
      assert.match(String(cut.error), /connection reset/);
      assert.equal(cut.written, 7 * MB);
      const rest = await append(f.otherNode, up, 7 * MB, body(7 * MB, 4 * MB + 5));
      assert.equal(rest.written, 4 * MB + 5);
      await f.otherNode.finish(up);
      assert.equal((await hashOf(await f.blobs.get(up.blobKey))).sha, expectedSha([{ start: 0, size: 11 * MB + 5 }]));
      // What the first node may still hold (a local copy of a tail) is the sweeper's to remove, blob untouched.
      await f.store.remove(up.id, null);
      assert.equal((await f.blobs.stat(up.blobKey))?.size, 11 * MB + 5);
      assert.deepEqual(await f.leftovers(), []);
    });

    it('keeps nothing of a body that must count whole and does not', async () => {
      const up = await newUpload();
      await append(f.store, up, 0, body(0, MB));
      const stateBefore = up.state;
      const refused = await f.store.append(up, MB, body(MB, 12 * MB, { seed: 9 }), { whole: () => false });
      assert.equal(refused.written, 0);
      assert.equal(refused.rejected, true);
      assert.equal(refused.state, stateBefore, 'the recorded state stays as it was');
      const cut = await f.store.append(up, MB, body(MB, 6 * MB, { seed: 9, failWith: new Error('gone') }), { whole: () => true });
      assert.equal(cut.written, 0);
      assert.match(String(cut.error), /gone/);
      const ok = await f.store.append(up, MB, body(MB, 6 * MB), { whole: () => true });
      assert.equal(ok.written, 6 * MB);
      up.state = ok.state;
      await f.store.finish(up);
      assert.equal((await hashOf(await f.blobs.get(up.blobKey))).sha, expectedSha([{ start: 0, size: 7 * MB }]));
      assert.deepEqual(await f.leftovers(), []);
    });

    it('starts again from the recorded state when an append was never recorded (a crash before the offset was stored)', async () => {
      const up = await newUpload();
      await append(f.store, up, 0, body(0, 3 * MB));
      // Written, but its state never reached the database: the next append overwrites it.
      const lost = await f.store.append(up, 3 * MB, body(3 * MB, 4 * MB, { seed: 5 }));
      assert.equal(lost.written, 4 * MB);
      const again = await append(f.store, up, 3 * MB, body(3 * MB, 3 * MB));
      assert.equal(again.written, 3 * MB);
      await f.store.finish(up);
      assert.equal((await hashOf(await f.blobs.get(up.blobKey))).sha, expectedSha([{ start: 0, size: 6 * MB }]));
      assert.deepEqual(await f.leftovers(), []);
    });

    it('removes an unfinished upload whole, and lists uploads that have data', async () => {
      const up = await newUpload();
      await append(f.store, up, 0, body(0, 6 * MB));
      const listed = [];
      for await (const batch of f.store.list()) listed.push(...batch.map((b) => b.id));
      assert.ok(listed.includes(up.id));
      await f.store.remove(up.id, up.blobKey);
      await f.store.remove(up.id, up.blobKey); // idempotent
      assert.equal(await f.blobs.stat(up.blobKey), null);
      assert.deepEqual(await f.leftovers(), []);
    });

    it('finishes an empty upload as an empty blob', async () => {
      const up = await newUpload();
      await f.store.finish(up);
      assert.equal((await f.blobs.stat(up.blobKey))?.size, 0);
      assert.deepEqual(await f.leftovers(), []);
    });
  });
}
