import path from 'node:path'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { ROOT } from '../lib/root.js'
import * as schema from './schema/index.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }
/** What a `db.transaction()` callback receives; services write through it. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export const MIGRATIONS_DIR = path.join(ROOT, 'migrations')

/**
 * Opens (creating if needed) the database and brings its schema up to date.
 * better-sqlite3 builds SQLite so that WAL mode defaults to synchronous=NORMAL,
 * which can lose committed transactions on power loss: FULL is set on every
 * connection, because an evidence record acknowledged to an officer must survive.
 */
export function openDb (file: string, options: { migrationsDir?: string, readonly?: boolean } = {}): Db {
  const sqlite = new Database(file, { readonly: options.readonly ?? false })
  if (options.readonly !== true) sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db = drizzle({ client: sqlite, schema }) as Db
  if (options.readonly !== true) migrate(db, { migrationsFolder: options.migrationsDir ?? MIGRATIONS_DIR })
  return db
}

export function databaseFile (dataDir: string): string {
  return path.join(dataDir, 'strongroom.db')
}
