import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { WebSessionsTable } from '../schema.js';
import type { UserRow } from './users.js';

export type WebSessionRow = Selectable<WebSessionsTable>;

/** Browser sessions, found by the SHA-256 of the cookie's key (the key itself is never stored). */
export class WebSessionsRepository {
  constructor(private readonly db: Db) {}

  async create(row: WebSessionRow): Promise<void> {
    await this.db.insertInto('web_sessions').values(row).execute();
  }

  /** The live session and its account in one query. */
  async load(keyHash: string, now: number): Promise<{ session: WebSessionRow; user: UserRow } | undefined> {
    const row = await this.db
      .selectFrom('web_sessions')
      .innerJoin('users', 'users.id', 'web_sessions.user_id')
      .selectAll('users')
      .select([
        'web_sessions.created_at as s_created_at',
        'web_sessions.expires_at as s_expires_at',
        'web_sessions.last_seen_at as s_last_seen_at',
        'web_sessions.user_agent as s_user_agent',
        'web_sessions.persistent as s_persistent',
      ])
      .where('web_sessions.key_hash', '=', keyHash)
      .where('web_sessions.expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    const { s_created_at, s_expires_at, s_last_seen_at, s_user_agent, s_persistent, ...user } = row;
    return {
      user,
      session: {
        key_hash: keyHash,
        user_id: user.id,
        created_at: s_created_at,
        expires_at: s_expires_at,
        last_seen_at: s_last_seen_at,
        user_agent: s_user_agent,
        persistent: s_persistent,
      },
    };
  }

  async touch(keyHash: string, now: number, expiresAt: number): Promise<void> {
    await this.db.updateTable('web_sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('key_hash', '=', keyHash).execute();
  }

  listLive(userId: string, now: number): Promise<WebSessionRow[]> {
    return this.db
      .selectFrom('web_sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .orderBy('last_seen_at', 'desc')
      .execute();
  }

  async delete(keyHash: string): Promise<boolean> {
    const r = await this.db.deleteFrom('web_sessions').where('key_hash', '=', keyHash).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Every session of the account, but `exceptKeyHash` (the one making the change) when given. */
  async deleteForUser(userId: string, exceptKeyHash?: string): Promise<void> {
    let q = this.db.deleteFrom('web_sessions').where('user_id', '=', userId);
    if (exceptKeyHash !== undefined) q = q.where('key_hash', '!=', exceptKeyHash);
    await q.execute();
  }

  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('expires_at', '<=', now).execute();
  }
}
