/** Library folder views as the protocol's folder records. */
import { folderRecord, minimalFolderRecord, sharedFolderRecord, type XmlElement } from '@sendbay/protocol';
import type { FolderTotals, FolderView, PublicFolderView } from '../domain/library/views.js';

/**
 * The folder record; with `totals` (folders.getInfo, getAll) it carries total_files,
 * total_size and total_folders. `folder_password` only when set, for its owner.
 */
export function folderNode(f: FolderView, totals?: FolderTotals): XmlElement {
  return folderRecord.encode({
    id: f.id,
    name: f.name,
    shared: f.shared,
    publicUrl: f.publicUrl,
    rssUrl: f.rssUrl,
    parentFolderId: f.parentId,
    totals,
    folderPassword: f.folderPassword,
    notOwned: f.notOwned,
    businessShared: f.businessShared,
  });
}

/** folders.delete / folders.move's minimal tag. */
export function minimalFolderNode(id: string): XmlElement {
  return minimalFolderRecord.encode({ id });
}

const sharedCodecs = { current: sharedFolderRecord('current'), folder: sharedFolderRecord('folder') };

/** folders.getShared's `<current>` and `<folder>` records. */
export function sharedFolderNode(f: PublicFolderView, name: 'current' | 'folder' = 'folder'): XmlElement {
  return sharedCodecs[name].encode({ id: f.id, name: f.name, parentFolderId: f.parentId });
}
