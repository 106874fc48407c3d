import { checkDatabaseSetting, isPostgresUrl } from './database-url.js';
import type { PoolOptions } from './postgres/connection.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/**
 * Opens the store a database setting names, migrated and ready: PostgreSQL for a `postgres://` URL,
 * SQLite for a file path (created when absent). `pool` sizes PostgreSQL's pool; SQLite has none.
 * @example const store = await openStore(process.env.DATABASE_URL ?? './treaty-broker.sqlite')
 */
export async function openStore(database: string, pool: PoolOptions = {}): Promise<Store> {
  checkDatabaseSetting(database);
  return isPostgresUrl(database) ? PostgresStore.open(database, pool) : SqliteStore.open(database);
}
