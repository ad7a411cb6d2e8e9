/**
 * File queries of the library: listings by folder, batched lookups, per-folder totals
 * and the writes of files.* methods. Every query names the owner, so the
 * `(owner_id, folder_id)` index serves it whatever the size of the table.
 */
import { sql, type Kysely, type Updateable } from 'kysely';
import type { Database, FilesTable } from '../schema.js';
import type { FileRow } from './files.js';
import { chunks } from './library-folders.js';

export type { FileRow };
export type FileChanges = Pick<
  Updateable<FilesTable>,
  | 'name'
  | 'description'
  | 'password_sealed'
  | 'delete_salt'
  | 'folder_id'
  | 'time_limit'
  | 'limit_expires_at'
  | 'download_limit'
  | 'limit_action'
  | 'limit_action_to_folder'
  | 'business_shared'
  | 'blocked'
>;

export interface Totals {
  files: number;
  size: number;
}

export class LibraryFilesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByIds(ids: readonly string[]): Promise<FileRow[]> {
    const out: FileRow[] = [];
    for (const part of chunks(ids)) out.push(...(await this.db.selectFrom('files').selectAll().where('id', 'in', part).execute()));
    return out;
  }

  /** Files directly in a folder ('0': the root), by name, or newest first. */
  listInFolder(ownerId: string, folderId: string, opts: { newestFirst?: boolean; limit?: number } = {}): Promise<FileRow[]> {
    let q = this.db.selectFrom('files').selectAll().where('owner_id', '=', ownerId).where('folder_id', '=', folderId);
    q = opts.newestFirst ? q.orderBy('upload_time', 'desc').orderBy('id') : q.orderBy('name').orderBy('id');
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return q.execute();
  }

  /**
   * Files directly in a folder by name, `pageSize` rows at a time (keyset pagination on
   * the (owner_id, folder_id, name, id) index), so a listing of any size holds one page.
   */
  async *pagesInFolder(ownerId: string, folderId: string, pageSize = 500): AsyncGenerator<FileRow[]> {
    let after: { name: string; id: string } | undefined;
    for (;;) {
      let q = this.db.selectFrom('files').selectAll().where('owner_id', '=', ownerId).where('folder_id', '=', folderId);
      if (after) {
        const { name, id } = after;
        q = q.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
      }
      const page = await q.orderBy('name').orderBy('id').limit(pageSize).execute();
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      const last = page[page.length - 1] as FileRow;
      after = { name: last.name, id: last.id };
    }
  }

  /** Up to `limit` files of the owner in any of the folders (for recursive deletes, batch by batch). */
  async someInFolders(ownerId: string, folderIds: readonly string[], limit: number): Promise<FileRow[]> {
    const out: FileRow[] = [];
    for (const part of chunks(folderIds)) {
      if (out.length >= limit) break;
      out.push(
        ...(await this.db
          .selectFrom('files')
          .selectAll()
          .where('owner_id', '=', ownerId)
          .where('folder_id', 'in', part)
          .limit(limit - out.length)
          .execute()),
      );
    }
    return out;
  }

  /** Root files the given owners share with their business team. */
  async listTeamRootFiles(ownerIds: readonly string[]): Promise<FileRow[]> {
    if (ownerIds.length === 0) return [];
    return this.db
      .selectFrom('files')
      .selectAll()
      .where('owner_id', 'in', [...ownerIds])
      .where('folder_id', '=', '0')
      .where('business_shared', '=', 1)
      .orderBy('name')
      .orderBy('id')
      .execute();
  }

  async update(ownerId: string, ids: readonly string[], changes: FileChanges): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    for (const part of chunks(ids))
      await this.db.updateTable('files').set(changes).where('owner_id', '=', ownerId).where('id', 'in', part).execute();
  }

  /** File count and bytes per folder, for the owner's files in `folderIds` (one grouped query per chunk). */
  async totalsByFolder(ownerId: string, folderIds: readonly string[]): Promise<Map<string, Totals>> {
    const out = new Map<string, Totals>();
    for (const part of chunks(folderIds)) {
      const rows = await this.db
        .selectFrom('files')
        .select((eb) => ['folder_id', eb.fn.countAll<number>().as('files'), sql<number>`coalesce(sum(size), 0)`.as('size')])
        .where('owner_id', '=', ownerId)
        .where('folder_id', 'in', part)
        .groupBy('folder_id')
        .execute();
      // PostgreSQL's sum(bigint) is numeric, which its driver hands over as a string.
      for (const r of rows) out.set(r.folder_id, { files: Number(r.files), size: Number(r.size) });
    }
    return out;
  }

  /** File count and bytes per folder of everything the owner stores ('0': the root). */
  async totalsPerFolder(ownerId: string): Promise<Map<string, Totals>> {
    const rows = await this.db
      .selectFrom('files')
      .select((eb) => ['folder_id', eb.fn.countAll<number>().as('files'), sql<number>`coalesce(sum(size), 0)`.as('size')])
      .where('owner_id', '=', ownerId)
      .groupBy('folder_id')
      .execute();
    return new Map(rows.map((r) => [r.folder_id, { files: Number(r.files), size: Number(r.size) }]));
  }

  /** File count and bytes of everything the owner stores. */
  async accountTotals(ownerId: string): Promise<Totals> {
    const r = await this.db
      .selectFrom('files')
      .select((eb) => [eb.fn.countAll<number>().as('files'), sql<number>`coalesce(sum(size), 0)`.as('size')])
      .where('owner_id', '=', ownerId)
      .executeTakeFirstOrThrow();
    return { files: Number(r.files), size: Number(r.size) };
  }

  /** Limits that would move files into folders about to disappear move them to the root instead. */
  async retargetLimitFolder(ownerId: string, folderIds: readonly string[]): Promise<void> {
    for (const part of chunks(folderIds)) {
      await this.db
        .updateTable('files')
        .set({ limit_action_to_folder: '0' })
        .where('owner_id', '=', ownerId)
        .where('limit_action_to_folder', 'in', part)
        .execute();
    }
  }
}
