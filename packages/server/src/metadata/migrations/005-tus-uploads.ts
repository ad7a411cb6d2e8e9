import type { Kysely } from 'kysely';

/**
 * Resumable (tus) uploads in progress. Their state lives here, not in a process, so any
 * node can continue an upload another one began. `lock_token`/`lock_until` are the lease
 * that lets one PATCH at a time write an upload, across processes. `form` holds the
 * upload's options (description, folder, recipients…) as JSON, its password sealed.
 * `blob_key` is set just before the bytes move into the blob store, so a node that
 * failed between that move and the commit can be recovered from. Once complete the row
 * stays, with `file_id`, until it expires: a later HEAD still names the file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tus_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('ticket', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('form', 'text', (c) => c.notNull())
    .addColumn('upload_length', 'bigint', (c) => c.notNull())
    .addColumn('upload_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('speed_limit_kb', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('lock_token', 'text')
    .addColumn('lock_until', 'bigint')
    .addColumn('blob_key', 'text')
    .addColumn('file_id', 'text')
    .execute();
  await db.schema.createIndex('tus_uploads_expiry').on('tus_uploads').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tus_uploads').execute();
}
