import type { Db } from '../db.js';

export interface SessionRow {
  key_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export class SessionsRepository {
  constructor(private readonly db: Db) {}

  async create(row: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  findLive(keyHash: string, now: number): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  /** Slides the idle expiry forward; skipped when it moved recently to spare writes. */
  async extend(keyHash: string, expiresAt: number): Promise<void> {
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

  async delete(keyHash: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sessions').where('key_hash', '=', keyHash).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}
