import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { runPactTool } from '../support/pact-tools.js';

// Bi-directional contract testing with the real tools: `pactflow publish-provider-contract` puts the
// Petstore document on a Treaty broker, `pact-broker publish` puts consumer pacts there, the broker
// compares each pair, and `pact-broker can-i-deploy` answers from those comparisons.

let broker: RunningBroker;
let dir = '';
const petstore = fileURLToPath(import.meta.resolve('@readme/oas-examples/3.0/json/petstore.json'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'treaty-bdct-'));
  broker = await startBroker({ port: 0, host: '127.0.0.1', database: join(dir, 'broker.sqlite') });
});

afterAll(async () => {
  await broker.close();
});

const publishDocument = (version: string, extra: string[] = ['--verification-success']) =>
  runPactTool('pactflow', [
    'publish-provider-contract',
    petstore,
    '--provider',
    'pet-api',
    '--provider-app-version',
    version,
    '--branch',
    'main',
    '--content-type',
    'application/yaml',
    ...extra,
    '--broker-base-url',
    broker.url,
  ]);

/** Publishes a consumer's pact with pet-api whose one interaction gets a pet and expects `response`. */
async function publishPact(consumer: string, version: string, response: Record<string, unknown>) {
  const pacts = join(dir, `${consumer}-${version}`);
  mkdirSync(pacts);
  writeFileSync(
    join(pacts, `${consumer}-pet-api.json`),
    JSON.stringify({
      consumer: { name: consumer },
      provider: { name: 'pet-api' },
      interactions: [
        {
          description: 'a request for pet 1',
          providerState: 'pet 1 exists',
          request: { method: 'GET', path: '/pet/1', headers: { api_key: 'k', Accept: 'application/json' } },
          response,
        },
      ],
      metadata: { pactSpecification: { version: '2.0.0' } },
    }),
  );
  const { code, output } = await runPactTool('pact-broker', [
    'publish',
    pacts,
    '--consumer-app-version',
    version,
    '--branch',
    'main',
    '--broker-base-url',
    broker.url,
  ]);
  expect(code, output).toBe(0);
  return output;
}

const canIDeploy = (consumer: string, version: string, providerVersion: string) =>
  runPactTool('pact-broker', [
    'can-i-deploy',
    '--pacticipant',
    consumer,
    '--version',
    version,
    '--pacticipant',
    'pet-api',
    '--version',
    providerVersion,
    '--broker-base-url',
    broker.url,
  ]);

const pet = {
  status: 200,
  headers: { 'Content-Type': 'application/json' },
  body: { id: 1, name: 'doggie', photoUrls: [], status: 'available' },
};

describe('bi-directional contract testing against a Treaty broker with the real Pact tools', () => {
  it('compares a new pact with the main branch head document: yes for a compatible pair', async () => {
    const published = await publishDocument('pet-1');
    expect(published.code, published.output).toBe(0);
    const output = await publishPact('pet-web', 'web-1', pet);
    expect(output).toContain("pet-api pet-1's OpenAPI document: compatible");
    const { code, output: answer } = await canIDeploy('pet-web', 'web-1', 'pet-1');
    expect(code, answer).toBe(0);
    const matrix = (await (
      await fetch(
        `${broker.url}/matrix?q[][pacticipant]=pet-web&q[][version]=web-1&q[][pacticipant]=pet-api&q[][version]=pet-1&latestby=cvpv`,
      )
    ).json()) as { matrix: Array<{ verificationType: string; verificationResult: { evidence: string } }> };
    expect(matrix.matrix.map((r) => [r.verificationType, r.verificationResult.evidence])).toEqual([
      ['BDCT', 'openapi'],
    ]);
  });

  it('says no (exit 1) for a pact expecting a status the document does not declare, naming the finding', async () => {
    // GET /pet/{petId} declares 200, 400, 404 and a default without content: 418 falls to the
    // default, which has no body for the pet the pact expects.
    await publishPact('pet-mobile', 'mob-1', { ...pet, status: 418 });
    const { code, output } = await canIDeploy('pet-mobile', 'mob-1', 'pet-1');
    expect(code, output).toBe(1);
    expect(output).toContain("compared with pet-api pet-1's OpenAPI document");
    expect(output).toContain('response.body.unknown at /paths/~1pet~1{petId}/get/responses/default');
  });

  it('says no for a pact expecting a field the Pet schema does not declare', async () => {
    await publishPact('pet-shop', 'shop-1', { ...pet, body: { ...pet.body, nickname: 'rex' } });
    const { code, output } = await canIDeploy('pet-shop', 'shop-1', 'pet-1');
    expect(code, output).toBe(1);
    expect(output).toContain('response.body.incompatible');
  });

  it('compares a new document with the consumers’ latest pacts', async () => {
    const published = await publishDocument('pet-2');
    expect(published.code, published.output).toBe(0);
    expect((await canIDeploy('pet-web', 'web-1', 'pet-2')).code).toBe(0);
    const no = await canIDeploy('pet-mobile', 'mob-1', 'pet-2');
    expect(no.code, no.output).toBe(1);
    expect(no.output).toContain('response.body.unknown');
  });

  it('fails every comparison with a document whose self-verification failed', async () => {
    const results = join(dir, 'dredd.txt');
    writeFileSync(results, '3 failing\n');
    const published = await publishDocument('pet-3', [
      '--no-verification-success',
      '--verification-results',
      results,
      '--verification-results-content-type',
      'text/plain',
      '--verifier',
      'dredd',
    ]);
    expect(published.code, published.output).toBe(0);
    const { code, output } = await canIDeploy('pet-web', 'web-1', 'pet-3');
    expect(code, output).toBe(1);
    expect(output).toContain('self-verification');
  });

  it('compares on demand a pair nobody compared: an older provider version, neither main head nor deployed', async () => {
    // Published after pet-3: compared with the main branch head (pet-3) only, never with pet-1.
    await publishPact('pet-admin', 'admin-1', pet);
    await publishPact('pet-kiosk', 'kiosk-1', { ...pet, body: { ...pet.body, nickname: 'rex' } });
    const yes = await canIDeploy('pet-admin', 'admin-1', 'pet-1');
    expect(yes.code, yes.output).toBe(0);
    expect(yes.output).toMatch(/pet-admin\s+┆ admin-1\s+┆ pet-api\s+┆ pet-1\s+┆ true\s+┆ \d+\s+┆ BDCT/);
    expect(yes.output).toContain(
      "pet-admin admin-1 with pet-api pet-1's OpenAPI document (compared just now)",
    );
    const no = await canIDeploy('pet-kiosk', 'kiosk-1', 'pet-1');
    expect(no.code, no.output).toBe(1);
    expect(no.output).toContain("compared with pet-api pet-1's OpenAPI document");
    expect(no.output).toContain('response.body.incompatible');
  });

  it('shows a document, its self-verification and its comparisons on a page', async () => {
    const res = await fetch(`${broker.url}/ui/provider-contracts/provider/pet-api/version/pet-3`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('✘ Its own tests failed: every comparison with this document fails (dredd)');
    expect(text).toContain('3 failing');
    expect(text).toMatch(
      /<td>pet-web<\/td><td>web-1<\/td>\s*<td><a href="\/ui\/verifications\/\d+"><span class="status bad">/,
    );
    const page1 = await (
      await fetch(`${broker.url}/ui/provider-contracts/provider/pet-api/version/pet-1`)
    ).text();
    expect(page1).toContain('No self-verification came with the document');
    expect(page1).toContain('✔ compatible');
    expect(page1).toContain('✘ incompatible');
    const verification = /href="(\/ui\/verifications\/\d+)"><span class="status bad">/.exec(page1)?.[1] ?? '';
    const why = await (await fetch(`${broker.url}${verification}`)).text();
    expect(why).toContain(
      'compared with <a href="/ui/provider-contracts/provider/pet-api/version/pet-1">pet-api pet-1&#39;s OpenAPI document</a>',
    );
    expect(why).toContain('response.body.');
    const missing = await fetch(`${broker.url}/ui/provider-contracts/provider/pet-api/version/nope`);
    expect(missing.status).toBe(404);
  });
});
