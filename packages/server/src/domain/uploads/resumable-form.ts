/**
 * The options of a resumable upload, sent once in the tus `Upload-Metadata` at creation
 * and kept on the upload's row until the last byte lands. The same bounds and rules as
 * the upload form's fields apply (UploadForm validates them); the password is sealed
 * before it is stored, never kept in the clear.
 */
import type { Secrets } from '../../lib/crypto.js';
import { UploadRefused } from './upload-errors.js';
import { cleanFileName, UploadForm, type UploadLimitsRequest } from './upload-form.js';

/** Upload-Metadata keys and the upload form field each one stands for. */
const FIELD_OF: Record<string, string> = {
  description: 'description',
  password: 'password',
  folder_id: 'folder_id',
  recipients: 'recipient_email',
  recipient_email: 'recipient_email',
  message: 'recipient_message',
  recipient_message: 'recipient_message',
  notify_uploader: 'notify_uploader',
  time_limit: 'time_limit',
  download_limit: 'download_limit',
  limit_action: 'limit_action',
};
/** Keys that carry no option: the ticket, the name, and what browsers' clients add. */
const OTHER_KEYS = new Set(['ticket', 'filename', 'name', 'filetype', 'type', 'relativePath']);

export interface ResumableForm {
  fileName: string;
  description: string;
  passwordSealed: string | null;
  folderId: string;
  recipients: string[];
  message: string;
  notifyUploader: string;
  /** Expiry and download limit, as the upload form's fields set them (absent on rows stored before they were read). */
  limits?: UploadLimitsRequest;
}

/** Reads the options from the metadata; throws UploadRefused for a bad or unknown value. */
export function readResumableForm(metadata: ReadonlyMap<string, string>, secrets: Secrets): ResumableForm {
  const form = new UploadForm();
  for (const [key, value] of metadata) {
    const field = FIELD_OF[key];
    if (field) form.set(field, value);
    else if (!OTHER_KEYS.has(key)) throw new UploadRefused(`Unknown Upload-Metadata key "${key.slice(0, 40)}"`);
  }
  const name = metadata.get('filename') ?? metadata.get('name');
  if (name === undefined || name.trim() === '') throw new UploadRefused('Upload-Metadata must name the file (filename)');
  if (name.length > 1000) throw new UploadRefused('The file name is longer than 1000 characters');
  return {
    fileName: cleanFileName(name, 'file'),
    description: form.descriptions.get(1) ?? '',
    passwordSealed: form.password === '' ? null : secrets.encrypt(form.password),
    folderId: form.folderId,
    recipients: form.recipients,
    message: form.message,
    notifyUploader: form.notifyUploader,
    limits: form.limits,
  };
}

export function parseStoredForm(json: string): ResumableForm {
  return JSON.parse(json) as ResumableForm;
}
