import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eachLike,
  integer,
  like,
  regex,
  serializeContract,
  ConsumerContract,
  verifyProvider,
} from '@treaty/core';
import type { Contract } from '@treaty/core';

// The Petstore 3.0 document as @readme/oas-examples ships it (MIT), served over loopback HTTP:
// the document stands in for the provider, which never runs.
const petstoreFile = fileURLToPath(import.meta.resolve('@readme/oas-examples/3.0/json/petstore.json'));
let server: Server;
let documentUrl: string;

beforeAll(async () => {
  const text = await readFile(petstoreFile, 'utf8');
  server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(text));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  documentUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A contract recorded by a real consumer test against the mock server, written to a pact file. */
async function recordedContract(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'treaty-openapi-e2e-'));
  const consumer = new ConsumerContract({ consumer: 'PetWeb', provider: 'Petstore', dir });
  consumer
    .addInteraction()
    .given('pet 1 exists')
    .uponReceiving('a request for pet 1')
    .withRequest('GET', '/v2/pet/1', (req) => req.headers({ api_key: 'secret' }))
    .willRespondWith(200, (res) =>
      res.jsonBody(
        like({
          id: integer(1),
          name: 'doggie',
          photoUrls: eachLike('https://x/1.png'),
          status: regex('available|pending|sold', 'available'),
        }),
      ),
    );
  consumer
    .addInteraction()
    .uponReceiving('a request for the inventory')
    .withRequest('GET', '/v2/store/inventory', (req) => req.headers({ api_key: 'secret' }))
    .willRespondWith(200, (res) => res.jsonBody({ available: 3 }));
  await consumer.executeTest(async (mock) => {
    await (await fetch(`${mock.url}/v2/pet/1`, { headers: { api_key: 'secret' } })).json();
    await (await fetch(`${mock.url}/v2/store/inventory`, { headers: { api_key: 'secret' } })).json();
  });
  return join(dir, 'PetWeb-Petstore.json');
}

describe('verifyProvider({ openapi }) against a document nobody here wrote', () => {
  it('passes a recorded contract that fits, with the same result shape as a live verification', async () => {
    const pact = await recordedContract();
    const result = await verifyProvider({ openapi: documentUrl, pacts: [pact] });
    expect(result.contracts[0]?.interactions.map((i) => [i.description, i.status, i.mismatches])).toEqual([
      ['a request for pet 1', 'passed', []],
      ['a request for the inventory', 'passed', []],
    ]);
    expect(result.passed).toBe(true);
  });

  it('fails a contract that drifted from the document, naming code, path and pointer', async () => {
    const pact = JSON.parse(await readFile(await recordedContract(), 'utf8')) as {
      interactions: Array<{ response: { status: number; body?: { content: Record<string, unknown> } } }>;
    };
    const [pet, inventory] = pact.interactions;
    if (pet === undefined || inventory === undefined) throw new Error('the recorded contract is incomplete');
    // V4 files keep the body under `content`
    if (pet.response.body !== undefined) pet.response.body.content.nickname = 'Rex';
    inventory.response.status = 201;
    const dir = await mkdtemp(join(tmpdir(), 'treaty-openapi-e2e-'));
    await writeFile(join(dir, 'drifted.json'), JSON.stringify(pact));
    const result = await verifyProvider({ openapi: petstoreFile, pacts: [join(dir, 'drifted.json')] });
    expect(result.passed).toBe(false);
    expect(result.summary).toMatchObject({ passed: 0, failed: 2 });
    const [a, b] = result.contracts[0]?.interactions ?? [];
    expect(a?.mismatches.map((m) => [m.rule, m.path])).toEqual([
      ['response.body.incompatible', '$.interactions[0].response.body.nickname'],
    ]);
    expect(a?.findings?.[0]?.pointer).toBe('/components/schemas/Pet');
    expect(b?.mismatches.map((m) => m.rule)).toEqual(['response.status.unknown']);
  });

  it('refuses a document that is not OpenAPI before checking anything', async () => {
    const contract: Contract = {
      consumer: { name: 'c' },
      provider: { name: 'p' },
      interactions: [],
      metadata: {},
      specVersion: '4.0',
    };
    const dir = await mkdtemp(join(tmpdir(), 'treaty-openapi-e2e-'));
    await writeFile(join(dir, 'c.json'), serializeContract(contract));
    await expect(
      verifyProvider({ openapi: { openapi: '2.9' } as never, pacts: [join(dir, 'c.json')] }),
    ).rejects.toMatchObject({ code: 'TREATY_OPENAPI_INVALID' });
  });
});
