import { checkDatabaseSetting, isPostgresUrl } from './database-url.js';
import type { PoolOptions } from './postgres/connection.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/**
 * Opens the store a database setting names, migrated and ready: PostgreSQL for a `postgres://` URL,
 * SQLite for a file path (created when absent). `pool` sizes PostgreSQL's pool; SQLite has none.
 * @example const store = await openStore(process.env.DATABASE_URL ?? './treaty-broker.sqlite')
 */
export async function openStore(database: string, pool: PoolOptions = {}): Promise<Store> {
  checkDatabaseSetting(database);
  if (!isPostgresUrl(database)) return SqliteStore.open(database);
  // node-postgres loads only for a PostgreSQL broker (it takes 45-90 ms to load here).
  const { PostgresStore } = await import('./postgres/postgres-store.js');
  return PostgresStore.open(database, pool);
}
