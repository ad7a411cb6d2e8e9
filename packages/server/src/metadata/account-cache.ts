/**
 * A short-lived, in-process cache of "session key -> account row", because that lookup
 * runs on every API call. Entries live `ttlMs` (250 ms by default): every write this
 * process makes to an account (usage, plan, status) or its sessions drops the entry at
 * once, and a write by another process is seen within the TTL.
 */
import type { UserRow } from './repositories/users.js';

interface Entry {
  user: UserRow;
  sessionExpiresAt: number;
  cachedAtMs: number;
}

export class AccountCache {
  private readonly bySession = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 250,
    private readonly maxEntries = 10_000,
  ) {}

  get(keyHash: string, nowMs = Date.now()): Entry | undefined {
    const e = this.bySession.get(keyHash);
    if (!e) return undefined;
    if (nowMs - e.cachedAtMs > this.ttlMs) {
      this.bySession.delete(keyHash);
      return undefined;
    }
    return e;
  }

  set(keyHash: string, user: UserRow, sessionExpiresAt: number, nowMs = Date.now()): void {
    if (this.bySession.size >= this.maxEntries) this.bySession.clear();
    this.bySession.set(keyHash, { user, sessionExpiresAt, cachedAtMs: nowMs });
  }

  forgetSession(keyHash: string): void {
    this.bySession.delete(keyHash);
  }

  /** Drops every cached session of the account (its row changed). */
  forgetUser(userId: string): void {
    for (const [k, e] of this.bySession) if (e.user.id === userId) this.bySession.delete(k);
  }

  clear(): void {
    this.bySession.clear();
  }
}
