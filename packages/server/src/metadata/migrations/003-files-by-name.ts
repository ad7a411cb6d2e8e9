import type { Kysely } from 'kysely';

/** Lets folders.getContents walk a folder's files by name, page by page, without sorting. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('files_owner_folder_name').on('files').columns(['owner_id', 'folder_id', 'name', 'id']).execute();
}
