/**
 * The last step of a resumable upload: its complete bytes, already in the blob store at
 * `blobKey`, become an ordinary file through the same commit step as every upload
 * (upload-commit.ts: ONE transaction for the row, the quota and the folder check, then
 * mail and contacts). The account is read afresh: it may have been disabled or filled
 * up while the bytes arrived. The ticket is not checked again; it was checked at
 * creation, and a long upload may outlive it.
 */
import type { TusUploadRow } from '../../metadata/repositories/tus-uploads.js';
import type { ResumableDeps } from './resumable-deps.js';
import type { ResumableForm } from './resumable-form.js';
import { UploadCommit } from './upload-commit.js';
import { UploadRefused } from './upload-errors.js';
import { isRefusal, uploadAllowance } from './upload-limits.js';
import type { UploadedFile } from './upload-outcome.js';

export async function commitResumable(
  d: ResumableDeps,
  upload: TusUploadRow,
  form: ResumableForm,
  blobKey: string,
  sha256: string,
): Promise<UploadedFile> {
  const owner = upload.owner_id;
  const user = owner === null ? null : ((await d.users.findById(owner)) ?? null);
  if (owner !== null && !user) throw new UploadRefused('This account does not exist any more');
  const allowance = uploadAllowance(user, d.config, d.clock.now());
  if (isRefusal(allowance)) throw new UploadRefused(allowance.text);
  const ticket = { value: upload.ticket, owner, maxFileSize: upload.upload_length, speedLimitKb: upload.speed_limit_kb, expires: 0 };
  const outcome = await new UploadCommit(d).commit({
    grant: { ticket, user, allowance },
    folderId: form.folderId,
    password: form.passwordSealed === null ? '' : d.secrets.decrypt(form.passwordSealed),
    files: [{ key: blobKey, size: upload.upload_length, sha256, name: form.fileName, description: form.description }],
    mail: { recipients: form.recipients, invalidRecipients: [], message: form.message, notifyUploader: form.notifyUploader },
    limits: form.limits ?? {},
  });
  const file = outcome.files[0];
  if (!file) throw new Error('the commit made no file');
  return file;
}

/** The folder the file is to go to, checked early for a clear answer at creation (the commit checks again). */
export async function folderOf(d: Pick<ResumableDeps, 'folders'>, owner: string, id: string): Promise<string> {
  if (id === '0' || id === '') return '0';
  const folder = /^[a-z0-9]{1,40}$/.test(id) ? await d.folders.findById(id) : undefined;
  if (!folder || folder.owner_id !== owner) throw new UploadRefused('Folder not found: folder_id must be one of your folders, or 0');
  return folder.id;
}
