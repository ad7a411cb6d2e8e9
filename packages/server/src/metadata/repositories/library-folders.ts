/**
 * Folder queries of the library: listings, the folder tree (walked by recursive CTEs,
 * one query whatever the depth) and the writes of folders.* methods. Tree walks use
 * `union`, not `union all`, so even a corrupt cycle could not make them loop forever.
 */
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database, FoldersTable } from '../schema.js';
import type { FolderRow } from './folders.js';

export type { FolderRow };
export type FolderChanges = Pick<Updateable<FoldersTable>, 'name' | 'shared' | 'parent_id' | 'password_sealed' | 'business_shared'>;

/** Largest `in (…)` list sent at once: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The top-level folder (parent '0') above a folder, the folder itself when it is top-level. */
export interface TopLevel {
  id: string;
  owner_id: string;
  business_shared: number;
}

export class LibraryFoldersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByIds(ids: readonly string[]): Promise<FolderRow[]> {
    const out: FolderRow[] = [];
    for (const part of chunks(ids)) out.push(...(await this.db.selectFrom('folders').selectAll().where('id', 'in', part).execute()));
    return out;
  }

  /** Direct sub-folders of `parentId` (which may be '0'), by name. */
  listChildren(ownerId: string, parentId: string, opts: { sharedOnly?: boolean } = {}): Promise<FolderRow[]> {
    let q = this.db.selectFrom('folders').selectAll().where('owner_id', '=', ownerId).where('parent_id', '=', parentId);
    if (opts.sharedOnly) q = q.where('shared', '=', 1);
    return q.orderBy('name').orderBy('id').execute();
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('folders').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async countByOwner(ownerId: string): Promise<number> {
    const r = await this.db
      .selectFrom('folders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', ownerId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  listByOwner(ownerId: string): Promise<FolderRow[]> {
    return this.db.selectFrom('folders').selectAll().where('owner_id', '=', ownerId).orderBy('name').orderBy('id').execute();
  }

  /** Top-level folders the given owners share with their business team. */
  async listTeamTopLevel(ownerIds: readonly string[]): Promise<FolderRow[]> {
    if (ownerIds.length === 0) return [];
    return this.db
      .selectFrom('folders')
      .selectAll()
      .where('owner_id', 'in', [...ownerIds])
      .where('parent_id', '=', '0')
      .where('business_shared', '=', 1)
      .orderBy('name')
      .orderBy('id')
      .execute();
  }

  async insert(row: Insertable<FoldersTable>): Promise<void> {
    await this.db.insertInto('folders').values(row).execute();
  }

  async update(ownerId: string, id: string, changes: FolderChanges): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.db.updateTable('folders').set(changes).where('owner_id', '=', ownerId).where('id', '=', id).execute();
  }

  /** Re-parents folders; a folder leaving the top level stops being shared with the team. */
  async setParent(ownerId: string, ids: readonly string[], parentId: string): Promise<void> {
    for (const part of chunks(ids)) {
      await this.db
        .updateTable('folders')
        .set(parentId === '0' ? { parent_id: parentId } : { parent_id: parentId, business_shared: 0 })
        .where('owner_id', '=', ownerId)
        .where('id', 'in', part)
        .execute();
    }
  }

  async deleteByIds(ownerId: string, ids: readonly string[]): Promise<void> {
    for (const part of chunks(ids)) await this.db.deleteFrom('folders').where('owner_id', '=', ownerId).where('id', 'in', part).execute();
  }

  /** Ids of every folder in the subtrees under `rootIds`, the roots included. */
  async subtreeIds(ownerId: string, rootIds: readonly string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const part of chunks(rootIds)) {
      const { rows } = await sql<{ id: string }>`
        with recursive sub(id) as (
          select id from folders where owner_id = ${ownerId} and id in (${sql.join(part)})
          union
          select f.id from folders f join sub on f.parent_id = sub.id where f.owner_id = ${ownerId}
        )
        select id from sub`.execute(this.db);
      for (const r of rows) out.add(r.id);
    }
    return [...out];
  }

  /** Every folder row in the subtrees under `rootIds` (roots included) of one owner. */
  async subtreeRows(ownerId: string, rootIds: readonly string[]): Promise<FolderRow[]> {
    return this.findByIds(await this.subtreeIds(ownerId, rootIds));
  }

  /** The folder `id` and all its ancestors (empty when it does not exist). */
  async ancestorIds(id: string): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      with recursive up(id, parent_id) as (
        select id, parent_id from folders where id = ${id}
        union
        select f.id, f.parent_id from folders f join up on f.id = up.parent_id
      )
      select id from up`.execute(this.db);
    return rows.map((r) => r.id);
  }

  /** For each folder of `ids` that exists, its top-level ancestor (itself when top-level). */
  async topLevelOf(ids: readonly string[]): Promise<Map<string, TopLevel>> {
    const out = new Map<string, TopLevel>();
    for (const part of chunks(ids)) {
      const { rows } = await sql<{ start_id: string } & TopLevel>`
        with recursive up(start_id, id, parent_id) as (
          select id, id, parent_id from folders where id in (${sql.join(part)})
          union
          select up.start_id, f.id, f.parent_id from folders f join up on f.id = up.parent_id
        )
        select up.start_id as start_id, f.id as id, f.owner_id as owner_id, f.business_shared as business_shared
        from up join folders f on f.id = up.id
        where up.parent_id = '0'`.execute(this.db);
      for (const r of rows) out.set(r.start_id, { id: r.id, owner_id: r.owner_id, business_shared: Number(r.business_shared) });
    }
    return out;
  }

  /**
   * Runs `fn` in a transaction that first makes a no-op write to the owner's account
   * row: PostgreSQL then holds that row lock until the end, and SQLite its write lock,
   * so tree changes of one owner (moves, creations, deletions) run one after the other
   * and two crossing moves can never build a cycle.
   */
  inOwnerLock<T>(ownerId: string, fn: (repo: LibraryFoldersRepository) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set((eb) => ({ plan: eb.ref('plan') }))
        .where('id', '=', ownerId)
        .execute();
      return fn(new LibraryFoldersRepository(trx));
    });
  }
}
