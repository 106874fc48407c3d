import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startBrokerProcess } from '../support/process.js';
import { smallPact } from '../support/pacts.js';

// Several clients publish at once; the broker process is killed with SIGKILL mid-stream and
// restarted on the same file: every publish it acknowledged is there, and the database is sound.
const start = (database: string) => startBrokerProcess(database);

const pact = (client: number, n: number) => smallPact(`crash-web-${client}`, 'crash-orders', n);

describe('broker durability', () => {
  it('keeps every acknowledged publish across a SIGKILL', async () => {
    const database = join(mkdtempSync(join(tmpdir(), 'treaty-crash-')), 'broker.sqlite');
    const first = await start(database);
    const acknowledged: Array<{ client: number; n: number }> = [];
    let stop = false;
    const clients = [0, 1, 2, 3].map(async (client) => {
      for (let n = 0; !stop && n < 10_000; n++) {
        try {
          const res = await fetch(
            `${first.url}/pacts/provider/crash-orders/consumer/crash-web-${client}/version/${n}`,
            {
              method: 'PUT',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(pact(client, n)),
            },
          );
          if (res.status === 201) acknowledged.push({ client, n });
        } catch {
          return; // the broker is gone
        }
      }
    });
    // Kill it mid-stream once it has acknowledged a fair number (however slow the machine is).
    for (let waited = 0; acknowledged.length < 25 && waited < 30_000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThan(20);

    const db = new Database(database, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const second = await start(database);
    try {
      for (const { client, n } of acknowledged) {
        const res = await fetch(
          `${second.url}/pacts/provider/crash-orders/consumer/crash-web-${client}/version/${n}`,
        );
        expect(res.status, `client ${client} version ${n}`).toBe(200);
        expect(
          ((await res.json()) as { interactions: Array<{ description: string }> }).interactions[0]
            ?.description,
        ).toBe(`request ${n}`);
      }
    } finally {
      second.child.kill('SIGTERM');
    }
  }, 60_000);
});
