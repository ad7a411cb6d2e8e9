// The byte limiter lets exactly `limit` bytes through and fails on the next one; the
// meter counts and hashes what passes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { ByteLimiter, ByteLimitExceeded } from './byte-limiter.js';
import { Meter } from './meter.js';

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
const source = (sizes: number[]) => Readable.from(sizes.map((n) => Buffer.alloc(n, 7)));

describe('ByteLimiter', () => {
  it('passes a stream of exactly the limit', async () => {
    const limiter = new ByteLimiter(1000);
    await pipeline(source([400, 600]), limiter, sink());
    assert.equal(limiter.bytes, 1000);
    assert.equal(limiter.exceeded, false);
  });

  it('fails with ByteLimitExceeded on the byte that breaks the limit', async () => {
    const limiter = new ByteLimiter(1000);
    let passed = 0;
    const counting = new Writable({
      write(c: Buffer, _e, cb) {
        passed += c.length;
        cb();
      },
    });
    await assert.rejects(
      pipeline(source([600, 401, 5000]), limiter, counting),
      (err) => err instanceof ByteLimitExceeded && err.limit === 1000,
    );
    assert.equal(limiter.exceeded, true);
    assert.equal(passed, 600, 'the chunk that breaks the limit is not passed on');
  });

  it('treats a negative limit as none', async () => {
    const limiter = new ByteLimiter(-1);
    await pipeline(source([100_000]), limiter, sink());
    assert.equal(limiter.bytes, 100_000);
  });
});

describe('Meter', () => {
  it('counts, reports a running total and hashes', async () => {
    const totals: number[] = [];
    const meter = new Meter({ sha256: true, onProgress: (n) => totals.push(n) });
    const data = [Buffer.from('hello '), Buffer.from('world')];
    await pipeline(Readable.from(data), meter, sink());
    assert.equal(meter.bytes, 11);
    assert.deepEqual(totals, [6, 11]);
    assert.equal(meter.sha256Hex(), createHash('sha256').update('hello world').digest('hex'));
  });

  it('refuses a digest when it does not hash', () => {
    assert.throws(() => new Meter().sha256Hex());
  });
});
