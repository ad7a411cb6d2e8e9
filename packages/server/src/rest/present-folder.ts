/** Library folder views as the spec's `<folder>` elements, attributes in the spec's order. */
import { el, type XmlElement } from '@sendbay/protocol';
import type { FolderTotals, FolderView, PublicFolderView } from '../domain/library/views.js';

/**
 * The folder record; with `totals` (folders.getInfo, getAll) it carries total_files,
 * total_size and total_folders. `folder_password` only when set, for its owner.
 */
export function folderNode(f: FolderView, totals?: FolderTotals): XmlElement {
  return el('folder', [
    ['id', f.id],
    ['name', f.name],
    ['shared', f.shared ? 1 : 0],
    ['public_url', f.publicUrl],
    ['rss_url', f.rssUrl],
    ['parent_folder_id', f.parentId],
    ['total_files', totals?.files],
    ['total_size', totals?.size],
    ['total_folders', totals?.folders],
    ['folder_password', f.folderPassword],
    ['not_owned', f.notOwned ? 1 : 0],
    ['business_shared', f.businessShared ? 1 : 0],
  ]);
}

/** folders.delete / folders.move's minimal tag. */
export function minimalFolderNode(id: string): XmlElement {
  return el('folder', [['id', id]]);
}

/** folders.getShared's `<current>` and `<folder>` records. */
export function sharedFolderNode(f: PublicFolderView, name: 'current' | 'folder' = 'folder'): XmlElement {
  return el(name, [
    ['id', f.id],
    ['name', f.name],
    ['parent_folder_id', f.parentId],
  ]);
}
