/**
 * What the account pages do beyond logging in: registration with a message per field,
 * a forgotten password (a mailed link that works once, for an hour), a new password,
 * and a new e-mail address confirmed from that address. Links carry no stored state:
 * each is signed with the server secret over what it changes, and a reset link is also
 * signed over the current password hash, so it stops working once used.
 */
import { ApiError, isValidEmail } from '@sendbay/protocol';
import { verifyPassword, type Secrets } from '../lib/crypto.js';
import type { Mailer } from '../mail/email.js';
import type { UserRow, UsersRepository } from '../metadata/repositories/users.js';
import type { Accounts } from './accounts.js';
import type { Clock } from './clock.js';
import type { FailureLimiter } from './rate-limiter.js';
import type { WebSessions } from './web-sessions.js';

export interface WebAccountsDeps {
  accounts: Accounts;
  users: UsersRepository;
  webSessions: WebSessions;
  secrets: Secrets;
  mailer: Mailer;
  clock: Clock;
  limiter: FailureLimiter;
  publicUrl: string;
  registrationOpen: boolean;
}

export const LINK_MINUTES = 60;
const FULL_NAME_RE = /^[A-Za-z ]{3,100}$/;

/** Messages by field; the page words them (a key of its catalogue). */
export type FieldProblems<K extends string> = Partial<Record<K | '_form', ProblemCode>>;
export type ProblemCode =
  'closed' | 'badName' | 'badEmail' | 'taken' | 'badPassword' | 'mismatch' | 'mailFailed' | 'wrongCurrent' | 'blocked';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

export function passwordProblem(password: string, confirm: string, allowEmpty: boolean): ProblemCode | undefined {
  if (password === '' && allowEmpty) return confirm === '' ? undefined : 'mismatch';
  if (password.length < 4 || password.length > 20) return 'badPassword';
  return password === confirm ? undefined : 'mismatch';
}

export class WebAccounts {
  constructor(private readonly d: WebAccountsDeps) {}

  /** Registration as auth.register does it, but with every problem named by its field. */
  async register(input: {
    fullName: string;
    email: string;
    password: string;
    confirm: string;
  }): Promise<FieldProblems<'fullName' | 'email' | 'password' | 'confirm'>> {
    if (!this.d.registrationOpen) return { _form: 'closed' };
    const problems: FieldProblems<'fullName' | 'email' | 'password' | 'confirm'> = {};
    if (!FULL_NAME_RE.test(input.fullName.trim())) problems.fullName = 'badName';
    const email = input.email.trim().toLowerCase();
    if (!isValidEmail(email)) problems.email = 'badEmail';
    else if (await this.d.users.findByEmail(email)) problems.email = 'taken';
    const pw = passwordProblem(input.password, input.confirm, true);
    if (pw) problems[pw === 'mismatch' ? 'confirm' : 'password'] = pw;
    if (Object.keys(problems).length > 0) return problems;
    try {
      await this.d.accounts.register({ fullName: input.fullName, email, password: input.password });
    } catch (err) {
      if (err instanceof ApiError && /already registered/.test(err.message)) return { email: 'taken' };
      if (err instanceof ApiError && /could not be sent/.test(err.message)) return { _form: 'mailFailed' };
      throw err;
    }
    return {};
  }

  private resetSignature(user: UserRow, expires: number): string {
    return this.d.secrets.sign('password-reset', `${user.id}.${expires}.${user.password_hash}`, 32);
  }

  /**
   * Mails a reset link when the address has an account; says nothing either way (the
   * page's answer must not tell who has an account). Limited per address like logins.
   */
  async forgot(email: string, address: string): Promise<'sent' | 'blocked'> {
    const now = this.d.clock.now();
    const normal = email.trim().toLowerCase();
    const buckets = { account: `forgot:acct:${normal}`, address: `forgot:addr:${address}` };
    if (await this.d.limiter.isBlocked(buckets, now)) return 'blocked';
    await this.d.limiter.recordFailure(buckets, now);
    const user = await this.d.users.findByEmail(normal);
    if (!user || user.disabled) return 'sent';
    const expires = now + LINK_MINUTES * 60;
    const token = `${user.id}.${expires.toString(36)}.${this.resetSignature(user, expires)}`;
    await this.d.mailer.send({
      kind: 'password-reset',
      to: user.email,
      fullName: user.full_name,
      resetUrl: `${this.d.publicUrl}/reset/${token}`,
      validMinutes: LINK_MINUTES,
    });
    return 'sent';
  }

  /** The account a reset link is for, while it is valid and unused. */
  async resetTarget(token: string): Promise<UserRow | undefined> {
    const m = /^([a-z0-9]{1,40})\.([0-9a-z]{1,8})\.([A-Za-z0-9_-]{32})$/.exec(token);
    if (!m) return undefined;
    const expires = parseInt(m[2] as string, 36);
    if (expires <= this.d.clock.now()) return undefined;
    const user = await this.d.users.findById(m[1] as string);
    if (!user || user.disabled) return undefined;
    return this.d.secrets.verify('password-reset', `${user.id}.${expires}.${user.password_hash}`, m[3] as string, 32) ? user : undefined;
  }

  /** Sets the password a reset link was for; every session of the account ends. */
  async reset(token: string, password: string, confirm: string): Promise<FieldProblems<'password' | 'confirm'> | 'invalid'> {
    const user = await this.resetTarget(token);
    if (!user) return 'invalid';
    const pw = passwordProblem(password, confirm, false);
    if (pw) return { [pw === 'mismatch' ? 'confirm' : 'password']: pw };
    await this.d.accounts.setPassword(user, password);
    await this.d.webSessions.endOthers(user.id);
    // Someone who could read the mail could also be locked out by a guesser: a reset clears it.
    await this.d.limiter.clear(`login:acct:${user.email}`);
    return {};
  }

  /** A new password for the logged-in account: the current one first; other browsers are logged out. */
  async changePassword(
    user: UserRow,
    keepSession: string,
    input: { current: string; password: string; confirm: string },
  ): Promise<FieldProblems<'current' | 'password' | 'confirm'>> {
    if (!(await verifyPassword(input.current, user.password_hash).catch(() => false))) return { current: 'wrongCurrent' };
    const pw = passwordProblem(input.password, input.confirm, false);
    if (pw) return { [pw === 'mismatch' ? 'confirm' : 'password']: pw };
    await this.d.accounts.setPassword(user, input.password);
    await this.d.webSessions.endOthers(user.id, keepSession);
    return {};
  }

  private emailSignature(user: UserRow, email: string, expires: number): string {
    return this.d.secrets.sign('email-change', `${user.id}.${email}.${expires}.${user.email}`, 32);
  }

  /** Mails a confirmation link to the new address; the current password is asked first. */
  async requestEmailChange(user: UserRow, input: { email: string; current: string }): Promise<FieldProblems<'email' | 'current'>> {
    const email = input.email.trim().toLowerCase();
    if (!isValidEmail(email)) return { email: 'badEmail' };
    if (!(await verifyPassword(input.current, user.password_hash).catch(() => false))) return { current: 'wrongCurrent' };
    const other = await this.d.users.findByEmail(email);
    if (other) return { email: 'taken' };
    const expires = this.d.clock.now() + LINK_MINUTES * 60;
    const token = `${b64(email)}.${expires.toString(36)}.${this.emailSignature(user, email, expires)}`;
    try {
      await this.d.mailer.send({
        kind: 'email-change',
        to: email,
        fullName: user.full_name,
        confirmUrl: `${this.d.publicUrl}/account/email/${token}`,
        validMinutes: LINK_MINUTES,
      });
    } catch {
      return { _form: 'mailFailed' };
    }
    return {};
  }

  /** The new address a confirmation link names, if it is valid for this account. */
  emailChangeTarget(user: UserRow, token: string): string | undefined {
    const m = /^([A-Za-z0-9_-]{1,400})\.([0-9a-z]{1,8})\.([A-Za-z0-9_-]{32})$/.exec(token);
    if (!m) return undefined;
    const email = unb64(m[1] as string);
    const expires = parseInt(m[2] as string, 36);
    if (expires <= this.d.clock.now() || !isValidEmail(email)) return undefined;
    return this.d.secrets.verify('email-change', `${user.id}.${email}.${expires}.${user.email}`, m[3] as string, 32) ? email : undefined;
  }

  async confirmEmailChange(user: UserRow, token: string): Promise<string | undefined> {
    const email = this.emailChangeTarget(user, token);
    if (!email) return undefined;
    return (await this.d.accounts.setEmail(user, email)) ? email : undefined;
  }
}
