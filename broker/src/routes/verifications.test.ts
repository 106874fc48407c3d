import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { LIMITS } from '../limits.js';

const pact = {
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions: [
    {
      type: 'Synchronous/HTTP',
      description: 'a request for order 1',
      request: { method: 'GET', path: '/orders/1' },
      response: { status: 200, body: { content: { quantity: 2 }, contentType: 'application/json' } },
    },
  ],
  metadata: { pactSpecification: { version: '4.0' } },
};

let app: FastifyInstance;
let url: string;
let publishUrl: string;
let interactionId: string;

async function json(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(path.startsWith('http') ? path : `${url}${path}`, {
    ...init,
    headers: { 'Content-Type': 'application/json', Accept: 'application/hal+json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const links = (b: Record<string, unknown>) => b._links as Record<string, { href: string }>;

beforeAll(async () => {
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-results-')), 'b.sqlite'));
  app = await buildApp({ store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  await json('/pacts/provider/orders/consumer/web/version/1', { method: 'PUT', body: JSON.stringify(pact) });
  const { body } = await json('/pacts/provider/orders/consumer/web/version/1');
  publishUrl = links(body)['pb:publish-verification-results']?.href ?? '';
  interactionId = String((body.interactions as Array<{ _id: string }>)[0]?._id);
});
afterAll(async () => {
  await app.close();
});

describe('verification results', () => {
  it('gives each interaction of a pact an _id, as the Pact Broker does', () => {
    expect(interactionId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('keep the testResults and verifiedBy the verifier sent, and answer them at their self link', async () => {
    const testResults = [
      {
        interactionId,
        interactionDescription: 'a request for order 1',
        success: false,
        mismatches: [{ attribute: 'body', identifier: '$.quantity', description: 'Expected an integer' }],
      },
    ];
    const verifiedBy = { implementation: 'Pact-Rust', version: '1.4.7' };
    const posted = await json(publishUrl, {
      method: 'POST',
      body: JSON.stringify({ success: false, providerApplicationVersion: '2', testResults, verifiedBy }),
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ success: false, testResults, verifiedBy, providerName: 'orders' });
    expect(posted.body.notices).toBeUndefined();
    const self = links(posted.body).self?.href ?? '';
    const got = await json(self);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ success: false, testResults, verifiedBy });
    // Another pair's path, or a number that is not one, is not this result.
    expect((await json(self.replace('/consumer/web/', '/consumer/mobile/'))).status).toBe(404);
    expect((await json(self.replace(/\/\d+$/, '/99999'))).body.code).toBe('TREATY_BROKER_NOT_FOUND');
    expect((await json(self.replace(/\/\d+$/, '/1e3'))).status).toBe(404);
  });

  it('cut down testResults larger than the limit, and say so with a code', async () => {
    const long = 'x'.repeat(2_000);
    const testResults = Array.from({ length: 40 }, (_, n) => ({
      interactionId: `id-${n}`,
      success: false,
      mismatches: Array.from({ length: 10 }, () => ({ path: '$.body', expected: long, actual: long })),
    }));
    expect(JSON.stringify(testResults).length).toBeGreaterThan(LIMITS.testResults);
    const posted = await json(publishUrl, {
      method: 'POST',
      body: JSON.stringify({ success: false, providerApplicationVersion: '3', testResults }),
    });
    expect(posted.status).toBe(201);
    expect(posted.body.notices).toEqual([
      expect.objectContaining({ type: 'warning', code: 'TREATY_BROKER_RESULTS_TRUNCATED' }),
    ]);
    const got = await json(links(posted.body).self?.href ?? '');
    const kept = got.body.testResults as Array<{ interactionId: string; mismatches: unknown[] }>;
    expect(kept[0]?.interactionId).toBe('id-0');
    expect(kept[0]?.mismatches).toHaveLength(5);
    expect(JSON.stringify(kept).length).toBeLessThanOrEqual(LIMITS.testResults);
    expect(got.body.notices).toEqual([expect.objectContaining({ code: 'TREATY_BROKER_RESULTS_TRUNCATED' })]);
  });

  it('record a result without testResults as before', async () => {
    const posted = await json(publishUrl, {
      method: 'POST',
      body: JSON.stringify({ success: true, providerApplicationVersion: '4', verifiedBy: 'not an object' }),
    });
    expect(posted.status).toBe(201);
    expect(posted.body.testResults).toBeUndefined();
    expect(posted.body.verifiedBy).toBeUndefined();
  });
});
