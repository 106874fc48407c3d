import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPactTool } from '../support/pact-tools.js';
import { contentSha, openStore, startBroker, type RunningBroker } from '@treaty/broker';
import { brokerDatabases, usePostgres } from '../support/postgres.js';

// The real pact-verifier asks a Treaty broker for pacts by consumer version selectors, with pending
// status, and publishes its results for a provider branch; the broker on SQLite, and on PostgreSQL.

const postgres = usePostgres();

const pact = (version: string, field: string) => ({
  consumer: { name: 'sel-web' },
  provider: { name: 'sel-orders' },
  interactions: [
    {
      type: 'Synchronous/HTTP',
      description: `order as seen by ${version}`,
      request: { method: 'GET', path: '/orders/1' },
      response: {
        status: 200,
        headers: { 'Content-Type': ['application/json'] },
        body: { contentType: 'application/json', encoded: false, content: { [field]: 1 } },
        matchingRules: { body: { [`$.${field}`]: { combine: 'AND', matchers: [{ match: 'integer' }] } } },
      },
    },
  ],
  metadata: { pactSpecification: { version: '4.0' } },
});

async function publish(url: string, version: string, branch: string, field: string): Promise<void> {
  const content = Buffer.from(JSON.stringify(pact(version, field))).toString('base64');
  const res = await fetch(`${url}/contracts/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      pacticipantName: 'sel-web',
      pacticipantVersionNumber: version,
      branch,
      contracts: [
        {
          consumerName: 'sel-web',
          providerName: 'sel-orders',
          specification: 'pact',
          contentType: 'application/json',
          content,
        },
      ],
    }),
  });
  expect(res.status).toBe(200);
}

const run = (args: string[]) => runPactTool('pact-verifier', args);

let broker: RunningBroker;
let provider: Server;
let port = 0;

beforeAll(async () => {
  provider = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ id: 5 }));
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  port = (provider.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => provider.close(() => r()));
});

const args = (selectors: unknown[], extra: string[] = []) => [
  '--broker-url',
  broker.url,
  '--provider-name',
  'sel-orders',
  '--hostname',
  '127.0.0.1',
  '--port',
  String(port),
  '--consumer-version-selectors',
  ...selectors.map((s) => JSON.stringify(s)),
  '--no-colour',
  ...extra,
];

describe.each(brokerDatabases(postgres))(
  'pact-verifier with consumer version selectors against a Treaty broker on $store',
  ({ database: fresh }) => {
    let database = '';

    beforeAll(async () => {
      database = await fresh();
      broker = await startBroker({ port: 0, host: '127.0.0.1', database });
      await publish(broker.url, '1.0.0', 'main', 'id');
      await publish(broker.url, '2.0.0-feat', 'feat-x', 'newField');
    });

    afterAll(async () => {
      await broker.close();
    });

    it('verifies the main branch pact and publishes the result', async () => {
      const { code, output } = await run(
        args(
          [{ mainBranch: true }],
          ['--publish', '--provider-version', 'orders-1', '--provider-branch', 'main'],
        ),
      );
      expect(code, output).toBe(0);
      expect(output).toContain('order as seen by 1.0.0');
      expect(output).not.toContain('order as seen by 2.0.0-feat');
      const store = await openStore(database);
      const results = await store.verificationsFor(
        'sel-web',
        'sel-orders',
        contentSha(JSON.stringify(pact('1.0.0', 'id'))),
      );
      await store.close();
      expect(results.map((r) => [r.providerVersion, r.success])).toEqual([['orders-1', true]]);
    }, 60_000);

    it('reports a never-verified pact from a feature branch as pending, so its failure does not fail the build', async () => {
      const { code, output } = await run(
        args([{ branch: 'feat-x' }], ['--enable-pending', '--provider-branch', 'main']),
      );
      expect(output).toContain('order as seen by 2.0.0-feat');
      expect(output).toMatch(/pending/i);
      expect(code, output).toBe(0);
    }, 60_000);
  },
);
