import { checkDatabaseSetting, isPostgresUrl } from './database-url.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/**
 * Opens the store a database setting names, migrated and ready: PostgreSQL for a `postgres://` URL,
 * SQLite for a file path (created when absent).
 * @example const store = await openStore(process.env.DATABASE_URL ?? './treaty-broker.sqlite')
 */
export async function openStore(database: string): Promise<Store> {
  checkDatabaseSetting(database);
  return isPostgresUrl(database) ? PostgresStore.open(database) : SqliteStore.open(database);
}
