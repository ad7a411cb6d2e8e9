import type { Kysely } from 'kysely';

/**
 * What the resumable store records of an unfinished upload, next to its offset and
 * written in the same conditional update: on S3, the multipart upload id, its parts
 * (numbers, ETags, sizes) and the small object holding the bytes past the last full
 * part, so any node can continue the upload. Null for the disk store. From now on
 * `blob_key` is chosen when the upload is created (the S3 parts are uploaded there).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tus_uploads').addColumn('store_state', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tus_uploads').dropColumn('store_state').execute();
}
