/**
 * A short-lived, in-process cache of "session key -> account row", because that lookup
 * runs on every API call. Entries live `ttlMs` (250 ms by default): every write this
 * process makes to an account (usage, plan, status) or its sessions drops the entry at
 * once, and a write by another process is seen within the TTL. Entries are found by
 * the session key itself, so a hit needs no hashing.
 *
 * With several nodes, `attach` connects the cache to the cluster's invalidation bus:
 * the writes that must not wait for the TTL anywhere (logout, account disabled or
 * changed, account deleted) are `announce`d after they commit, and every node drops
 * its entries when told. If the bus is down the TTL still bounds how stale a node is.
 */
import type { CacheInvalidation, Invalidation } from '../coordination/invalidation.js';
import type { UserRow } from './repositories/users.js';

export interface LiveSession {
  keyHash: string;
  user: UserRow;
  expiresAt: number;
}

interface Entry extends LiveSession {
  cachedAtMs: number;
}

export class AccountCache {
  private readonly byKey = new Map<string, Entry>();
  private readonly keyByHash = new Map<string, string>();
  private bus: CacheInvalidation | undefined;
  private onBusError: (err: unknown) => void = () => {};

  constructor(
    private readonly ttlMs = 250,
    private readonly maxEntries = 10_000,
  ) {}

  /** Listens to the other nodes' invalidations; returns the function that stops listening. */
  attach(bus: CacheInvalidation, onBusError: (err: unknown) => void = () => {}): () => void {
    this.bus = bus;
    this.onBusError = onBusError;
    return bus.subscribe((e) => this.apply(e));
  }

  /**
   * Drops the entry here and tells every node, once the write it follows has committed
   * (so no node can reload the old row). A bus that cannot be reached is reported and
   * otherwise ignored: the write stands, and other nodes notice within the TTL.
   */
  async announce(event: Invalidation): Promise<void> {
    this.apply(event);
    if (!this.bus) return;
    try {
      await this.bus.publish(event);
    } catch (err) {
      this.onBusError(err);
    }
  }

  get(sessionKey: string, nowMs = Date.now()): LiveSession | undefined {
    const e = this.byKey.get(sessionKey);
    if (!e) return undefined;
    if (nowMs - e.cachedAtMs > this.ttlMs) {
      this.drop(sessionKey, e.keyHash);
      return undefined;
    }
    return e;
  }

  set(sessionKey: string, session: LiveSession, nowMs = Date.now()): void {
    if (this.ttlMs <= 0) return;
    if (this.byKey.size >= this.maxEntries) {
      this.byKey.clear();
      this.keyByHash.clear();
    }
    this.byKey.set(sessionKey, { ...session, cachedAtMs: nowMs });
    this.keyByHash.set(session.keyHash, sessionKey);
  }

  forgetSession(keyHash: string): void {
    const key = this.keyByHash.get(keyHash);
    if (key !== undefined) this.drop(key, keyHash);
  }

  /** Drops every cached session of the account (its row changed). */
  forgetUser(userId: string): void {
    for (const [k, e] of this.byKey) if (e.user.id === userId) this.drop(k, e.keyHash);
  }

  private apply(e: Invalidation): void {
    if (e.kind === 'session') this.forgetSession(e.keyHash);
    else this.forgetUser(e.userId);
  }

  private drop(sessionKey: string, keyHash: string): void {
    this.byKey.delete(sessionKey);
    this.keyByHash.delete(keyHash);
  }
}
