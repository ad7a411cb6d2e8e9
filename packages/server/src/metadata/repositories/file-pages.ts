/**
 * One page of an account's files at a time, for the web file manager: a folder by
 * name, size or upload date, either way, or a search of every name the account holds.
 * Keyset pagination: a page starts after (or ends before) the sort key and id of a row,
 * and each order walks an index that ends in `id` (migrations 003 and 005), so page 1
 * and page 2,000 of a 100,000-file folder cost the same.
 */
import { sql, type Kysely } from 'kysely';
import { containsPattern } from '../like.js';
import type { Database } from '../schema.js';
import type { FileRow } from './files.js';

export type FileSort = 'name' | 'size' | 'date';

const COLUMN = { name: 'name', size: 'size', date: 'upload_time' } as const;

/** Where a page starts or ends: the sort key and the id of the row next to it. */
export interface FileKey {
  value: string | number;
  id: string;
}

export interface FilePageQuery {
  ownerId: string;
  /** One folder ('0': the root); undefined for every folder (a search). */
  folderId?: string | undefined;
  /** Case-insensitive part of the name. */
  nameContains?: string | undefined;
  sort: FileSort;
  descending: boolean;
  /** The rows after this key in the chosen order, or (with `before`) the rows before it. */
  after?: FileKey | undefined;
  before?: FileKey | undefined;
  limit: number;
}

export class FilePagesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The rows of one page, in the chosen order, whichever side of the key was asked for. */
  async page(q: FilePageQuery): Promise<FileRow[]> {
    const col = COLUMN[q.sort];
    // Reading the rows before a key means walking the order backwards, then turning round.
    const backwards = q.before !== undefined;
    const desc = q.descending !== backwards;
    let query = this.db.selectFrom('files').selectAll().where('owner_id', '=', q.ownerId);
    if (q.folderId !== undefined) query = query.where('folder_id', '=', q.folderId);
    if (q.nameContains) {
      query = query.where(sql<boolean>`lower(name) like ${containsPattern(q.nameContains)} escape '\\'`);
    }
    const key = q.before ?? q.after;
    if (key) query = query.where((eb) => eb(eb.refTuple(col, 'id'), desc ? '<' : '>', eb.tuple(key.value, key.id)));
    const rows = await query
      .orderBy(col, desc ? 'desc' : 'asc')
      .orderBy('id', desc ? 'desc' : 'asc')
      .limit(q.limit)
      .execute();
    return backwards ? rows.reverse() : rows;
  }
}
