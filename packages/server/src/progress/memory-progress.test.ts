// The in-memory progress tracker: running totals, outcomes, retention after the end and
// a hard bound on entries, with a fake clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryProgress } from './memory-progress.js';

describe('MemoryProgress', () => {
  it('tracks an upload from begin to end, and ignores reports after the end', async () => {
    let now = 1_000;
    const p = new MemoryProgress({ now: () => now });
    p.begin('u1', 500);
    now += 2_000;
    p.report('u1', 200);
    assert.deepEqual(await p.get('u1'), { status: 'running', totalBytes: 500, receivedBytes: 200, startedAt: 1_000 });
    p.end('u1', 'done');
    p.report('u1', 300);
    p.end('u1', 'fail');
    const e = await p.get('u1');
    assert.equal(e?.status, 'done');
    assert.equal(e?.receivedBytes, 200);
    assert.equal(e?.endedAt, 3_000);
    assert.equal(await p.get('unknown'), undefined);
  });

  it('forgets finished entries after the retention time, never running ones', async () => {
    let now = 0;
    const p = new MemoryProgress({ now: () => now, retentionMs: 60_000 });
    p.begin('done', 1);
    p.end('done', 'done');
    p.begin('running', 1);
    now += 59_999;
    assert.ok(await p.get('done'));
    now += 1;
    assert.equal(await p.get('done'), undefined);
    now += 10 * 60_000;
    p.begin('other', 1);
    assert.ok(await p.get('running'));
    assert.equal(p.size, 2);
  });

  it('never holds more than maxEntries', async () => {
    const p = new MemoryProgress({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) p.begin(`u${i}`, 1);
    assert.equal(p.size, 3);
    assert.equal(await p.get('u0'), undefined);
    assert.ok(await p.get('u9'));
  });
});
