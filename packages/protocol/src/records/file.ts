/** The spec's `<file>` element in its three shapes: full, minimal (delete) and shared. */
import { el, type XmlElement } from '../xml.js';
import { bit, bool, num, opt, type RecordCodec } from './codec.js';

/** files.getInfo, setInfo, moveToFolder and folders.getContents. */
export interface FileRecord {
  id: string;
  name: string;
  description: string;
  /** In clear, for the owner only; absent when none is set or for a team mate. */
  password?: string | undefined;
  folderId: string;
  downloadPageUrl: string;
  /** Absent for a team mate looking at a password-protected file. */
  directDownloadUrl?: string | undefined;
  /** The owner only. */
  deleteUrl?: string | undefined;
  /** Unix seconds. */
  uploadTime: number;
  fileSize: number;
  downloads: number;
  /** Seconds left before the time limit; 0 without one. */
  timeLimit: number;
  /** 0 without a download limit. */
  downloadLimit: number;
  limitAction: number;
  limitActionToFolder: string | null;
  businessShared: boolean;
  notOwned: boolean;
}

export const fileRecord: RecordCodec<FileRecord, XmlElement> = {
  tag: 'file',
  // Attribute order is the spec's; undefined attributes are left out.
  encode: (f) =>
    el('file', [
      ['id', f.id],
      ['name', f.name],
      ['description', f.description],
      ['password', f.password],
      ['folder_id', f.folderId],
      ['download_page_url', f.downloadPageUrl],
      ['direct_download_url', f.directDownloadUrl],
      ['delete_url', f.deleteUrl],
      ['upload_time', f.uploadTime],
      ['file_size', f.fileSize],
      ['downloads', f.downloads],
      ['time_limit', f.timeLimit],
      ['download_limit', f.downloadLimit],
      ['limit_action', f.limitAction],
      ['limit_action_to_folder', f.limitActionToFolder ?? ''],
      ['business_shared', bit(f.businessShared)],
      ['not_owned', bit(f.notOwned)],
    ]),
  decode: ({ attrs: a }) => ({
    id: a.id ?? '',
    name: a.name ?? '',
    description: a.description ?? '',
    password: opt(a, 'password'),
    folderId: a.folder_id ?? '0',
    downloadPageUrl: a.download_page_url ?? '',
    directDownloadUrl: opt(a, 'direct_download_url'),
    deleteUrl: opt(a, 'delete_url'),
    uploadTime: num(a.upload_time),
    fileSize: num(a.file_size),
    downloads: num(a.downloads),
    timeLimit: num(a.time_limit),
    downloadLimit: num(a.download_limit),
    limitAction: num(a.limit_action),
    limitActionToFolder: a.limit_action_to_folder ? a.limit_action_to_folder : null,
    businessShared: bool(a.business_shared),
    notOwned: bool(a.not_owned),
  }),
};

/** files.delete's `<file id=""/>`. */
export const minimalFileRecord: RecordCodec<{ id: string }, XmlElement> = {
  tag: 'file',
  encode: (f) => el('file', [['id', f.id]]),
  decode: ({ attrs }) => ({ id: attrs.id ?? '' }),
};

/** folders.getShared's reduced file. */
export interface SharedFileRecord {
  id: string;
  name: string;
  description: string;
  folderId: string;
  uploadTime: number;
  fileSize: number;
}

export const sharedFileRecord: RecordCodec<SharedFileRecord, XmlElement> = {
  tag: 'file',
  encode: (f) =>
    el('file', [
      ['id', f.id],
      ['name', f.name],
      ['description', f.description],
      ['folder_id', f.folderId],
      ['upload_time', f.uploadTime],
      ['file_size', f.fileSize],
    ]),
  decode: ({ attrs: a }) => ({
    id: a.id ?? '',
    name: a.name ?? '',
    description: a.description ?? '',
    folderId: a.folder_id ?? '0',
    uploadTime: num(a.upload_time),
    fileSize: num(a.file_size),
  }),
};
