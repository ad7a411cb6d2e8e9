/**
 * Accounts: registration with e-mail activation, and the operator's own account tools.
 * Two password forms are kept: a slow scrypt hash for the web, and md5(password)
 * sealed with the server secret, because the protocol's login proves knowledge of it.
 */
import { ApiError, isValidEmail } from '@sendbay/protocol';
import { PLAN_NAMES, type PlanName } from '../config.js';
import { hashPassword, md5Hex, randomKey, sha256Hex, type Secrets } from '../lib/crypto.js';
import type { Mailer } from '../mail/email.js';
import type { UserRow, UsersRepository } from '../metadata/repositories/users.js';
import type { SessionsRepository } from '../metadata/repositories/sessions.js';
import type { Clock } from './clock.js';

const FULL_NAME_RE = /^[A-Za-z ]{3,100}$/;

export class RegistrationError extends Error {}

export interface AccountsDeps {
  users: UsersRepository;
  sessions: SessionsRepository;
  secrets: Secrets;
  mailer: Mailer;
  clock: Clock;
  publicUrl: string;
  registrationOpen: boolean;
}

export class Accounts {
  constructor(private readonly d: AccountsDeps) {}

  private async credentials(password: string) {
    return { password_hash: await hashPassword(password), md5_sealed: this.d.secrets.encrypt(md5Hex(password)) };
  }

  /** auth.register: validates as the spec says, creates an inactive account, mails the link. */
  async register(input: { fullName: string; email: string; password: string | undefined }): Promise<void> {
    if (!this.d.registrationOpen) throw new ApiError(11, 'Registration is closed on this server; ask its operator for an account');
    const fullName = input.fullName.trim();
    const email = input.email.trim().toLowerCase();
    if (!FULL_NAME_RE.test(fullName)) throw new ApiError(27, 'Full name must be 3 to 100 characters of letters (a-z, A-Z) and spaces');
    if (!isValidEmail(email)) throw new ApiError(27, 'A valid e-mail address is required');
    const given = input.password ?? '';
    if (given !== '' && (given.length < 4 || given.length > 20))
      throw new ApiError(27, 'Password must be 4 to 20 characters, or empty to have one generated');
    if (await this.d.users.findByEmail(email)) throw new ApiError(27, 'This e-mail address is already registered');

    const password = given === '' ? randomKey(10) : given;
    const activationKey = randomKey(32);
    const id = randomKey(12);
    try {
      await this.d.users.insert({
        id,
        email,
        full_name: fullName,
        ...(await this.credentials(password)),
        plan: 'lite',
        membership_ends: null,
        activated: 0,
        disabled: 0,
        activation_hash: sha256Hex(activationKey),
        created_at: this.d.clock.now(),
      });
    } catch (err) {
      // Two registrations racing for one address: the unique index decides.
      if (await this.d.users.findByEmail(email)) throw new ApiError(27, 'This e-mail address is already registered');
      throw err;
    }
    try {
      await this.d.mailer.send({
        kind: 'activation',
        to: email,
        fullName,
        activationUrl: `${this.d.publicUrl}/activate/${activationKey}`,
        ...(given === '' ? { generatedPassword: password } : {}),
      });
    } catch {
      // Without the e-mail the account could never be activated, and its address would
      // stay taken: undo it so the user can simply try again.
      await this.d.users.delete(id);
      throw new ApiError(27, 'The activation e-mail could not be sent; please try again later');
    }
  }

  /** Whether an activation key names an account still waiting for it (the page then offers the button). */
  async activationPending(key: string): Promise<boolean> {
    return /^[a-z0-9]{32}$/.test(key) && (await this.d.users.findByActivationHash(sha256Hex(key))) !== undefined;
  }

  /** Follows an activation link; returns the account's e-mail, or undefined for a bad key. */
  async activate(key: string): Promise<string | undefined> {
    if (!/^[a-z0-9]{32}$/.test(key)) return undefined;
    const user = await this.d.users.findByActivationHash(sha256Hex(key));
    if (!user) return undefined;
    await this.d.users.update(user.id, { activated: 1, activation_hash: null });
    return user.email;
  }

  /** Operator: an activated account, ready to log in. */
  async create(input: { email: string; password: string; fullName?: string; plan?: PlanName }): Promise<UserRow> {
    const email = input.email.trim().toLowerCase();
    if (!isValidEmail(email)) throw new RegistrationError(`not a valid e-mail address: ${input.email}`);
    if (input.password.length < 4) throw new RegistrationError('password must be at least 4 characters');
    if (await this.d.users.findByEmail(email)) throw new RegistrationError(`${email} is already registered`);
    const plan = input.plan ?? 'lite';
    if (!PLAN_NAMES.includes(plan)) throw new RegistrationError(`unknown plan: ${plan}`);
    const id = randomKey(12);
    await this.d.users.insert({
      id,
      email,
      full_name: input.fullName?.trim() || email.split('@')[0] || email,
      ...(await this.credentials(input.password)),
      plan,
      membership_ends: null,
      activated: 1,
      disabled: 0,
      activation_hash: null,
      created_at: this.d.clock.now(),
    });
    return (await this.d.users.findById(id)) as UserRow;
  }

  /** A new password (both forms of it); every API session of the account ends. */
  async setPassword(user: UserRow, password: string): Promise<void> {
    await this.d.users.update(user.id, await this.credentials(password));
    await this.d.sessions.deleteForUser(user.id);
  }

  /** A new (confirmed) e-mail address; false when another account has it by now. */
  async setEmail(user: UserRow, email: string): Promise<boolean> {
    const normal = email.trim().toLowerCase();
    if (!isValidEmail(normal)) return false;
    const other = await this.d.users.findByEmail(normal);
    if (other && other.id !== user.id) return false;
    try {
      return await this.d.users.update(user.id, { email: normal });
    } catch {
      return false; // the unique index: someone took it in between
    }
  }

  async find(idOrEmail: string): Promise<UserRow | undefined> {
    return idOrEmail.includes('@') ? this.d.users.findByEmail(idOrEmail) : this.d.users.findById(idOrEmail);
  }

  async setPlan(user: UserRow, plan: PlanName, membershipEnds: number | null): Promise<void> {
    if (!PLAN_NAMES.includes(plan)) throw new RegistrationError(`unknown plan: ${plan}`);
    await this.d.users.update(user.id, { plan, membership_ends: plan === 'lite' ? null : membershipEnds });
  }

  /** Operator: a new password; every open session ends (whoever had the old one is logged out). */
  async resetPassword(user: UserRow, password: string): Promise<void> {
    if (password.length < 4) throw new RegistrationError('password must be at least 4 characters');
    await this.d.users.update(user.id, await this.credentials(password));
    await this.d.sessions.deleteForUser(user.id);
  }

  /** Disabling also ends every open session at once. */
  async setDisabled(user: UserRow, disabled: boolean): Promise<void> {
    await this.d.users.update(user.id, { disabled: disabled ? 1 : 0 });
    if (disabled) await this.d.sessions.deleteForUser(user.id);
  }

  /** Operators are the accounts with the admin flag; only they open the admin pages. */
  async setAdmin(user: UserRow, admin: boolean): Promise<void> {
    await this.d.users.update(user.id, { is_admin: admin ? 1 : 0 });
  }

  /**
   * A page of accounts by e-mail, for the operator's list: those after `after` (an
   * address from the previous page), matching `text` in address or name when given.
   */
  async page(opts: {
    text?: string | undefined;
    after?: string | undefined;
    pageSize: number;
  }): Promise<{ users: UserRow[]; next: string | undefined }> {
    const limit = Math.min(200, Math.max(1, Math.floor(opts.pageSize) || 1));
    const rows = await this.d.users.page({
      text: opts.text?.trim().slice(0, 200) || undefined,
      afterEmail: opts.after || undefined,
      limit: limit + 1,
    });
    const users = rows.slice(0, limit);
    return { users, next: rows.length > limit ? users[users.length - 1]?.email : undefined };
  }

  list(): Promise<UserRow[]> {
    return this.d.users.list();
  }
}
