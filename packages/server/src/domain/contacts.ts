/** The address book: contacts a user adds (type 0) and addresses they mail to (type 1, collected). */
import type { ContactsRepository } from '../metadata/repositories/contacts.js';
import type { Clock } from './clock.js';

export class Contacts {
  constructor(
    private readonly repo: ContactsRepository,
    private readonly clock: Clock,
  ) {}

  /** Called whenever a user sends mail to addresses: they join the address book as type 1. */
  async collect(ownerId: string, emails: readonly string[]): Promise<void> {
    await this.repo.insertCollected(ownerId, emails.map((e) => e.toLowerCase()), this.clock.now());
  }
}
