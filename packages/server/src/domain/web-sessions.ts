/**
 * Browser logins: e-mail + password checked against the scrypt hash, rate limited in
 * the same buckets as auth.login (a guesser gains nothing by switching doors), and a
 * session whose key lives only in an HttpOnly cookie; the server keeps its SHA-256.
 * Web sessions are a table of their own, so a cookie never authenticates /rest/.
 */
import { hashPassword, randomKey, sha256Hex, verifyPassword } from '../lib/crypto.js';
import type { UserRow, UsersRepository } from '../metadata/repositories/users.js';
import type { WebSessionRow, WebSessionsRepository } from '../metadata/repositories/web-sessions.js';
import type { Clock } from './clock.js';
import type { FailureLimiter } from './rate-limiter.js';

export interface WebSessionsDeps {
  users: UsersRepository;
  sessions: WebSessionsRepository;
  limiter: FailureLimiter;
  clock: Clock;
  /** Idle lifetime of a session without "remember me". */
  idleSeconds: number;
}

/** "Remember me" keeps a session for 30 days of disuse. */
export const REMEMBER_SECONDS = 30 * 86_400;
const KEY_RE = /^[a-z0-9]{40}$/;
/** A session's expiry moves forward at most once a minute (spares a write per page). */
const TOUCH_GRANULARITY = 60;

export type WebLogin =
  | { ok: true; key: string; user: UserRow; maxAgeSeconds: number | undefined }
  | { ok: false; reason: 'wrong' | 'blocked' | 'inactive' | 'disabled'; retryAfterMinutes?: number };

export interface WebSession {
  keyHash: string;
  user: UserRow;
  row: WebSessionRow;
}

/** Run for unknown addresses, so that a wrong e-mail costs as long as a wrong password. */
let dummyHash: Promise<string> | undefined;

export class WebSessions {
  constructor(private readonly d: WebSessionsDeps) {}

  async login(input: { email: string; password: string; remember: boolean; address: string; userAgent: string }): Promise<WebLogin> {
    const now = this.d.clock.now();
    const email = input.email.trim().toLowerCase();
    const buckets = { account: `login:acct:${email}`, address: `login:addr:${input.address}` };
    if (await this.d.limiter.isBlocked(buckets, now))
      return { ok: false, reason: 'blocked', retryAfterMinutes: this.d.limiter.retryAfterMinutes };
    const user = email === '' ? undefined : await this.d.users.findByEmail(email);
    const ok = user
      ? await verifyPassword(input.password, user.password_hash).catch(() => false)
      : await verifyPassword(input.password, await (dummyHash ??= hashPassword('dummy'))).then(() => false);
    if (!user || !ok) {
      await this.d.limiter.recordFailure(buckets, now);
      return { ok: false, reason: 'wrong' };
    }
    if (user.disabled) return { ok: false, reason: 'disabled' };
    if (!user.activated) return { ok: false, reason: 'inactive' };
    await this.d.limiter.clear(buckets.account);
    const key = randomKey(40);
    const lifetime = input.remember ? REMEMBER_SECONDS : this.d.idleSeconds;
    await this.d.sessions.create({
      key_hash: sha256Hex(key),
      user_id: user.id,
      created_at: now,
      expires_at: now + lifetime,
      last_seen_at: now,
      user_agent: input.userAgent.slice(0, 300),
      persistent: input.remember ? 1 : 0,
    });
    return { ok: true, key, user, maxAgeSeconds: input.remember ? REMEMBER_SECONDS : undefined };
  }

  /** The live session of a cookie's key, its expiry slid forward; undefined for anything else. */
  async resolve(key: string | undefined): Promise<WebSession | undefined> {
    if (!key || !KEY_RE.test(key)) return undefined;
    const now = this.d.clock.now();
    const keyHash = sha256Hex(key);
    const hit = await this.d.sessions.load(keyHash, now);
    if (!hit || hit.user.disabled || !hit.user.activated) return undefined;
    const lifetime = hit.session.persistent ? REMEMBER_SECONDS : this.d.idleSeconds;
    if (now - hit.session.last_seen_at >= TOUCH_GRANULARITY) await this.d.sessions.touch(keyHash, now, now + lifetime);
    return { keyHash, user: hit.user, row: hit.session };
  }

  async logout(keyHash: string): Promise<void> {
    await this.d.sessions.delete(keyHash);
  }

  /** The account's open browser sessions, most recently used first. */
  list(userId: string): Promise<WebSessionRow[]> {
    return this.d.sessions.listLive(userId, this.d.clock.now());
  }

  /** Ends one of the account's own sessions; false when it names none of them. */
  async revoke(userId: string, keyHash: string): Promise<boolean> {
    const mine = (await this.list(userId)).some((s) => s.key_hash === keyHash);
    return mine ? this.d.sessions.delete(keyHash) : false;
  }

  /** Ends every session of the account but the one given (after a password change). */
  endOthers(userId: string, keepKeyHash?: string): Promise<void> {
    return this.d.sessions.deleteForUser(userId, keepKeyHash);
  }

  purgeExpired(): Promise<void> {
    return this.d.sessions.purgeExpired(this.d.clock.now());
  }
}
