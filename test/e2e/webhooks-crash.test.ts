import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../support/process.js';
import { freePort, startReceiver } from '../support/webhook-receiver.js';
import { smallPact } from '../support/pacts.js';

// A webhook delivery survives SIGKILL: the real `treaty broker` records a publication's event in its
// SQLite file, fails to reach the receiver (nothing listens yet), and is killed; a new broker on the same
// file picks the pending delivery up and delivers it once the receiver is there.

const flags = [
  '--webhook-scheme-whitelist',
  'http',
  '--webhook-host-whitelist',
  '127.0.0.1',
  // Retries every half second for half a minute: the receiver comes up within it.
  '--webhook-retry-schedule',
  Array.from({ length: 60 }, () => '0.5').join(','),
];

const pact = (n: number) => smallPact('crash-web', 'crash-orders', n);

async function json(
  url: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { 'Content-Type': 'application/json', Accept: 'application/hal+json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (res.status >= 400) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

type Triggered = { status: string; attemptsMade: number; _links: { 'pb:logs': { href: string } } };

async function triggered(broker: BrokerProcess): Promise<Triggered | undefined> {
  const list = await json(
    `${broker.url}/pacts/provider/crash-orders/consumer/crash-web/version/2/triggered-webhooks`,
  );
  return (list._embedded as { triggeredWebhooks: Triggered[] }).triggeredWebhooks[0];
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('webhook delivery across a crash', () => {
  it('delivers a pending webhook after the broker is killed with SIGKILL and started again', async () => {
    const database = join(mkdtempSync(join(tmpdir(), 'treaty-webhook-crash-')), 'broker.sqlite');
    const port = await freePort();
    const first = await startBrokerProcess(database, flags);
    let second: BrokerProcess | undefined;
    const receiver = { close: async () => {} };
    try {
      await json(`${first.url}/pacts/provider/crash-orders/consumer/crash-web/version/1`, {
        method: 'PUT',
        body: pact(1),
      });
      await json(`${first.url}/webhooks`, {
        method: 'POST',
        body: {
          provider: { name: 'crash-orders' },
          events: [{ name: 'contract_published' }],
          request: {
            method: 'POST',
            url: `http://127.0.0.1:${port}/hook`,
            body: { version: '${pactbroker.consumerVersionNumber}' },
          },
        },
      });
      await json(`${first.url}/pacts/provider/crash-orders/consumer/crash-web/version/2`, {
        method: 'PUT',
        body: pact(2),
      });
      // The first attempt failed (nothing listens yet) and a retry is scheduled: the delivery is pending.
      const pending = await until(
        () => triggered(first),
        (t) => t !== undefined && t.attemptsMade >= 1,
      );
      expect(pending?.status).toBe('retrying');
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));

      second = await startBrokerProcess(database, flags);
      const r = await startReceiver(undefined, port);
      receiver.close = r.close;
      const [got] = await r.waitFor(1);
      expect(JSON.parse(got?.body ?? '')).toEqual({ version: '2' });
      const done = await until(
        () => triggered(second as BrokerProcess),
        (t) => t?.status === 'success',
      );
      const logs = await json(new URL(done?._links['pb:logs'].href ?? '', second.url).href);
      const executions = logs.executions as Array<{ success: boolean; error?: { message: string } }>;
      expect(executions.at(-1)?.success).toBe(true);
      expect(executions[0]?.error?.message).toContain('refused the connection');
      expect(r.received).toHaveLength(1);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await receiver.close();
    }
  }, 60_000);
});
