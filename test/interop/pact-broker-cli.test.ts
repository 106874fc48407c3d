import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPactTool } from '../support/pact-tools.js';
import { SqliteStore, startBroker, type RunningBroker } from '@treaty/broker';

// The real `pact-broker` CLI (@pact-foundation/pact-cli) against a running Treaty broker.

const run = (args: string[]) => runPactTool('pact-broker', args);

const pact = (provider: string, description: string) =>
  JSON.stringify({
    consumer: { name: 'cli-web' },
    provider: { name: provider },
    interactions: [{ type: 'Synchronous/HTTP', description, request: { method: 'GET', path: '/' }, response: { status: 200 } }],
    metadata: { pactSpecification: { version: '4.0' } },
  });

let broker: RunningBroker;
let database: string;
let pacts: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-pact-broker-cli-'));
  database = join(dir, 'broker.sqlite');
  pacts = join(dir, 'pacts');
  mkdirSync(pacts);
  writeFileSync(join(pacts, 'cli-web-cli-orders.json'), pact('cli-orders', 'a'));
  writeFileSync(join(pacts, 'cli-web-cli-billing.json'), pact('cli-billing', 'b'));
  broker = await startBroker({ port: 0, host: '127.0.0.1', database });
});

afterAll(async () => {
  await broker.close();
});

describe('pact-broker publish against a Treaty broker', () => {
  it('publishes every pact of a folder with the version, branch and tags', async () => {
    const { code, output } = await run(['publish', pacts, '--consumer-app-version', '1.0.0', '--branch', 'main', '--tag', 'prod', '--broker-base-url', broker.url]);
    expect(code, output).toBe(0);
    const store = SqliteStore.open(database);
    // The CLI normalises the file before sending it (it adds defaults and its own metadata).
    const stored = async (provider: string) => JSON.parse((await store.getPact('cli-web', '1.0.0', provider))?.content ?? 'null') as { provider: { name: string }; interactions: Array<{ description: string }> };
    expect(await stored('cli-orders')).toMatchObject({ provider: { name: 'cli-orders' }, interactions: [{ description: 'a' }] });
    expect(await stored('cli-billing')).toMatchObject({ provider: { name: 'cli-billing' }, interactions: [{ description: 'b' }] });
    expect(await store.getVersion('cli-web', '1.0.0')).toMatchObject({ branches: ['main'], tags: ['prod'] });
    await store.close();
  }, 60_000);

  it('fails (non-zero) when changed content is published for the same version', async () => {
    writeFileSync(join(pacts, 'cli-web-cli-orders.json'), pact('cli-orders', 'changed'));
    const { code, output } = await run(['publish', pacts, '--consumer-app-version', '1.0.0', '--branch', 'main', '--broker-base-url', broker.url]);
    expect(code).not.toBe(0);
    expect(output).toMatch(/different pact|409|conflict/i);
  }, 60_000);
});

describe('pact-broker environments, deployments and releases against a Treaty broker', () => {
  it('creates and lists environments', async () => {
    const created = await run(['create-environment', '--name', 'production', '--display-name', 'Production', '--production', '--broker-base-url', broker.url]);
    expect(created.code, created.output).toBe(0);
    expect((await run(['create-environment', '--name', 'staging', '--broker-base-url', broker.url])).code).toBe(0);
    const listed = await run(['list-environments', '--broker-base-url', broker.url]);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toContain('production');
    expect(listed.output).toContain('staging');
  }, 60_000);

  it('records a deployment, a release and an undeployment', async () => {
    const deployed = await run(['record-deployment', '--pacticipant', 'cli-web', '--version', '1.0.0', '--environment', 'production', '--broker-base-url', broker.url]);
    expect(deployed.code, deployed.output).toBe(0);
    const released = await run(['record-release', '--pacticipant', 'cli-web', '--version', '1.0.0', '--environment', 'staging', '--broker-base-url', broker.url]);
    expect(released.code, released.output).toBe(0);
    const store = SqliteStore.open(database);
    const production = await store.findEnvironment('production');
    const staging = await store.findEnvironment('staging');
    expect(production?.production).toBe(true);
    expect((await store.currentlyDeployed(production?.uuid ?? '')).map((d) => [d.pacticipant, d.version])).toEqual([['cli-web', '1.0.0']]);
    expect((await store.currentlySupported(staging?.uuid ?? '')).map((r) => [r.pacticipant, r.version])).toEqual([['cli-web', '1.0.0']]);
    await store.close();
    const undeployed = await run(['record-undeployment', '--pacticipant', 'cli-web', '--environment', 'production', '--broker-base-url', broker.url]);
    expect(undeployed.code, undeployed.output).toBe(0);
    const again = SqliteStore.open(database);
    expect(await again.currentlyDeployed(production?.uuid ?? '')).toEqual([]);
    await again.close();
  }, 60_000);

  it('fails to record a deployment of a version that does not exist', async () => {
    const r = await run(['record-deployment', '--pacticipant', 'cli-web', '--version', '9.9.9', '--environment', 'production', '--broker-base-url', broker.url]);
    expect(r.code).not.toBe(0);
  }, 60_000);
});

describe('pact-broker version commands against a Treaty broker', () => {
  it('creates a version tag and describes the version', async () => {
    const tagged = await run(['create-version-tag', '--pacticipant', 'cli-web', '--version', '1.0.0', '--tag', 'golden', '--broker-base-url', broker.url]);
    expect(tagged.code, tagged.output).toBe(0);
    const described = await run(['describe-version', '--pacticipant', 'cli-web', '--version', '1.0.0', '--broker-base-url', broker.url, '--output', 'json']);
    expect(described.code, described.output).toBe(0);
    expect(described.output).toContain('golden');
  }, 60_000);
});
