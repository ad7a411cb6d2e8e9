/**
 * A lease around a maintenance job: of all nodes whose timers fire, only the one that
 * takes `lease:<name>` runs the job; the others skip this round. The lock renews itself
 * while the job runs, so a slow sweep is never run twice at once, and a node killed
 * mid-job frees the lease when its TTL runs out.
 */
import type { Locks } from './locks.js';

export type LeaseOutcome = 'ran' | 'held elsewhere';

export async function runUnderLease(
  locks: Locks,
  name: string,
  ttlMs: number,
  job: (signal: AbortSignal) => Promise<unknown>,
): Promise<LeaseOutcome> {
  const lock = await locks.acquire(`lease:${name}`, ttlMs);
  if (!lock) return 'held elsewhere';
  try {
    await job(lock.signal);
    return 'ran';
  } finally {
    await lock.release();
  }
}
