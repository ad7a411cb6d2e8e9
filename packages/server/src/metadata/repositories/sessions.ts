import type { Db } from '../db.js';
import { AccountCache, type LiveSession } from '../account-cache.js';

export interface SessionRow {
  key_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export class SessionsRepository {
  constructor(
    private readonly db: Db,
    private readonly cache: AccountCache = new AccountCache(0),
  ) {}

  /** Sessions not yet expired, for the metrics. */
  async countAllLive(now: number): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async create(row: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** The live session of a key if this process saw it a moment ago: no I/O at all. */
  cached(sessionKey: string, now: number): LiveSession | undefined {
    const hit = this.cache.get(sessionKey);
    return hit && hit.expiresAt > now ? hit : undefined;
  }

  /** The live session and its account in one query (then cached briefly): this runs on every API call. */
  async load(sessionKey: string, keyHash: string, now: number): Promise<LiveSession | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select('sessions.expires_at as session_expires_at')
      .where('sessions.key_hash', '=', keyHash)
      .where('sessions.expires_at', '>', now)
      .executeTakeFirst();
    if (!row) {
      this.cache.forgetSession(keyHash);
      return undefined;
    }
    const { session_expires_at: expiresAt, ...user } = row;
    const live = { keyHash, user, expiresAt };
    this.cache.set(sessionKey, live);
    return live;
  }

  /** Slides the idle expiry forward; skipped when it moved recently to spare writes. */
  async extend(keyHash: string, expiresAt: number): Promise<void> {
    this.cache.forgetSession(keyHash);
    await this.db.updateTable('sessions').set({ expires_at: expiresAt }).where('key_hash', '=', keyHash).execute();
  }

  async countLive(userId: string, now: number): Promise<number> {
    const r = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The user's live sessions, newest first. */
  listLive(userId: string, now: number): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('key_hash')
      .execute();
  }

  async delete(keyHash: string): Promise<boolean> {
    this.cache.forgetSession(keyHash);
    const r = await this.db.deleteFrom('sessions').where('key_hash', '=', keyHash).executeTakeFirst();
    await this.cache.announce({ kind: 'session', keyHash });
    return Number(r.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string): Promise<void> {
    this.cache.forgetUser(userId);
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await this.cache.announce({ kind: 'user', userId });
  }

  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}
