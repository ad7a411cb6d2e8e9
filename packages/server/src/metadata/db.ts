/**
 * Opens the metadata database (SQLite by default, PostgreSQL when configured) and
 * brings its schema up to date. This is the only file that knows which engine runs.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import type { DatabaseConfig } from '../config.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
}

/** Opens the configured engine; the PostgreSQL driver is loaded only when it is the one. */
export async function openDatabase(config: DatabaseConfig, onIdleError?: (err: Error) => void): Promise<OpenedDatabase> {
  if (config.kind === 'sqlite') {
    mkdirSync(dirname(config.file), { recursive: true });
    const sqlite = new SQLite(config.file);
    // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }) };
  }
  const { default: pg } = await import('pg');
  // int8 (bigint) and numeric counts come back as numbers: every value we store fits in 2^53.
  pg.types.setTypeParser(20, (v) => Number(v));
  const pool = new pg.Pool({ connectionString: config.url, max: 20 });
  // An idle connection that the server drops (a restart, a failover) emits 'error' on the
  // pool; unheard, that would end the process. The pool discards the connection and opens
  // a new one on the next query, so noting it is all there is to do.
  pool.on('error', (err) => onIdleError?.(err));
  // The same for a connection that is checked out but between queries (inside a
  // transaction): its next query fails, and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', (err) => onIdleError?.(err)));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }) };
}

/** Most prepared statements kept; queries with `in (…)` lists vary, so the cache is bounded. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every SQLite query anew; preparing costs more than running the small
 * queries the API makes. This keeps prepared statements by SQL text. Safe because
 * Kysely's SQLite driver runs one query at a time on its single connection.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      stmt = sqlite.prepare(source);
      cache.set(source, stmt);
    }
    return stmt;
  };
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}
