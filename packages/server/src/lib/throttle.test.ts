// The throttle's pacing, driven by a fake clock: bytes never run ahead of the rate, they
// arrive intact and in order, in slices, and a destroyed throttle stops at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Throttle, type ThrottleClock } from './throttle.js';

class FakeClock implements ThrottleClock {
  t = 0;
  private timers: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  schedule(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time to the next timer and runs it. */
  fireNext(): void {
    this.timers.sort((a, b) => a.at - b.at);
    const next = this.timers.shift();
    if (!next) return;
    this.t = Math.max(this.t, next.at);
    next.fn();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Throttle', () => {
  it('lets bytes through no faster than the rate, in slices, intact', async () => {
    const clock = new FakeClock();
    const throttle = new Throttle(1000, clock);
    const input = randomBytes(5000);
    const out: { at: number; bytes: number }[] = [];
    const chunks: Buffer[] = [];
    throttle.on('data', (c: Buffer) => {
      chunks.push(c);
      out.push({ at: clock.t, bytes: c.length });
    });
    let ended = false;
    throttle.on('end', () => (ended = true));
    throttle.write(input.subarray(0, 3000));
    throttle.end(input.subarray(3000));
    while (!ended) {
      await tick();
      if (clock.pending > 0) clock.fireNext();
    }
    assert.deepEqual(Buffer.concat(chunks), input);
    assert.ok(
      out.every((o) => o.bytes <= 100),
      'slices of a tenth of a second',
    );
    let sent = 0;
    for (const o of out) {
      sent += o.bytes;
      assert.ok(sent <= (o.at * 1000) / 1000 + 1e-9, `${sent} bytes by ${o.at} ms is ahead of 1000 B/s`);
    }
    assert.equal(clock.t, 5000, 'and the whole takes exactly size / rate');
  });

  it('stops pushing once destroyed while waiting', async () => {
    const clock = new FakeClock();
    const throttle = new Throttle(100, clock);
    let received = 0;
    throttle.on('data', (c: Buffer) => (received += c.length));
    throttle.on('error', () => {});
    throttle.write(Buffer.alloc(1000));
    await tick();
    assert.equal(clock.pending, 1, 'waiting for the first slice');
    throttle.destroy();
    await tick();
    assert.equal(clock.pending, 0, 'the timer is cancelled');
    assert.equal(received, 0);
  });

  it('refuses a rate that is not positive', () => {
    assert.throws(() => new Throttle(0));
  });
});
