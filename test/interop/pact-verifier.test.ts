import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPactTool } from '../support/pact-tools.js';
import { ConsumerContract, eachLike, integer, like, regex } from '@treaty/core';

// Contracts written by Treaty consumer tests are verified by the real pact-verifier (Pact's Rust
// verifier from @pact-foundation/pact-cli) against a small provider: it must pass for a correct
// provider and fail for one with a breaking change.

interface Order {
  id: number;
  status: string;
  items: Array<{ sku: string; quantity: number }>;
}

/** The consumer's client, exercised by its contract test. */
class OrdersClient {
  constructor(private readonly baseUrl: string) {}
  async get(id: number): Promise<Order> {
    const res = await fetch(`${this.baseUrl}/orders/${id}?expand=items`, {
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`GET /orders/${id}: ${res.status}`);
    return (await res.json()) as Order;
  }
  async create(sku: string, quantity: number): Promise<{ id: number }> {
    const res = await fetch(`${this.baseUrl}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sku, quantity }),
    });
    if (res.status !== 201) throw new Error(`POST /orders: ${res.status}`);
    return (await res.json()) as { id: number };
  }
}

async function writeContract(dir: string): Promise<string> {
  const contract = new ConsumerContract({ consumer: 'interop-web', provider: 'interop-orders', dir });
  await contract
    .addInteraction()
    .given('order 1 exists', { id: 1 })
    .uponReceiving('a request for order 1')
    .withRequest('GET', regex('/orders/\\d+', '/orders/1'), (req) =>
      req.query({ expand: 'items' }).headers({ Accept: 'application/json' }),
    )
    .willRespondWith(200, (res) =>
      res.headers({ 'Content-Type': regex('application/json.*', 'application/json') }).jsonBody(
        like({
          id: integer(1),
          status: regex('PENDING|SHIPPED', 'PENDING'),
          items: eachLike({ sku: 'A-1', quantity: integer(2) }),
        }),
      ),
    )
    .executeTest(async (mock) => {
      const order = await new OrdersClient(mock.url).get(1);
      expect(order.items[0]?.sku).toBe('A-1');
    });
  await contract
    .addInteraction()
    .uponReceiving('a new order')
    .withRequest('POST', '/orders', (req) => req.jsonBody({ sku: like('A-1'), quantity: integer(1) }))
    .willRespondWith(201, (res) => res.jsonBody({ id: integer(42) }))
    .executeTest(async (mock) => {
      expect((await new OrdersClient(mock.url).create('B-2', 3)).id).toBe(42);
    });
  return join(dir, 'interop-web-interop-orders.json');
}

interface Provider {
  port: number;
  states: Array<{ state: string; action: string; params: unknown }>;
  close: () => Promise<void>;
}

async function startProvider(breaking: boolean): Promise<Provider> {
  const states: Provider['states'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && url.pathname === '/_pactSetup') {
        states.push(JSON.parse(Buffer.concat(chunks).toString() || '{}') as Provider['states'][number]);
        return json(200, {});
      }
      const m = /^\/orders\/(\d+)$/.exec(url.pathname);
      if (req.method === 'GET' && m !== null) {
        const order = {
          id: Number(m[1]),
          status: 'SHIPPED',
          items: [
            { sku: 'Z-9', quantity: 5 },
            { sku: 'Y-1', quantity: 1 },
          ],
        };
        // The breaking change: the provider renamed `status` to `state`.
        return json(200, breaking ? { id: order.id, state: order.status, items: order.items } : order);
      }
      if (req.method === 'POST' && url.pathname === '/orders') return json(201, { id: 77 });
      json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    states,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function verify(file: string, port: number): Promise<{ code: number | null; output: string }> {
  return runPactTool('pact-verifier', [
    '--file',
    file,
    '--hostname',
    '127.0.0.1',
    '--port',
    String(port),
    '--state-change-url',
    `http://127.0.0.1:${port}/_pactSetup`,
    '--no-colour',
  ]);
}

describe('pact-verifier (Pact Rust verifier) accepts Treaty contracts', () => {
  let file = '';
  beforeAll(async () => {
    file = await writeContract(mkdtempSync(join(tmpdir(), 'treaty-interop-')));
  });

  it('passes against a correct provider, calling its provider states', async () => {
    const provider = await startProvider(false);
    try {
      const { code, output } = await verify(file, provider.port);
      expect(output).not.toMatch(/error/i);
      expect(code, output).toBe(0);
      expect(provider.states).toContainEqual(
        expect.objectContaining({ state: 'order 1 exists', params: { id: 1 }, action: 'setup' }),
      );
    } finally {
      await provider.close();
    }
  }, 60_000);

  it('fails against a provider with a breaking change, naming the missing field', async () => {
    const provider = await startProvider(true);
    try {
      const { code, output } = await verify(file, provider.port);
      expect(code).not.toBe(0);
      expect(output).toContain('has a matching body (FAILED)');
      expect(output).toContain('missing the following keys: status');
    } finally {
      await provider.close();
    }
  }, 60_000);
});
