/**
 * Progress in Redis, so any node answers any progress URL. One hash per upload
 * (`progress:<id>`). Reports never become one write each: the latest running total
 * per upload is kept here and flushed for all uploads together at most every
 * `flushMs`; `begin` and `end` are written at once. A flush only raises the count of a
 * running upload, so polls through any node never see it go backwards.
 *
 * Redis down: writes are dropped (the upload itself goes on untouched) and `get`
 * answers undefined, so the progress URL says "unknown" until Redis is back.
 */
import type { Redis } from 'ioredis';
import type { ProgressEntry, ProgressStatus, ProgressTracker } from './progress-tracker.js';

export interface RedisProgressOptions {
  /** Milliseconds between flushes of reported totals; default 250. */
  flushMs?: number;
  /** How long a finished entry stays readable; default 10 minutes. */
  retentionMs?: number;
  /** A running entry nobody reports on for this long is forgotten (its node died); default 1 day. */
  runningTtlMs?: number;
  now?: () => number;
}

// KEYS[1] the hash; ARGV: received bytes, ttl ms. Raises the count of a running upload only.
const RAISE = `
if redis.call('hget', KEYS[1], 's') ~= 'running' then return 0 end
if tonumber(redis.call('hget', KEYS[1], 'r')) < tonumber(ARGV[1]) then redis.call('hset', KEYS[1], 'r', ARGV[1]) end
redis.call('pexpire', KEYS[1], ARGV[2])
return 1`;
// KEYS[1] the hash; ARGV: final received bytes, outcome, ended at, retention ms. The first end wins.
const FINISH = `
if redis.call('hget', KEYS[1], 's') ~= 'running' then return 0 end
if tonumber(redis.call('hget', KEYS[1], 'r')) < tonumber(ARGV[1]) then redis.call('hset', KEYS[1], 'r', ARGV[1]) end
redis.call('hset', KEYS[1], 's', ARGV[2], 'e', ARGV[3])
redis.call('pexpire', KEYS[1], ARGV[4])
return 1`;

export class RedisProgress implements ProgressTracker {
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly flushMs: number;
  private readonly retentionMs: number;
  private readonly runningTtlMs: number;
  private readonly now: () => number;
  /** Commands sent to Redis so far (tests check that reports are batched). */
  writes = 0;

  constructor(
    private readonly redis: Redis,
    opts: RedisProgressOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? 250;
    this.retentionMs = opts.retentionMs ?? 10 * 60_000;
    this.runningTtlMs = opts.runningTtlMs ?? 86_400_000;
    this.now = opts.now ?? Date.now;
  }

  begin(id: string, totalBytes: number): void {
    this.pending.delete(id);
    const key = keyOf(id);
    this.send(
      this.redis
        .multi()
        .del(key)
        .hset(key, 's', 'running', 't', Math.max(0, totalBytes), 'r', 0, 'b', this.now())
        .pexpire(key, this.runningTtlMs)
        .exec(),
    );
  }

  report(id: string, receivedBytes: number): void {
    this.pending.set(id, receivedBytes);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  end(id: string, outcome: 'done' | 'fail'): void {
    const received = this.pending.get(id) ?? 0;
    this.pending.delete(id);
    this.send(this.redis.eval(FINISH, 1, keyOf(id), received, outcome, this.now(), this.retentionMs));
  }

  async get(id: string): Promise<ProgressEntry | undefined> {
    let h: Record<string, string>;
    try {
      h = await this.redis.hgetall(keyOf(id));
    } catch {
      return undefined;
    }
    const status = h.s as ProgressStatus | undefined;
    if (status !== 'running' && status !== 'done' && status !== 'fail') return undefined;
    const entry: ProgressEntry = { status, totalBytes: Number(h.t), receivedBytes: Number(h.r), startedAt: Number(h.b) };
    if (h.e !== undefined) entry.endedAt = Number(h.e);
    return entry;
  }

  /** Sends what is pending now; `close` calls it so the last reports are not lost. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = this.redis.pipeline();
    for (const [id, received] of this.pending) batch.eval(RAISE, 1, keyOf(id), received, this.runningTtlMs);
    this.pending.clear();
    this.send(batch.exec());
  }

  private send(p: Promise<unknown>): void {
    this.writes++;
    // Progress is advisory: an unreachable Redis must never fail or slow the upload.
    p.catch(() => {});
  }
}

function keyOf(id: string): string {
  return `progress:${id}`;
}
