/**
 * Uploads: what upload.getInfo / anonymous.uploadGetInfo hand out, the three steps every
 * upload goes through (authorize, store parts, commit), the multipart receiver built on
 * them, and what the progress URL reports. Front doors other than the multipart form
 * (tus) call `authorize`, write blobs under keys they `hold`, then `commit`.
 */
import { ApiError, type ProgressSnapshot } from '@sendbay/protocol';
import type { UserRow } from '../../metadata/repositories/users.js';
import type { UploadsDeps } from './upload-deps.js';
import { isRefusal, uploadAllowance } from './upload-limits.js';
import { authorizeUpload, type UploadGrant } from './upload-authorize.js';
import { UploadCommit, type CommitRequest } from './upload-commit.js';
import type { UploadOutcome } from './upload-outcome.js';
import { UploadReceiver } from './upload-receiver.js';
import { issueTicket, readTicket } from './upload-ticket.js';

export interface UploadInfo {
  url: string;
  progressUrl: string;
  maxFileSize: number;
  identifier: string;
  extraInfo: string;
}

export class Uploads {
  private readonly committer: UploadCommit;

  constructor(private readonly d: UploadsDeps) {
    this.committer = new UploadCommit(d);
  }

  /** upload.getInfo (`user`) or anonymous.uploadGetInfo (null); errors 11, 19, 20. */
  info(user: UserRow | null, speedLimitKb: number | null): UploadInfo {
    const now = this.d.clock.now();
    const allowance = uploadAllowance(user, this.d.config, now);
    if (isRefusal(allowance)) throw new ApiError(allowance.code, allowance.text);
    const ticket = issueTicket(this.d.secrets, {
      owner: user?.id ?? null,
      maxFileSize: allowance.maxFileSize,
      speedLimitKb: Math.max(0, speedLimitKb ?? 0),
      expires: now + this.d.config.uploadInfoTtlSeconds,
    });
    const base = this.d.config.publicUrl;
    return {
      // The identifier in the path and a single query parameter: clients append `&extra_info=…`.
      url: `${base}/upload/${ticket.value}?MAX_FILE_SIZE=${allowance.maxFileSize}`,
      progressUrl: `${base}/progress/${ticket.value}`,
      maxFileSize: allowance.maxFileSize,
      identifier: ticket.value,
      extraInfo: ticket.value,
    };
  }

  /** A receiver for one upload request; `totalBytes` is its Content-Length (0 if unknown). */
  receive(totalBytes: number): UploadReceiver {
    return new UploadReceiver(this.d, this.committer, totalBytes);
  }

  /** Step 1: the grant for an upload identifier / extra_info; UploadRefused when there is none. */
  authorize(credential: string | undefined): Promise<UploadGrant> {
    return authorizeUpload(this.d, credential);
  }

  /**
   * Step 3 for blobs already stored (by any front door): the files become visible, the
   * quota is charged, mails go out, all as for a form upload. UploadRefused when the
   * folder is gone or the space is used up; the blobs then stay the caller's to delete.
   */
  commit(req: CommitRequest): Promise<UploadOutcome> {
    return this.committer.commit(req);
  }

  /** Keeps the orphan sweeper off a blob key while its upload runs (until `release`). */
  hold(key: string): void {
    this.d.inFlight.add(key);
  }

  release(key: string): void {
    this.d.inFlight.delete(key);
  }

  /**
   * The progress of an upload: `ok` while it runs, and also before it starts (a valid
   * identifier that has not been used yet); `done` once stored; `fail` when it failed
   * or the identifier is unknown, so that polling clients always stop.
   */
  async progress(identifier: string): Promise<ProgressSnapshot> {
    const e = await this.d.progress.get(identifier);
    if (!e) {
      const issued = readTicket(this.d.secrets, identifier, this.d.clock.now()) !== undefined;
      return { status: issued ? 'ok' : 'fail', uploadedBytes: 0, totalSize: 0, elapsedSeconds: 0, bytesPerSecond: 0 };
    }
    const elapsedMs = Math.max(0, (e.endedAt ?? Date.now()) - e.startedAt);
    return {
      status: e.status === 'running' ? 'ok' : e.status,
      uploadedBytes: e.receivedBytes,
      totalSize: e.totalBytes,
      elapsedSeconds: elapsedMs / 1000,
      bytesPerSecond: elapsedMs > 0 ? (e.receivedBytes * 1000) / elapsedMs : 0,
    };
  }

  /** Whether a blob key belongs to an upload still in progress in this process. */
  isInFlight(key: string): boolean {
    return this.d.inFlight.has(key);
  }
}
