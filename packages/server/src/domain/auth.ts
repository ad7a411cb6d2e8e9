/**
 * The protocol's login: a single-use token, then md5(token + md5(password)), then a
 * session key that slides forward while it is used. Keys are stored only as hashes.
 */
import { ApiError } from '@sendbay/protocol';
import { md5Hex, randomKey, safeEqual, sha256Hex, type Secrets } from '../lib/crypto.js';
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

  /** Resolves a session key to its live session, or throws 6. */
  async session(sessionKey: string): Promise<Session> {
    const key = sessionKey.trim().toLowerCase();
    if (!/^[a-z0-9]{32}$/.test(key)) throw new ApiError(6);
    const keyHash = sha256Hex(key);
    const now = this.d.clock.now();
    const row = await this.d.sessions.findLiveWithUser(keyHash, now);
    if (!row || row.disabled) throw new ApiError(6);
    const { session_expires_at: expiresAt, ...user } = row;
    const wanted = now + this.d.sessionIdleSeconds;
    if (wanted - expiresAt >= extendGranularity(this.d.sessionIdleSeconds)) await this.d.sessions.extend(keyHash, wanted);
    return { keyHash, user };
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
