/**
 * The address book: contacts a user adds (type 0) and addresses they mail to (type 1,
 * collected). Addresses are compared case-insensitively by storing them lowercased.
 * Every owner has at most their plan's `contacts` entries (-1: no limit).
 */
import { ApiError } from '@sendbay/protocol';
import type { PlanLimits, PlanName } from '../config.js';
import type { ContactChanges, ContactRow, ContactsRepository } from '../metadata/repositories/contacts.js';
import type { UsersRepository } from '../metadata/repositories/users.js';
import { accountStatus, type AccountUsage } from './account-status.js';
import type { Clock } from './clock.js';

export type { ContactRow };

export interface NewContact {
  email: string;
  name?: string | undefined;
  description?: string | undefined;
  /** 0 added by the user (default), 1 collected. */
  type?: 0 | 1 | undefined;
}

/** Fields of addressbook.update: undefined leaves a field as it is, '' clears it. */
export interface ContactUpdate {
  name?: string | undefined;
  description?: string | undefined;
  /** null (sent empty) goes back to the default, 0. */
  type?: 0 | 1 | null | undefined;
}

export class Contacts {
  constructor(
    private readonly repo: ContactsRepository,
    private readonly clock: Clock,
    private readonly users: UsersRepository,
    private readonly plans: Record<PlanName, PlanLimits>,
  ) {}

  private limitOf(user: AccountUsage): number {
    return accountStatus(user, this.plans, this.clock.now()).limits.contacts;
  }

  /** Every contact of the owner, by address. */
  list(ownerId: string): Promise<ContactRow[]> {
    return this.repo.list(ownerId);
  }

  /** addressbook.add: 28 when the address is already there, 32 when the plan's limit is reached. */
  async add(owner: AccountUsage & { id: string }, input: NewContact): Promise<ContactRow> {
    const row = {
      owner_id: owner.id,
      email: input.email.trim().toLowerCase(),
      name: input.name ?? '',
      description: input.description ?? '',
      type: input.type ?? 0,
      created_at: this.clock.now(),
    };
    const outcome = await this.repo.insertWithinLimit(row, this.limitOf(owner));
    if (outcome === 'exists') throw new ApiError(28, `Contact already exists: ${row.email}`);
    if (outcome === 'full') throw new ApiError(32);
    return row;
  }

  /** addressbook.update: 29 when the owner has no such contact; returns the contact as it now is. */
  async update(ownerId: string, email: string, input: ContactUpdate): Promise<ContactRow> {
    const changes: ContactChanges = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    if (input.type !== undefined) changes.type = input.type ?? 0;
    const row = await this.repo.update(ownerId, email.trim().toLowerCase(), changes);
    if (!row) throw new ApiError(29, `Contact doesn't exist: ${email.trim().toLowerCase()}`);
    return row;
  }

  /** Deletes what exists; the caller decides how to report the addresses that did not. */
  async delete(ownerId: string, emails: readonly string[]): Promise<{ deleted: string[]; missing: string[] }> {
    const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    const gone = new Set(await this.repo.delete(ownerId, wanted));
    return { deleted: wanted.filter((e) => gone.has(e)), missing: wanted.filter((e) => !gone.has(e)) };
  }

  /**
   * Called whenever a user sends mail to addresses: they join the address book as type 1,
   * never replacing a contact the user added. A full address book only stops collecting:
   * sending the mail must not fail because of it.
   */
  async collect(ownerId: string, emails: readonly string[]): Promise<void> {
    const owner = await this.users.findById(ownerId);
    if (!owner) return;
    const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    await this.repo.insertCollected(ownerId, wanted, this.clock.now(), this.limitOf(owner));
  }
}
