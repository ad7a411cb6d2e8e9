import type { Kysely } from 'kysely';

/**
 * The web file manager and the operator pages. `/files` pages through a folder by
 * name (003's index), by size or by upload date, and searches an account's names: each
 * order has an index ending in `id`, so keyset pages walk it without sorting whatever
 * the folder holds. Operators are marked by `users.is_admin`, set with the admin CLI.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('files_owner_folder_size').on('files').columns(['owner_id', 'folder_id', 'size', 'id']).execute();
  await db.schema.createIndex('files_owner_folder_time').on('files').columns(['owner_id', 'folder_id', 'upload_time', 'id']).execute();
  await db.schema.createIndex('files_owner_name').on('files').columns(['owner_id', 'name', 'id']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('files_owner_name').execute();
  await db.schema.dropIndex('files_owner_folder_time').execute();
  await db.schema.dropIndex('files_owner_folder_size').execute();
  await db.schema.alterTable('users').dropColumn('is_admin').execute();
}
