import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContract } from '../contract/parse.js';
import { verifyProvider } from './verify.js';

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
  servers = [];
});

async function serve(
  handler: (req: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }) => { status: number; body?: unknown; headers?: Record<string, string> } | 'hang',
): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const out = handler({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (out === 'hang') return;
      res.writeHead(out.status, { 'Content-Type': 'application/json', ...out.headers });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const contract = (interactions: unknown[]) =>
  parseContract({
    consumer: { name: 'web' },
    provider: { name: 'orders' },
    interactions,
    metadata: { pactSpecification: { version: '4.0' } },
  });

const http = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'Synchronous/HTTP',
  description,
  request: { method: 'GET', path: '/orders/1' },
  response: { status: 200, body: { content: { id: 1 }, contentType: 'application/json', encoded: false } },
  ...extra,
});

describe('verifyProvider', () => {
  it('checks a redirect as the contract describes it, without following it', async () => {
    const seen: string[] = [];
    const url = await serve((req) => {
      seen.push(req.url);
      return req.url === '/old' ? { status: 302, headers: { Location: '/new' } } : { status: 200 };
    });
    const c = contract([
      {
        type: 'Synchronous/HTTP',
        description: 'a moved page',
        request: { method: 'GET', path: '/old' },
        response: { status: 302, headers: { Location: '/new' } },
      },
    ]);
    const result = await verifyProvider({
      providerBaseUrl: url,
      contracts: [{ source: 'memory', contract: c }],
    });
    expect(result.passed).toBe(true);
    expect(seen).toEqual(['/old']);
  });

  it('runs programmatic state handlers, feeds their values to ProviderState generators, and tears down', async () => {
    const seen: string[] = [];
    const url = await serve((req) => {
      seen.push(req.url);
      return { status: 200, body: { id: 1 } };
    });
    const calls: string[] = [];
    const c = contract([
      http('by generated id', {
        providerStates: [{ name: 'an order exists', params: { sku: 'A-1' } }],
        request: {
          method: 'GET',
          path: '/orders/1',
          generators: { path: { type: 'ProviderState', expression: '/orders/${id}' } },
        },
      }),
    ]);
    const result = await verifyProvider({
      providerBaseUrl: url,
      contracts: [{ source: 'memory', contract: c }],
      stateHandlers: {
        'an order exists': (params) => {
          calls.push(`setup ${JSON.stringify(params)}`);
          return { id: 77 };
        },
      },
    });
    expect(result.passed).toBe(true);
    expect(seen).toEqual(['/orders/77']);
    // A function is a setup handler only, as in Pact JS: nothing is called for teardown.
    expect(calls).toEqual(['setup {"sku":"A-1"}']);
  });

  it('reports an unknown provider state, a failing state URL and a hanging provider per interaction, and goes on', async () => {
    const slow = await serve((req) => (req.url === '/orders/1' ? 'hang' : { status: 500 }));
    const c = contract([
      http('hangs'),
      http('needs a state', { providerStates: [{ name: 'nobody knows' }] }),
    ]);
    const result = await verifyProvider({
      providerBaseUrl: slow,
      contracts: [{ source: 'memory', contract: c }],
      timeoutMs: 300,
      stateHandlers: {},
    });
    expect(result.passed).toBe(false);
    expect(result.contracts[0]?.interactions.map((i) => [i.description, i.status])).toEqual([
      ['hangs', 'error'],
      ['needs a state', 'error'],
    ]);
    expect(result.contracts[0]?.interactions[0]?.error).toContain('did not complete within 300 ms');
    expect(result.contracts[0]?.interactions[0]?.errorCode).toBe('TREATY_VERIFY_TIMEOUT');
    expect(result.contracts[0]?.interactions[1]?.error).toContain(
      "no handler for the provider state 'nobody knows'",
    );
    const failing = await verifyProvider({
      providerBaseUrl: slow,
      contracts: [
        { source: 'memory', contract: contract([http('state', { providerStates: [{ name: 's' }] })]) },
      ],
      providerStatesSetupUrl: `${slow}/_states`,
    });
    expect(failing.contracts[0]?.interactions[0]?.error).toContain('the state change URL answered 500');
  });

  it('makes an interaction whose state teardown fails an error, even when it passed or failed before', async () => {
    // Teardown runs while the answer is matched; its failure must still decide the result.
    const url = await serve((req) => {
      if (req.url !== '/_states') return { status: 200, body: { id: req.url === '/orders/1' ? 1 : 'x' } };
      const { state, action } = JSON.parse(req.body) as { state: string; action: string };
      return { status: action === 'teardown' && state === 'sticky' ? 500 : 200 };
    });
    const withState = (name: string, path: string, extra: Record<string, unknown> = {}) =>
      http(`${name} ${path}`, {
        providerStates: [{ name }],
        request: { method: 'GET', path },
        response: {
          status: 200,
          body: { content: { id: 1 }, contentType: 'application/json', encoded: false },
          matchingRules: { body: { '$.id': { matchers: [{ match: 'integer' }] } } },
        },
        ...extra,
      });
    const result = await verifyProvider({
      providerBaseUrl: url,
      providerStatesSetupUrl: `${url}/_states`,
      contracts: [
        {
          source: 'memory',
          contract: contract([
            withState('fine', '/orders/1'),
            withState('sticky', '/orders/1'),
            withState('sticky', '/orders/2'),
            withState('sticky', '/orders/1', { pending: true }),
          ]),
        },
      ],
    });
    expect(result.contracts[0]?.interactions.map((i) => [i.description, i.status, i.errorCode])).toEqual([
      ['fine /orders/1', 'passed', undefined],
      ['sticky /orders/1', 'error', 'TREATY_VERIFY_INTERACTION'],
      ['sticky /orders/2', 'error', 'TREATY_VERIFY_INTERACTION'],
      ['sticky /orders/1', 'pending', 'TREATY_VERIFY_INTERACTION'],
    ]);
    expect(result.contracts[0]?.interactions[1]?.error).toContain(
      "teardown failed: the state change URL answered 500 for 'sticky' (teardown)",
    );
    expect(result.contracts[0]?.interactions[2]?.mismatches).toHaveLength(1);
    expect(result.summary).toMatchObject({ passed: 1, errors: 2, pending: 1 });
  });

  it('sends setup, request and teardown one after another, each after the previous answer, while results are finished between them', async () => {
    // Each answer is held back a moment, so a request sent before the previous answer would be seen
    // arriving while another is in flight.
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const server = createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const { state, action } = req.url === '/_states' ? (JSON.parse(body) as Record<string, string>) : {};
        log.push(req.url === '/_states' ? `${action} ${state}` : `${req.method} ${req.url}`);
        setTimeout(() => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(req.url === '/orders/2' ? { id: 'x' } : { id: 1 }));
          inFlight--;
        }, 5);
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const one = (n: number) =>
      http(`order ${n}`, {
        providerStates: [{ name: `s${n}` }],
        request: { method: 'GET', path: `/orders/${n}` },
        response: {
          status: 200,
          headers: { 'Content-Type': ['application/json'] },
          body: { content: { id: 1 }, contentType: 'application/json', encoded: false },
          matchingRules: { body: { '$.id': { matchers: [{ match: 'integer' }] } } },
        },
      });
    const seen: string[] = [];
    const result = await verifyProvider({
      providerBaseUrl: url,
      providerStatesSetupUrl: `${url}/_states`,
      contracts: [{ source: 'memory', contract: contract([one(1), one(2), one(3)]) }],
      onResult: (r) => void seen.push(`${r.description} ${r.status}`),
    });
    expect(log).toEqual([
      ...['setup s1', 'GET /orders/1', 'teardown s1'],
      ...['setup s2', 'GET /orders/2', 'teardown s2'],
      ...['setup s3', 'GET /orders/3', 'teardown s3'],
    ]);
    expect(most).toBe(1);
    expect(seen).toEqual(['order 1 passed', 'order 2 failed', 'order 3 passed']);
    const [first, second] = result.contracts[0]?.interactions ?? [];
    expect(second?.mismatches.map((m) => m.path)).toEqual(['$.body.id']);
    expect(first?.durationMs).toBeGreaterThan(0);
  });

  it('calls the state change URL with an empty state for an interaction without states, as pact-verifier does', async () => {
    const states: unknown[] = [];
    const url = await serve((req) => {
      if (req.url === '/_states') {
        states.push(JSON.parse(req.body));
        return { status: 200, body: {} };
      }
      return { status: 200, body: { id: 1 } };
    });
    const result = await verifyProvider({
      providerBaseUrl: url,
      contracts: [{ source: 'memory', contract: contract([http('stateless')]) }],
      providerStatesSetupUrl: `${url}/_states`,
    });
    expect(result.passed).toBe(true);
    expect(states).toEqual([
      { state: '', params: {}, action: 'setup' },
      { state: '', params: {}, action: 'teardown' },
    ]);
  });

  it('warns about a provider state nothing sets up, and reports the interaction comments', async () => {
    const url = await serve(() => ({ status: 200, body: { id: 1 } }));
    const result = await verifyProvider({
      providerBaseUrl: url,
      contracts: [
        {
          source: 'memory',
          contract: contract([
            http('stated', {
              providerStates: [{ name: 'state one' }],
              comments: { text: ['first'], testname: 'orders > gets one' },
            }),
          ]),
        },
      ],
    });
    expect(result.passed).toBe(true);
    const [r] = result.contracts[0]?.interactions ?? [];
    expect(r?.warnings).toEqual([
      "the provider state 'state one' was not set up: no stateHandlers and no state change URL are configured",
    ]);
    expect(r?.comments).toEqual({ text: ['first'], testname: 'orders > gets one' });
  });

  it('does not fail the run for a pending interaction, and reports it', async () => {
    const url = await serve(() => ({ status: 200, body: { id: 'one' } }));
    const result = await verifyProvider({
      providerBaseUrl: url,
      contracts: [
        {
          source: 'memory',
          contract: contract([
            http('new field', {
              pending: true,
              response: {
                status: 200,
                body: { content: { id: 1 }, contentType: 'application/json' },
                matchingRules: { body: { '$.id': { matchers: [{ match: 'integer' }] } } },
              },
            }),
          ]),
        },
      ],
    });
    expect(result.passed).toBe(true);
    expect(result.summary).toMatchObject({ pending: 1, failed: 0 });
    expect(result.contracts[0]?.interactions[0]?.mismatches[0]?.path).toBe('$.body.id');
  });

  it('adds custom headers and lets a request filter rewrite each request', async () => {
    const headers: Array<Record<string, string | string[] | undefined>> = [];
    const url = await serve((req) => {
      headers.push(req.headers);
      return { status: 200, body: { id: 1 } };
    });
    await verifyProvider({
      providerBaseUrl: url,
      contracts: [{ source: 'memory', contract: contract([http('auth')]) }],
      customHeaders: { Authorization: 'Bearer static' },
      requestFilter: (r) => ({ ...r, headers: { ...r.headers, 'X-Token': 'fresh' } }),
    });
    expect(headers[0]).toMatchObject({ authorization: 'Bearer static', 'x-token': 'fresh' });
  });

  it('verifies messages from programmatic producers', async () => {
    const c = contract([
      {
        type: 'Asynchronous/Messages',
        description: 'order created',
        contents: { content: { id: 1 }, contentType: 'application/json' },
        matchingRules: { body: { '$.id': { matchers: [{ match: 'integer' }] } } },
      },
    ]);
    const ok = await verifyProvider({
      providerBaseUrl: 'http://127.0.0.1:9',
      contracts: [{ source: 'm', contract: c }],
      messageProviders: { 'order created': () => ({ id: 5 }) },
    });
    expect(ok.passed).toBe(true);
    const bad = await verifyProvider({
      providerBaseUrl: 'http://127.0.0.1:9',
      contracts: [{ source: 'm', contract: c }],
      messageProviders: { 'order created': () => ({ contents: { id: 'x' }, metadata: { topic: 't' } }) },
    });
    expect(bad.contracts[0]?.interactions[0]?.mismatches[0]?.rule).toBe('integer');
  });

  it('takes state handlers in the { setup, teardown } form, each called only for its step', async () => {
    const calls: string[] = [];
    const c = contract([
      {
        type: 'Asynchronous/Messages',
        description: 'm',
        providerStates: [{ name: 'ready', params: { n: 1 } }],
        contents: { content: { n: 1 }, contentType: 'application/json' },
      },
    ]);
    const r = await verifyProvider({
      contracts: [{ source: 'm', contract: c }],
      stateHandlers: {
        ready: {
          setup: (p) => void calls.push(`setup ${JSON.stringify(p)}`),
          teardown: () => void calls.push('teardown'),
        },
      },
      messageProviders: { m: () => ({ n: 1 }) },
    });
    expect(r.passed).toBe(true);
    expect(calls).toEqual(['setup {"n":1}', 'teardown']);
  });

  it('verifies message-only contracts without a provider URL, and says what is missing when a producer is', async () => {
    const c = contract([
      {
        type: 'Asynchronous/Messages',
        description: 'order created',
        contents: { content: { id: 1 }, contentType: 'application/json' },
        metadata: { contentType: 'application/json' },
        matchingRules: { body: { '$.id': { matchers: [{ match: 'integer' }] } } },
      },
      {
        type: 'Asynchronous/Messages',
        description: 'order deleted',
        contents: { content: { id: 1 }, contentType: 'application/json' },
      },
    ]);
    const r = await verifyProvider({
      contracts: [{ source: 'm', contract: c }],
      messageProviders: { 'order created': () => ({ id: 5 }) },
    });
    // A bare JSON value is sent as JSON: the contract's contentType metadata is met.
    expect(r.contracts[0]?.interactions[0]).toMatchObject({ description: 'order created', status: 'passed' });
    expect(r.contracts[0]?.interactions[1]?.status).toBe('error');
    expect(r.contracts[0]?.interactions[1]?.error).toContain(
      "the message 'order deleted' has no producer in messageProviders, so it needs the running provider, but no providerBaseUrl (--provider-base-url) was given",
    );
  });

  it('takes a produced object as the contents unless it is exactly { contents, metadata }', async () => {
    const c = contract([
      {
        type: 'Asynchronous/Messages',
        description: 'doc',
        contents: { content: { contents: 'x', id: 1 }, contentType: 'application/json' },
      },
    ]);
    const r = await verifyProvider({
      contracts: [{ source: 'm', contract: c }],
      messageProviders: { doc: () => ({ contents: 'x', id: 1 }) },
    });
    expect(r.passed).toBe(true);
  });

  it('refuses bad configuration and unreadable sources with their codes', async () => {
    await expect(verifyProvider({ providerBaseUrl: 'localhost:8080', pacts: ['x'] })).rejects.toMatchObject({
      code: 'TREATY_VERIFY_CONFIG',
    });
    await expect(verifyProvider({ providerBaseUrl: 'http://127.0.0.1:9' })).rejects.toMatchObject({
      code: 'TREATY_VERIFY_CONFIG',
    });
  });

  it('reports a contract that cannot be read and still verifies the others', async () => {
    const url = await serve(() => ({ status: 200, body: { id: 1 } }));
    const dir = mkdtempSync(join(tmpdir(), 'treaty-verify-'));
    writeFileSync(join(dir, 'bad.json'), 'not json');
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        consumer: { name: 'web' },
        provider: { name: 'orders' },
        interactions: [http('fine')],
        metadata: { pactSpecification: { version: '4.0' } },
      }),
    );
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [join(dir, 'bad.json'), '/no/such/file.json', good],
    });
    expect(result.passed).toBe(false);
    expect(result.contracts.map((c) => c.error?.code ?? 'ok')).toEqual([
      'TREATY_CONTRACT_NOT_A_CONTRACT',
      'TREATY_VERIFY_SOURCE',
      'ok',
    ]);
    expect(result.contracts[0]?.error?.message).toContain('bad.json');
    expect(result.contracts[2]?.interactions[0]?.status).toBe('passed');
    expect(result.summary.errors).toBe(2);
  });
});

describe('verifyProvider sources, generators and filters', () => {
  it('reads a contract from a URL', async () => {
    const text = JSON.stringify({
      consumer: { name: 'web' },
      provider: { name: 'orders' },
      interactions: [http('from a url')],
      metadata: { pactSpecification: { version: '4.0' } },
    });
    const files = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(text);
    });
    servers.push(files);
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => r()));
    const url = await serve(() => ({ status: 200, body: { id: 1 } }));
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [`http://127.0.0.1:${(files.address() as AddressInfo).port}/pacts/web-orders.json`],
    });
    expect(result.contracts[0]?.interactions.map((i) => [i.description, i.status])).toEqual([
      ['from a url', 'passed'],
    ]);
  });

  it('applies request generators: random values and dates replace the examples', async () => {
    const seen: string[] = [];
    const url = await serve((req) => {
      seen.push(req.url);
      return { status: 200, body: { id: 1 } };
    });
    const c = contract([
      http('generated', {
        request: {
          method: 'GET',
          path: '/orders/1',
          query: { n: ['0'], day: ['2000-01-01'] },
          generators: {
            query: { n: { type: 'RandomInt', min: 5, max: 9 }, day: { type: 'Date', format: 'yyyy-MM-dd' } },
          },
        },
      }),
    ]);
    await verifyProvider({ providerBaseUrl: url, contracts: [{ source: 'memory', contract: c }] });
    const q = new URL(seen[0] ?? '/', 'http://x').searchParams;
    expect(Number(q.get('n'))).toBeGreaterThanOrEqual(5);
    expect(Number(q.get('n'))).toBeLessThanOrEqual(9);
    expect(q.get('day')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(q.get('day')).not.toBe('2000-01-01');
  });

  it('filters by consumer, provider state and PACT_DESCRIPTION', async () => {
    const url = await serve(() => ({ status: 200, body: { id: 1 } }));
    const c = contract([
      http('one', { providerStates: [{ name: 'alpha' }] }),
      http('two', { providerStates: [{ name: 'beta' }] }),
      http('three'),
    ]);
    const run = async (extra: Partial<Parameters<typeof verifyProvider>[0]>) =>
      (
        await verifyProvider({
          providerBaseUrl: url,
          contracts: [{ source: 'memory', contract: c }],
          stateHandlers: { alpha: () => ({}), beta: () => ({}) },
          ...extra,
        })
      ).contracts.flatMap((x) => x.interactions.map((i) => i.description));
    expect(await run({ filterState: 'be.*' })).toEqual(['two']);
    expect(await run({ filterNoState: true })).toEqual(['three']);
    expect(await run({ filterConsumer: ['someone-else'] })).toEqual([]);
    process.env.PACT_DESCRIPTION = 'one';
    try {
      expect(await run({})).toEqual(['one']);
    } finally {
      delete process.env.PACT_DESCRIPTION;
    }
    // Not a regex but an exact name: selects it. Neither: refused, never a pass on no evidence.
    const odd = contract([http('order (1'), http('two')]);
    const oddRun = (filterDescription: string) =>
      verifyProvider({
        providerBaseUrl: url,
        contracts: [{ source: 'memory', contract: odd }],
        filterDescription,
      });
    expect((await oddRun('order (1')).contracts[0]?.interactions.map((i) => i.description)).toEqual([
      'order (1',
    ]);
    await expect(oddRun('order (2')).rejects.toMatchObject({
      code: 'TREATY_VERIFY_CONFIG',
      message: expect.stringContaining('is not a valid regular expression and names no interaction exactly'),
    });
  });
});
