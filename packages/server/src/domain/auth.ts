/**
 * The protocol's login: a single-use token, then md5(token + md5(password)), then a
 * session key that slides forward while it is used. Keys are stored only as hashes.
 */
import { ApiError } from '@sendbay/protocol';
import { md5Hex, randomKey, safeEqual, sha256Hex, type Secrets } from '../lib/crypto.js';
import type { LiveSession } from '../metadata/account-cache.js';
import type { SessionsRepository } from '../metadata/repositories/sessions.js';
import type { TokensRepository } from '../metadata/repositories/tokens.js';
import type { UserRow, UsersRepository } from '../metadata/repositories/users.js';
import type { Clock } from './clock.js';
import type { FailureLimiter } from './rate-limiter.js';

export interface AuthDeps {
  users: UsersRepository;
  sessions: SessionsRepository;
  tokens: TokensRepository;
  secrets: Secrets;
  clock: Clock;
  limiter: FailureLimiter;
  tokenTtlSeconds: number;
  sessionIdleSeconds: number;
  maxSessionsPerUser: number;
}

/** The session of an authenticated API call. */
export interface Session {
  keyHash: string;
  user: UserRow;
}

/** Keys are made lowercase; a client that upper-cases or pads one is still understood. */
const SESSION_KEY_RE = /^[a-z0-9]{32}$/;

/** Hex characters of a key hash that name a session on the account page. */
const SESSION_HANDLE_LENGTH = 16;

/** How long a session's expiry may lag before a call pushes it forward (spares writes). */
function extendGranularity(idleSeconds: number): number {
  return Math.min(60, Math.floor(idleSeconds / 10));
}

export class Auth {
  constructor(private readonly d: AuthDeps) {}

  async createToken(): Promise<string> {
    const token = randomKey(32);
    const now = this.d.clock.now();
    await this.d.tokens.create(sha256Hex(token), now, now + this.d.tokenTtlSeconds);
    return token;
  }

  async login(input: {
    token: string;
    userName: string;
    tokenedPassword: string;
    address: string;
  }): Promise<{ sessionKey: string; user: UserRow }> {
    const now = this.d.clock.now();
    const email = input.userName.trim().toLowerCase();
    const buckets = { account: `login:acct:${email}`, address: `login:addr:${input.address}` };
    if (await this.d.limiter.isBlocked(buckets, now))
      throw new ApiError(8, `Too many failed logins; try again in ${this.d.limiter.retryAfterMinutes} minutes`);

    const token = input.token.trim().toLowerCase();
    if (!/^[a-z0-9]{32}$/.test(token) || !(await this.d.tokens.consume(sha256Hex(token), now)))
      throw new ApiError(6, 'Token expired or not found: call auth.createToken again');

    const user = await this.d.users.findByEmail(email);
    const ok = user !== undefined && this.checkTokenedPassword(user, token, input.tokenedPassword);
    if (!user || !ok) {
      await this.d.limiter.recordFailure(buckets, now);
      throw new ApiError(8);
    }
    if (user.disabled) throw new ApiError(11, 'This account is disabled');
    if (!user.activated) throw new ApiError(11, 'This account is not activated yet: follow the link in the activation e-mail');
    await this.d.limiter.clear(buckets.account);

    if ((await this.d.sessions.countLive(user.id, now)) >= this.d.maxSessionsPerUser) throw new ApiError(30);
    const sessionKey = randomKey(32);
    await this.d.sessions.create({
      key_hash: sha256Hex(sessionKey),
      user_id: user.id,
      created_at: now,
      expires_at: now + this.d.sessionIdleSeconds,
    });
    return { sessionKey, user };
  }

  private checkTokenedPassword(user: UserRow, token: string, tokenedPassword: string): boolean {
    let md5: string;
    try {
      md5 = this.d.secrets.decrypt(user.md5_sealed);
    } catch {
      return false;
    }
    return safeEqual(md5Hex(token + md5), tokenedPassword.trim().toLowerCase());
  }

  /**
   * Resolves a session key to its live session, or throws 6. Synchronous when this
   * process saw the session a moment ago: the common case, on every API call.
   */
  session(sessionKey: string): Session | Promise<Session> {
    const key = SESSION_KEY_RE.test(sessionKey) ? sessionKey : sessionKey.trim().toLowerCase();
    if (!SESSION_KEY_RE.test(key)) throw new ApiError(6);
    const now = this.d.clock.now();
    const hit = this.d.sessions.cached(key, now);
    if (hit && !this.needsExtending(hit.expiresAt, now)) return this.usable(hit);
    return this.loadSession(key, now);
  }

  private async loadSession(key: string, now: number): Promise<Session> {
    const keyHash = sha256Hex(key);
    const live = await this.d.sessions.load(key, keyHash, now);
    if (!live) throw new ApiError(6);
    if (this.needsExtending(live.expiresAt, now)) await this.d.sessions.extend(keyHash, now + this.d.sessionIdleSeconds);
    return this.usable(live);
  }

  private needsExtending(expiresAt: number, now: number): boolean {
    return now + this.d.sessionIdleSeconds - expiresAt >= extendGranularity(this.d.sessionIdleSeconds);
  }

  private usable(live: LiveSession): Session {
    if (live.user.disabled) throw new ApiError(6);
    return { keyHash: live.keyHash, user: live.user };
  }

  /**
   * The user's open API sessions, for their account page. Each is named by a handle (a
   * prefix of the key's hash): enough to tell them apart and revoke one, useless to log in.
   */
  async openSessions(user: UserRow): Promise<{ handle: string; createdAt: number; expiresAt: number }[]> {
    const rows = await this.d.sessions.listLive(user.id, this.d.clock.now());
    return rows.map((r) => ({ handle: r.key_hash.slice(0, SESSION_HANDLE_LENGTH), createdAt: r.created_at, expiresAt: r.expires_at }));
  }

  /** Ends one of the user's own API sessions by its handle; false when they have none such. */
  async revokeSession(user: UserRow, handle: string): Promise<boolean> {
    if (!/^[0-9a-f]+$/.test(handle) || handle.length !== SESSION_HANDLE_LENGTH) return false;
    const rows = await this.d.sessions.listLive(user.id, this.d.clock.now());
    const row = rows.find((r) => r.key_hash.startsWith(handle));
    return row ? this.d.sessions.delete(row.key_hash) : false;
  }

  async logout(session: Session): Promise<void> {
    await this.d.sessions.delete(session.keyHash);
  }

  async purgeExpired(): Promise<void> {
    const now = this.d.clock.now();
    await this.d.tokens.purgeExpired(now);
    await this.d.sessions.purgeExpired(now);
  }
}
