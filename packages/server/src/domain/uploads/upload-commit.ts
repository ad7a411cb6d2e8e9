/**
 * Step 3 of every upload: blobs already stored become files. One metadata method
 * (`UploadCommitsRepository.commit`) inserts the rows, charges the quota and checks,
 * in the same transaction, that the folder is still there; then the mails the upload
 * asked for go out and the account's figures are read for the answer.
 *
 * Every front door ends here: the API form and the web form through the multipart
 * receiver, tus when an upload completes. A refused commit (UploadRefused) writes
 * nothing; the blobs stay the caller's, to delete.
 */
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Config } from '../../config.js';
import { randomKey, type Secrets } from '../../lib/crypto.js';
import type { FilesRepository, NewFileRow } from '../../metadata/repositories/files.js';
import type { FoldersRepository } from '../../metadata/repositories/folders.js';
import type { UploadCommitsRepository } from '../../metadata/repositories/upload-commits.js';
import type { UsersRepository } from '../../metadata/repositories/users.js';
import { accountStatus, wireInt32 } from '../account-status.js';
import type { Clock } from '../clock.js';
import { newUniqueId } from '../ids.js';
import type { Links } from '../links.js';
import type { StoredBlob } from './store-part.js';
import type { UploadGrant } from './upload-authorize.js';
import { UploadRefused } from './upload-errors.js';
import type { UploadLimitsRequest } from './upload-form.js';
import { mailAfterUpload, type UploadMailDeps, type UploadMailRequest } from './upload-mail.js';
import type { UploadedFile, UploadOutcome } from './upload-outcome.js';

/** One stored blob and what it is to be called. */
export interface CommitFile extends StoredBlob {
  /** Already cleaned (see `cleanFileName`). */
  name: string;
  description: string;
}

export interface CommitRequest {
  grant: UploadGrant;
  /** As the client sent it: '' or '0' for the root, else one of the owner's folders. */
  folderId: string;
  /** '' for none; stored sealed, never in the clear. */
  password: string;
  /** In the order of the answer. */
  files: readonly CommitFile[];
  /** Time and download limits for every file (the web form's options); none when omitted. */
  limits?: UploadLimitsRequest;
  /** Links to recipients, a receipt to the uploader; none when omitted. */
  mail?: UploadMailRequest;
}

export interface UploadCommitDeps extends UploadMailDeps {
  config: Pick<Config, 'plans'>;
  commits: UploadCommitsRepository;
  files: Pick<FilesRepository, 'idExists'>;
  folders: Pick<FoldersRepository, 'findById'>;
  users: Pick<UsersRepository, 'findById'>;
  blobs: Pick<BlobStore, 'stat'>;
  links: Links;
  secrets: Secrets;
  clock: Clock;
}

const NO_FOLDER = 'Folder not found: folder_id must be one of your folders, or 0';
const NO_SPACE = 'Not enough disk space left for this upload';

export class UploadCommit {
  constructor(private readonly d: UploadCommitDeps) {}

  /** Makes the files visible and answers with them; UploadRefused when it may not. */
  async commit(req: CommitRequest): Promise<UploadOutcome> {
    if (req.files.length === 0) throw new UploadRefused('No file was sent: send it in the field userfile');
    const owner = req.grant.ticket.owner;
    const folderId = owner === null ? '0' : await this.folderOf(owner, req.folderId);
    // A blob removed under us (by a sweeper on another node, after a very long upload) must not get a row.
    for (const f of req.files) if (!(await this.d.blobs.stat(f.key))) throw new Error('a stored part disappeared before commit');

    const rows = await this.rows(req, owner, folderId);
    const result = await this.d.commits.commit({
      ownerId: owner,
      folderId,
      diskLimit: req.grant.allowance.status?.limits.diskSpace ?? -1,
      rows,
    });
    if (result === 'disk-full') throw new UploadRefused(NO_SPACE);
    if (result === 'folder-gone') throw new UploadRefused(NO_FOLDER);

    const files: UploadedFile[] = rows.map((r) => ({
      id: r.id,
      name: r.name,
      size: Number(r.size),
      downloadUrl: this.d.links.downloadPage(r.id),
      deleteUrl: this.d.links.deletePage(r.id, r.delete_salt),
    }));
    const user = req.grant.user;
    if (req.mail) await mailAfterUpload(this.d, user, req.mail, files);
    const fresh = user ? await this.d.users.findById(user.id) : undefined;
    const status = fresh ? accountStatus(fresh, this.d.config.plans, this.d.clock.now()) : undefined;
    return {
      status: 'ok',
      anonymous: owner === null,
      files,
      bandwidthLeft: status ? wireInt32(status.bandwidthLeft) : -1,
      diskspaceLeft: status ? wireInt32(status.diskspaceLeft) : -1,
    };
  }

  /** An early check with a clear answer; the commit transaction checks again. */
  private async folderOf(owner: string, raw: string): Promise<string> {
    const id = raw.trim().toLowerCase();
    if (id === '' || id === '0') return '0';
    const folder = /^[a-z0-9]{1,40}$/.test(id) ? await this.d.folders.findById(id) : undefined;
    if (!folder || folder.owner_id !== owner) throw new UploadRefused(NO_FOLDER);
    return folder.id;
  }

  private async rows(req: CommitRequest, owner: string | null, folderId: string): Promise<NewFileRow[]> {
    const now = this.d.clock.now();
    const password = req.password === '' ? null : this.d.secrets.encrypt(req.password);
    const { timeLimit, downloadLimit, limitAction } = req.limits ?? {};
    const taken = new Set<string>();
    const rows: NewFileRow[] = [];
    for (const f of req.files) {
      const id = await newUniqueId(async (candidate) => taken.has(candidate) || (await this.d.files.idExists(candidate)));
      taken.add(id);
      rows.push({
        id,
        owner_id: owner,
        folder_id: folderId,
        name: f.name,
        description: f.description,
        size: f.size,
        sha256: f.sha256,
        blob_key: f.key,
        password_sealed: password,
        upload_time: now,
        // Without limits asked for, anonymous files still expire: the limits sweeper removes idle ones.
        time_limit: timeLimit ?? null,
        limit_expires_at: timeLimit ? now + timeLimit : null,
        download_limit: downloadLimit ?? null,
        ...(limitAction !== undefined ? { limit_action: limitAction } : {}),
        limit_action_to_folder: null,
        delete_salt: randomKey(16),
        last_download_at: null,
      });
    }
    return rows;
  }
}
