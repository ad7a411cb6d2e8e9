/**
 * Who may download a file, and what a download costs. Three doors lead here:
 * download.getInfo (a logged-in caller gets a direct link), the download page (anyone
 * with the link), and the direct link itself, which moves the bytes.
 *
 * Decisions (also in the project report):
 * - Files are shareable by link, like sendspace: any logged-in caller may get a link to
 *   a normal file; a password-protected one needs its password, except for its owner.
 *   Links to protected files are issued only after that check and expire after
 *   `downloadLinkTtlSeconds`; other files get links that do not expire.
 * - Bandwidth is the file OWNER's: every byte served from a direct link is charged to
 *   the owner's monthly counter, and error 23 means the owner's plan has no room left
 *   for this file. The direct link needs no session, so the owner is the one account
 *   every download can be charged to, whoever follows the link; it is the owner's
 *   sharing that costs traffic. Anonymous files have no account and are not metered.
 * - A request counts as one download when it starts at byte 0 (a GET without Range,
 *   or with a range starting at 0). Resumed and segmented requests that start later
 *   are charged their bytes but do not count, so one client fetching a file in pieces
 *   counts once, and nobody gets byte 0 without counting.
 * - Reaching a limit stops further downloads whatever its action (see limit-state.ts).
 */
import { ApiError, FILE_ID_RE } from '@sendbay/protocol';
import type { Readable } from 'node:stream';
import { BlobStoreUnavailable, type BlobStore, type ByteRange } from '../../blobs/blob-store.js';
import type { PlanLimits, PlanName } from '../../config.js';
import { safeEqual, type Secrets } from '../../lib/crypto.js';
import type { DownloadsRepository } from '../../metadata/repositories/downloads.js';
import type { FileRow, FilesRepository } from '../../metadata/repositories/files.js';
import type { QuotaRepository } from '../../metadata/repositories/quota.js';
import type { UserRow, UsersRepository } from '../../metadata/repositories/users.js';
import { accountStatus } from '../account-status.js';
import { monthOf, type Clock } from '../clock.js';
import type { Links } from '../links.js';
import { servable } from '../limits/limit-state.js';
import type { Limits } from '../limits/limits.js';
import type { FailureLimiter } from '../rate-limiter.js';
import { fileIdFromRef } from './file-ref.js';

export interface DownloadsDeps {
  files: FilesRepository;
  users: UsersRepository;
  downloads: DownloadsRepository;
  quota: QuotaRepository;
  blobs: BlobStore;
  links: Links;
  secrets: Secrets;
  limits: Limits;
  /** Counts wrong file passwords (the store login failures use, other buckets). */
  limiter: FailureLimiter;
  clock: Clock;
  plans: Record<PlanName, PlanLimits>;
  downloadLinkTtlSeconds: number;
  /**
   * Set when downloads go straight from the store: a short-lived URL for the file's
   * bytes, to which the direct link redirects once the download is counted.
   */
  presign?: (file: FileRow) => Promise<string>;
}

/** Whether a file can be downloaded right now, apart from who asks. */
export type Availability = 'ok' | 'unavailable' | 'bandwidth';

/** Why a direct link is refused; the route maps each to an HTTP status. */
export type DirectRefusal = 'not-found' | 'forbidden' | 'unavailable' | 'bandwidth' | 'storage-down';

export type DirectResolution = { ok: true; file: FileRow } | { ok: false; reason: DirectRefusal };
export type DirectStart = { ok: true; body: Readable } | { ok: true; redirect: string } | { ok: false; reason: DirectRefusal };

/** What a download serves from: the bytes themselves, or a URL they are at. */
type Opened = { body: Readable } | { redirect: string };

/** What the download page shows. `link` is present only when the visitor may download. */
export interface PageView {
  file: FileRow;
  state: 'ok' | 'password-required' | 'wrong-password' | 'too-many-attempts' | Exclude<Availability, 'ok'>;
  link?: string;
}

export class Downloads {
  constructor(private readonly d: DownloadsDeps) {}

  /** download.getInfo: checks the caller, the file and its password; returns a direct link. */
  async getInfo(caller: UserRow, fileRef: string, password: string | undefined, address: string): Promise<{ file: FileRow; url: string }> {
    const id = fileIdFromRef(fileRef);
    const now = this.d.clock.now();
    const status = accountStatus(caller, this.d.plans, now);
    if (status.expired) throw new ApiError(19);
    if (!status.limits.capableDownload) throw new ApiError(11, 'Your plan does not include downloads');
    const file = id === undefined ? undefined : await this.touch(id);
    if (!file) throw new ApiError(9);
    if (file.owner_id !== caller.id) {
      const check = await this.checkPassword(file, password, address);
      if (check === 'blocked')
        throw new ApiError(22, `Too many wrong passwords for this file: try again in ${this.d.limiter.retryAfterMinutes} minutes`);
      if (check !== 'ok') throw new ApiError(22);
    }
    const availability = await this.availability(file, now);
    if (availability === 'unavailable') throw new ApiError(12);
    if (availability === 'bandwidth') throw new ApiError(23, "The file owner's monthly bandwidth is used up");
    return { file, url: this.directLink(file, now) };
  }

  /** The download page: the file, and a link when the visitor may have one. */
  async pageView(id: string, password: string | undefined, address: string): Promise<PageView | undefined> {
    const file = await this.touch(id);
    if (!file) return undefined;
    const now = this.d.clock.now();
    if (file.password_sealed !== null) {
      if (password === undefined) return { file, state: 'password-required' };
      const check = await this.checkPassword(file, password, address);
      if (check === 'blocked') return { file, state: 'too-many-attempts' };
      if (check !== 'ok') return { file, state: 'wrong-password' };
    }
    const availability = await this.availability(file, now);
    if (availability !== 'ok') return { file, state: availability };
    return { file, state: 'ok', link: this.directLink(file, now) };
  }

  /**
   * The direct link's checks before any byte: the file exists, the signature is ours
   * and current, and the file may be served. A protected file is only ever served
   * through an expiring link (those are issued after its password was checked).
   */
  async resolveDirect(id: string, expiresRaw: string, signature: string): Promise<DirectResolution> {
    if (!FILE_ID_RE.test(id) || !/^\d{1,12}$/.test(expiresRaw)) return { ok: false, reason: 'not-found' };
    const row = await this.d.files.findById(id);
    if (!row) return { ok: false, reason: 'not-found' };
    const expires = Number(expiresRaw);
    const now = this.d.clock.now();
    // A signature that is not this file's (a forged link, or another file's link with the
    // id swapped) answers as an unknown id does: a 403 would confirm that the id exists.
    if (!this.d.links.verifyDirect(id, row.delete_salt, expires, signature)) return { ok: false, reason: 'not-found' };
    if ((expires !== 0 && expires < now) || (expires === 0 && row.password_sealed !== null)) return { ok: false, reason: 'forbidden' };
    const file = await this.d.limits.enforceOnTouch(row);
    if (!file) return { ok: false, reason: 'not-found' };
    if (!servable(file, now)) return { ok: false, reason: 'unavailable' };
    return { ok: true, file };
  }

  /**
   * Starts serving `range` (or everything) of a resolved file: opens the bytes, passes
   * the atomic gate (count / last access), charges the owner's bandwidth, and fires the
   * limit action when this download is the one that reached the limit. The caller
   * pipes `body` and must destroy it if it does not.
   */
  async start(file: FileRow, range: ByteRange | undefined): Promise<DirectStart> {
    const counts = range === undefined || range.start === 0;
    const bytes = range ? range.end - range.start + 1 : file.size;
    let opened: Opened;
    try {
      // Opened first: a missing blob costs nothing, and once open, the bytes stay
      // readable even if this very download's limit action deletes the file.
      opened = await this.open(file, range);
    } catch (err) {
      return { ok: false, reason: err instanceof BlobStoreUnavailable ? 'storage-down' : 'unavailable' };
    }
    const body = { destroy: () => ('body' in opened ? opened.body.destroy() : undefined) };
    try {
      const now = this.d.clock.now();
      const access = await this.d.downloads.recordAccess(file.id, now, counts);
      if (!access) {
        body.destroy();
        return { ok: false, reason: 'unavailable' };
      }
      if (file.owner_id !== null && !(await this.chargeOwner(file.owner_id, bytes, now))) {
        if (counts) await this.d.downloads.uncount(file.id);
        body.destroy();
        return { ok: false, reason: 'bandwidth' };
      }
      // Only the UPDATE that made downloads equal to the limit sees that value.
      if (counts && access.download_limit !== null && access.downloads === access.download_limit) {
        await this.d.limits.fireAfterCount({ ...file, downloads: access.downloads });
      }
      return { ok: true, ...opened };
    } catch (err) {
      body.destroy();
      throw err;
    }
  }

  private async open(file: FileRow, range: ByteRange | undefined): Promise<Opened> {
    if (!this.d.presign) return { body: await this.d.blobs.get(file.blob_key, range) };
    // A redirect to nothing would show the store's error page: make sure the bytes exist.
    if (!(await this.d.blobs.stat(file.blob_key))) throw new Error('no blob at this key');
    return { redirect: await this.d.presign(file) };
  }

  /** Re-reads the file and applies whatever limit or expiry is due. */
  private async touch(id: string): Promise<FileRow | undefined> {
    if (!FILE_ID_RE.test(id)) return undefined;
    const row = await this.d.files.findById(id);
    return row && this.d.limits.enforceOnTouch(row);
  }

  /**
   * Constant-time comparison with the file's password. Wrong guesses are counted per
   * file and per address, so a password cannot be guessed through the API or the page.
   */
  private async checkPassword(file: FileRow, given: string | undefined, address: string): Promise<'ok' | 'missing' | 'wrong' | 'blocked'> {
    if (file.password_sealed === null) return 'ok';
    const buckets = { account: `file-password:${file.id}`, address: `file-password-address:${address}` };
    const now = this.d.clock.now();
    if (await this.d.limiter.isBlocked(buckets, now)) return 'blocked';
    if (given === undefined || given === '') return 'missing';
    let stored: string | undefined;
    try {
      stored = this.d.secrets.decrypt(file.password_sealed);
    } catch {
      stored = undefined;
    }
    if (stored !== undefined && safeEqual(stored, given)) return 'ok';
    await this.d.limiter.recordFailure(buckets, now);
    return 'wrong';
  }

  private async availability(file: FileRow, now: number): Promise<Availability> {
    if (!servable(file, now)) return 'unavailable';
    if ((await this.d.blobs.stat(file.blob_key)) === null) return 'unavailable';
    if (file.owner_id !== null) {
      const owner = await this.d.users.findById(file.owner_id);
      if (!owner) return 'unavailable';
      const left = accountStatus(owner, this.d.plans, now).bandwidthLeft;
      if (left >= 0 && left < file.size) return 'bandwidth';
    }
    return 'ok';
  }

  /** Charges the owner's month; false when the plan's bandwidth has no room for `bytes`. */
  private async chargeOwner(ownerId: string, bytes: number, now: number): Promise<boolean> {
    const owner = await this.d.users.findById(ownerId);
    if (!owner) return false;
    const limit = accountStatus(owner, this.d.plans, now).limits.monthlyBandwidth;
    return this.d.quota.chargeBandwidth(ownerId, bytes, monthOf(now), limit);
  }

  private directLink(file: FileRow, now: number): string {
    const expires = file.password_sealed !== null ? now + this.d.downloadLinkTtlSeconds : 0;
    return this.d.links.direct(file.id, file.delete_salt, file.name, expires);
  }
}
