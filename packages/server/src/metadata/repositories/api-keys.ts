import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { ApiKeysTable } from '../schema.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export class ApiKeysRepository {
  constructor(private readonly db: Db) {}

  async insert(row: ApiKeyRow): Promise<void> {
    await this.db.insertInto('api_keys').values(row).execute();
  }

  async isActive(keyHash: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('api_keys')
      .select('key_hash')
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return r !== undefined;
  }

  list(): Promise<ApiKeyRow[]> {
    return this.db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
  }

  async revokeByPrefix(prefix: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('prefix', '=', prefix)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
