/** Library file views as the protocol's file records (the codecs keep the spec's attribute order). */
import { fileRecord, minimalFileRecord, sharedFileRecord, type FileRecord, type XmlElement } from '@sendbay/protocol';
import type { FileView, PublicFileView } from '../domain/library/views.js';

/** The view as a record: `password`, `direct_download_url` and `delete_url` stay absent when the view has none. */
export function fileRecordOf(f: FileView): FileRecord {
  return {
    id: f.id,
    name: f.name,
    description: f.description,
    password: f.password,
    folderId: f.folderId,
    downloadPageUrl: f.downloadPageUrl,
    directDownloadUrl: f.directDownloadUrl,
    deleteUrl: f.deleteUrl,
    uploadTime: f.uploadTime,
    fileSize: f.size,
    downloads: f.downloads,
    timeLimit: f.timeLimit,
    downloadLimit: f.downloadLimit,
    limitAction: f.limitAction,
    limitActionToFolder: f.limitActionToFolder,
    businessShared: f.businessShared,
    notOwned: f.notOwned,
  };
}

/** The full record (files.getInfo, setInfo, moveToFolder, folders.getContents). */
export function fileNode(f: FileView): XmlElement {
  return fileRecord.encode(fileRecordOf(f));
}

/** files.delete's minimal tag. */
export function minimalFileNode(id: string): XmlElement {
  return minimalFileRecord.encode({ id });
}

/** folders.getShared's reduced record. */
export function sharedFileNode(f: PublicFileView): XmlElement {
  return sharedFileRecord.encode({
    id: f.id,
    name: f.name,
    description: f.description,
    folderId: f.folderId,
    uploadTime: f.uploadTime,
    fileSize: f.size,
  });
}
