/** Library file views as the spec's `<file>` elements, attributes in the spec's order. */
import { el, type XmlElement } from '@sendbay/protocol';
import type { FileView, PublicFileView } from '../domain/library/views.js';

/**
 * The full record (files.getInfo, setInfo, moveToFolder, folders.getContents).
 * `password`, `direct_download_url` and `delete_url` are left out when the view has
 * none (no password set; a team mate's view).
 */
export function fileNode(f: FileView): XmlElement {
  return el('file', [
    ['id', f.id],
    ['name', f.name],
    ['description', f.description],
    ['password', f.password],
    ['folder_id', f.folderId],
    ['download_page_url', f.downloadPageUrl],
    ['direct_download_url', f.directDownloadUrl],
    ['delete_url', f.deleteUrl],
    ['upload_time', f.uploadTime],
    ['file_size', f.size],
    ['downloads', f.downloads],
    ['time_limit', f.timeLimit],
    ['download_limit', f.downloadLimit],
    ['limit_action', f.limitAction],
    ['limit_action_to_folder', f.limitActionToFolder ?? ''],
    ['business_shared', f.businessShared ? 1 : 0],
    ['not_owned', f.notOwned ? 1 : 0],
  ]);
}

/** files.delete's minimal tag. */
export function minimalFileNode(id: string): XmlElement {
  return el('file', [['id', id]]);
}

/** folders.getShared's reduced record. */
export function sharedFileNode(f: PublicFileView): XmlElement {
  return el('file', [
    ['id', f.id],
    ['name', f.name],
    ['description', f.description],
    ['folder_id', f.folderId],
    ['upload_time', f.uploadTime],
    ['file_size', f.size],
  ]);
}
