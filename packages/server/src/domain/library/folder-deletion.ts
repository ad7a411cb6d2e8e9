/**
 * folders.delete is recursive: every sub-folder and file below goes too, bytes
 * included, and the quota they used is released. Files go first, batch by batch, each
 * batch through FileRemoval (rows and quota in one transaction, then blobs): if
 * anything fails half-way, the folders are still there, showing what is left, and the
 * call can simply be repeated. The folder rows then go under the owner's tree lock,
 * and a last pass removes any file that was put into them meanwhile (an upload commit
 * takes the same lock, so it lands either before the folders go, and is removed here,
 * or after, and is refused). Of two deletions of one folder, only the one that finds it
 * under the lock has deleted it; the other answers 10, as a second files.delete does.
 * Error 14 (folder not empty) is therefore never answered: clients rely on recursion.
 */
import type { LibraryFilesRepository } from '../../metadata/repositories/library-files.js';
import type { LibraryFoldersRepository } from '../../metadata/repositories/library-folders.js';
import type { FileRemoval } from '../file-removal.js';

/** Files per FileRemoval transaction. */
const BATCH = 500;

export class FolderDeletion {
  constructor(
    private readonly d: {
      folders: LibraryFoldersRepository;
      files: LibraryFilesRepository;
      fileRemoval: FileRemoval;
    },
  ) {}

  /**
   * Deletes the owner's folders `rootIds` with everything below them. Returns the roots
   * this call deleted: those already gone (a concurrent deletion won) are not among them.
   */
  async deleteTrees(ownerId: string, rootIds: readonly string[]): Promise<Set<string>> {
    if (rootIds.length === 0) return new Set();
    await this.removeFiles(ownerId, await this.d.folders.subtreeIds(ownerId, rootIds));
    const deleted = await this.d.folders.inOwnerLock(ownerId, async (repo) => {
      // Read again under the lock: a sub-folder may have been created since, and another
      // deletion may have removed some of the folders already.
      const ids = await repo.subtreeIds(ownerId, rootIds);
      await repo.deleteByIds(ownerId, ids);
      return ids;
    });
    await this.d.files.retargetLimitFolder(ownerId, deleted);
    await this.removeFiles(ownerId, deleted);
    const gone = new Set(deleted);
    return new Set(rootIds.filter((id) => gone.has(id)));
  }

  private async removeFiles(ownerId: string, folderIds: readonly string[]): Promise<void> {
    // Each pass removes what it read (or finds it already removed), so this ends.
    for (;;) {
      const batch = await this.d.files.someInFolders(ownerId, folderIds, BATCH);
      if (batch.length === 0) return;
      await this.d.fileRemoval.remove(batch);
    }
  }
}
