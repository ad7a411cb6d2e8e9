import { sql, type Selectable, type Insertable } from 'kysely';
import type { Db } from '../db.js';
import { AccountCache } from '../account-cache.js';
import type { UsersTable } from '../schema.js';
import { containsPattern } from '../like.js';

export type UserRow = Selectable<UsersTable>;

export class UsersRepository {
  constructor(
    private readonly db: Db,
    private readonly cache: AccountCache = new AccountCache(0),
  ) {}

  async insert(row: Insertable<UsersTable>): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  findById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  findByActivationHash(hash: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('activation_hash', '=', hash).executeTakeFirst();
  }

  async delete(id: string): Promise<void> {
    this.cache.forgetUser(id);
    await this.db.deleteFrom('users').where('id', '=', id).execute();
    await this.cache.announce({ kind: 'user', userId: id });
  }

  /**
   * One page of accounts by e-mail address, after `afterEmail`, optionally only those
   * whose address or name contains `text` (case-insensitive): the operator's user list.
   */
  page(opts: { text?: string | undefined; afterEmail?: string | undefined; limit: number }): Promise<UserRow[]> {
    let q = this.db.selectFrom('users').selectAll();
    if (opts.text) {
      const pattern = containsPattern(opts.text);
      q = q.where(sql<boolean>`(lower(email) like ${pattern} escape '\\' or lower(full_name) like ${pattern} escape '\\')`);
    }
    if (opts.afterEmail !== undefined) q = q.where('email', '>', opts.afterEmail);
    return q.orderBy('email').limit(opts.limit).execute();
  }

  list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('email').execute();
  }

  async update(
    id: string,
    changes: Partial<
      Pick<
        UserRow,
        'activated' | 'activation_hash' | 'plan' | 'membership_ends' | 'disabled' | 'password_hash' | 'md5_sealed' | 'is_admin' | 'email'
      >
    >,
  ): Promise<boolean> {
    this.cache.forgetUser(id);
    const r = await this.db.updateTable('users').set(changes).where('id', '=', id).executeTakeFirst();
    // Plan, status and password changes must hold on every node at once.
    await this.cache.announce({ kind: 'user', userId: id });
    return Number(r.numUpdatedRows) > 0;
  }
}
