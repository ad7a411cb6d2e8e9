/**
 * Progress in this process's memory: right for one node. Bounded twice over: finished
 * entries are dropped `retentionMs` after they end, and the map never holds more than
 * `maxEntries` (the oldest go first).
 */
import type { ProgressEntry, ProgressTracker } from './progress-tracker.js';

export interface MemoryProgressOptions {
  retentionMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** How often, at most, finished entries are looked for and dropped. */
const SWEEP_EVERY_MS = 10_000;

export class MemoryProgress implements ProgressTracker {
  private readonly entries = new Map<string, ProgressEntry>();
  private readonly retentionMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(opts: MemoryProgressOptions = {}) {
    this.retentionMs = opts.retentionMs ?? 10 * 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  begin(id: string, totalBytes: number): void {
    this.sweep();
    // Re-inserting moves the identifier to the young end of the map's order.
    this.entries.delete(id);
    this.entries.set(id, { status: 'running', totalBytes: Math.max(0, totalBytes), receivedBytes: 0, startedAt: this.now() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  report(id: string, receivedBytes: number): void {
    const e = this.entries.get(id);
    // A running total only grows: a poll must never see progress go backwards.
    if (e && e.status === 'running' && receivedBytes > e.receivedBytes) e.receivedBytes = receivedBytes;
  }

  end(id: string, outcome: 'done' | 'fail'): void {
    const e = this.entries.get(id);
    if (!e || e.status !== 'running') return;
    e.status = outcome;
    e.endedAt = this.now();
  }

  async get(id: string): Promise<ProgressEntry | undefined> {
    this.sweep();
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (this.expired(e, this.now())) {
      this.entries.delete(id);
      return undefined;
    }
    return { ...e };
  }

  /** Number of entries held (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [id, e] of this.entries) {
      if (this.expired(e, now)) this.entries.delete(id);
    }
  }

  private expired(e: ProgressEntry, now: number): boolean {
    return e.endedAt !== undefined && now - e.endedAt >= this.retentionMs;
  }
}
