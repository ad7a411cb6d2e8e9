/**
 * Resumable uploads (the tus protocol's rules, without its HTTP): creation with the
 * upload ticket, appends at the acknowledged offset under the upload's lock, the limits
 * checked at creation and again whenever bytes arrive, and the last byte turning the
 * upload into an ordinary file (resumable-commit.ts). State lives in the metadata
 * database, bytes in the resumable store, so any node can continue any upload.
 */
import { createHash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ByteLimiter } from '../../lib/byte-limiter.js';
import { randomKey } from '../../lib/crypto.js';
import { Throttle } from '../../lib/throttle.js';
import type { TusUploadRow } from '../../metadata/repositories/tus-uploads.js';
import type { StoredUpload } from '../../tus/resumable-store.js';
import { commitResumable, folderOf } from './resumable-commit.js';
import type { ResumableDeps } from './resumable-deps.js';
import { ResumableRefused } from './resumable-errors.js';
import { parseStoredForm, readResumableForm } from './resumable-form.js';
import { HashTap, RunningHashes, sha256Of } from './resumable-hash.js';
import type { UploadLock } from './resumable-locks.js';
import { newBlobKey } from './store-part.js';
import { UploadRefused } from './upload-errors.js';
import { isRefusal, uploadAllowance } from './upload-limits.js';
import { readTicket } from './upload-ticket.js';

/** A PATCH holds its upload's lock this long, renewed every third of it while bytes flow. */
const LOCK_TTL_MS = 30_000;
/**
 * How long a request waits for a locked upload before it is answered 423: a client that
 * resumes right after its connection dropped usually arrives while the server is still
 * storing what the old connection brought (on S3: the parts in flight and the tail).
 */
const LOCK_WAIT_MS = 3_000;
const LOCK_POLL_MS = 100;
const ID_RE = /^[a-z0-9]{32}$/;
const noop = () => {};

export interface ResumableState {
  id: string;
  offset: number;
  length: number;
  /** Unix seconds. */
  expiresAt: number;
  fileName: string;
  /** Once the last byte has landed: the file it became. */
  file?: { id: string; downloadUrl: string };
}

export interface AppendRequest {
  /** The client's Upload-Offset. */
  offset: number;
  body: Readable;
  /** The SHA-256 this chunk must have (Upload-Checksum), when the client sent one. */
  checksum?: Buffer;
}

export class ResumableUploads {
  private readonly hashes = new RunningHashes();

  constructor(private readonly d: ResumableDeps) {}

  /** A new upload of `length` bytes; its options and ticket come from the Upload-Metadata. */
  async create(length: number, metadata: ReadonlyMap<string, string>): Promise<ResumableState> {
    const now = this.d.clock.now();
    const credential = metadata.get('ticket')?.trim();
    if (!credential)
      throw new ResumableRefused('unauthorized', 'Send the upload ticket (extra_info of upload.getInfo) as "ticket" in Upload-Metadata');
    const ticket = readTicket(this.d.secrets, credential, now);
    if (!ticket) throw new ResumableRefused('forbidden', 'The upload ticket is not valid or has expired: call upload.getInfo again');
    const user = ticket.owner === null ? null : ((await this.d.users.findById(ticket.owner)) ?? null);
    if (ticket.owner !== null && !user) throw new ResumableRefused('forbidden', 'This account does not exist any more');
    const allowance = uploadAllowance(user, this.d.config, now);
    if (isRefusal(allowance)) throw new ResumableRefused('forbidden', allowance.text);

    const form = await refusalsAs('bad-request', async () => {
      const f = readResumableForm(metadata, this.d.secrets);
      if (ticket.owner !== null) await folderOf(this.d, ticket.owner, f.folderId);
      return f;
    });
    const limit = Math.min(ticket.maxFileSize, allowance.maxFileSize);
    if (length > limit) throw new ResumableRefused('too-large', `The file is larger than the limit of ${limit} bytes`);
    if (allowance.diskLeft >= 0 && length > allowance.diskLeft)
      throw new ResumableRefused('too-large', 'Not enough disk space left for this upload');

    const row: TusUploadRow = {
      id: randomKey(32),
      owner_id: ticket.owner,
      ticket: ticket.value,
      file_name: form.fileName,
      form: JSON.stringify(form),
      upload_length: length,
      upload_offset: 0,
      speed_limit_kb: ticket.speedLimitKb,
      created_at: now,
      expires_at: now + this.d.config.tusExpirySeconds,
      lock_token: null,
      lock_until: null,
      // Chosen now: on S3 the parts are uploaded at the blob's own key as they arrive.
      blob_key: newBlobKey(),
      file_id: null,
      store_state: null,
    };
    // The row first: data in the store without a row is swept as a leftover.
    await this.d.tusUploads.insert(row);
    await this.d.store.create(storedUpload(row));
    if (length === 0) return this.locked(row.id, (r) => this.finalize(r));
    return stateOf(row);
  }

  /** Where an upload stands (HEAD). */
  async status(id: string): Promise<ResumableState> {
    const row = await this.live(id);
    if (!row.file_id && row.upload_offset === row.upload_length) {
      // Every byte is there but the file was not made (the node failed at that moment): make it now.
      return this.locked(id, async (r) => (r.file_id ? this.stateWithFile(r) : this.finalize(r))).catch(() => stateOf(row));
    }
    return row.file_id ? this.stateWithFile(row) : stateOf(row);
  }

  /** Appends the request's bytes at its offset (PATCH); the last byte makes the file. */
  async append(id: string, req: AppendRequest): Promise<ResumableState> {
    const row = await this.live(id);
    if (row.file_id) {
      if (req.offset !== row.upload_length) throw offsetMismatch(row.upload_length);
      return this.stateWithFile(row);
    }
    if (req.offset !== row.upload_offset) throw offsetMismatch(row.upload_offset);
    return this.locked(id, async (fresh, lock) => {
      if (fresh.file_id || req.offset !== fresh.upload_offset) throw offsetMismatch(fresh.upload_offset);
      if (fresh.upload_offset < fresh.upload_length) {
        await this.checkAllowance(fresh);
        fresh.upload_offset += await this.write(fresh, req, lock);
        fresh.expires_at = this.d.clock.now() + this.d.config.tusExpirySeconds;
      }
      return fresh.upload_offset === fresh.upload_length ? this.finalize(fresh) : stateOf(fresh);
    });
  }

  /** Removes an unfinished upload and its bytes (DELETE); a finished one keeps its file. */
  async terminate(id: string): Promise<void> {
    const row = await this.live(id);
    if (row.file_id) return this.d.tusUploads.delete(id);
    await this.locked(id, async () => {
      // The row goes first: a crash between the two leaves bytes no upload knows, which
      // the sweeper removes, never a row that promises bytes that are gone.
      await this.d.tusUploads.delete(id);
      await this.d.store.remove(id, row.blob_key);
      this.hashes.forget(id);
      this.d.progress.end(row.ticket, 'fail');
    });
  }

  /**
   * The maintenance job: removes uploads past their expiry (an unfinished one with its
   * bytes; a finished one's row only), data in the store of finished uploads (a local
   * copy of a tail on a node that did not finish the upload), and data no upload knows (a
   * crash between two steps) once older than the orphan grace period.
   */
  async sweep(): Promise<{ expired: number; leftovers: number }> {
    const now = this.d.clock.now();
    let expired = 0;
    for (const row of await this.d.tusUploads.expired(now, 1000)) {
      const lock = await this.d.locks.acquire(row.id, LOCK_TTL_MS);
      if (!lock) continue; // being written right now: its PATCH extends the expiry
      try {
        await this.d.tusUploads.delete(row.id); // first, as in terminate()
        if (!row.file_id) await this.d.store.remove(row.id, row.blob_key);
        this.hashes.forget(row.id);
        expired++;
      } finally {
        await lock.release().catch(noop);
      }
    }
    let leftovers = 0;
    const cutoff = now - this.d.config.orphanGraceSeconds;
    for await (const batch of this.d.store.list()) {
      const known = await this.d.tusUploads.known(batch.map((b) => b.id));
      for (const b of batch) {
        const finished = known.get(b.id);
        // An unfinished upload's data is never a leftover; a finished one's (a tail another
        // node cached) is at once; unknown data once it is older than the grace period.
        if (finished === false || (finished === undefined && b.modifiedAt > cutoff)) continue;
        await this.d.store.remove(b.id, null);
        leftovers++;
      }
    }
    if (expired > 0 || leftovers > 0) this.d.log.info({ expired, leftovers }, 'swept resumable uploads');
    return { expired, leftovers };
  }

  /** The upload's row, if it may still be used. */
  private async live(id: string): Promise<TusUploadRow> {
    const row = ID_RE.test(id) ? await this.d.tusUploads.findById(id) : undefined;
    if (!row) throw new ResumableRefused('not-found', 'No such upload');
    if (row.expires_at <= this.d.clock.now()) {
      if (row.file_id) throw new ResumableRefused('not-found', 'No such upload');
      throw new ResumableRefused('gone', 'This upload has expired: start it again');
    }
    return row;
  }

  /** Runs `fn` holding the upload's lock, with the row as it is once the lock is held. */
  private async locked<T>(id: string, fn: (row: TusUploadRow, lock: UploadLock) => Promise<T>): Promise<T> {
    const lock = await this.waitForLock(id);
    if (!lock) throw new ResumableRefused('locked', 'Another request is writing this upload: try again shortly');
    try {
      return await fn(await this.live(id), lock);
    } finally {
      await lock.release().catch((err: unknown) => this.d.log.warn({ err }, 'upload lock not released; it runs out by itself'));
    }
  }

  private async waitForLock(id: string): Promise<UploadLock | null> {
    const until = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const lock = await this.d.locks.acquire(id, LOCK_TTL_MS).catch((err: unknown) => {
        // The lock service (Redis) is unreachable: writing without it could race another node.
        this.d.log.warn({ err }, 'upload lock unavailable');
        throw new ResumableRefused('unavailable', 'Uploads cannot be continued right now: try again shortly');
      });
      if (lock || Date.now() >= until) return lock;
      await sleep(LOCK_POLL_MS);
    }
  }

  /** The account may still upload this much: it may have been disabled or filled up meanwhile. */
  private async checkAllowance(row: TusUploadRow): Promise<void> {
    if (row.owner_id === null) return;
    const user = await this.d.users.findById(row.owner_id);
    if (!user) throw new ResumableRefused('forbidden', 'This account does not exist any more');
    const allowance = uploadAllowance(user, this.d.config, this.d.clock.now());
    if (isRefusal(allowance)) throw new ResumableRefused('forbidden', allowance.text);
    if (allowance.diskLeft >= 0 && row.upload_length > allowance.diskLeft)
      throw new ResumableRefused('too-large', 'Not enough disk space left for this upload');
  }

  /** Stores the request's bytes; returns how many are now durable. */
  private async write(row: TusUploadRow, req: AppendRequest, lock: UploadLock): Promise<number> {
    const start = row.upload_offset;
    const limiter = new ByteLimiter(row.upload_length - start);
    const running = this.hashes.take(row.id, start);
    const chunkHash = req.checksum ? createHash('sha256') : undefined;
    this.d.progress.begin(row.ticket, row.upload_length);
    this.d.progress.report(row.ticket, start);
    const tap = new HashTap(running, chunkHash, (n) => this.d.progress.report(row.ticket, start + n));
    const stages: NodeJS.ReadWriteStream[] = [limiter, tap];
    if (row.speed_limit_kb > 0) stages.push(new Throttle(row.speed_limit_kb * 1024));
    const body = pipeline([req.body, ...stages], noop) as unknown as Readable;
    const renewal = setInterval(() => {
      lock.renew(LOCK_TTL_MS).then(
        (held) => held || body.destroy(new Error('the upload lock was lost')),
        (err: unknown) => body.destroy(err as Error),
      );
    }, LOCK_TTL_MS / 3);
    let result;
    try {
      // A checked chunk counts whole or not at all: the store keeps none of it unless it matches.
      const whole = chunkHash ? { whole: () => chunkHash.digest().equals(req.checksum as Buffer) } : {};
      result = await this.d.store.append(storedUpload(row), start, body, whole);
    } finally {
      clearInterval(renewal);
    }
    let written = result.written;
    // Kept for the next PATCH only if it hashed exactly the bytes stored.
    if (running && tap.bytes === written && result.error === undefined) this.hashes.keep(row.id, start + written, running);
    else running?.discard();
    if (limiter.exceeded) {
      await this.d.store.truncate(storedUpload(row), start);
      throw new ResumableRefused('too-large', 'The request has more bytes than are left of Upload-Length');
    }
    if (chunkHash && result.error !== undefined) throw new ResumableRefused('bad-request', 'The chunk was cut short');
    if (result.rejected) throw new ResumableRefused('checksum-mismatch', 'The chunk does not match its Upload-Checksum');
    if (written > 0) {
      const expires = this.d.clock.now() + this.d.config.tusExpirySeconds;
      if (await this.d.tusUploads.advance(row.id, start, start + written, expires, result.state)) {
        row.store_state = result.state;
      } else {
        written = 0;
        this.hashes.forget(row.id);
      }
    }
    if (result.error !== undefined && start + written < row.upload_length) throw result.error;
    return written;
  }

  /**
   * Every byte is stored: the upload becomes a file (or, refused now, goes away whole).
   * Also recovers an upload whose node failed part way through this (its bytes already
   * moved to the blob store, or the file already made).
   */
  private async finalize(row: TusUploadRow): Promise<ResumableState> {
    const form = parseStoredForm(row.form);
    let key = row.blob_key;
    if (key) {
      const fileId = await this.d.tusUploads.fileWithBlob(key);
      if (fileId) return this.completed(row, fileId);
    } else {
      // A row made before blob keys were chosen at creation (only ever on disk).
      key = newBlobKey();
      await this.d.tusUploads.setBlobKey(row.id, key);
      row.blob_key = key;
    }
    const running = this.hashes.take(row.id, row.upload_length);
    this.hashes.forget(row.id);
    this.d.inFlight.add(key);
    try {
      // Already there when a node failed after moving the bytes and before the commit.
      if (!(await this.d.blobs.stat(key))) await this.d.store.finish(storedUpload(row));
      // Hashed on the way when one process received every byte; else read back once.
      const sha256 = running ? await running.digest() : await sha256Of(await this.d.blobs.get(key));
      let file;
      try {
        file = await commitResumable(this.d, row, form, key, sha256);
      } catch (err) {
        if (!(err instanceof UploadRefused)) throw err; // kept for a retry: HEAD or PATCH finish it
        // Refused now (no space left, folder gone, account disabled): the upload goes away
        // whole, the row first (as in terminate()); a blob a crash leaves is an orphan.
        await this.d.tusUploads.delete(row.id).catch(noop);
        await this.d.blobs.delete(key).catch(noop);
        this.d.progress.end(row.ticket, 'fail');
        throw new ResumableRefused(/disk space/.test(err.reason) ? 'too-large' : 'forbidden', err.reason);
      }
      this.d.progress.end(row.ticket, 'done');
      return await this.completed(row, file.id);
    } finally {
      // A hash never digested (the move into the blob store failed) lets go of its state.
      running?.discard();
      this.d.inFlight.delete(key);
    }
  }

  private async completed(row: TusUploadRow, fileId: string): Promise<ResumableState> {
    const expires = this.d.clock.now() + this.d.config.tusExpirySeconds;
    await this.d.tusUploads.complete(row.id, fileId, row.upload_length, expires);
    return this.stateWithFile({ ...row, file_id: fileId, upload_offset: row.upload_length, expires_at: expires });
  }

  private stateWithFile(row: TusUploadRow): ResumableState {
    const fileId = row.file_id as string;
    return { ...stateOf(row), file: { id: fileId, downloadUrl: this.d.links.downloadPage(fileId) } };
  }
}

function storedUpload(row: TusUploadRow): StoredUpload {
  return { id: row.id, blobKey: row.blob_key as string, state: row.store_state };
}

function stateOf(row: TusUploadRow): ResumableState {
  return { id: row.id, offset: row.upload_offset, length: row.upload_length, expiresAt: row.expires_at, fileName: row.file_name };
}

function offsetMismatch(offset: number): ResumableRefused {
  return new ResumableRefused('offset-mismatch', `The upload is at offset ${offset}: continue from there`);
}

async function refusalsAs<T>(kind: 'bad-request', fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UploadRefused) throw new ResumableRefused(kind, err.reason);
    throw err;
  }
}
