import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runPactTool } from '../support/pact-tools.js';
import { contentSha, openStore, startBroker } from '@treaty/broker';
import { brokerDatabases, usePostgres } from '../support/postgres.js';

// The real pact-verifier fetches the latest pacts for a provider from a running Treaty broker (real
// HTTP, a real SQLite file, and again a real PostgreSQL database) and publishes its results back to it.

const postgres = usePostgres();

const pact = {
  consumer: { name: 'shop-web' },
  provider: { name: 'shop-orders' },
  interactions: [
    {
      type: 'Synchronous/HTTP',
      description: 'a request for order 1',
      request: { method: 'GET', path: '/orders/1' },
      response: {
        status: 200,
        headers: { 'Content-Type': ['application/json'] },
        body: { contentType: 'application/json', encoded: false, content: { id: 1 } },
        matchingRules: { body: { '$.id': { combine: 'AND', matchers: [{ match: 'integer' }] } } },
      },
    },
  ],
  metadata: { pactSpecification: { version: '4.0' } },
};

const run = (args: string[]) => runPactTool('pact-verifier', args);

describe.each(brokerDatabases(postgres))(
  'pact-verifier against a Treaty broker on $store',
  ({ database: fresh }) => {
    it('fetches the latest pacts for the provider and publishes its results', async () => {
      const database = await fresh();
      const broker = await startBroker({ port: 0, host: '127.0.0.1', database });
      const provider: Server = createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 7 }));
      });
      await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
      const port = (provider.address() as AddressInfo).port;
      let content = '';
      try {
        const put = await fetch(`${broker.url}/pacts/provider/shop-orders/consumer/shop-web/version/1.0.0`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(pact),
        });
        expect(put.status).toBe(201);
        content = JSON.stringify(pact);
        const { code, output } = await run([
          '--broker-url',
          broker.url,
          '--provider-name',
          'shop-orders',
          '--hostname',
          '127.0.0.1',
          '--port',
          String(port),
          '--publish',
          '--provider-version',
          'orders-2.0.0',
          '--no-colour',
        ]);
        expect(code, output).toBe(0);
        expect(output).toContain('a request for order 1');
      } finally {
        await new Promise<void>((r) => provider.close(() => r()));
        await broker.close();
      }
      const store = await openStore(database);
      const results = await store.verificationsFor('shop-web', 'shop-orders', contentSha(content));
      await store.close();
      expect(results.map((v) => [v.providerVersion, v.success])).toEqual([['orders-2.0.0', true]]);
    }, 60_000);
  },
);
