import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type PostgresServer, postgresUnavailable, startPostgres } from '../../scripts/postgres-server.mjs';

export type { PostgresServer };

/**
 * Starts one PostgreSQL server for the test file that calls it (at the top level), and stops it after.
 * `available` is false, with `reason`, on a machine with no binaries for its platform: such a file
 * skips its PostgreSQL tests (`describe.skipIf(!postgres.available)`) and says why.
 * @example const postgres = usePostgres(); // then, in a test: await postgres.server().database()
 */
export function usePostgres(): { available: boolean; reason?: string; server: () => PostgresServer } {
  const reason = postgresUnavailable();
  if (reason !== undefined) {
    console.warn(`Skipping the PostgreSQL tests: ${reason}.`);
    return {
      available: false,
      reason,
      server: () => {
        throw new Error(reason);
      },
    };
  }
  let running: { server: PostgresServer; stop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    running = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);
  return {
    available: true,
    server: () => {
      if (running === undefined) throw new Error('the PostgreSQL server has not started');
      return running.server;
    },
  };
}

/**
 * The databases a broker test runs on, by store: a fresh SQLite file, and a fresh PostgreSQL database
 * when a server can run here (`postgres` is the file's {@link usePostgres}).
 * @example describe.each(brokerDatabases(postgres))('… on $store', ({ database }) => { … })
 */
export function brokerDatabases(
  postgres: ReturnType<typeof usePostgres>,
): Array<{ store: string; database: () => Promise<string> }> {
  return [
    {
      store: 'SQLite',
      database: async () => join(mkdtempSync(join(tmpdir(), 'treaty-broker-db-')), 'broker.sqlite'),
    },
    ...(postgres.available ? [{ store: 'PostgreSQL', database: () => postgres.server().database() }] : []),
  ];
}
