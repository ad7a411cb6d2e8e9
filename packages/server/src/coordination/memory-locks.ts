/**
 * Lock keys in this process's memory: right for one node, and for tests that run
 * several in-process nodes on one shared instance. Expired keys are simply
 * overwritten, so nothing needs sweeping beyond the entries that expire unused.
 */
import type { LockBackend } from './lock-backend.js';

export class MemoryLockBackend implements LockBackend {
  private readonly held = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, token: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const cur = this.held.get(key);
    if (cur && cur.expiresAt > now) return false;
    if (this.held.size > 10_000) for (const [k, v] of this.held) if (v.expiresAt <= now) this.held.delete(k);
    this.held.set(key, { token, expiresAt: now + ttlMs });
    return true;
  }

  async extend(key: string, token: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const cur = this.held.get(key);
    if (!cur || cur.token !== token || cur.expiresAt <= now) return false;
    cur.expiresAt = now + ttlMs;
    return true;
  }

  async drop(key: string, token: string): Promise<void> {
    if (this.held.get(key)?.token === token) this.held.delete(key);
  }

  /** Deletes a key whoever holds it, as an operator deleting a stuck lock would. */
  evict(key: string): void {
    this.held.delete(key);
  }
}
