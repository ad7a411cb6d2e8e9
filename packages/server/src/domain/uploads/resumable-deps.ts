/** What resumable (tus) uploads need, wired by the composition root. */
import type { Config } from '../../config.js';
import type { TusUploadsRepository } from '../../metadata/repositories/tus-uploads.js';
import type { ResumableStore } from '../../tus/resumable-store.js';
import type { UploadLocks } from './resumable-locks.js';
import type { UploadsDeps } from './upload-deps.js';

export interface ResumableDeps extends Omit<UploadsDeps, 'config'> {
  config: UploadsDeps['config'] & Pick<Config, 'tusExpirySeconds' | 'orphanGraceSeconds'>;
  tusUploads: TusUploadsRepository;
  store: ResumableStore;
  locks: UploadLocks;
}
