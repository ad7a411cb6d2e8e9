/**
 * What a lock backend must do (memory or Redis): three atomic steps on a key guarded
 * by a random token. Renewal timers, tokens and the lost signal are written once, in
 * `RenewingLocks`, on top of these.
 */
export interface LockBackend {
  /** Takes `key` for `token` if free; true when taken. */
  take(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the TTL if `token` still holds `key`; false otherwise. */
  extend(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Frees `key` if `token` still holds it. */
  drop(key: string, token: string): Promise<void>;
}
