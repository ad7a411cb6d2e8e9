// Maintenance leases: one runner at a time across nodes, skipped rounds elsewhere, freed after failures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runUnderLease } from './lease.js';
import { MemoryLockBackend } from './memory-locks.js';
import { RenewingLocks } from './renewing-locks.js';

describe('runUnderLease', () => {
  it('runs a job on one node while the others skip, and frees the lease afterwards, even when the job throws', async () => {
    const backend = new MemoryLockBackend();
    const nodes = [new RenewingLocks(backend), new RenewingLocks(backend), new RenewingLocks(backend)];
    let running = 0;
    let maxRunning = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const job = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await gate;
      running--;
    };
    const outcomes = nodes.map((locks) => runUnderLease(locks, 'sweep', 5_000, job));
    await new Promise((r) => setImmediate(r));
    release();
    assert.deepEqual((await Promise.all(outcomes)).sort(), ['held elsewhere', 'held elsewhere', 'ran']);
    assert.equal(maxRunning, 1);

    await assert.rejects(
      runUnderLease(nodes[0]!, 'sweep', 5_000, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await runUnderLease(nodes[1]!, 'sweep', 5_000, async () => {}), 'ran', 'a failed job does not keep the lease');
  });
});
