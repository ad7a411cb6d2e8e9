/** The spec's `<folder>` element: full (with or without totals), minimal and shared. */
import { el, type XmlElement } from '../xml.js';
import { bit, bool, num, opt, type RecordCodec } from './codec.js';

export interface FolderTotals {
  files: number;
  size: number;
  folders: number;
}

export interface FolderRecord {
  id: string;
  name: string;
  shared: boolean;
  /** Empty for the root folder. */
  publicUrl: string;
  rssUrl: string;
  parentFolderId: string;
  /** folders.getInfo and getAll only. */
  totals?: FolderTotals | undefined;
  /** In clear, for the owner only; absent when none is set. */
  folderPassword?: string | undefined;
  notOwned: boolean;
  businessShared: boolean;
}

export const folderRecord: RecordCodec<FolderRecord, XmlElement> = {
  tag: 'folder',
  encode: (f) =>
    el('folder', [
      ['id', f.id],
      ['name', f.name],
      ['shared', bit(f.shared)],
      ['public_url', f.publicUrl],
      ['rss_url', f.rssUrl],
      ['parent_folder_id', f.parentFolderId],
      ['total_files', f.totals?.files],
      ['total_size', f.totals?.size],
      ['total_folders', f.totals?.folders],
      ['folder_password', f.folderPassword],
      ['not_owned', bit(f.notOwned)],
      ['business_shared', bit(f.businessShared)],
    ]),
  decode: ({ attrs: a }) => ({
    id: a.id ?? '',
    name: a.name ?? '',
    shared: bool(a.shared),
    publicUrl: a.public_url ?? '',
    rssUrl: a.rss_url ?? '',
    parentFolderId: a.parent_folder_id ?? '0',
    totals:
      opt(a, 'total_files') === undefined
        ? undefined
        : { files: num(a.total_files), size: num(a.total_size), folders: num(a.total_folders) },
    folderPassword: opt(a, 'folder_password'),
    notOwned: bool(a.not_owned),
    businessShared: bool(a.business_shared),
  }),
};

/** folders.delete and folders.move: `<folder id=""/>`. */
export const minimalFolderRecord: RecordCodec<{ id: string }, XmlElement> = {
  tag: 'folder',
  encode: (f) => el('folder', [['id', f.id]]),
  decode: ({ attrs }) => ({ id: attrs.id ?? '' }),
};

export interface SharedFolderRecord {
  id: string;
  name: string;
  parentFolderId: string;
}

/** folders.getShared's `<current>` (the folder asked for) and `<folder>` (its sub-folders). */
export function sharedFolderRecord(tag: 'current' | 'folder'): RecordCodec<SharedFolderRecord, XmlElement> {
  return {
    tag,
    encode: (f) =>
      el(tag, [
        ['id', f.id],
        ['name', f.name],
        ['parent_folder_id', f.parentFolderId],
      ]),
    decode: ({ attrs: a }) => ({ id: a.id ?? '', name: a.name ?? '', parentFolderId: a.parent_folder_id ?? '0' }),
  };
}
