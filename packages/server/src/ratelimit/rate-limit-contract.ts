/** The one contract every rate-limit store passes: memory, SQLite, PostgreSQL, Redis, and Redis-down-falling-back-to-SQL. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { RateLimitStore } from './rate-limit-store.js';

export interface RateLimitHarness {
  /** Two nodes' views of one store (the same object where there is only one). */
  a: RateLimitStore;
  b: RateLimitStore;
  close(): Promise<void>;
}

export function rateLimitContract(name: string, make: () => Promise<RateLimitHarness>, skip: string | false = false): void {
  describe(`rate-limit contract: ${name}`, { skip }, () => {
    let h: RateLimitHarness;
    const harness = async () => (h ??= await make());
    after(async () => h?.close());
    const now = 1_700_000_000;
    const window = 900;

    it('counts hits from every node in one window, per bucket', async () => {
      const { a, b } = await harness();
      assert.equal(await a.count('login:acct:x', now - window), 0);
      await a.hit('login:acct:x', now, now - window);
      await b.hit('login:acct:x', now + 1, now + 1 - window);
      await a.hit('login:acct:y', now, now - window);
      assert.equal(await b.count('login:acct:x', now + 2 - window), 2);
      assert.equal(await a.count('login:acct:y', now + 2 - window), 1);
    });

    it('counts every one of many concurrent hits', async () => {
      const { a, b } = await harness();
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit('burst', now, now - window)));
      assert.equal(await a.count('burst', now - window), 40);
    });

    it('starts a new window once the old one is over', async () => {
      const { a, b } = await harness();
      for (let i = 0; i < 3; i++) await a.hit('w', now, now - window);
      const later = now + window + 1;
      assert.equal(await b.count('w', later - window), 0, 'a window that began before windowStart counts nothing');
      await b.hit('w', later, later - window);
      assert.equal(await a.count('w', later - window), 1);
    });

    it('clears a bucket on every node', async () => {
      const { a, b } = await harness();
      await a.hit('c', now, now - window);
      await b.clear('c');
      assert.equal(await a.count('c', now - window), 0);
      await b.clear('never-used');
    });
  });
}
