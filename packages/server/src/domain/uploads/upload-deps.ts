/** What the upload domain needs, wired by the composition root. */
import type { Logger } from 'pino';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Config } from '../../config.js';
import type { Secrets } from '../../lib/crypto.js';
import type { Mailer } from '../../mail/email.js';
import type { FilesRepository } from '../../metadata/repositories/files.js';
import type { FoldersRepository } from '../../metadata/repositories/folders.js';
import type { UploadCommitsRepository } from '../../metadata/repositories/upload-commits.js';
import type { UsersRepository } from '../../metadata/repositories/users.js';
import type { ProgressTracker } from '../../progress/progress-tracker.js';
import type { Clock } from '../clock.js';
import type { Contacts } from '../contacts.js';
import type { Links } from '../links.js';

export type UploadsConfig = Pick<Config, 'publicUrl' | 'plans' | 'anonymousMaxFileSize' | 'uploadInfoTtlSeconds' | 'maxFilesPerUpload'>;

export interface UploadsDeps {
  config: UploadsConfig;
  files: FilesRepository;
  folders: FoldersRepository;
  users: UsersRepository;
  /** The upload's one metadata write: rows, quota, folder still there. */
  commits: UploadCommitsRepository;
  blobs: BlobStore;
  progress: ProgressTracker;
  mailer: Mailer;
  contacts: Contacts;
  links: Links;
  secrets: Secrets;
  clock: Clock;
  log: Logger;
  /** Blob keys written by uploads that have not committed or cleaned up yet. */
  inFlight: Set<string>;
}
