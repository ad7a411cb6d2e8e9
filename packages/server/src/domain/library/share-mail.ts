/**
 * Mailing links on a user's behalf (files.sendMail, folders.sendMail): one message per
 * recipient, so no recipient sees the others' addresses, replies going to the user; then
 * the recipients join the user's address book as collected contacts. A failed delivery is
 * logged (by the mailer) and never fails the share.
 */
import type { Email, Mailer } from '../../mail/email.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import type { Contacts } from '../contacts.js';

type FilesShared = Extract<Email, { kind: 'files-shared' }>;
type FoldersShared = Extract<Email, { kind: 'folders-shared' }>;
export type SharedLinks = Pick<FilesShared, 'kind' | 'files'> | Pick<FoldersShared, 'kind' | 'folders'>;

export async function mailLinksToEach(
  d: { mailer: Mailer; contacts: Contacts },
  user: UserRow,
  input: { emails: readonly string[]; message?: string | undefined },
  links: SharedLinks,
): Promise<void> {
  const common = { senderName: user.full_name, replyTo: user.email, message: input.message ?? '' };
  // A mail server that is down does not undo the share: the spec's answer has no code for
  // it, the links are valid, and the configured mailer logs and counts every failure.
  for (const to of input.emails) await d.mailer.send({ ...links, ...common, to: [to] } as Email).catch(() => undefined);
  await d.contacts.collect(user.id, input.emails);
}
