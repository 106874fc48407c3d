import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

const pact = (quantity: unknown, extra: unknown[] = []) => ({
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions: [
    {
      type: 'Synchronous/HTTP',
      description: 'a request for order 1',
      request: { method: 'GET', path: '/orders/1' },
      response: { status: 200, body: { contentType: 'application/json', content: { id: 1, quantity } } },
    },
    ...extra,
  ],
  metadata: { pactSpecification: { version: '4.0' } },
});
const health = {
  type: 'Synchronous/HTTP',
  description: 'health',
  request: { method: 'GET', path: '/h' },
  response: { status: 200 },
};

let app: FastifyInstance;
let url: string;
const at = (v: string) => `${url}/pacts/provider/orders/consumer/web/version/${v}`;

beforeAll(async () => {
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-diff-')), 'b.sqlite'));
  app = await buildApp({ store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const [v, body] of [
    ['1', pact(2, [health])],
    ['2', pact('2')],
    ['3', pact('2')],
  ] as const) {
    const res = await fetch(at(v), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await app.close();
});

describe('pact diff resources', () => {
  it("are linked from the pact, as the Pact Broker's are", async () => {
    const body = (await (await fetch(at('3'), { headers: { Accept: 'application/hal+json' } })).json()) as {
      _links: Record<string, { href: string; templated?: boolean }>;
    };
    expect(body._links['pb:diff-previous-distinct']?.href).toBe(`${at('3')}/diff/previous-distinct`);
    expect(body._links['pb:diff']).toMatchObject({
      href: `${at('3')}/diff/version/{version}`,
      templated: true,
    });
  });

  it('answer the previous distinct version as text, skipping versions with the same content', async () => {
    const res = await fetch(`${at('3')}/diff/previous-distinct`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('since version 1');
    expect(text).toContain("~ changed 'a request for order 1': response.body.quantity");
    expect(text).toContain("- removed 'health'");
    const first = await (await fetch(`${at('1')}/diff/previous-distinct`)).text();
    expect(first).toContain('There is no earlier version of this pact with different content.');
  });

  it('answer JSON to a client that asks for it, and compare with any version', async () => {
    const res = await fetch(`${at('1')}/diff/version/2`, { headers: { Accept: 'application/json' } });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      consumerVersion: '1',
      comparedWith: { consumerVersion: '2' },
      added: [{ description: 'health' }],
      removed: [],
      changed: [{ description: 'a request for order 1', fields: ['response.body.quantity'] }],
      unchanged: 0,
    });
    const missing = await fetch(`${at('1')}/diff/version/9`, { headers: { Accept: 'application/json' } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('TREATY_BROKER_NOT_FOUND');
  });

  it('show on the contract page what changed', async () => {
    const text = await (await fetch(`${url}/ui/contracts/provider/orders/consumer/web/version/3`)).text();
    expect(text).toContain('What changed');
    expect(text).toContain('version 1</a>');
    expect(text).toContain('<code>response.body.quantity</code>');
    expect(text).toMatch(/− removed<\/span> health/);
  });
});
