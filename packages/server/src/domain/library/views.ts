/**
 * What the library shows of a file or folder, computed once here so that the API,
 * the public folder page and its feed agree: links, the owner's password in clear,
 * remaining time limits. The REST presenters only put these values in order.
 */
import { ROOT_FOLDER_ID, ROOT_FOLDER_NAME } from '@sendbay/protocol';
import type { Secrets } from '../../lib/crypto.js';
import type { FileRow } from '../../metadata/repositories/library-files.js';
import type { FolderRow } from '../../metadata/repositories/library-folders.js';
import type { Clock } from '../clock.js';
import type { Links } from '../links.js';
import type { Access } from './access.js';

export interface FileView {
  id: string;
  name: string;
  description: string;
  /** The password in clear, for its owner only; undefined when none is set or for team mates. */
  password: string | undefined;
  passwordProtected: boolean;
  folderId: string;
  downloadPageUrl: string;
  /** Undefined for a team mate looking at a password-protected file (it would bypass the password). */
  directDownloadUrl: string | undefined;
  /** The owner only. */
  deleteUrl: string | undefined;
  uploadTime: number;
  size: number;
  downloads: number;
  /** Seconds left before the time limit is reached; 0 without a time limit. */
  timeLimit: number;
  /** 0 without a download limit. */
  downloadLimit: number;
  limitAction: number;
  limitActionToFolder: string | null;
  businessShared: boolean;
  notOwned: boolean;
}

/** The reduced view anyone may get of a file in a public folder (getShared, page, feed). */
export interface PublicFileView {
  id: string;
  name: string;
  description: string;
  folderId: string;
  uploadTime: number;
  size: number;
  downloadPageUrl: string;
  /** Undefined for a password-protected file: its page asks for the password. */
  directDownloadUrl: string | undefined;
}

export interface FolderTotals {
  files: number;
  size: number;
  folders: number;
}

export interface FolderView {
  id: string;
  name: string;
  shared: boolean;
  /** Empty for the virtual root, which has no public page. */
  publicUrl: string;
  rssUrl: string;
  parentId: string;
  /** In clear, for the owner only; undefined when none is set. */
  folderPassword: string | undefined;
  notOwned: boolean;
  businessShared: boolean;
}

export interface PublicFolderView {
  id: string;
  name: string;
  parentId: string;
  publicUrl: string;
  rssUrl: string;
}

export interface LibraryViewsDeps {
  links: Links;
  secrets: Secrets;
  clock: Clock;
  /** Lifetime of the direct links handed to owners of password-protected files. */
  protectedLinkTtlSeconds: number;
}

export class LibraryViews {
  constructor(private readonly d: LibraryViewsDeps) {}

  /** A sealed password in clear; '' if it cannot be opened (the secret changed). */
  private open(sealed: string): string {
    try {
      return this.d.secrets.decrypt(sealed);
    } catch {
      return '';
    }
  }

  /**
   * Direct links never expire for unprotected files. For a protected one, its owner
   * gets a link that expires (a leaked link must not bypass the password for ever),
   * and a team mate none at all.
   */
  private directUrl(row: FileRow, mayBypassPassword: boolean): string | undefined {
    if (row.password_sealed === null) return this.d.links.direct(row.id, row.delete_salt, row.name);
    if (!mayBypassPassword) return undefined;
    return this.d.links.direct(row.id, row.delete_salt, row.name, this.d.clock.now() + this.d.protectedLinkTtlSeconds);
  }

  file(row: FileRow, access: Access): FileView {
    const owner = access === 'owner';
    const now = this.d.clock.now();
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      password: owner && row.password_sealed !== null ? this.open(row.password_sealed) : undefined,
      passwordProtected: row.password_sealed !== null,
      folderId: row.folder_id,
      downloadPageUrl: this.d.links.downloadPage(row.id),
      directDownloadUrl: this.directUrl(row, owner),
      deleteUrl: owner ? this.d.links.deletePage(row.id, row.delete_salt) : undefined,
      uploadTime: row.upload_time,
      size: row.size,
      downloads: row.downloads,
      timeLimit: row.time_limit !== null && row.limit_expires_at !== null ? Math.max(0, row.limit_expires_at - now) : 0,
      downloadLimit: row.download_limit ?? 0,
      limitAction: row.limit_action,
      limitActionToFolder: row.limit_action_to_folder,
      businessShared: row.business_shared === 1,
      notOwned: !owner,
    };
  }

  publicFile(row: FileRow): PublicFileView {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      folderId: row.folder_id,
      uploadTime: row.upload_time,
      size: row.size,
      downloadPageUrl: this.d.links.downloadPage(row.id),
      directDownloadUrl: this.directUrl(row, false),
    };
  }

  folder(row: FolderRow, access: Access): FolderView {
    const owner = access === 'owner';
    return {
      id: row.id,
      name: row.name,
      shared: row.shared === 1,
      publicUrl: this.d.links.folderPage(row.id),
      rssUrl: this.d.links.folderRss(row.id),
      parentId: row.parent_id,
      folderPassword: owner && row.password_sealed !== null ? this.open(row.password_sealed) : undefined,
      notOwned: !owner,
      businessShared: row.business_shared === 1,
    };
  }

  /** The virtual root folder '0' every account has. */
  root(): FolderView {
    return {
      id: ROOT_FOLDER_ID,
      name: ROOT_FOLDER_NAME,
      shared: false,
      publicUrl: '',
      rssUrl: '',
      parentId: ROOT_FOLDER_ID,
      folderPassword: undefined,
      notOwned: false,
      businessShared: false,
    };
  }

  publicFolder(row: FolderRow): PublicFolderView {
    return {
      id: row.id,
      name: row.name,
      parentId: row.parent_id,
      publicUrl: this.d.links.folderPage(row.id),
      rssUrl: this.d.links.folderRss(row.id),
    };
  }
}
