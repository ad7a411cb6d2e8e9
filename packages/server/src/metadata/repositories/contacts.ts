import type { Db } from '../db.js';

export class ContactsRepository {
  constructor(private readonly db: Db) {}

  /** Adds each address as a collected contact (type 1) unless the owner already has it. */
  async insertCollected(ownerId: string, emails: readonly string[], now: number): Promise<void> {
    for (const email of emails) {
      await this.db
        .insertInto('contacts')
        .values({ owner_id: ownerId, email, name: '', description: '', type: 1, created_at: now })
        .onConflict((oc) => oc.columns(['owner_id', 'email']).doNothing())
        .execute();
    }
  }
}
