import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { runPactTool } from '../support/pact-tools.js';
import { runProcess } from '../support/process.js';

// `pactflow publish-provider-contract` (PactFlow's real CLI) publishing an OpenAPI document to a
// Treaty broker: it finds the relation in the index, POSTs the document, and the broker keeps it.

let broker: RunningBroker;
let dir = '';
const petstore = fileURLToPath(import.meta.resolve('@readme/oas-examples/3.0/json/petstore.json'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'treaty-pc-'));
  broker = await startBroker({ port: 0, host: '127.0.0.1', database: join(dir, 'broker.sqlite') });
});

afterAll(async () => {
  await broker.close();
});

const publish = (file: string, version: string, extra: string[] = []) =>
  runPactTool('pactflow', [
    'publish-provider-contract',
    file,
    '--provider',
    'pet-api',
    '--provider-app-version',
    version,
    '--branch',
    'main',
    '--content-type',
    'application/yaml',
    '--verification-success',
    ...extra,
    '--broker-base-url',
    broker.url,
  ]);

/** How the provider verified its document, as both CLIs take it. */
const selfVerificationFlags = (results: string): string[] => [
  '--verification-results',
  results,
  '--verification-results-content-type',
  'text/plain',
  '--verification-results-format',
  'text',
  '--verifier',
  'dredd',
  '--verifier-version',
  '14.1.0',
];

async function stored(version: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(
    `${broker.url}/contracts/bi-directional/provider/pet-api/version/${version}/provider-contract`,
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('pactflow publish-provider-contract against a Treaty broker', () => {
  it('publishes the Petstore document; the broker keeps it with the version on its branch', async () => {
    const { code, output } = await publish(petstore, 'pet-1');
    expect(code, output).toBe(0);
    expect(output).toContain('Published provider contract for pet-api version pet-1');
    const { status, body } = await stored('pet-1');
    expect(status).toBe(200);
    expect(body.content).toBe(readFileSync(petstore, 'utf8'));
    expect(body.specification).toBe('oas');
    const version = (await (await fetch(`${broker.url}/pacticipants/pet-api/versions/pet-1`)).json()) as {
      _embedded?: { branchVersions?: Array<{ name: string }> };
    };
    expect(JSON.stringify(version)).toContain('main');
  });

  it('is idempotent: publishing the same version again succeeds and keeps one document', async () => {
    const first = await publish(petstore, 'pet-2');
    const again = await publish(petstore, 'pet-2');
    expect(first.code, first.output).toBe(0);
    expect(again.code, again.output).toBe(0);
    expect((await stored('pet-2')).body.content).toBe(readFileSync(petstore, 'utf8'));
  });

  it('keeps the self-verification sent with the document', async () => {
    const results = join(dir, 'results.txt');
    writeFileSync(results, 'all 19 dredd tests passed\n');
    const { code, output } = await publish(petstore, 'pet-3', selfVerificationFlags(results));
    expect(code, output).toBe(0);
    expect((await stored('pet-3')).body.selfVerificationResults).toEqual({
      success: true,
      content: 'all 19 dredd tests passed\n',
      contentType: 'text/plain',
      format: 'text',
      verifier: 'dredd',
      verifierVersion: '14.1.0',
    });
  });

  it('refuses a file that is not OpenAPI (exit 1), and stores nothing', async () => {
    const bad = join(dir, 'not-openapi.yaml');
    writeFileSync(bad, 'hello: world\n');
    const { code, output } = await publish(bad, 'pet-4');
    expect(code, output).toBe(1);
    expect(output).toContain('TREATY_OPENAPI_INVALID');
    expect((await stored('pet-4')).status).toBe(404);
  });

  it('treaty publish-provider-contract, with the same flags, stores what pactflow stores', async () => {
    const results = join(dir, 'results-treaty.txt');
    writeFileSync(results, 'all 19 dredd tests passed\n');
    const flags = (version: string) => [
      'publish-provider-contract',
      petstore,
      '--provider',
      'pet-api',
      '--provider-app-version',
      version,
      '--branch',
      'main',
      '--tag',
      'v1',
      '--content-type',
      'application/yaml',
      '--verification-success',
      ...selfVerificationFlags(results),
      '--broker-base-url',
      broker.url,
    ];
    const bin = fileURLToPath(new URL('../../cli/bin/treaty.js', import.meta.url));
    const ours = await runProcess(process.execPath, [bin, ...flags('pet-5')]);
    expect(ours.code, ours.output).toBe(0);
    expect(ours.stdout).toContain('Published provider contract for pet-api version pet-5');
    const theirs = await runPactTool('pactflow', flags('pet-6'));
    expect(theirs.code, theirs.output).toBe(0);
    const [a, b] = [(await stored('pet-5')).body, (await stored('pet-6')).body];
    const same = (x: Record<string, unknown>) => ({
      content: x.content,
      contentType: x.contentType,
      specification: x.specification,
      selfVerificationResults: x.selfVerificationResults,
    });
    expect(same(a)).toEqual(same(b));
    expect(a.content).toBe(readFileSync(petstore, 'utf8'));

    const usage = await runProcess(process.execPath, [bin, 'publish-provider-contract', petstore]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('TREATY_CLI_USAGE');
  });
});
