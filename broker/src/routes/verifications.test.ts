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

  it('have a page that lists the failing interactions and their mismatches by path', async () => {
    const testResults = [
      {
        interactionId,
        interactionDescription: 'a request for order 1',
        success: false,
        mismatches: [
          {
            attribute: 'body',
            identifier: '$.quantity',
            description: "Expected '2' (String) to be an integer",
          },
        ],
      },
    ];
    const posted = await json(publishUrl, {
      method: 'POST',
      body: JSON.stringify({ success: false, providerApplicationVersion: '5', testResults }),
    });
    const pageUrl = links(posted.body)['treaty:page']?.href ?? '';
    const res = await fetch(pageUrl, { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const text = await res.text();
    expect(text).toContain('orders 5 failed to verify the pact of web');
    expect(text).toContain('a request for order 1');
    expect(text).toContain('<code>$.body.quantity</code>');
    expect(text).toContain('Expected &#39;2&#39; (String) to be an integer');
    // The result names the interaction by the broker's _id: the page links to it in the contract.
    expect(text).toContain('href="/ui/contracts/provider/orders/consumer/web/version/1#interaction-0"');
    expect((await fetch(`${url}/ui/verifications/987654`)).status).toBe(404);
    expect(await json(`${url}/ui/verifications/x`)).toMatchObject({
      status: 404,
      body: { code: 'TREATY_BROKER_NOT_FOUND' },
    });
  });

  it("make can-i-deploy's no name the failing interaction and its first mismatch, and link the page", async () => {
    const { body } = await json(
      '/matrix?q[][pacticipant]=web&q[][version]=1&q[][pacticipant]=orders&q[][version]=5&latestby=cvpv',
    );
    expect((body.summary as { deployable: boolean }).deployable).toBe(false);
    expect((body.summary as { reason: string }).reason).toContain(
      "'a request for order 1' failed at $.body.quantity: Expected '2' (String) to be an integer",
    );
    const notices = body.notices as Array<{ type: string; failure?: Record<string, unknown> }>;
    const failure = notices.find((n) => n.failure !== undefined)?.failure;
    expect(failure).toMatchObject({
      consumer: 'web',
      consumerVersion: '1',
      provider: 'orders',
      providerVersion: '5',
      interaction: 'a request for order 1',
      interactionId,
      mismatch: { path: '$.body.quantity', message: "Expected '2' (String) to be an integer" },
      failedInteractions: 1,
    });
    const failureLinks = (failure?._links ?? {}) as Record<string, { href: string }>;
    expect((await json(failureLinks['pb:verification-result']?.href ?? '')).status).toBe(200);
    const row = (body.matrix as Array<{ verificationResult: { _links: { self: { href: string } } } }>)[0];
    expect((await json(row?.verificationResult._links.self.href ?? '')).status).toBe(200);
    // The matrix page links the failed cell to the page that says why.
    const matrixPage = await (await fetch(`${url}/ui/matrix?pacticipant=orders&version=5`)).text();
    expect(matrixPage).toMatch(/<a href="\/ui\/verifications\/\d+"><span class="status bad">/);
  });
});
