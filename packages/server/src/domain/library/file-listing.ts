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
import type { FileView, LibraryViews } from './views.js';

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
    },
  ) {}

  /** One page of a folder's files. 10 for a folder the caller cannot see. */
  async folderPage(user: UserRow, q: ListingQuery): Promise<FilePage> {
    const id = q.folderId.trim().toLowerCase() || ROOT_FOLDER_ID;
    let ownerId = user.id;
    let access: Access = 'owner';
    if (id !== ROOT_FOLDER_ID) {
      const granted = await this.d.access.folder(this.d.access.viewer(user), id);
      if (!granted) throw new ApiError(10);
      ownerId = granted.row.owner_id;
      access = granted.access;
    }
    return this.run({ ownerId, folderId: id }, q, access);
  }

  /** One page of the caller's own files, anywhere in their tree, whose names contain `text`; by name. */
  async search(user: UserRow, text: string, q: Omit<ListingQuery, 'folderId' | 'sort'>): Promise<FilePage> {
    const part = text.trim().slice(0, MAX_SEARCH_LENGTH);
    return this.run({ ownerId: user.id, nameContains: part }, { ...q, folderId: '', sort: 'name' }, 'owner');
  }

  private async run(
    where: { ownerId: string; folderId?: string; nameContains?: string },
    q: ListingQuery,
    access: Access,
  ): Promise<FilePage> {
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
