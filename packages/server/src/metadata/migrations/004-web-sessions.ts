import type { Kysely } from 'kysely';

/**
 * Browser sessions live in their own table, apart from the API's `sessions`: a cookie's
 * key can then never be looked up as an API session_key, whatever a client sends.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('persistent', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('web_sessions_user').on('web_sessions').columns(['user_id', 'expires_at']).execute();
}
