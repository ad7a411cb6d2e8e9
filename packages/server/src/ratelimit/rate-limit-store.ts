/**
 * Fixed-window counters per bucket (`login:acct:…`, `login:addr:…`, `anonmail:addr:…`),
 * shared by every node that shares the store. Times are Unix seconds from the domain's
 * clock. Implementations: SQL (`metadata/repositories/rate-limits.ts`, the default: it
 * survives restarts and is shared through the database), Redis (cluster, no database
 * write per failed login), memory (tests, throw-away nodes). All pass `rate-limit-contract.ts`.
 */
export interface RateLimitStore {
  /** Hits in the bucket's current window, 0 when that window started before `windowStart`. */
  count(bucket: string, windowStart: number): Promise<number>;
  /** Adds one hit; a window that started before `windowStart` starts again at `now` with one. */
  hit(bucket: string, now: number, windowStart: number): Promise<void>;
  clear(bucket: string): Promise<void>;
}
