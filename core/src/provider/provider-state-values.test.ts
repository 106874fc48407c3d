import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContract } from '../contract/parse.js';
import { verifyProvider } from './verify.js';

// ProviderState generators in the verifier, as pact_verifier fills them: the states' params first,
// what the state change returned laid over them, a missing key keeps the example.

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

interface Seen {
  url: string;
  body: string;
}

async function serve(answer: (req: Seen) => unknown): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = answer({ url: req.url ?? '/', body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body ?? {}));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const contract = (request: Record<string, unknown>, params: Record<string, unknown>) =>
  parseContract({
    consumer: { name: 'zoo-app' },
    provider: { name: 'animal-service' },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description: 'a request for an alligator',
        providerStates: [{ name: 'there is an alligator named Mary', params }],
        request,
        response: { status: 200 },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  });

const byName = {
  method: 'GET',
  path: '/alligators/Mary',
  generators: { path: { type: 'ProviderState', expression: '/alligators/${name}' } },
};

describe('verifyProvider: provider state values for generators', () => {
  it("takes the values from the state's params when nothing returns them", async () => {
    const seen: string[] = [];
    const base = await serve((req) => seen.push(req.url));
    const result = await verifyProvider({
      providerBaseUrl: base,
      contracts: [{ source: 'test', contract: contract(byName, { name: 'Mary' }) }],
    });
    expect(result.passed).toBe(true);
    expect(seen).toEqual(['/alligators/Mary']);
  });

  it('lays what the state change URL returns over the params', async () => {
    const seen: string[] = [];
    const provider = await serve((req) => seen.push(req.url));
    const states = await serve((req) =>
      (JSON.parse(req.body) as { action: string }).action === 'setup' ? { name: 'Jane' } : {},
    );
    const request = {
      method: 'GET',
      path: '/alligators/Mary',
      generators: { path: { type: 'ProviderState', expression: '/zoo/${zoo}/alligators/${name}' } },
    };
    const result = await verifyProvider({
      providerBaseUrl: provider,
      providerStatesSetupUrl: states,
      contracts: [{ source: 'test', contract: contract(request, { name: 'Mary', zoo: 'north' }) }],
    });
    expect(result.passed).toBe(true);
    expect(seen).toEqual(['/zoo/north/alligators/Jane']);
  });

  it('keeps the example for a key with no value and says so in the result', async () => {
    const seen: string[] = [];
    const base = await serve((req) => seen.push(req.url));
    const request = {
      method: 'GET',
      path: '/textresult/dummyJobId',
      generators: { path: { type: 'ProviderState', expression: '/textresult/${jobId}' } },
    };
    const result = await verifyProvider({
      providerBaseUrl: base,
      contracts: [{ source: 'test', contract: contract(request, {}) }],
    });
    expect(seen).toEqual(['/textresult/dummyJobId']);
    const [interaction] = result.contracts[0]?.interactions ?? [];
    expect(interaction?.warnings).toContainEqual(expect.stringContaining("no provider state value 'jobId'"));
  });

  it("honours a generator's dataType in the body it sends", async () => {
    const bodies: string[] = [];
    const base = await serve((req) => bodies.push(req.body));
    const request = {
      method: 'POST',
      path: '/alligators',
      headers: { 'Content-Type': 'application/json' },
      body: { content: { id: '0', age: 0 }, contentType: 'application/json', encoded: false },
      generators: {
        body: {
          '$.id': { type: 'ProviderState', expression: 'id', dataType: 'STRING' },
          '$.age': { type: 'ProviderState', expression: '${age}', dataType: 'INTEGER' },
        },
      },
    };
    const result = await verifyProvider({
      providerBaseUrl: base,
      contracts: [{ source: 'test', contract: contract(request, { id: 17, age: '3' }) }],
    });
    expect(result.passed).toBe(true);
    expect(bodies.map((b) => JSON.parse(b) as unknown)).toEqual([{ id: '17', age: 3 }]);
  });
});
