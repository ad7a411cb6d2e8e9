/**
 * The web file manager's view of a folder: one page of files in the order asked for,
 * with opaque cursors to the pages on either side, and searches by name over the whole
 * account. The same visibility as folders.getContents: the caller's own folders and
 * root, and read-only the folders a team mate shares; anything else is "not found" (10).
 */
import { ApiError, FILE_ID_RE, ROOT_FOLDER_ID } from '@sendbay/protocol';
import type { FileKey, FilePagesRepository, FileSort } from '../../metadata/repositories/file-pages.js';
import type { FileRow } from '../../metadata/repositories/files.js';
import type { UserRow } from '../../metadata/repositories/users.js';
import type { Access, LibraryAccess } from './access.js';
import type { LibraryFoldersRepository } from '../../metadata/repositories/library-folders.js';
import { treeOrder } from './folder-tree.js';
import type { FileView, FolderView, LibraryViews } from './views.js';

export type { FileSort };
export const FILE_SORTS: readonly FileSort[] = ['name', 'size', 'date'];

/** Most files on one page; the page size asked for is clamped to 1..this. */
export const MAX_PAGE_SIZE = 200;
/** Longest search text looked for (a longer one is cut). */
export const MAX_SEARCH_LENGTH = 200;

export interface ListingQuery {
  /** A folder id; '' or '0' for the root. Ignored by a search. */
  folderId: string;
  sort: FileSort;
  descending: boolean;
  /** From a previous page's `next` or `previous`; a cursor that does not fit is ignored (page 1). */
  cursor?: string | undefined;
  pageSize: number;
}

export interface FilePage {
  /** The folder shown (the virtual root for '0'). */
  folder: FolderView;
  /** Its direct sub-folders by name; at the root also the top-level folders team mates share. */
  folders: FolderView[];
  files: FileView[];
  /** Whose files these are: 'team' for a team mate's shared folder (read-only). */
  access: Access;
  /** Cursors to the neighbouring pages, undefined at either end. */
  next: string | undefined;
  previous: string | undefined;
}

interface Cursor {
  sort: FileSort;
  descending: boolean;
  /** 'a': the page after `key`; 'b': the page before it. */
  side: 'a' | 'b';
  key: FileKey;
}

function keyOf(row: FileRow, sort: FileSort): FileKey {
  return { value: sort === 'name' ? row.name : sort === 'size' ? row.size : row.upload_time, id: row.id };
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.descending ? 1 : 0, c.side, c.key.value, c.key.id])).toString('base64url');
}

/** The cursor, when it is well formed and made for this order; otherwise undefined. */
export function decodeCursor(raw: string | undefined, sort: FileSort, descending: boolean): Cursor | undefined {
  if (!raw || raw.length > 2000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) return undefined;
  const [s, d, side, value, id] = parsed as unknown[];
  if (s !== sort || d !== (descending ? 1 : 0) || (side !== 'a' && side !== 'b')) return undefined;
  if (typeof id !== 'string' || !FILE_ID_RE.test(id)) return undefined;
  const valueFits = sort === 'name' ? typeof value === 'string' : typeof value === 'number' && Number.isSafeInteger(value);
  if (!valueFits) return undefined;
  return { sort, descending, side, key: { value: value as string | number, id } };
}

export class FileListing {
  constructor(
    private readonly d: {
      access: LibraryAccess;
      views: LibraryViews;
      pages: FilePagesRepository;
      folders: LibraryFoldersRepository;
    },
  ) {}

  /** One page of a folder's files. 10 for a folder the caller cannot see. */
  async folderPage(user: UserRow, q: ListingQuery): Promise<FilePage> {
    const id = q.folderId.trim().toLowerCase() || ROOT_FOLDER_ID;
    const viewer = this.d.access.viewer(user);
    const v = this.d.views;
    if (id === ROOT_FOLDER_ID) {
      const [own, mates] = await Promise.all([this.d.folders.listChildren(user.id, ROOT_FOLDER_ID), viewer.teamMates()]);
      const team = await this.d.folders.listTeamTopLevel([...mates]);
      const folders = [...own.map((r) => v.folder(r, 'owner')), ...team.map((r) => v.folder(r, 'team'))];
      return { folder: v.root(), folders, ...(await this.run({ ownerId: user.id, folderId: id }, q, 'owner')) };
    }
    const granted = await this.d.access.folder(viewer, id);
    if (!granted) throw new ApiError(10);
    const { row, access } = granted;
    const children = await this.d.folders.listChildren(row.owner_id, row.id);
    return {
      folder: v.folder(row, access),
      folders: children.map((r) => v.folder(r, access)),
      ...(await this.run({ ownerId: row.owner_id, folderId: id }, q, access)),
    };
  }

  /** The caller's own folders, parents before children, each with its depth (0: top level). */
  async tree(user: UserRow): Promise<{ folder: FolderView; depth: number }[]> {
    const rows = treeOrder(await this.d.folders.listByOwner(user.id));
    const depth = new Map<string, number>();
    return rows.map((r) => {
      const d = r.parent_id === ROOT_FOLDER_ID ? 0 : (depth.get(r.parent_id) ?? -1) + 1;
      depth.set(r.id, d);
      return { folder: this.d.views.folder(r, 'owner'), depth: d };
    });
  }

  /** One page of the caller's own files, anywhere in their tree, whose names contain `text`; by name. */
  async search(user: UserRow, text: string, q: Omit<ListingQuery, 'folderId' | 'sort'>): Promise<Omit<FilePage, 'folder' | 'folders'>> {
    const part = text.trim().slice(0, MAX_SEARCH_LENGTH);
    return this.run({ ownerId: user.id, nameContains: part }, { ...q, folderId: '', sort: 'name' }, 'owner');
  }

  private async run(
    where: { ownerId: string; folderId?: string; nameContains?: string },
    q: ListingQuery,
    access: Access,
  ): Promise<Omit<FilePage, 'folder' | 'folders'>> {
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(q.pageSize) || 1));
    const cursor = decodeCursor(q.cursor, q.sort, q.descending);
    // One row more than the page shows tells whether there is a page beyond it.
    const rows = await this.d.pages.page({
      ...where,
      sort: q.sort,
      descending: q.descending,
      ...(cursor?.side === 'a' ? { after: cursor.key } : {}),
      ...(cursor?.side === 'b' ? { before: cursor.key } : {}),
      limit: limit + 1,
    });
    const backwards = cursor?.side === 'b';
    const more = rows.length > limit;
    // Going backwards the extra row is the first one (it lies before the page).
    const shown = more ? (backwards ? rows.slice(1) : rows.slice(0, limit)) : rows;
    const first = shown[0];
    const last = shown[shown.length - 1];
    const make = (side: 'a' | 'b', row: FileRow) => encodeCursor({ sort: q.sort, descending: q.descending, side, key: keyOf(row, q.sort) });
    const hasNext = backwards ? cursor !== undefined : more;
    const hasPrevious = backwards ? more : cursor !== undefined;
    return {
      files: shown.map((r) => this.d.views.file(r, access)),
      access,
      next: hasNext && last ? make('a', last) : undefined,
      previous: hasPrevious && first ? make('b', first) : undefined,
    };
  }
}
