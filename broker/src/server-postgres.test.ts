import { describe, expect, it } from 'vitest';
import { usePostgres } from '../../test/support/postgres.js';
import { startBroker } from './server.js';

// startBroker on PostgreSQL: selected by the URL, serving only once migrated, and leaving no
// connection behind when it stops.
const postgres = usePostgres();

/** How many connections the broker (application_name treaty-broker) holds to the database. */
async function brokerConnections(database: string): Promise<number> {
  const [row] = await postgres
    .server()
    .admin<{ n: string }>(
      "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = 'treaty-broker' AND datname = $1",
      [database],
    );
  return Number(row?.n);
}

/** Polls until `check` holds (a backend takes a moment to go once its client has left), at most 5 s. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe.skipIf(!postgres.available)('a broker on PostgreSQL', () => {
  it('starts on a fresh database, serves from it, and closes every connection when it stops', async () => {
    const url = await postgres.server().database();
    const name = new URL(url).pathname.slice(1);
    // Two instances starting at once on the fresh database: both come up on the one schema.
    const [one, two] = await Promise.all(
      [1, 2].map(() => startBroker({ port: 0, host: '127.0.0.1', database: url })),
    );
    if (one === undefined || two === undefined) throw new Error('a broker did not start');
    expect((await fetch(`${one.url}/diagnostic/status/heartbeat`)).status).toBe(200);
    const created = await fetch(`${one.url}/pacticipants`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'orders', mainBranch: 'main' }),
    });
    expect(created.status).toBe(201);
    const read = await fetch(`${two.url}/pacticipants/orders`);
    expect(await read.json()).toMatchObject({ name: 'orders', mainBranch: 'main' });
    expect(await brokerConnections(name)).toBeGreaterThan(0);
    await Promise.all([one.close(), two.close()]);
    expect(await eventually(async () => (await brokerConnections(name)) === 0)).toBe(true);
  });

  it('refuses a database URL of another kind before opening anything', async () => {
    await expect(
      startBroker({ port: 0, host: '127.0.0.1', database: 'mysql://root:s3cret@127.0.0.1/treaty' }),
    ).rejects.toMatchObject({ code: 'TREATY_CLI_USAGE', message: expect.not.stringContaining('s3cret') });
  });
});
