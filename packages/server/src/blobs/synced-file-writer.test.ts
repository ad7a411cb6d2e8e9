import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import { SyncedFileWriter } from './synced-file-writer.js';

const dir = await mkdtemp(join(tmpdir(), 'sendbay-synced-writer-'));
after(() => rm(dir, { recursive: true, force: true }));

describe('SyncedFileWriter', () => {
  it('writes every byte in order while syncing in the background', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 17);
    const chunks: Buffer[] = [];
    for (let at = 0; at < data.length; at += 70_001) chunks.push(data.subarray(at, at + 70_001));
    const path = join(dir, 'a.part');
    // A sync every 256 KiB: about twenty of them overlap the writes.
    await pipeline(Readable.from(chunks), new SyncedFileWriter(path, { syncEvery: 256 * 1024, highWaterMark: 64 * 1024 }));
    assert.ok((await readFile(path)).equals(data));
  });

  it('writes an empty file', async () => {
    const path = join(dir, 'empty.part');
    await pipeline(Readable.from([]), new SyncedFileWriter(path, { syncEvery: 1024, highWaterMark: 1024 }));
    assert.equal((await readFile(path)).length, 0);
  });

  it("with 'r+', writes into an existing file from `start` on and keeps what lies before", async () => {
    const path = join(dir, 'resumed.part');
    await writeFile(path, 'hello, ');
    await pipeline(
      Readable.from([Buffer.from('wor'), Buffer.from('ld')]),
      new SyncedFileWriter(path, { syncEvery: 2, highWaterMark: 4, flags: 'r+', start: 7 }),
    );
    assert.equal(await readFile(path, 'utf8'), 'hello, world');
  });

  it('refuses to write over a file that is already there', async () => {
    const path = join(dir, 'taken.part');
    await writeFile(path, 'kept');
    await assert.rejects(
      pipeline(Readable.from([Buffer.from('new')]), new SyncedFileWriter(path, { syncEvery: 1024, highWaterMark: 1024 })),
      { code: 'EEXIST' },
    );
    assert.equal(await readFile(path, 'utf8'), 'kept');
  });
});
