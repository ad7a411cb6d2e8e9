/**
 * The e-mails an upload asks for: the files' links to each recipient, and a receipt
 * (with delete links) to the uploader. The files are stored by now, so a mail failure
 * is logged, never reported as a failed upload; and the answer waits for the mail
 * server only so long.
 */
import { isValidEmail } from '@sendbay/protocol';
import type { Logger } from 'pino';
import type { Email, Mailer } from '../../mail/email.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import type { Contacts } from '../contacts.js';
import type { UploadedFile } from './upload-outcome.js';

/** The answer waits at most this long for mail; slower deliveries finish in the background. */
const MAIL_WAIT_MS = 10_000;

export interface UploadMailDeps {
  mailer: Mailer;
  contacts: Contacts;
  log: Logger;
}

/** What an upload asked to be mailed (the form's recipient_email, recipient_message, notify_uploader). */
export interface UploadMailRequest {
  /** Valid, distinct addresses. */
  recipients: readonly string[];
  /** Addresses that were sent but are not valid: skipped, and counted in the log. */
  invalidRecipients: readonly string[];
  message: string;
  /** Session uploads: '1' for a receipt to the account's address. Anonymous ones: the uploader's address. */
  notifyUploader: string;
}

export async function mailAfterUpload(
  d: UploadMailDeps,
  user: UserRow | null,
  form: UploadMailRequest,
  files: readonly UploadedFile[],
): Promise<void> {
  const jobs: Promise<unknown>[] = [];
  const send = (email: Email) =>
    jobs.push(d.mailer.send(email).catch((err: unknown) => d.log.warn({ err, kind: email.kind }, 'upload e-mail not sent')));

  // Session uploads: notify_uploader is 0/1. Anonymous ones: it is the uploader's address.
  const uploaderAddress = user
    ? form.notifyUploader === '1'
      ? user.email
      : undefined
    : isValidEmail(form.notifyUploader)
      ? form.notifyUploader
      : undefined;
  if (form.invalidRecipients.length > 0) d.log.info({ skipped: form.invalidRecipients.length }, 'invalid recipient addresses skipped');

  if (form.recipients.length > 0) {
    send({
      kind: 'files-shared',
      to: [...form.recipients],
      senderName: user?.full_name ?? uploaderAddress ?? 'A Sendbay user',
      ...(user ? { replyTo: user.email } : uploaderAddress ? { replyTo: uploaderAddress } : {}),
      message: form.message,
      files: files.map((f) => ({ name: f.name, size: f.size, url: f.downloadUrl })),
    });
    if (user)
      jobs.push(d.contacts.collect(user.id, form.recipients).catch((err: unknown) => d.log.warn({ err }, 'contacts not collected')));
  }
  if (uploaderAddress) {
    send({
      kind: 'upload-receipt',
      to: uploaderAddress,
      files: files.map((f) => ({ name: f.name, size: f.size, url: f.downloadUrl, deleteUrl: f.deleteUrl })),
    });
  }
  if (jobs.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(jobs), new Promise<void>((r) => (timer = setTimeout(r, MAIL_WAIT_MS)))]);
  clearTimeout(timer);
}
