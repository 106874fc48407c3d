import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '@treaty/cli';
import { verifyProvider } from '@treaty/core';

// Contracts written by the real Pact JS 16.5 (PactV3 and PactV4 HTTP interactions with matchers and
// provider states, V4 messages; test/fixtures/pact-js) verified by `treaty verify` against a
// provider: they pass for a correct one and fail with the right mismatches for broken ones.
const fixtures = fileURLToPath(new URL('../fixtures/pact-js/', import.meta.url));
const v3 = `${fixtures}pactjs-web-pactjs-orders-v3.json`;
const v4 = `${fixtures}pactjs-web-pactjs-orders-v4.json`;
const events = `${fixtures}pactjs-web-pactjs-events.json`;

type Breakage =
  | 'none'
  | 'removed field'
  | 'changed type'
  | 'wrong status'
  | 'missing header'
  | 'message field';

const order = (id: number) => ({
  id,
  total: 99.25,
  count: 7,
  status: 'SHIPPED',
  createdAt: '2030-12-31T23:59:59',
  day: '2030-12-31',
  at: '23:59',
  uuid: '0f0e0d0c-0b0a-4909-8807-060504030201',
  paid: false,
  note: null,
  label: 'heavy',
  title: 'an order',
  items: [
    { sku: 'Q-7', quantity: 9 },
    { sku: 'R-8', quantity: 1 },
  ],
  tags: ['x', 'y'],
  codes: ['a', 'b'],
  exact: 'exact',
  attributes: { size: 'big', shape: 'round' },
  prices: { large: 3, small: 1 },
  selfLink: `/orders/${id}`,
});

let server: Server | undefined;
const states: unknown[] = [];
const authHeaders: Array<string | undefined> = [];

async function provider(breakage: Breakage): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString();
      authHeaders.push(req.headers.authorization);
      const json = (
        status: number,
        value: unknown,
        headers: Record<string, string> = { 'Content-Type': 'application/json' },
      ) => {
        res.writeHead(status, headers);
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/_states') {
        states.push(JSON.parse(body));
        return json(200, { id: 1 });
      }
      if (req.method === 'POST' && url.pathname === '/') {
        const { description } = JSON.parse(body) as { description: string };
        const message =
          description === 'an order created event'
            ? { id: 9, status: breakage === 'message field' ? 'LOST' : 'PAID', items: [{ sku: 'Z-1' }] }
            : { sku: 'A-1', price: 1.5 };
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Pact-Message-Metadata': Buffer.from(JSON.stringify({ topic: 'orders' })).toString('base64'),
        });
        return res.end(JSON.stringify(message));
      }
      const m = /^\/orders\/(\d+)$/.exec(url.pathname);
      if (req.method === 'GET' && m !== null) {
        const o: Record<string, unknown> = order(Number(m[1]));
        if (breakage === 'removed field') delete o.status;
        if (breakage === 'changed type') o.id = String(o.id);
        return json(200, o, breakage === 'missing header' ? {} : { 'Content-Type': 'application/json' });
      }
      if (req.method === 'POST' && url.pathname === '/orders') return json(201, { id: 5 });
      if (url.pathname === '/ping') {
        res.writeHead(breakage === 'wrong status' ? 503 : 200, { 'Content-Type': 'text/plain' });
        return res.end('pong');
      }
      json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
  states.length = 0;
});

function io(): CliIo & { out: () => string } {
  const out: string[] = [];
  return {
    cwd: process.cwd(),
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    out: () => out.join(''),
  };
}

describe('treaty verify with contracts written by Pact JS', () => {
  it('passes for a correct provider: V3 and V4 HTTP with states, and V4 messages over HTTP', async () => {
    const url = await provider('none');
    const out = io();
    const code = await main(
      [
        'verify',
        '--provider-base-url',
        url,
        '--pact',
        v3,
        '--pact',
        v4,
        '--pact',
        events,
        '--provider-states-setup-url',
        `${url}/_states`,
      ],
      out,
    );
    expect(code, out.out()).toBe(0);
    expect(out.out()).toContain('ok    a request for order 1 (given order 1 exists, the user is logged in)');
    expect(out.out()).toContain('ok    an order created event');
    expect(out.out()).toMatch(/6 interactions: 6 passed, 0 failed, 0 pending, 0 errors/);
    expect(states).toContainEqual({ state: 'order 1 exists', params: { id: 1 }, action: 'setup' });
    expect(states).toContainEqual({ state: 'order 1 exists', params: { id: 1 }, action: 'teardown' });
  });

  it.each<[Breakage, string[], string]>([
    ['removed field', [v3], '$.body.status: expected "PENDING" but the key \'status\' is missing'],
    ['changed type', [v4], '$.body.id: expected an integer but got "1"'],
    ['wrong status', [v4], '$.status: expected status "200" but got "503"'],
    ['missing header', [v3], "$.header.Content-Type: expected header 'Content-Type'"],
    ['message field', [events], '$.body.status: expected a value matching /CREATED|PAID/ but got "LOST"'],
  ])('fails for a provider with a breaking change: %s', async (breakage, pacts, message) => {
    const url = await provider(breakage);
    const out = io();
    const code = await main(
      [
        'verify',
        '--provider-base-url',
        url,
        ...pacts.flatMap((p) => ['--pact', p]),
        '--provider-states-setup-url',
        `${url}/_states`,
      ],
      out,
    );
    expect(code).toBe(1);
    expect(out.out()).toContain(message);
    expect(out.out()).toContain('verification FAILED');
    expect(out.out()).toMatch(/rerun: PACT_DESCRIPTION=/);
  });

  it('reports an unreachable provider as an error per interaction, and a usage error with exit 2', async () => {
    const result = await verifyProvider({
      providerBaseUrl: 'http://127.0.0.1:9',
      pacts: [v4],
      timeoutMs: 2000,
    });
    expect(result.passed).toBe(false);
    expect(result.summary.errors).toBe(2);
    expect(result.contracts[0]?.interactions[0]?.error).toMatch(/could not be reached/);
    const out = io();
    expect(await main(['verify', '--pact', v4], out)).toBe(2);
    expect(out.out()).toContain('--provider-base-url is required');
  });

  it('filters by description and answers --json', async () => {
    const url = await provider('none');
    const out = io();
    const code = await main(
      [
        'verify',
        '--provider-base-url',
        url,
        '--pact',
        v4,
        '--filter-description',
        'a plain text ping',
        '--json',
      ],
      out,
    );
    expect(code).toBe(0);
    const report = JSON.parse(out.out()) as {
      contracts: Array<{ interactions: Array<{ description: string; status: string }> }>;
    };
    expect(report.contracts[0]?.interactions.map((i) => [i.description, i.status])).toEqual([
      ['a plain text ping', 'passed'],
    ]);
  });
});

describe('treaty verify request options', () => {
  it('adds --custom-header to every request, and refuses a header without a colon', async () => {
    const url = await provider('none');
    const out = io();
    expect(
      await main(
        [
          'verify',
          '--provider-base-url',
          url,
          '--pact',
          v4,
          '--custom-header',
          'Authorization: Bearer t0k3n',
        ],
        out,
      ),
    ).toBe(0);
    expect(authHeaders.filter((h) => h !== undefined)).toContain('Bearer t0k3n');
    const bad = io();
    expect(
      await main(['verify', '--provider-base-url', url, '--pact', v4, '--custom-header', 'NoColonHere'], bad),
    ).toBe(2);
    expect(bad.out()).toContain("is not written as 'Name: value'");
  });
});

describe('treaty verify reports for CI', () => {
  it('writes a JUnit XML report with a failure per broken interaction', async () => {
    const url = await provider('changed type');
    const out = io();
    const code = await main(['verify', '--provider-base-url', url, '--pact', v4, '--output', 'junit'], out);
    expect(code).toBe(1);
    const xml = out.out();
    expect(xml).toMatch(/^<\?xml version="1.0"/);
    expect(xml).toContain(
      '<testsuite name="pactjs-web → pactjs-orders-v4" tests="2" failures="1" errors="0" skipped="0">',
    );
    expect(xml).toContain('<failure message="$.body.id: expected an integer but got &quot;1&quot;">');
  });
});
