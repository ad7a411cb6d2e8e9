/**
 * Public folders (shared=1), as anyone sees them: folders.getShared for any logged-in
 * user, and the folder's HTML page and RSS feed for everybody. They show the folder,
 * its public sub-folders and its files, with only public attributes. A folder password
 * guards all three (the owner needs none through getShared); wrong guesses are
 * counted per folder and per address, like logins, so it cannot be brute-forced. A
 * private or unknown folder is simply not there for the pages, and 33 / 10 for getShared.
 */
import { ApiError, FILE_ID_RE, ROOT_FOLDER_ID } from '@sendbay/protocol';
import { safeEqual, type Secrets } from '../../lib/crypto.js';
import type { LibraryFilesRepository } from '../../metadata/repositories/library-files.js';
import type { FolderRow, LibraryFoldersRepository } from '../../metadata/repositories/library-folders.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import type { Clock } from '../clock.js';
import type { FailureLimiter } from '../rate-limiter.js';
import type { LibraryViews, PublicFileView, PublicFolderView } from './views.js';

/** Items in a feed: the newest ones, enough for any reader, bounded for a huge folder. */
export const FEED_ITEMS = 500;

export interface SharedContents {
  current: PublicFolderView;
  folders: PublicFolderView[];
  files: PublicFileView[];
}

export type PublicFolderOutcome =
  | { kind: 'ok'; contents: SharedContents }
  | { kind: 'not-found' }
  /** `wrong`: a password was given and it is not the folder's. */
  | { kind: 'password-required'; wrong: boolean }
  /** Too many wrong passwords lately, from this address or for this folder. */
  | { kind: 'too-many-attempts'; retryAfterMinutes: number };

type PasswordCheck = 'ok' | 'missing' | 'wrong' | 'blocked';

/** A folder id, or the id in a folder page or feed URL (`…/folder/abc123[/rss]`); undefined if neither. */
export function folderIdFrom(raw: string): string | undefined {
  const s = raw.trim();
  if (/^https?:\/\//i.test(s)) {
    let path: string;
    try {
      path = new URL(s).pathname;
    } catch {
      return undefined;
    }
    return /\/folder\/([a-z0-9]{6})(?:\/rss)?\/?$/i.exec(path)?.[1]?.toLowerCase();
  }
  const id = s.toLowerCase();
  return id === ROOT_FOLDER_ID || FILE_ID_RE.test(id) ? id : undefined;
}

export class SharedFolders {
  constructor(
    private readonly d: {
      views: LibraryViews;
      folders: LibraryFoldersRepository;
      files: LibraryFilesRepository;
      secrets: Secrets;
      /** Counts wrong folder passwords (the store login failures use, other buckets). */
      limiter: FailureLimiter;
      clock: Clock;
    },
  ) {}

  private async find(id: string): Promise<FolderRow | undefined> {
    if (!FILE_ID_RE.test(id)) return undefined;
    return (await this.d.folders.findByIds([id]))[0];
  }

  /** Constant-time comparison with the folder's password; wrong guesses are counted. */
  private async checkPassword(row: FolderRow, given: string | undefined, address: string): Promise<PasswordCheck> {
    if (row.password_sealed === null) return 'ok';
    const buckets = { account: `folder-password:${row.id}`, address: `folder-password-address:${address}` };
    const now = this.d.clock.now();
    if (await this.d.limiter.isBlocked(buckets, now)) return 'blocked';
    let expected: string | undefined;
    try {
      expected = this.d.secrets.decrypt(row.password_sealed);
    } catch {
      expected = undefined;
    }
    if (expected !== undefined && safeEqual(expected, given ?? '')) return 'ok';
    if (given === undefined || given === '') return 'missing';
    await this.d.limiter.recordFailure(buckets, now);
    return 'wrong';
  }

  private async contents(row: FolderRow, opts: { newestFirst?: boolean; limit?: number } = {}): Promise<SharedContents> {
    const [folders, files] = await Promise.all([
      this.d.folders.listChildren(row.owner_id, row.id, { sharedOnly: true }),
      this.d.files.listInFolder(row.owner_id, row.id, opts),
    ]);
    const v = this.d.views;
    return { current: v.publicFolder(row), folders: folders.map((r) => v.publicFolder(r)), files: files.map((r) => v.publicFile(r)) };
  }

  /**
   * folders.getShared: by id or public URL. 10 unknown; 33 private (unless it is the
   * caller's own); 22 when the folder has a password and `password` is not it.
   */
  async getShared(user: UserRow, raw: string, password: string | undefined, address: string): Promise<SharedContents> {
    const id = folderIdFrom(raw);
    if (id === undefined) throw new ApiError(10, 'Folder not found: give a folder id or its public URL');
    if (id === ROOT_FOLDER_ID) throw new ApiError(33);
    const row = await this.find(id);
    if (!row) throw new ApiError(10);
    const own = row.owner_id === user.id;
    if (!own && row.shared !== 1) throw new ApiError(33);
    if (!own) {
      const check = await this.checkPassword(row, password, address);
      if (check === 'missing') throw new ApiError(22, 'This folder is protected by a password: send it as folder_password');
      if (check === 'wrong') throw new ApiError(22, 'Wrong folder password');
      if (check === 'blocked')
        throw new ApiError(22, `Too many wrong folder passwords: try again in ${this.d.limiter.retryAfterMinutes} minutes`);
    }
    return this.contents(row);
  }

  /** The public page's view of a folder. */
  async page(id: string, password: string | undefined, address: string): Promise<PublicFolderOutcome> {
    return this.open(id, password, address, {});
  }

  /** The feed's view: the newest files first, at most FEED_ITEMS. */
  async feed(id: string, password: string | undefined, address: string): Promise<PublicFolderOutcome> {
    return this.open(id, password, address, { newestFirst: true, limit: FEED_ITEMS });
  }

  private async open(
    id: string,
    password: string | undefined,
    address: string,
    opts: { newestFirst?: boolean; limit?: number },
  ): Promise<PublicFolderOutcome> {
    const row = await this.find(id.toLowerCase());
    if (!row || row.shared !== 1) return { kind: 'not-found' };
    const check = await this.checkPassword(row, password, address);
    if (check === 'blocked') return { kind: 'too-many-attempts', retryAfterMinutes: this.d.limiter.retryAfterMinutes };
    if (check !== 'ok') return { kind: 'password-required', wrong: check === 'wrong' };
    return { kind: 'ok', contents: await this.contents(row, opts) };
  }
}
