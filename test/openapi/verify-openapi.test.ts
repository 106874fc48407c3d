import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../support/process.js';
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

describe('treaty verify --openapi, the CLI as a process', () => {
  const bin = fileURLToPath(new URL('../../cli/bin/treaty.js', import.meta.url));
  const treaty = (...args: string[]) =>
    runProcess(process.execPath, [bin, 'verify', ...args], { env: { ...process.env, NO_COLOR: '1' } });

  it('passes a contract that fits the document, and fails one that drifted with the finding code', async () => {
    const pact = await recordedContract();
    const ok = await treaty('--openapi', documentUrl, '--pact', pact);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.stdout).toMatch(/2 interactions?: 2 passed, 0 failed/);

    const drifted = JSON.parse(await readFile(pact, 'utf8')) as {
      interactions: Array<{ response: { status: number } }>;
    };
    const [, inventory] = drifted.interactions;
    if (inventory === undefined) throw new Error('the recorded contract is incomplete');
    inventory.response.status = 201;
    const dir = await mkdtemp(join(tmpdir(), 'treaty-openapi-cli-'));
    await writeFile(join(dir, 'drifted.json'), JSON.stringify(drifted));
    const bad = await treaty(
      '--openapi',
      petstoreFile,
      '--pact',
      join(dir, 'drifted.json'),
      '--output',
      'json',
    );
    expect(bad.code, bad.output).toBe(1);
    const report = JSON.parse(bad.stdout) as {
      contracts: Array<{ interactions: Array<{ status: string; mismatches: Array<{ rule?: string }> }> }>;
    };
    const statuses = report.contracts[0]?.interactions.map((i) => [
      i.status,
      i.mismatches.map((m) => m.rule),
    ]);
    expect(statuses).toEqual([
      ['passed', []],
      ['failed', ['response.status.unknown']],
    ]);
  });

  it('is a usage error with both a provider and a document, or neither', async () => {
    const pact = await recordedContract();
    const both = await treaty('--openapi', petstoreFile, '--provider-base-url', 'http://127.0.0.1:1', pact);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('TREATY_CLI_USAGE');
    const neither = await treaty(pact);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--openapi');
  });
});
