/**
 * Locks over any `LockBackend`: a random token per acquisition, renewal every third of
 * the TTL, and an AbortSignal that fires when the lock is lost. A renewal that fails
 * because the backend is unreachable is retried at the next tick; the lock counts as
 * lost once its TTL has run out since the last successful renewal, because by then
 * another node may have taken it.
 */
import { randomBytes } from 'node:crypto';
import type { LockBackend } from './lock-backend.js';
import type { Lock, Locks } from './locks.js';

export class RenewingLocks implements Locks {
  constructor(
    private readonly backend: LockBackend,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(key: string, ttlMs: number): Promise<Lock | null> {
    if (!Number.isFinite(ttlMs) || ttlMs < 30) throw new RangeError('a lock TTL must be at least 30 ms');
    const token = randomBytes(16).toString('base64url');
    if (!(await this.backend.take(key, token, ttlMs))) return null;
    return new HeldLock(this.backend, key, token, ttlMs, this.now);
  }
}

class HeldLock implements Lock {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private validUntil: number;
  private released = false;

  constructor(
    private readonly backend: LockBackend,
    readonly key: string,
    private readonly token: string,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    this.validUntil = now() + ttlMs;
    this.timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(ttlMs / 3)));
    // A held lock never keeps the process alive on its own.
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  async renew(): Promise<boolean> {
    if (this.released || this.signal.aborted) return false;
    try {
      const start = this.now();
      if (await this.backend.extend(this.key, this.token, this.ttlMs)) {
        this.validUntil = start + this.ttlMs;
        return true;
      }
      this.lose(new Error(`lock ${this.key} was taken by another holder`));
      return false;
    } catch {
      if (this.now() >= this.validUntil) this.lose(new Error(`lock ${this.key} could not be renewed within its TTL`));
      return !this.signal.aborted;
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    if (this.signal.aborted) return;
    // Best effort: if the backend is unreachable the TTL frees the key anyway.
    await this.backend.drop(this.key, this.token).catch(() => {});
  }

  private lose(reason: Error): void {
    clearInterval(this.timer);
    if (!this.signal.aborted) this.controller.abort(reason);
  }
}
