/**
 * One upload (a multipart POST or a raw PUT) while it is read. The HTTP layer feeds it
 * fields and file parts in the order they arrive; it streams each part through
 *   byte limiter -> meter (size, SHA-256) -> throttle (speed_limit) -> blobs.put(newKey)
 * and, once the body has ended, commits every file row and the quota charge in ONE
 * transaction. Until then nothing is visible; on any failure the blobs already written
 * are deleted, so an upload either lands whole or leaves nothing (a crash in between
 * leaves blobs without rows, which the orphan sweeper removes).
 */
import { pipeline, type Readable } from 'node:stream';
import { ByteLimiter } from '../../lib/byte-limiter.js';
import { randomKey } from '../../lib/crypto.js';
import { Meter } from '../../lib/meter.js';
import { Throttle } from '../../lib/throttle.js';
import type { NewFileRow } from '../../metadata/repositories/files.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import { accountStatus, wireInt32 } from '../account-status.js';
import { newUniqueId } from '../ids.js';
import type { UploadsDeps } from './upload-deps.js';
import { UploadInterrupted, UploadRefused } from './upload-errors.js';
import { cleanFileName, selectFiles, UploadForm, type ReceivedPart } from './upload-form.js';
import { isRefusal, uploadAllowance, type Allowance } from './upload-limits.js';
import { mailAfterUpload } from './upload-mail.js';
import { redirectWithResult, type UploadedFile, type UploadOutcome } from './upload-outcome.js';
import { looksAnonymous, readTicket, type UploadTicket } from './upload-ticket.js';

interface StoredPart extends ReceivedPart {
  key: string;
  sha256: string;
}

interface Authorized {
  ticket: UploadTicket;
  user: UserRow | null;
  allowance: Allowance;
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
  private authorization: Promise<Authorized> | undefined;
  private authorized: Authorized | undefined;
  private settled: Promise<UploadOutcome> | undefined;
  private receivedBytes = 0;
  private storedBytes = 0;

  constructor(
    private readonly d: UploadsDeps,
    /** The request's Content-Length, 0 when unknown (chunked). */
    private readonly totalBytes: number,
  ) {}

  /** Whether the answer is the anonymous `<upload_done>` (else the session's plain text). */
  get anonymous(): boolean {
    if (this.authorized) return this.authorized.ticket.owner === null;
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

  private authorize(): Promise<Authorized> {
    this.authorization ??= (async () => {
      if (this.credential === undefined)
        throw new UploadRefused('No upload identifier: post to the url from upload.getInfo, or send extra_info before the file');
      const now = this.d.clock.now();
      const ticket = readTicket(this.d.secrets, this.credential, now);
      if (!ticket) throw new UploadRefused('The upload identifier (extra_info) is not valid or has expired: call upload.getInfo again');
      const user = ticket.owner === null ? null : ((await this.d.users.findById(ticket.owner)) ?? null);
      if (ticket.owner !== null && !user) throw new UploadRefused('This account does not exist any more');
      const allowance = uploadAllowance(user, this.d.config, now);
      if (isRefusal(allowance)) throw new UploadRefused(allowance.text);
      this.authorized = { ticket, user, allowance };
      return this.authorized;
    })();
    return this.authorization;
  }

  private async store(field: string, fileName: string | undefined, stream: Readable): Promise<void> {
    const auth = await this.authorize();
    if (this.failure !== undefined) throw this.failure;
    // Empty file inputs (no name, no bytes) do not count; the form parser bounds parts overall.
    const max = this.d.config.maxFilesPerUpload;
    if (this.parts.filter((p) => !(p.unnamed && p.size === 0)).length >= max)
      throw new UploadRefused(`Too many files: at most ${max} in one upload`);
    const limit = this.partLimit(auth);
    const part: StoredPart = {
      field,
      fileName: cleanFileName(fileName, field),
      unnamed: !fileName,
      size: 0,
      key: randomKey(32),
      sha256: '',
    };
    // Known before the first byte is written, so cleanup and the sweeper both see it.
    this.parts.push(part);
    this.d.inFlight.add(part.key);

    const limiter = new ByteLimiter(limit.bytes);
    const meter = new Meter({ sha256: true });
    const stages: NodeJS.ReadWriteStream[] = [limiter, meter];
    if (auth.ticket.speedLimitKb > 0) stages.push(new Throttle(auth.ticket.speedLimitKb * 1024));
    // pipeline() destroys every stage when one fails, so put() sees the failure too.
    const body = pipeline([stream, ...stages], noop) as unknown as Readable;
    try {
      await this.d.blobs.put(part.key, body, { signal: this.controller.signal });
    } catch (err) {
      if (limiter.exceeded)
        throw new UploadRefused(
          limit.disk ? 'Not enough disk space left for this upload' : `The file is larger than the limit of ${limit.bytes} bytes`,
        );
      throw this.failure ?? err;
    }
    part.size = meter.bytes;
    part.sha256 = meter.sha256Hex();
    this.storedBytes += part.size;
  }

  /** The most the next part may hold: the smallest of the ticket, plan, MAX_FILE_SIZE and disk left. */
  private partLimit(auth: Authorized): { bytes: number; disk: boolean } {
    let bytes = Math.min(auth.ticket.maxFileSize, auth.allowance.maxFileSize);
    if (this.form.maxFileSize !== undefined) bytes = Math.min(bytes, this.form.maxFileSize);
    if (auth.allowance.diskLeft >= 0) {
      const left = Math.max(0, auth.allowance.diskLeft - this.storedBytes);
      if (left < bytes) return { bytes: left, disk: true };
    }
    return { bytes, disk: false };
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
    const auth = await this.authorize();
    const chosen = selectFiles(this.parts, this.form);
    if (chosen.length === 0) throw new UploadRefused('No file was sent: send it in the field userfile');
    const formMax = this.form.maxFileSize;
    if (formMax !== undefined && chosen.some((c) => c.part.size > formMax))
      throw new UploadRefused(`The file is larger than the limit of ${formMax} bytes`);
    const owner = auth.ticket.owner;
    const folderId = owner === null ? '0' : await this.folderOf(owner);
    // A blob removed under us (by a sweeper on another node, after a very long upload) must not get a row.
    for (const { part } of chosen) if (!(await this.d.blobs.stat(part.key))) throw new Error('a stored part disappeared before commit');

    const rows = await this.rows(chosen, owner, folderId);
    const total = rows.reduce((n, r) => n + r.size, 0);
    await this.d.db.transaction().execute(async (trx) => {
      const diskLimit = auth.allowance.status?.limits.diskSpace ?? -1;
      if (owner !== null && !(await this.d.quota.chargeDisk(owner, total, diskLimit, trx)))
        throw new UploadRefused('Not enough disk space left for this upload');
      for (const row of rows) await this.d.files.insert(row, trx);
    });

    const kept = new Set(rows.map((r) => r.blob_key));
    for (const p of this.parts) {
      if (!kept.has(p.key)) await this.deleteBlob(p.key); // parts that were not files of the upload
      this.d.inFlight.delete(p.key);
    }
    if (this.tracked) this.d.progress.end(this.credential as string, 'done');

    const files: UploadedFile[] = rows.map((r) => ({
      id: r.id,
      name: r.name,
      size: r.size,
      downloadUrl: this.d.links.downloadPage(r.id),
      deleteUrl: this.d.links.deletePage(r.id, r.delete_salt),
    }));
    await mailAfterUpload(this.d, auth.user, this.form, files);
    const fresh = auth.user ? await this.d.users.findById(auth.user.id) : undefined;
    const status = fresh ? accountStatus(fresh, this.d.config.plans, this.d.clock.now()) : undefined;
    return {
      status: 'ok',
      anonymous: owner === null,
      files,
      bandwidthLeft: status ? wireInt32(status.bandwidthLeft) : -1,
      diskspaceLeft: status ? wireInt32(status.diskspaceLeft) : -1,
      ...(this.form.redirectUrl ? { redirectUrl: redirectWithResult(this.form.redirectUrl, 'ok', files[0]?.id ?? '') } : {}),
    };
  }

  private async folderOf(owner: string): Promise<string> {
    const id = this.form.folderId;
    if (id === '0') return '0';
    const folder = /^[a-z0-9]{1,40}$/.test(id) ? await this.d.folders.findById(id) : undefined;
    if (!folder || folder.owner_id !== owner) throw new UploadRefused('Folder not found: folder_id must be one of your folders, or 0');
    return folder.id;
  }

  private async rows(chosen: { part: StoredPart; description: string }[], owner: string | null, folderId: string): Promise<NewFileRow[]> {
    const now = this.d.clock.now();
    const password = this.form.password === '' ? null : this.d.secrets.encrypt(this.form.password);
    const taken = new Set<string>();
    const rows: NewFileRow[] = [];
    for (const { part, description } of chosen) {
      const id = await newUniqueId(async (candidate) => taken.has(candidate) || (await this.d.files.idExists(candidate)));
      taken.add(id);
      rows.push({
        id,
        owner_id: owner,
        folder_id: folderId,
        name: part.fileName,
        description,
        size: part.size,
        sha256: part.sha256,
        blob_key: part.key,
        password_sealed: password,
        upload_time: now,
        // Anonymous files need no limit here: the limits sweeper expires idle ones.
        time_limit: null,
        limit_expires_at: null,
        download_limit: null,
        limit_action_to_folder: null,
        delete_salt: randomKey(16),
        last_download_at: null,
      });
    }
    return rows;
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
    const status = this.authorized?.allowance.status;
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
