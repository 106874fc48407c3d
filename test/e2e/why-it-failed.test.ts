import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { runPactTool } from '../support/pact-tools.js';

// A provider breaks a field (quantity comes as the string "2" where the contract wants an integer).
// The real pact-verifier and `treaty verify` each publish their results to a real broker; the
// broker's result resource, its page, the matrix and `treaty can-i-deploy` must all say which
// interaction failed and why.

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
        body: { contentType: 'application/json', encoded: false, content: { id: 1, quantity: 2 } },
        matchingRules: { body: { '$.quantity': { combine: 'AND', matchers: [{ match: 'integer' }] } } },
      },
    },
    {
      type: 'Synchronous/HTTP',
      description: 'a health check',
      request: { method: 'GET', path: '/health' },
      response: { status: 200 },
    },
  ],
  metadata: { pactSpecification: { version: '4.0' } },
};

let broker: RunningBroker;
let provider: Server;
let providerUrl: string;

interface Failure {
  interaction: string;
  mismatch?: { path: string; message: string };
  _links: Record<string, { href: string }>;
}
interface Answer {
  summary: { deployable: boolean | null; reason: string };
  notices: Array<{ type: string; text: string; failure?: Failure }>;
  matrix: Array<{ verificationResult: { success: boolean; _links: { self: { href: string } } } | null }>;
}

beforeAll(async () => {
  const database = join(mkdtempSync(join(tmpdir(), 'treaty-why-')), 'broker.sqlite');
  broker = await startBroker({ port: 0, host: '127.0.0.1', database });
  provider = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(req.url === '/orders/1' ? JSON.stringify({ id: 1, quantity: '2' }) : '{}');
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  const put = await fetch(`${broker.url}/pacts/provider/shop-orders/consumer/shop-web/version/1.0.0`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(pact),
  });
  expect(put.status).toBe(201);

  const rust = await runPactTool('pact-verifier', [
    '--broker-url',
    broker.url,
    '--provider-name',
    'shop-orders',
    '--hostname',
    '127.0.0.1',
    '--port',
    String((provider.address() as AddressInfo).port),
    '--publish',
    '--provider-version',
    'orders-rust',
    '--no-colour',
  ]);
  expect(rust.code, rust.output).toBe(1);
  const treaty = await runPactTool('treaty', [
    'verify',
    '--provider-base-url',
    providerUrl,
    '--provider',
    'shop-orders',
    '--broker-base-url',
    broker.url,
    '--provider-app-version',
    'orders-treaty',
    '--publish-verification-results',
  ]);
  expect(treaty.code, treaty.output).toBe(1);
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => provider.close(() => r()));
  await broker.close();
});

const matrixFor = async (providerVersion: string): Promise<Answer> => {
  const q = `q[][pacticipant]=shop-web&q[][version]=1.0.0&q[][pacticipant]=shop-orders&q[][version]=${providerVersion}&latestby=cvpv`;
  const res = await fetch(`${broker.url}/matrix?${q}`, { headers: { Accept: 'application/hal+json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
};

describe.each(['orders-rust', 'orders-treaty'])('a failed verification published by %s', (version) => {
  it('is kept with what failed, and the matrix names the interaction and the mismatch', async () => {
    const answer = await matrixFor(version);
    expect(answer.summary.deployable).toBe(false);
    expect(answer.summary.reason).toContain("'a request for order 1' failed at $.body.quantity");
    const failure = answer.notices.find((n) => n.failure !== undefined)?.failure;
    expect(failure?.interaction).toBe('a request for order 1');
    expect(failure?.mismatch?.path).toBe('$.body.quantity');
    expect(failure?.mismatch?.message).toMatch(/integer/i);

    // The result the matrix links answers 200, with the verifier's testResults.
    const self = answer.matrix[0]?.verificationResult?._links.self.href ?? '';
    const result = await fetch(self, { headers: { Accept: 'application/hal+json' } });
    expect(result.status).toBe(200);
    const body = (await result.json()) as { testResults: Array<{ success: boolean; interactionId: string }> };
    const failed = body.testResults.filter((t) => !t.success);
    expect(failed).toHaveLength(1);
    // Both verifiers name the interaction by the _id the broker gave it.
    expect(failed[0]?.interactionId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('has a page for people that lists the failing interaction and its mismatch by path', async () => {
    const failure = (await matrixFor(version)).notices.find((n) => n.failure !== undefined)?.failure;
    const res = await fetch(failure?._links['treaty:page']?.href ?? '', { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`shop-orders ${version} failed to verify the pact of shop-web`);
    expect(html).toContain('a request for order 1');
    expect(html).toContain('<code>$.body.quantity</code>');
    expect(html).toMatch(/integer/i);
  });

  it('makes treaty can-i-deploy say no, naming the interaction and the mismatch', async () => {
    const args = ['--pacticipant', 'shop-web', '--version', '1.0.0', '--pacticipant', 'shop-orders'];
    const table = await runPactTool('treaty', [
      'can-i-deploy',
      ...args,
      '--version',
      version,
      '--broker-base-url',
      broker.url,
    ]);
    expect(table.code, table.output).toBe(1);
    expect(table.output).toContain('Computer says no');
    expect(table.output).toContain("'a request for order 1'");
    expect(table.output).toContain('$.body.quantity');
    // The path opens the mismatch's line once, not twice.
    expect(table.output).not.toContain('$.body.quantity: $.body.quantity');
    expect(table.output).toMatch(/details: http:\/\/127\.0\.0\.1:\d+\/ui\/verifications\/\d+/);

    const json = await runPactTool('treaty', [
      'can-i-deploy',
      ...args,
      '--version',
      version,
      '--broker-base-url',
      broker.url,
      '--output',
      'json',
    ]);
    expect(json.code, json.output).toBe(1);
    const answer = JSON.parse(json.output.slice(json.output.indexOf('{'))) as Answer;
    const failure = answer.notices.find((n) => n.failure !== undefined)?.failure;
    expect(failure).toMatchObject({
      interaction: 'a request for order 1',
      mismatch: { path: '$.body.quantity' },
    });
    for (const href of [
      failure?._links['pb:verification-result']?.href,
      answer.matrix[0]?.verificationResult?._links.self.href,
    ])
      expect((await fetch(href ?? '')).status, href).toBe(200);
  });
});
