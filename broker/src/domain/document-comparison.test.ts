import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { LIMITS } from '../limits.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

// Comparisons of pacts with providers' OpenAPI documents, through a real broker over HTTP on a
// SQLite file: made on publication, made on demand when the gate needs a pair nobody compared, and
// recorded once per document. Everything is read with a read-only token: the broker compares, not
// the caller.

const RW = { authorization: 'Bearer rw-token' };
const RO = { authorization: 'Bearer ro-token' };

let app: FastifyInstance;
let url: string;
let store: SqliteStore;

beforeAll(async () => {
  store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-compare-')), 'broker.sqlite'));
  app = await buildApp({
    store,
    auth: { readWrite: [{ token: 'rw-token' }], readOnly: [{ token: 'ro-token' }] },
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

/** An orders API: GET /orders/{id} answers an order with an id and, unless `withTotal` is false, a total. */
const document = (withTotal = true) => `openapi: 3.0.3
info: { title: orders, version: "1" }
paths:
  /orders/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
      responses:
        "200":
          description: an order
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: { type: integer }
${withTotal ? '                  total: { type: number }\n' : ''}`;

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return text;
}

async function publishDocument(
  provider: string,
  version: string,
  options: { branch?: string; withTotal?: boolean; selfVerified?: boolean } = {},
) {
  await call('POST', `/provider-contracts/provider/${provider}/publish`, RW, {
    pacticipantVersionNumber: version,
    branch: options.branch ?? 'main',
    contract: {
      content: b64(document(options.withTotal)),
      contentType: 'application/yaml',
      specification: 'oas',
      ...(options.selfVerified === undefined
        ? {}
        : { selfVerificationResults: { success: options.selfVerified, verifier: 'dredd' } }),
    },
  });
}

/** A consumer's pact asking for order 1 and expecting `body`; `label` makes otherwise equal pacts differ. */
const pactFor = (consumer: string, provider: string, body: Record<string, unknown>, label = '') => ({
  consumer: { name: consumer },
  provider: { name: provider },
  interactions: [
    {
      description: `a request for order 1${label}`,
      request: { method: 'GET', path: '/orders/1' },
      response: { status: 200, headers: { 'Content-Type': 'application/json' }, body },
    },
  ],
  metadata: { pactSpecification: { version: '2.0.0' } },
});

async function publishPact(
  consumer: string,
  version: string,
  provider: string,
  body: Record<string, unknown>,
  label = '',
) {
  await call('POST', '/contracts/publish', RW, {
    pacticipantName: consumer,
    pacticipantVersionNumber: version,
    branch: 'main',
    contracts: [
      {
        consumerName: consumer,
        providerName: provider,
        specification: 'pact',
        contentType: 'application/json',
        content: b64(JSON.stringify(pactFor(consumer, provider, body, label))),
      },
    ],
  });
}

/** Records a version's deployment to a new environment (made after every publication here). */
async function deploy(pacticipant: string, version: string, environment: string) {
  const { uuid } = JSON.parse(
    await call('POST', '/environments', RW, { name: environment, production: false }),
  ) as { uuid: string };
  await call(
    'POST',
    `/pacticipants/${pacticipant}/versions/${version}/deployed-versions/environment/${uuid}`,
    RW,
    {},
  );
}

interface Answer {
  summary: { deployable: boolean | null; reason: string; success: number; failed: number; unknown: number };
  notices: Array<{ type: string; text: string }>;
  matrix: Array<{
    consumer: { version: { number: string } };
    provider: { version: { number: string } | null };
    verificationResult: { success: boolean; evidence: string; _links: { self: { href: string } } } | null;
    verificationType: string | null;
  }>;
}

/** The gate, asked with the read-only token. */
async function gate(path: string): Promise<Answer> {
  return JSON.parse(await call('GET', path, RO)) as Answer;
}
const pairQuery = (consumer: string, cv: string, provider: string, pv: string) =>
  `/matrix?q[][pacticipant]=${consumer}&q[][version]=${cv}&q[][pacticipant]=${provider}&q[][version]=${pv}&latestby=cvpv`;

/** Every verification the broker holds of a consumer version's pact, newest first. */
async function verificationsOf(consumer: string, version: string, provider: string) {
  const pact = (await store.getPact(consumer, version, provider)) ?? expect.unreachable('no pact');
  return store.verificationsFor(consumer, provider, pact.sha);
}

const order = { id: 1, total: 9.5 };

describe('comparisons on demand (a pair nobody compared on publication)', () => {
  it('compares an older provider version with the pact when the gate needs it, once, with a read-only token', async () => {
    await publishDocument('orders-a', 'a1');
    await publishDocument('orders-a', 'a2');
    // Compared on publication with the main branch head only.
    await publishPact('web-a', '1', 'orders-a', order);
    expect((await verificationsOf('web-a', '1', 'orders-a')).map((v) => v.providerVersion)).toEqual(['a2']);

    const first = await gate(pairQuery('web-a', '1', 'orders-a', 'a1'));
    expect(first.summary).toMatchObject({ deployable: true, success: 1, unknown: 0 });
    expect(first.matrix.map((r) => [r.verificationType, r.verificationResult?.evidence])).toEqual([
      ['BDCT', 'openapi'],
    ]);
    expect(first.notices).toContainEqual({
      type: 'info',
      text: "One result rests on comparing the pact with the provider's OpenAPI document, not on a verifier running the provider: web-a 1 with orders-a a1's OpenAPI document (compared just now).",
    });
    // Recorded: the next answer uses the same comparison and makes none.
    const second = await gate(pairQuery('web-a', '1', 'orders-a', 'a1'));
    expect(second.matrix[0]?.verificationResult?._links.self.href).toBe(
      first.matrix[0]?.verificationResult?._links.self.href,
    );
    expect(second.summary.reason).not.toContain('compared just now');
    expect((await verificationsOf('web-a', '1', 'orders-a')).map((v) => v.providerVersion)).toEqual([
      'a1',
      'a2',
    ]);
    // The read-only token wrote nothing itself: it still cannot.
    const refused = await fetch(`${url}/provider-contracts/provider/orders-a/publish`, {
      method: 'POST',
      headers: { ...RO, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
  });

  it('says no through can-i-deploy for a provider on a feature branch whose document came before the pact, naming the finding', async () => {
    await publishDocument('orders-b', 'b1', { branch: 'feat', withTotal: false });
    await publishPact('web-b', '1', 'orders-b', order);
    expect(await verificationsOf('web-b', '1', 'orders-b')).toEqual([]);
    await deploy('orders-b', 'b1', 'test-b');

    const answer = await gate('/can-i-deploy?pacticipant=web-b&version=1&environment=test-b');
    expect(answer.summary).toMatchObject({ deployable: false, failed: 1, unknown: 0 });
    expect(answer.matrix.map((r) => [r.verificationType, r.verificationResult?.success])).toEqual([
      ['BDCT', false],
    ]);
    expect(answer.summary.reason).toContain(
      "does not serve the pact of web-b 1: compared with orders-b b1's OpenAPI document",
    );
    expect(answer.summary.reason).toContain('response.body.incompatible');
  });

  it('never passes a pair with a document whose self-verification failed', async () => {
    await publishDocument('orders-c', 'c1', { branch: 'feat', selfVerified: false });
    await publishPact('web-c', '1', 'orders-c', order);
    const answer = await gate(pairQuery('web-c', '1', 'orders-c', 'c1'));
    expect(answer.summary.deployable).toBe(false);
    expect(answer.matrix[0]?.verificationResult).toMatchObject({ success: false, evidence: 'openapi' });
    expect(answer.summary.reason).toContain('self-verification');
    // The same document self-verified this time: compared again, and now it passes.
    await publishDocument('orders-c', 'c1', { branch: 'feat', selfVerified: true });
    expect((await gate(pairQuery('web-c', '1', 'orders-c', 'c1'))).summary.deployable).toBe(true);
  });

  it('makes at most LIMITS.comparisonsPerRequest comparisons per request; the rest stay unknown and say so until asked again', async () => {
    await publishDocument('orders-d', 'd1', { branch: 'feat' });
    const versions = LIMITS.comparisonsPerRequest + 1;
    for (let v = 1; v <= versions; v++) await publishPact('web-d', String(v), 'orders-d', order, ` (${v})`);
    const query = '/matrix?q[][pacticipant]=web-d&q[][pacticipant]=orders-d&q[][version]=d1&latestby=cvpv';
    const first = await gate(query);
    expect(first.summary).toMatchObject({
      deployable: null,
      success: LIMITS.comparisonsPerRequest,
      unknown: 1,
    });
    expect(first.summary.reason).toContain(
      `orders-d d1's OpenAPI document has not been compared with it: the broker compares at most ${LIMITS.comparisonsPerRequest} pacts with OpenAPI documents per request. Ask again to compare the next ones.`,
    );
    const second = await gate(query);
    expect(second.summary).toMatchObject({ deployable: true, success: versions, unknown: 0 });
    expect(second.summary.reason).toContain(`${versions} results rest on comparing`);
    expect(second.summary.reason).toContain(', and 16 more.');
  });

  it('compares again when the document was republished with other content since (the newer comparison counts)', async () => {
    // web-g 1 needs the total; web-g 2 only the id. Both are compared with g1 as first published.
    await publishPact('web-g', '1', 'orders-g', order);
    await publishDocument('orders-g', 'g1');
    await publishPact('web-g', '2', 'orders-g', { id: 1 });
    expect((await gate(pairQuery('web-g', '1', 'orders-g', 'g1'))).summary.deployable).toBe(true);
    // g1 again without the total: on publication only web-g's latest pact (2) is compared again.
    await publishDocument('orders-g', 'g1', { withTotal: false });
    expect((await verificationsOf('web-g', '1', 'orders-g')).length).toBe(1);
    const answer = await gate(pairQuery('web-g', '1', 'orders-g', 'g1'));
    expect(answer.summary.deployable).toBe(false);
    expect(answer.summary.reason).toContain('response.body.incompatible');
    expect((await verificationsOf('web-g', '1', 'orders-g')).map((v) => v.success)).toEqual([false, true]);
    expect((await gate(pairQuery('web-g', '2', 'orders-g', 'g1'))).summary.deployable).toBe(true);
  });

  it('leaves a pair a verifier replayed alone: the replay answers even where a comparison came later', async () => {
    await publishPact('web-h', '1', 'orders-h', order);
    const pact = (await store.getPact('web-h', '1', 'orders-h')) ?? expect.unreachable('no pact');
    await call(
      'POST',
      `/pacts/provider/orders-h/consumer/web-h/pact-version/${pact.sha}/verification-results`,
      RW,
      { success: false, providerApplicationVersion: 'h1' },
    );
    // The document, published after the replay, is compared with the pact on publication and passes.
    await publishDocument('orders-h', 'h1', { branch: 'feat' });
    expect((await verificationsOf('web-h', '1', 'orders-h')).map((v) => [v.evidence, v.success])).toEqual([
      ['openapi', true],
      [undefined, false],
    ]);
    const pair = await gate(pairQuery('web-h', '1', 'orders-h', 'h1'));
    // One selector: every provider version that verified the pact, each by the result that counts.
    const all = await gate('/matrix?q[][pacticipant]=web-h&q[][version]=1');
    for (const answer of [pair, all]) {
      expect(answer.summary.deployable).toBe(false);
      expect(
        answer.matrix.map((r) => [
          r.provider.version?.number,
          r.verificationType,
          r.verificationResult?.success,
        ]),
      ).toEqual([['h1', 'CDCT', false]]);
    }
    expect(await verificationsOf('web-h', '1', 'orders-h')).toHaveLength(2);
  });

  it('answers the can-i-deploy page the same way', async () => {
    await publishDocument('orders-u', 'u1', { branch: 'feat' });
    await publishPact('web-u', '1', 'orders-u', order);
    await deploy('orders-u', 'u1', 'test-u');
    const page = await call('GET', '/ui/can-i-deploy?pacticipant=web-u&version=1&environment=test-u', RO);
    expect(page).toContain('Yes: web-u 1 can be deployed to test-u.');
    expect(page).toContain('(compared just now)');
  });
});

describe('comparisons on publication are recorded once per document', () => {
  it('adds no comparison when the same document or the same pact is published again', async () => {
    await publishPact('web-f', '1', 'orders-f', order);
    await publishDocument('orders-f', 'f1');
    await publishDocument('orders-f', 'f1');
    await publishPact('web-f', '1', 'orders-f', order);
    // Another consumer version with the same pact: the same content, compared already.
    await publishPact('web-f', '2', 'orders-f', order);
    const page = async () =>
      (await call('GET', '/ui/provider-contracts/provider/orders-f/version/f1', RO)).match(/<td>web-f<\/td>/g)
        ?.length ?? 0;
    expect(await page()).toBe(1);
    expect(await verificationsOf('web-f', '1', 'orders-f')).toHaveLength(1);
    const matrix = await gate(pairQuery('web-f', '1', 'orders-f', 'f1'));
    expect(matrix.summary.deployable).toBe(true);

    // Republished with other content: compared again, and the newer comparison is the one that counts.
    await publishDocument('orders-f', 'f1', { withTotal: false });
    await publishDocument('orders-f', 'f1', { withTotal: false });
    expect((await verificationsOf('web-f', '1', 'orders-f')).map((v) => v.success)).toEqual([false, true]);
    expect(await page()).toBe(1);
    const after = await gate(pairQuery('web-f', '1', 'orders-f', 'f1'));
    expect(after.summary.deployable).toBe(false);
    expect(after.summary.reason).toContain('response.body.incompatible');
  });
});
