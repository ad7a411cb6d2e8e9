import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { OffThreadSha256 } from './sha256-worker.js';

/** `data` cut into pieces of the given sizes, in turn, to the end. */
function pieces(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length] as number;
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

describe('SHA-256 on the hashing thread', () => {
  it('gives the digest node:crypto gives, for chunks smaller and larger than a batch', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    const hash = new OffThreadSha256();
    for (const piece of pieces(data, [1, 65536, 700_001, 3])) await hash.update(piece);
    assert.equal(await hash.digest(), createHash('sha256').update(data).digest('hex'));
  });

  it('hashes several streams at once without mixing their bytes', async () => {
    const inputs = [randomBytes(1_000_000), randomBytes(2_500_000), Buffer.alloc(0)];
    const digests = await Promise.all(
      inputs.map(async (data, i) => {
        const hash = new OffThreadSha256();
        for (const piece of pieces(data, [10_000 * (i + 1)])) await hash.update(piece);
        return hash.digest();
      }),
    );
    assert.deepEqual(
      digests,
      inputs.map((d) => createHash('sha256').update(d).digest('hex')),
    );
  });

  it('forgets a discarded stream and keeps serving the others', async () => {
    const dropped = new OffThreadSha256();
    await dropped.update(randomBytes(600_000));
    dropped.discard();
    const kept = new OffThreadSha256();
    await kept.update(Buffer.from('hello world'));
    assert.equal(await kept.digest(), createHash('sha256').update('hello world').digest('hex'));
  });
});
