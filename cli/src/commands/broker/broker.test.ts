import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usePostgres } from '../../../../test/support/postgres.js';

// `treaty broker` as a real process (the built binary): it creates its database (a SQLite file, or
// the schema in PostgreSQL), serves, and stops cleanly on SIGTERM.
const bin = fileURLToPath(new URL('../../../bin/treaty.js', import.meta.url));

const postgres = usePostgres();

interface Broker {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
}

/** Starts `treaty broker` with these arguments and resolves once it listens. */
function startBroker(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Broker> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.TREATY_BROKER_DATABASE;
  const child = spawn(process.execPath, [bin, 'broker', '--port', '0', ...args], {
    cwd: options.cwd,
    env: { ...env, ...options.env },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const take = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+) \(/.exec(out);
      if (m?.[1] !== undefined) resolve({ child, url: m[1], output: () => out });
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', () => reject(new Error(`broker exited early: ${out}`)));
  });
}

/** Sends SIGTERM and resolves with the exit code. */
function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.kill('SIGTERM');
  });
}

/**
 * Runs `treaty broker …` that is expected to fail at once: its exit code and what it printed. It runs
 * in a folder of its own: without --database the broker opens ./treaty-broker.sqlite, and one left in
 * the shared temporary folder (by another checkout, at a newer schema) failed these runs with exit 1.
 */
function failBroker(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; err: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'treaty-broker-fail-'));
  const child = spawn(process.execPath, [bin, 'broker', ...args], { cwd, env: { ...process.env, ...env } });
  let err = '';
  child.stdout.on('data', (d: Buffer) => (err += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, err })));
}

describe('treaty broker', () => {
  it('starts on a free port with a fresh database, answers, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-broker-cli-'));
    const broker = await startBroker(['--database', 'b.sqlite'], { cwd: dir });
    expect(existsSync(join(dir, 'b.sqlite'))).toBe(true);
    const res = await fetch(`${broker.url}/diagnostic/status/heartbeat`);
    expect(res.status).toBe(200);
    expect(await stop(broker.child)).toBe(0);
    expect(broker.output()).toContain('Stopping');
  }, 30_000);

  it('refuses a bad port with a usage error', async () => {
    const { code, err } = await failBroker(['--port', 'abc']);
    expect(code).toBe(2);
    expect(err).toContain('--port must be a port number');
  });

  it('refuses a database URL that is not PostgreSQL with a usage error that hides its password', async () => {
    const { code, err } = await failBroker(['--database', 'mysql://root:s3cret-pw@127.0.0.1/treaty']);
    expect(code).toBe(2);
    expect(err).toContain(
      'mysql://root:[redacted]@127.0.0.1/treaty is neither a SQLite file path nor a postgres:// URL',
    );
    expect(err).not.toContain('s3cret-pw');
  });

  it.each([
    [['--webhook-retry-schedule', '10,soon'], 'webhook retry schedule must be seconds'],
    [
      // An unreadable CIDR, refused as a usage error; nothing connects anywhere.
      ['--webhook-host-whitelist', '10.0.0.0/99'],
      "Cannot read the webhook host allow-list entries '10.0.0.0/99'",
    ],
    [['--webhook-http-method-whitelist', 'PO$T'], "'PO$T' is not an HTTP method"],
  ])('refuses webhook settings it cannot read (%j) with a usage error', async (args, message) => {
    const { code, err } = await failBroker(['--port', '0', ...args]);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it.each([
    [
      ['--database-pool-size', '0'],
      {},
      "--database-pool-size (TREATY_BROKER_DATABASE_POOL_SIZE) must be a whole number of connections from 1 to 1000; got '0'.",
    ],
    [['--database-pool-size', 'ten'], {}, "of connections from 1 to 1000; got 'ten'."],
    [['--database-pool-size', '1001'], {}, "of connections from 1 to 1000; got '1001'."],
    [
      ['--database-connect-timeout', '1.5'],
      {},
      "--database-connect-timeout (TREATY_BROKER_DATABASE_CONNECT_TIMEOUT) must be a whole number of seconds from 1 to 600; got '1.5'.",
    ],
    [[], { TREATY_BROKER_DATABASE_CONNECT_TIMEOUT: '601' }, "of seconds from 1 to 600; got '601'."],
    [[], { TREATY_BROKER_DATABASE_POOL_SIZE: '-3' }, "of connections from 1 to 1000; got '-3'."],
  ])('refuses a pool setting out of range (%j %j) with a usage error', async (args, env, message) => {
    const { code, err } = await failBroker(['--port', '0', ...args], env);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('notes that the pool settings are ignored on SQLite, and takes the flag over the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-broker-cli-'));
    // The variable's value is not even read: the flag wins.
    const broker = await startBroker(['--database', 'b.sqlite', '--database-pool-size', '5'], {
      cwd: dir,
      env: { TREATY_BROKER_DATABASE_POOL_SIZE: 'ten', TREATY_BROKER_DATABASE_CONNECT_TIMEOUT: '3' },
    });
    expect(broker.output()).toContain(
      `Note: --database-pool-size (TREATY_BROKER_DATABASE_POOL_SIZE) and --database-connect-timeout (TREATY_BROKER_DATABASE_CONNECT_TIMEOUT) apply to PostgreSQL only; ignored for the SQLite file ${join(dir, 'b.sqlite')}.`,
    );
    expect((await fetch(`${broker.url}/diagnostic/status/heartbeat`)).status).toBe(200);
    expect(await stop(broker.child)).toBe(0);
  }, 30_000);

  it('takes the webhook allow-lists from PACT_BROKER_ variables, as the Pact Broker does', async () => {
    const broker = await startBroker(['--database', 'b.sqlite'], {
      cwd: mkdtempSync(join(tmpdir(), 'treaty-broker-cli-')),
      env: {
        PACT_BROKER_WEBHOOK_SCHEME_WHITELIST: 'https http',
        PACT_BROKER_WEBHOOK_HOST_WHITELIST: '127.0.0.1',
      },
    });
    try {
      const create = (target: string) =>
        fetch(`${broker.url}/webhooks`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ request: { method: 'POST', url: target } }),
        });
      // Only parsed: nothing is sent to either address (no pact is published).
      expect((await create('http://127.0.0.1:9/hook')).status).toBe(201);
      expect((await create('http://192.168.0.1/hook')).status).toBe(400);
    } finally {
      await stop(broker.child);
    }
  }, 30_000);
});

describe.skipIf(!postgres.available)('treaty broker on PostgreSQL', () => {
  it('runs on --database postgres://…, never prints the password, and stops on SIGTERM', async () => {
    const server = postgres.server();
    const url = await server.database();
    const dir = mkdtempSync(join(tmpdir(), 'treaty-broker-cli-'));
    const broker = await startBroker(['--database', url], { cwd: dir });
    expect(broker.output()).toContain(`(database postgres://treaty:[redacted]@127.0.0.1:${server.port}/`);
    expect((await fetch(`${broker.url}/diagnostic/status/heartbeat`)).status).toBe(200);
    const put = await fetch(`${broker.url}/pacticipants`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'orders' }),
    });
    expect(put.status).toBe(201);
    expect(await stop(broker.child)).toBe(0);
    expect(broker.output()).toContain('Stopping');
    expect(broker.output()).not.toContain(server.role.password);
    const rows = await server.admin<{ name: string }>('SELECT name FROM pacticipants', [], new URL(url));
    expect(rows).toEqual([{ name: 'orders' }]);
  }, 30_000);

  it('takes DATABASE_URL when no --database is given, and --database over DATABASE_URL', async () => {
    const url = await postgres.server().database();
    const dir = mkdtempSync(join(tmpdir(), 'treaty-broker-cli-'));
    const fromEnv = await startBroker([], { cwd: dir, env: { DATABASE_URL: url } });
    expect(fromEnv.output()).toContain('(database postgres://treaty:[redacted]@');
    expect(existsSync(join(dir, 'treaty-broker.sqlite'))).toBe(false);
    expect(await stop(fromEnv.child)).toBe(0);
    const fromFlag = await startBroker(['--database', 'flag.sqlite'], {
      cwd: dir,
      env: { DATABASE_URL: url },
    });
    expect(fromFlag.output()).toContain(`(database ${join(dir, 'flag.sqlite')})`);
    expect(existsSync(join(dir, 'flag.sqlite'))).toBe(true);
    expect(await stop(fromFlag.child)).toBe(0);
  }, 30_000);

  it('opens at most --database-pool-size connections: with its one held, the heartbeat answers 503', async () => {
    const server = postgres.server();
    const url = await server.database();
    const dir = mkdtempSync(join(tmpdir(), 'treaty-broker-cli-'));
    const args = ['--database', url, '--database-pool-size', '1', '--database-connect-timeout', '1'];
    const broker = await startBroker(args, { cwd: dir });
    const heartbeat = () => fetch(`${broker.url}/diagnostic/status/heartbeat`);
    try {
      expect((await heartbeat()).status).toBe(200);
      // Another session locks pacticipants; listing them waits for the lock on the pool's one connection.
      const lock = await server.holding('LOCK TABLE pacticipants IN ACCESS EXCLUSIVE MODE', new URL(url));
      const listing = fetch(`${broker.url}/pacticipants`);
      let down: Response;
      try {
        await server.lockWaiters(new URL(url), 1);
        // The heartbeat needs no lock, only a connection: there is none for it (a pool of 10 has one).
        down = await heartbeat();
      } finally {
        await lock.end();
      }
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ code: 'TREATY_BROKER_DATABASE_UNAVAILABLE' });
      expect((await listing).status).toBe(200);
      expect((await heartbeat()).status).toBe(200);
    } finally {
      await stop(broker.child);
    }
  }, 30_000);

  it('says what is wrong when PostgreSQL refuses the password, without printing it', async () => {
    const server = postgres.server();
    const url = (await server.database()).replace(`:${server.role.password}@`, ':wrong-pw-123@');
    const { code, err } = await failBroker(['--port', '0', '--database', url]);
    expect(code).toBe(1);
    expect(err).toContain('[TREATY_BROKER_DATABASE]');
    expect(err).toContain('password authentication failed for user "treaty"');
    expect(err).toContain('postgres://treaty:[redacted]@127.0.0.1');
    expect(err).not.toContain('wrong-pw-123');
  });
});
