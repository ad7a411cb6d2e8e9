import type { Db } from '../db.js';

export class TokensRepository {
  constructor(private readonly db: Db) {}

  async create(tokenHash: string, now: number, expiresAt: number): Promise<void> {
    await this.db.insertInto('auth_tokens').values({ token_hash: tokenHash, created_at: now, expires_at: expiresAt }).execute();
  }

  /** Single use: deleting the row is what spends it, so two logins cannot share a token. */
  async consume(tokenHash: string, now: number): Promise<boolean> {
    const r = await this.db.deleteFrom('auth_tokens').where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('auth_tokens').where('expires_at', '<=', now).execute();
  }
}
