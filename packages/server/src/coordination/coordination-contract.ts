/**
 * The one contract every coordination backend passes (memory, Redis). A harness gives
 * two "nodes" that share one backend, as two server processes share one Redis.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import type { CacheInvalidation, Invalidation } from './invalidation.js';
import type { LockBackend } from './lock-backend.js';
import type { Locks } from './locks.js';

export interface CoordinationNode {
  locks: Locks;
  backend: LockBackend;
  bus: CacheInvalidation;
}

export interface CoordinationHarness {
  a: CoordinationNode;
  b: CoordinationNode;
  /** Resolves once both nodes' subscriptions are live. */
  ready(): Promise<void>;
  /** Deletes a lock key behind its holder's back (as an expiry during a network cut would). */
  evict(key: string): Promise<void>;
  close(): Promise<void>;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(10);
  assert.ok(cond(), `timed out waiting for ${what}`);
}

export function coordinationContract(name: string, make: () => Promise<CoordinationHarness>, skip: string | false = false): void {
  describe(`coordination contract: ${name}`, { skip }, () => {
    let h: CoordinationHarness;
    const harness = async () => (h ??= await make());
    after(async () => h?.close());

    it('gives a key to one holder at a time, across nodes, and frees it on release', async () => {
      const { a, b } = await harness();
      const first = await a.locks.acquire('upload:1', 5_000);
      assert.ok(first);
      assert.equal(await b.locks.acquire('upload:1', 5_000), null);
      assert.equal(await a.locks.acquire('upload:1', 5_000), null, 'not re-entrant: the same node is refused too');
      const other = await b.locks.acquire('upload:2', 5_000);
      assert.ok(other, 'another key is independent');
      await first.release();
      await first.release();
      const second = await b.locks.acquire('upload:1', 5_000);
      assert.ok(second);
      assert.equal(first.signal.aborted, false, 'a released lock is not "lost"');
      await Promise.all([second.release(), other.release()]);
    });

    it('of fifty nodes racing for one key, exactly one wins', async () => {
      const { a, b } = await harness();
      const got = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).locks.acquire('race', 5_000)));
      const winners = got.filter((l) => l !== null);
      assert.equal(winners.length, 1);
      await winners[0]?.release();
    });

    it('renews a held lock past its TTL, so a long job keeps it', async () => {
      const { a, b } = await harness();
      // Three TTLs long; renewal runs every third of a TTL, so only an event loop stalled
      // for a whole second (not a slow machine) could lose it.
      const lock = await a.locks.acquire('long-job', 1_000);
      assert.ok(lock);
      await sleep(3_000);
      assert.equal(await b.locks.acquire('long-job', 1_000), null);
      assert.equal(lock.signal.aborted, false);
      assert.equal(await lock.renew(), true);
      await lock.release();
    });

    it('frees the key of a holder that stopped renewing once its TTL ran out, and the old token can neither extend nor drop it', async () => {
      const { a, b } = await harness();
      assert.equal(await a.backend.take('dead-holder', 'old', 60), true);
      assert.equal(await b.backend.take('dead-holder', 'new', 60_000), false);
      await sleep(120);
      assert.equal(await b.backend.take('dead-holder', 'new', 60_000), true);
      assert.equal(await a.backend.extend('dead-holder', 'old', 60_000), false);
      await a.backend.drop('dead-holder', 'old');
      assert.equal(await a.backend.take('dead-holder', 'third', 60_000), false, 'the new holder still has it');
      await b.backend.drop('dead-holder', 'new');
      assert.equal(await a.backend.take('dead-holder', 'third', 60_000), true);
      await a.backend.drop('dead-holder', 'third');
    });

    it('aborts the signal of a lock taken over by another holder, and release then leaves the new holder alone', async () => {
      const { a, b, evict } = await harness();
      const lock = await a.locks.acquire('stolen', 60_000);
      assert.ok(lock);
      // Someone else holds the key now (as after an expiry while this node was cut off).
      await evict('stolen');
      assert.equal(await b.backend.take('stolen', 'thief', 60_000), true);
      assert.equal(await lock.renew(), false);
      assert.equal(lock.signal.aborted, true);
      await lock.release();
      assert.equal(await b.backend.extend('stolen', 'thief', 60_000), true, 'the thief keeps the key');
      await b.backend.drop('stolen', 'thief');
    });

    it('delivers every invalidation to every node, and none after unsubscribing', async () => {
      const { a, b, ready } = await harness();
      const seenA: Invalidation[] = [];
      const seenB: Invalidation[] = [];
      const offA = a.bus.subscribe((e) => seenA.push(e));
      const offB = b.bus.subscribe((e) => seenB.push(e));
      await ready();
      await a.bus.publish({ kind: 'session', keyHash: 'h1' });
      await b.bus.publish({ kind: 'user', userId: 'u1' });
      await until(() => seenA.length === 2 && seenB.length === 2, 'both events on both nodes');
      assert.deepEqual(seenB, [
        { kind: 'session', keyHash: 'h1' },
        { kind: 'user', userId: 'u1' },
      ]);
      assert.deepEqual(seenA, seenB);
      offB();
      await a.bus.publish({ kind: 'user', userId: 'u2' });
      await until(() => seenA.length === 3, 'the third event on a');
      await sleep(50);
      assert.equal(seenB.length, 2);
      offA();
    });
  });
}
