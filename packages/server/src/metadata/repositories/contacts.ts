import type { Insertable, Selectable, Transaction } from 'kysely';
import type { Db } from '../db.js';
import type { ContactsTable, Database } from '../schema.js';

export type ContactRow = Selectable<ContactsTable>;
export type ContactChanges = Partial<Pick<ContactRow, 'name' | 'description' | 'type'>>;

/** What an insert bounded by the plan's contact limit did. */
export type BoundedInsert = 'added' | 'exists' | 'full';

/**
 * The address book rows. Addresses are stored lowercased by the domain, so equality
 * here is exact. Inserts that must respect a contact limit run in a transaction that
 * first locks the owner's account row, so two requests (or two server processes)
 * adding at once cannot both see "one slot left".
 */
export class ContactsRepository {
  constructor(private readonly db: Db) {}

  list(ownerId: string): Promise<ContactRow[]> {
    return this.db.selectFrom('contacts').selectAll().where('owner_id', '=', ownerId).orderBy('email').execute();
  }

  find(ownerId: string, email: string): Promise<ContactRow | undefined> {
    return this.db.selectFrom('contacts').selectAll().where('owner_id', '=', ownerId).where('email', '=', email).executeTakeFirst();
  }

  /** Adds one contact unless the owner already has the address or already has `limit` contacts (-1: no limit). */
  insertWithinLimit(row: Insertable<ContactsTable>, limit: number): Promise<BoundedInsert> {
    return this.db.transaction().execute(async (trx) => {
      await lockOwner(trx, row.owner_id);
      if (await existing(trx, row.owner_id, [row.email]).then((e) => e.length > 0)) return 'exists';
      if (limit >= 0 && (await count(trx, row.owner_id)) >= limit) return 'full';
      await trx.insertInto('contacts').values(row).execute();
      return 'added';
    });
  }

  /**
   * Adds each address as a collected contact (type 1) unless the owner already has it,
   * stopping quietly once the owner has `limit` contacts (-1: no limit). Returns the
   * addresses added.
   */
  insertCollected(ownerId: string, emails: readonly string[], now: number, limit: number): Promise<string[]> {
    if (emails.length === 0) return Promise.resolve([]);
    return this.db.transaction().execute(async (trx) => {
      await lockOwner(trx, ownerId);
      const have = new Set(await existing(trx, ownerId, emails));
      const fresh = [...new Set(emails)].filter((e) => !have.has(e));
      const room = limit < 0 ? fresh.length : Math.max(0, limit - (await count(trx, ownerId)));
      const added = fresh.slice(0, room);
      if (added.length > 0)
        await trx
          .insertInto('contacts')
          .values(added.map((email) => ({ owner_id: ownerId, email, name: '', description: '', type: 1, created_at: now })))
          .execute();
      return added;
    });
  }

  /** Applies the changes and returns the row as it now is; undefined when the owner has no such contact. */
  async update(ownerId: string, email: string, changes: ContactChanges): Promise<ContactRow | undefined> {
    if (Object.keys(changes).length === 0) return this.find(ownerId, email);
    return this.db
      .updateTable('contacts')
      .set(changes)
      .where('owner_id', '=', ownerId)
      .where('email', '=', email)
      .returningAll()
      .executeTakeFirst();
  }

  /** Deletes the owner's contacts with these addresses; returns the addresses that were there. */
  async delete(ownerId: string, emails: readonly string[]): Promise<string[]> {
    if (emails.length === 0) return [];
    const rows = await this.db
      .deleteFrom('contacts')
      .where('owner_id', '=', ownerId)
      .where('email', 'in', [...emails])
      .returning('email')
      .execute();
    return rows.map((r) => r.email);
  }
}

type Executor = Transaction<Database>;

/**
 * A no-op write on the owner's account row: PostgreSQL holds its row lock until the
 * transaction ends, and SQLite takes its write lock before the count is read, so
 * bounded inserts for one owner run one after the other on both engines.
 */
async function lockOwner(trx: Executor, ownerId: string): Promise<void> {
  await trx
    .updateTable('users')
    .set((eb) => ({ plan: eb.ref('plan') }))
    .where('id', '=', ownerId)
    .execute();
}

async function existing(trx: Executor, ownerId: string, emails: readonly string[]): Promise<string[]> {
  const rows = await trx
    .selectFrom('contacts')
    .select('email')
    .where('owner_id', '=', ownerId)
    .where('email', 'in', [...emails])
    .execute();
  return rows.map((r) => r.email);
}

async function count(trx: Executor, ownerId: string): Promise<number> {
  const r = await trx
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('owner_id', '=', ownerId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
