/**
 * One multipart (or raw PUT) upload while it is read: the front door that the API form
 * and the web form share. The HTTP layer feeds it fields and file parts in the order
 * they arrive; it runs the three upload steps on them:
 *   authorize (upload-authorize.ts) once the credential is known,
 *   store each part (store-part.ts) as it arrives,
 *   commit (upload-commit.ts) once the body has ended and every part is stored.
 * Until the commit nothing is visible; on any failure the blobs already written are
 * deleted, so an upload either lands whole or leaves nothing (a crash in between
 * leaves blobs without rows, which the orphan sweeper removes).
 */
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';
import { authorizeUpload, partLimit, type UploadGrant } from './upload-authorize.js';
import type { UploadCommit } from './upload-commit.js';
import type { UploadsDeps } from './upload-deps.js';
import { UploadInterrupted, UploadRefused } from './upload-errors.js';
import { cleanFileName, selectFiles, UploadForm, type ReceivedPart } from './upload-form.js';
import { wireInt32 } from '../account-status.js';
import { redirectWithResult, type UploadOutcome } from './upload-outcome.js';
import { looksAnonymous, readTicket } from './upload-ticket.js';
import { newBlobKey, storePart } from './store-part.js';

interface StoredPart extends ReceivedPart {
  key: string;
  sha256: string;
}

const noop = () => {};

export class UploadReceiver {
  private readonly form = new UploadForm();
  private readonly parts: StoredPart[] = [];
  /** One settled-never-rejected promise per file part being stored. */
  private readonly pending: Promise<void>[] = [];
  private readonly controller = new AbortController();
  private credential: string | undefined;
  /** Whether the credential is a valid ticket with a progress entry. */
  private tracked = false;
  private failure: unknown;
  private authorization: Promise<UploadGrant> | undefined;
  private grant: UploadGrant | undefined;
  private settled: Promise<UploadOutcome> | undefined;
  private receivedBytes = 0;
  private storedBytes = 0;

  constructor(
    private readonly d: UploadsDeps,
    private readonly committer: UploadCommit,
    /** The request's Content-Length, 0 when unknown (chunked). */
    private readonly totalBytes: number,
  ) {
    // Every part being stored listens to the one signal: a form may hold 100 files.
    setMaxListeners(0, this.controller.signal);
  }

  /** Whether the answer is the anonymous `<upload_done>` (else the session's plain text). */
  get anonymous(): boolean {
    if (this.grant) return this.grant.ticket.owner === null;
    return this.credential !== undefined && looksAnonymous(this.credential);
  }

  /** An upload identifier or extra_info, from the URL path, the query or the form. */
  identify(value: string): void {
    const v = value.trim();
    if (v === '') return;
    if (this.credential === undefined) {
      this.credential = v;
      // Only a ticket this server signed gets a progress entry: forged identifiers cannot
      // crowd out real uploads in the (bounded) tracker.
      if (readTicket(this.d.secrets, v, this.d.clock.now())) {
        this.tracked = true;
        this.d.progress.begin(v, this.totalBytes);
        this.d.progress.report(v, this.receivedBytes);
      }
    } else if (v !== this.credential) {
      throw new UploadRefused('The upload identifiers sent do not match: send the values of one upload.getInfo answer');
    }
  }

  /** A text field (from the form, or the query string). Throws UploadRefused for a bad value. */
  field(name: string, value: string): void {
    if (this.form.set(name, value)) this.identify(value);
  }

  /** Bytes of the request body read so far, for the progress URL. */
  received(bytes: number): void {
    this.receivedBytes = bytes;
    if (this.tracked) this.d.progress.report(this.credential as string, bytes);
  }

  /**
   * Stores one file part. Rejects (UploadRefused for a broken limit) as soon as the part
   * cannot be stored; the caller must then stop reading and call abort().
   */
  file(field: string, fileName: string | undefined, stream: Readable): Promise<void> {
    // The part may fail (cut short) while authorization is still pending, before the
    // pipeline listens: the failure then surfaces through the pipeline, not the process.
    stream.on('error', noop);
    if (this.settled) {
      stream.resume();
      return Promise.reject(new UploadRefused('The upload has already ended'));
    }
    const stored = this.store(field, fileName, stream).catch((err: unknown) => {
      this.failure ??= err;
      stream.resume(); // never leave the parser waiting on an unread part
      throw err;
    });
    this.pending.push(stored.then(noop, noop));
    return stored;
  }

  /** The body has ended: commit (or clean up) once every part is stored. */
  finish(): Promise<UploadOutcome> {
    // Never rejects: whatever happens, the client gets an answer.
    this.settled ??= this.settle().catch((err: unknown) => {
      this.d.log.error({ err }, 'upload could not be settled');
      return this.failedOutcome('Upload is temporarily unavailable; please try again later');
    });
    return this.settled;
  }

  /** Stops the upload: parts being written are aborted and everything stored is removed. */
  abort(reason: unknown): Promise<UploadOutcome> {
    this.failure ??= reason;
    this.controller.abort();
    return this.finish();
  }

  private authorize(): Promise<UploadGrant> {
    this.authorization ??= authorizeUpload(this.d, this.credential).then((g) => (this.grant = g));
    return this.authorization;
  }

  private async store(field: string, fileName: string | undefined, stream: Readable): Promise<void> {
    const grant = await this.authorize();
    if (this.failure !== undefined) throw this.failure;
    // Empty file inputs (no name, no bytes) do not count; the form parser bounds parts overall.
    const max = this.d.config.maxFilesPerUpload;
    if (this.parts.filter((p) => !(p.unnamed && p.size === 0)).length >= max)
      throw new UploadRefused(`Too many files: at most ${max} in one upload`);
    const limit = partLimit(grant, { formMax: this.form.maxFileSize, storedBytes: this.storedBytes });
    const part: StoredPart = {
      field,
      fileName: cleanFileName(fileName, field),
      unnamed: !fileName,
      size: 0,
      key: newBlobKey(),
      sha256: '',
    };
    // Known before the first byte is written, so cleanup and the sweeper both see it.
    this.parts.push(part);
    this.d.inFlight.add(part.key);
    try {
      const blob = await storePart(this.d.blobs, part.key, stream, {
        limit,
        speedLimitKb: grant.ticket.speedLimitKb,
        signal: this.controller.signal,
      });
      part.size = blob.size;
      part.sha256 = blob.sha256;
    } catch (err) {
      throw err instanceof UploadRefused ? err : (this.failure ?? err);
    }
    this.storedBytes += part.size;
  }

  private async settle(): Promise<UploadOutcome> {
    await Promise.all(this.pending);
    if (this.failure === undefined) {
      try {
        return await this.commit();
      } catch (err) {
        this.failure = err;
      }
    }
    return this.cleanUp();
  }

  private async commit(): Promise<UploadOutcome> {
    const grant = await this.authorize();
    const chosen = selectFiles(this.parts, this.form);
    if (chosen.length === 0) throw new UploadRefused('No file was sent: send it in the field userfile');
    const formMax = this.form.maxFileSize;
    if (formMax !== undefined && chosen.some((c) => c.part.size > formMax))
      throw new UploadRefused(`The file is larger than the limit of ${formMax} bytes`);
    const outcome = await this.committer.commit({
      grant,
      folderId: this.form.folderId,
      password: this.form.password,
      files: chosen.map(({ part, description }) => ({
        key: part.key,
        size: part.size,
        sha256: part.sha256,
        name: part.fileName,
        description,
      })),
      limits: this.form.limits,
      mail: this.form,
    });

    const kept = new Set(chosen.map((c) => c.part.key));
    for (const p of this.parts) {
      if (!kept.has(p.key)) await this.deleteBlob(p.key); // parts that were not files of the upload
      this.d.inFlight.delete(p.key);
    }
    if (this.tracked) this.d.progress.end(this.credential as string, 'done');
    const redirect = this.form.redirectUrl;
    return redirect ? { ...outcome, redirectUrl: redirectWithResult(redirect, 'ok', outcome.files[0]?.id ?? '') } : outcome;
  }

  private async cleanUp(): Promise<UploadOutcome> {
    for (const p of this.parts) {
      await this.deleteBlob(p.key);
      this.d.inFlight.delete(p.key);
    }
    if (this.tracked) this.d.progress.end(this.credential as string, 'fail');
    const err = this.failure;
    let reason: string;
    if (err instanceof UploadRefused) reason = err.reason;
    else if (err instanceof UploadInterrupted) reason = err.message;
    else {
      this.d.log.error({ err }, 'upload failed');
      reason = 'Upload is temporarily unavailable; please try again later';
    }
    return this.failedOutcome(reason);
  }

  private failedOutcome(reason: string): UploadOutcome {
    const status = this.grant?.allowance.status;
    return {
      status: 'fail',
      anonymous: this.anonymous,
      files: [],
      bandwidthLeft: status ? wireInt32(status.bandwidthLeft) : 0,
      diskspaceLeft: status ? wireInt32(status.diskspaceLeft) : 0,
      reason,
      ...(this.form.redirectUrl ? { redirectUrl: redirectWithResult(this.form.redirectUrl, 'fail', '') } : {}),
    };
  }

  private async deleteBlob(key: string): Promise<void> {
    await this.d.blobs.delete(key).catch((err: unknown) => this.d.log.warn({ err, key }, 'blob delete failed; the sweeper will retry'));
  }
}
