import type { Kysely } from 'kysely';

/**
 * Indexes for the limit sweeper, so a periodic run reads only the files it may have to
 * act on instead of the whole table: files not yet blocked, by time-limit expiry and by
 * download limit. (`blocked` doubles as "this file's limit has fired": see
 * repositories/downloads.ts.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('files_pending_time_limit').on('files').columns(['blocked', 'limit_expires_at']).execute();
  await db.schema.createIndex('files_pending_download_limit').on('files').columns(['blocked', 'download_limit']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('files_pending_download_limit').execute();
  await db.schema.dropIndex('files_pending_time_limit').execute();
}
