/**
 * The web upload form's field names, translated to the upload receiver's on the way in:
 * the form is the original site's (download tools post it as they find it, see
 * docs/compatibility.md), the receiver speaks the API form's. Transport only: which
 * field means what stays the receiver's business.
 *
 *   signature            -> extra_info (the upload ticket, which is also the form's CSRF token)
 *   upload_file[] (n-th) -> userfile, userfile2, …     description[] (n-th) -> description, description2, …
 *   recpemail            -> recipient_email             message -> recipient_message
 *   ownemail             -> notify_uploader (anonymous uploads: the receipt goes there)
 *   folder_id, password, time_limit, download_limit, limit_action: as they are
 * Everything else the original form sent (PROGRESS_URL, js_enabled, terms, file[],
 * upload_files, recpemail_fcbkinput, userid) is read and ignored.
 */
import type { Readable } from 'node:stream';
import { isValidEmail } from '@sendbay/protocol';
import { UploadRefused } from '../../domain/uploads/upload-errors.js';
import type { UploadOutcome } from '../../domain/uploads/upload-outcome.js';
import type { UploadSink } from '../../http/upload-body.js';

const SAME = new Set(['folder_id', 'password', 'time_limit', 'download_limit', 'limit_action', 'MAX_FILE_SIZE']);
const RENAMED: Record<string, string> = { signature: 'extra_info', recpemail: 'recipient_email', message: 'recipient_message' };

const slot = (n: number, base: string) => (n === 1 ? base : `${base}${n}`);

export class WebFormSink implements UploadSink {
  private files = 0;
  private descriptions = 0;
  /** Whether the page's script sent the form (js_enabled=1). */
  jsEnabled = false;
  /** The text fields as typed, to show them again when the upload fails. */
  readonly values: Record<string, string> = {};
  /** A message per field the form got wrong; the upload is then refused as a whole. */
  readonly errors: Record<string, string> = {};
  recipients = 0;

  constructor(
    private readonly inner: UploadSink,
    /** Whether the ticket is anonymous: only then is ownemail a receipt address. */
    private readonly anonymous: () => boolean,
    private readonly messages: { badRecipients: string; badEmail: string; badNumber: string },
  ) {}

  identify(value: string): void {
    this.inner.identify(value);
  }

  field(name: string, value: string): void {
    if (name !== 'password' && name !== 'signature' && this.values[name] === undefined) this.values[name] = value;
    this.check(name, value);
    if (name === 'js_enabled') this.jsEnabled = value === '1';
    else if (name === 'description[]') this.inner.field(slot(++this.descriptions, 'description'), value);
    else if (name === 'ownemail') {
      if (this.anonymous()) this.inner.field('notify_uploader', value);
    } else if (RENAMED[name]) this.inner.field(RENAMED[name], value);
    else if (SAME.has(name)) this.inner.field(name, value);
  }

  /** The web form's own checks, with a message for the field (the receiver checks its bounds again). */
  private check(name: string, value: string): void {
    const v = value.trim();
    const refuse = (message: string) => {
      this.errors[name] = message;
      throw new UploadRefused(message);
    };
    if (name === 'recpemail' && v !== '') {
      const list = v.split(/[,;\s]+/).filter(Boolean);
      if (list.some((e) => !isValidEmail(e))) refuse(this.messages.badRecipients);
      this.recipients = list.length;
    }
    if (name === 'ownemail' && v !== '' && !isValidEmail(v)) refuse(this.messages.badEmail);
    if (name === 'download_limit' && v !== '' && !/^[1-9]\d{0,8}$/.test(v)) refuse(this.messages.badNumber);
  }

  file(field: string, fileName: string | undefined, stream: Readable): Promise<void> {
    if (field !== 'upload_file[]') {
      stream.resume();
      return Promise.resolve();
    }
    return this.inner.file(slot(++this.files, 'userfile'), fileName, stream);
  }

  received(bytes: number): void {
    this.inner.received(bytes);
  }

  finish(): Promise<UploadOutcome> {
    return this.inner.finish();
  }

  abort(reason: unknown): Promise<UploadOutcome> {
    return this.inner.abort(reason);
  }
}
