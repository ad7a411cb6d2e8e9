/**
 * folders.*: a user's folder tree. The root '0' is virtual (no row): it can be read and
 * filled, never renamed, moved, shared or deleted (11). Ids the caller cannot see
 * answer 10 (unknown and foreign alike); a team mate's shared folder answers 11 to
 * every change. Totals (`total_files`, `total_size`, `total_folders`) cover the whole
 * subtree, every level below the folder.
 */
import { ApiError, ROOT_FOLDER_ID } from '@sendbay/protocol';
import type { Secrets } from '../../lib/crypto.js';
import type { Mailer } from '../../mail/email.js';
import type { LibraryFilesRepository } from '../../metadata/repositories/library-files.js';
import type { FolderChanges, FolderRow, LibraryFoldersRepository } from '../../metadata/repositories/library-folders.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import type { Clock } from '../clock.js';
import type { Contacts } from '../contacts.js';
import { newUniqueId } from '../ids.js';
import type { Access, LibraryAccess, Viewer } from './access.js';
import type { FolderDeletion } from './folder-deletion.js';
import { subtreeTotals, treeOrder } from './folder-tree.js';
import { failed, succeeded, type IdResult } from './id-results.js';
import { cleanName } from './names.js';
import { mailLinksToEach } from './share-mail.js';
import type { FileView, FolderTotals, FolderView, LibraryViews } from './views.js';

export interface FolderWithTotals {
  folder: FolderView;
  totals: FolderTotals;
}

export interface FolderContents {
  folders: FolderView[];
  /** Files come page by page: a folder may hold any number of them. */
  files: AsyncIterable<FileView[]>;
}

/** folders.setInfo's parameters: undefined leaves a field alone, '' or null clears it. */
export interface FolderInfoChanges {
  name?: string | undefined;
  shared?: 0 | 1 | null | undefined;
  /** '' moves the folder to the root. */
  parentId?: string | undefined;
  folderPassword?: string | undefined;
  businessShared?: 0 | 1 | null | undefined;
}

export interface LibraryFoldersDeps {
  access: LibraryAccess;
  views: LibraryViews;
  folders: LibraryFoldersRepository;
  files: LibraryFilesRepository;
  deletion: FolderDeletion;
  mailer: Mailer;
  contacts: Contacts;
  secrets: Secrets;
  clock: Clock;
}

const ROOT_IS_FIXED = 'Permission denied: the root folder cannot be changed';
const NOT_YOURS = 'Permission denied: the folder belongs to a team mate';
const INTO_ITSELF = 'Invalid target folder selected: a folder cannot go into itself or one of its sub-folders';

function normalizeId(raw: string): string {
  const id = raw.trim().toLowerCase();
  return id === '' ? ROOT_FOLDER_ID : id;
}

export class LibraryFolders {
  constructor(private readonly d: LibraryFoldersDeps) {}

  /** A folder to put things into: '0' or one of the caller's own; else 10 (11 for a team mate's, read-only). */
  private async ownParent(viewer: Viewer, raw: string | undefined): Promise<string> {
    const id = normalizeId(raw ?? '');
    if (id === ROOT_FOLDER_ID) return id;
    const g = await this.d.access.folder(viewer, id);
    if (!g) throw new ApiError(10, `Folder not found: ${id.slice(0, 40)}`);
    if (g.access !== 'owner') throw new ApiError(11, NOT_YOURS);
    return id;
  }

  private async resolve(
    viewer: Viewer,
    ids: readonly string[],
    mode: 'read' | 'write',
  ): Promise<IdResult<{ row: FolderRow; access: Access }>[]> {
    const granted = await this.d.access.folders(viewer, ids);
    return ids.map((id) => {
      if (id === ROOT_FOLDER_ID && mode === 'write') return failed(id, 11, ROOT_IS_FIXED);
      const g = granted.get(id);
      if (!g) return failed(id, 10);
      if (mode === 'write' && g.access !== 'owner') return failed(id, 11, NOT_YOURS);
      return succeeded(id, g);
    });
  }

  /** One folder the caller may see: 10 when there is none. */
  private async one(viewer: Viewer, rawId: string, mode: 'read' | 'write') {
    const [r] = await this.resolve(viewer, [normalizeId(rawId)], mode);
    if (!r || r.error) throw r?.error ?? new ApiError(10);
    return r.value;
  }

  async getInfo(user: UserRow, rawId: string): Promise<FolderWithTotals> {
    const viewer = this.d.access.viewer(user);
    if (normalizeId(rawId) === ROOT_FOLDER_ID) {
      const [files, folders] = await Promise.all([this.d.files.accountTotals(user.id), this.d.folders.countByOwner(user.id)]);
      return { folder: this.d.views.root(), totals: { ...files, folders } };
    }
    const { row, access } = await this.one(viewer, rawId, 'read');
    const ids = await this.d.folders.subtreeIds(row.owner_id, [row.id]);
    const totals = { files: 0, size: 0, folders: Math.max(0, ids.length - 1) };
    for (const t of (await this.d.files.totalsByFolder(row.owner_id, ids)).values()) {
      totals.files += t.files;
      totals.size += t.size;
    }
    return { folder: this.d.views.folder(row, access), totals };
  }

  async create(
    user: UserRow,
    input: { name: string; shared?: 0 | 1 | null | undefined; parentId?: string | undefined },
  ): Promise<FolderView> {
    const name = cleanName(input.name, 'folder');
    const parent = await this.ownParent(this.d.access.viewer(user), input.parentId);
    const id = await newUniqueId((candidate) => this.d.folders.exists(candidate));
    const row: FolderRow = {
      id,
      owner_id: user.id,
      parent_id: parent,
      name,
      shared: input.shared === 1 ? 1 : 0,
      password_sealed: null,
      business_shared: 0,
      created_at: this.d.clock.now(),
    };
    await this.d.folders.inOwnerLock(user.id, async (repo) => {
      // Under the tree lock, so that a folder being deleted cannot gain a child.
      if (parent !== ROOT_FOLDER_ID && !(await repo.exists(parent))) throw new ApiError(10, `Folder not found: ${parent}`);
      await repo.insert(row);
    });
    return this.d.views.folder(row, 'owner');
  }

  async setInfo(user: UserRow, rawId: string, input: FolderInfoChanges): Promise<FolderView> {
    const viewer = this.d.access.viewer(user);
    const { row } = await this.one(viewer, rawId, 'write');
    const changes: FolderChanges = {};
    if (input.name !== undefined) changes.name = cleanName(input.name, 'folder');
    if (input.shared !== undefined) changes.shared = input.shared === 1 ? 1 : 0;
    if (input.folderPassword !== undefined)
      changes.password_sealed = input.folderPassword === '' ? null : this.d.secrets.encrypt(input.folderPassword);
    const parent = input.parentId === undefined ? undefined : await this.ownParent(viewer, input.parentId);
    if (input.businessShared !== undefined) {
      if (input.businessShared === 1) {
        if (!this.d.access.canShareWithTeam(user))
          throw new ApiError(11, 'Permission denied: only business accounts share folders with a team');
        if ((parent ?? row.parent_id) !== ROOT_FOLDER_ID)
          throw new ApiError(11, 'Permission denied: only top-level folders can be shared with the team');
      }
      changes.business_shared = input.businessShared === 1 ? 1 : 0;
    }
    if (parent !== undefined && parent !== row.parent_id) {
      changes.parent_id = parent;
      // Only top-level folders are shared with the team.
      if (parent !== ROOT_FOLDER_ID) changes.business_shared = 0;
      await this.d.folders.inOwnerLock(user.id, async (repo) => {
        if ((await this.cyclicMoves(repo, parent, [row.id])).size > 0) throw new ApiError(31, INTO_ITSELF);
        await repo.update(user.id, row.id, changes);
      });
    } else {
      await this.d.folders.update(user.id, row.id, changes);
    }
    const [now] = await this.d.folders.findByIds([row.id]);
    if (!now) throw new ApiError(10);
    return this.d.views.folder(now, 'owner');
  }

  /**
   * Under the tree lock: the target must still exist (10), and those of `moving` that
   * are the target or lie above it are returned: moving them there would make a cycle.
   */
  private async cyclicMoves(repo: LibraryFoldersRepository, target: string, moving: readonly string[]): Promise<Set<string>> {
    if (target === ROOT_FOLDER_ID) return new Set();
    const ancestors = new Set(await repo.ancestorIds(target));
    if (ancestors.size === 0) throw new ApiError(10, `Folder not found: ${target}`);
    return new Set(moving.filter((id) => ancestors.has(id)));
  }

  async move(user: UserRow, ids: readonly string[], rawParent: string): Promise<IdResult<string>[]> {
    const viewer = this.d.access.viewer(user);
    const target = await this.ownParent(viewer, rawParent);
    const results = await this.resolve(viewer, ids, 'write');
    return this.d.folders.inOwnerLock(user.id, async (repo) => {
      const okIds = results.filter((r) => !r.error).map((r) => r.id);
      const cyclic = await this.cyclicMoves(repo, target, okIds);
      await repo.setParent(
        user.id,
        okIds.filter((id) => !cyclic.has(id)),
        target,
      );
      return results.map((r) => {
        if (r.error) return { id: r.id, error: r.error };
        if (cyclic.has(r.id)) return failed<string>(r.id, 31, INTO_ITSELF);
        return succeeded(r.id, r.id);
      });
    });
  }

  async delete(user: UserRow, ids: readonly string[]): Promise<IdResult<string>[]> {
    const results = await this.resolve(this.d.access.viewer(user), ids, 'write');
    const deleted = await this.d.deletion.deleteTrees(
      user.id,
      results.filter((r) => !r.error).map((r) => r.id),
    );
    return results.map((r) => {
      if (r.error) return { id: r.id, error: r.error };
      // Found at first, gone under the lock: a concurrent folders.delete got there first.
      return deleted.has(r.id) ? succeeded(r.id, r.id) : failed<string>(r.id, 10);
    });
  }

  /** Direct children only: sub-folders, then files. A team mate's shared folder shows its contents read-only. */
  async getContents(user: UserRow, rawId: string): Promise<FolderContents> {
    const viewer = this.d.access.viewer(user);
    const v = this.d.views;
    if (normalizeId(rawId) === ROOT_FOLDER_ID) {
      const [folders, mates] = await Promise.all([this.d.folders.listChildren(user.id, ROOT_FOLDER_ID), viewer.teamMates()]);
      const teamFolders = await this.d.folders.listTeamTopLevel([...mates]);
      const files = this.d.files.pagesInFolder(user.id, ROOT_FOLDER_ID);
      const teamFiles = () => this.d.files.listTeamRootFiles([...mates]);
      return {
        folders: [...folders.map((r) => v.folder(r, 'owner')), ...teamFolders.map((r) => v.folder(r, 'team'))],
        files: (async function* () {
          for await (const page of files) yield page.map((r) => v.file(r, 'owner'));
          yield (await teamFiles()).map((r) => v.file(r, 'team'));
        })(),
      };
    }
    const { row, access } = await this.one(viewer, rawId, 'read');
    const folders = await this.d.folders.listChildren(row.owner_id, row.id);
    const files = this.d.files.pagesInFolder(row.owner_id, row.id);
    return {
      folders: folders.map((r) => v.folder(r, access)),
      files: (async function* () {
        for await (const page of files) yield page.map((r) => v.file(r, access));
      })(),
    };
  }

  /**
   * The root first, then the caller's folders parents-first, then the folders team
   * mates share (read-only). Totals come from one grouped query per owner, rolled up
   * in memory.
   */
  async getAll(user: UserRow): Promise<FolderWithTotals[]> {
    const viewer = this.d.access.viewer(user);
    const [own, perFolder, mates] = await Promise.all([
      this.d.folders.listByOwner(user.id),
      this.d.files.totalsPerFolder(user.id),
      viewer.teamMates(),
    ]);
    const ownTotals = subtreeTotals(own, perFolder);
    const account = { files: 0, size: 0, folders: own.length };
    for (const t of perFolder.values()) {
      account.files += t.files;
      account.size += t.size;
    }
    const out: FolderWithTotals[] = [{ folder: this.d.views.root(), totals: account }];
    for (const r of treeOrder(own))
      out.push({ folder: this.d.views.folder(r, 'owner'), totals: ownTotals.get(r.id) ?? { files: 0, size: 0, folders: 0 } });
    if (mates.size === 0) return out;

    const tops = await this.d.folders.listTeamTopLevel([...mates]);
    const byOwner = new Map<string, string[]>();
    for (const t of tops) byOwner.set(t.owner_id, [...(byOwner.get(t.owner_id) ?? []), t.id]);
    for (const [ownerId, topIds] of byOwner) {
      const rows = await this.d.folders.subtreeRows(ownerId, topIds);
      rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
      const totals = subtreeTotals(
        rows,
        await this.d.files.totalsByFolder(
          ownerId,
          rows.map((r) => r.id),
        ),
      );
      for (const r of treeOrder(rows))
        out.push({ folder: this.d.views.folder(r, 'team'), totals: totals.get(r.id) ?? { files: 0, size: 0, folders: 0 } });
    }
    return out;
  }

  /**
   * Mails the public page of each folder. Only a public folder (shared=1) has a page a
   * recipient can open, so a private one answers 33 rather than mailing a dead link.
   */
  async sendMail(
    user: UserRow,
    ids: readonly string[],
    input: { emails: readonly string[]; message?: string | undefined },
  ): Promise<IdResult<string>[]> {
    const results = (await this.resolve(this.d.access.viewer(user), ids, 'read')).map((r) => {
      if (r.id === ROOT_FOLDER_ID || (!r.error && r.value.row.shared !== 1))
        return failed<{ row: FolderRow; access: Access }>(r.id, 33, 'Folder is private: make it public (shared=1) before sending its link');
      return r;
    });
    const rows = results.flatMap((r) => (r.error ? [] : [r.value.row]));
    if (rows.length > 0) {
      const folders = rows.map((r) => ({ name: r.name, url: this.d.views.publicFolder(r).publicUrl }));
      await mailLinksToEach(this.d, user, input, { kind: 'folders-shared', folders });
    }
    return results.map((r) => (r.error ? { id: r.id, error: r.error } : succeeded(r.id, r.id)));
  }
}
