import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '@treaty/broker';
import { runPactTool } from '../support/pact-tools.js';
import { type Receiver, startReceiver } from '../support/webhook-receiver.js';

// The real `pact-broker` CLI (@pact-foundation/pact-cli) makes webhooks on a running Treaty broker; the
// broker delivers them to a receiver on 127.0.0.1 (allow-listed, http allowed) as the Pact Broker would.

let broker: RunningBroker;
let receiver: Receiver;
let pacts: string;

const run = async (args: string[]) => {
  const result = await runPactTool('pact-broker', [...args, '--broker-base-url', broker.url]);
  expect(result.code, result.output).toBe(0);
  return result.output;
};

const pact = (description: string) =>
  JSON.stringify({
    consumer: { name: 'hook-web' },
    provider: { name: 'hook-orders' },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description,
        request: { method: 'GET', path: '/' },
        response: { status: 200 },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  });

const publish = (version: string, description: string) => {
  writeFileSync(join(pacts, 'hook-web-hook-orders.json'), pact(description));
  return run(['publish', pacts, '--consumer-app-version', version, '--branch', 'main']);
};

/** The bodies the receiver got from the n-th request on, once the broker has nothing more to send. */
async function bodies(from: number, count: number): Promise<Array<Record<string, string>>> {
  await receiver.waitFor(from + count);
  await broker.app.treatyWebhooks.settled();
  return receiver.received.slice(from).map((r) => JSON.parse(r.body) as Record<string, string>);
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-pact-broker-webhooks-'));
  pacts = join(dir, 'pacts');
  mkdirSync(pacts);
  receiver = await startReceiver();
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    database: join(dir, 'broker.sqlite'),
    webhooks: { schemes: ['http'], hosts: ['127.0.0.1'], retrySchedule: [0.05, 0.05] },
  });
  // The provider in use: its main branch head, a version deployed to production and one released.
  await publish('0', 'before any webhook');
  await run([
    'create-or-update-version',
    '--pacticipant',
    'hook-orders',
    '--version',
    'p-main',
    '--branch',
    'main',
  ]);
  await run([
    'create-or-update-version',
    '--pacticipant',
    'hook-orders',
    '--version',
    'p-prod',
    '--branch',
    'release',
  ]);
  await run([
    'create-or-update-version',
    '--pacticipant',
    'hook-orders',
    '--version',
    'p-rel',
    '--branch',
    'mobile',
  ]);
  await run(['create-environment', '--name', 'production', '--production']);
  await run(['create-environment', '--name', 'appstore']);
  await run([
    'record-deployment',
    '--pacticipant',
    'hook-orders',
    '--version',
    'p-prod',
    '--environment',
    'production',
  ]);
  await run([
    'record-release',
    '--pacticipant',
    'hook-orders',
    '--version',
    'p-rel',
    '--environment',
    'appstore',
  ]);
}, 120_000);

afterAll(async () => {
  await broker.close();
  await receiver.close();
});

describe('pact-broker webhooks against a Treaty broker', () => {
  it('create-webhook, then a changed contract: one POST per provider version that must verify it', async () => {
    const output = await run([
      'create-webhook',
      `${receiver.url}/verify`,
      '--request',
      'POST',
      '--header',
      'Content-Type: application/json',
      '--data',
      '{"version":"${pactbroker.providerVersionNumber}","branch":"${pactbroker.providerVersionBranch}","consumerVersion":"${pactbroker.consumerVersionNumber}","why":"${pactbroker.providerVersionDescriptions}"}',
      '--contract-requiring-verification-published',
      '--provider',
      'hook-orders',
    ]);
    expect(output).toMatch(/created|webhook/i);
    await publish('1', 'changed');
    const got = await bodies(0, 3);
    expect(got.sort((a, b) => (a.version ?? '').localeCompare(b.version ?? ''))).toEqual([
      { version: 'p-main', branch: 'main', consumerVersion: '1', why: 'latest from main branch' },
      { version: 'p-prod', branch: 'release', consumerVersion: '1', why: 'deployed in production' },
      { version: 'p-rel', branch: 'mobile', consumerVersion: '1', why: 'released in appstore' },
    ]);
    expect(receiver.received.every((r) => r.method === 'POST' && r.url === '/verify')).toBe(true);
    expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
  }, 60_000);

  it('create-or-update-webhook --uuid, then a failed verification: provider_verification_failed with the status', async () => {
    const uuid = 'verification-status-hook-0001';
    const args = (description: string) => [
      'create-or-update-webhook',
      `${receiver.url}/status`,
      '--uuid',
      uuid,
      '--request',
      'POST',
      '--header',
      'Content-Type: application/json',
      '--data',
      '{"state":"${pactbroker.githubVerificationStatus}","event":"${pactbroker.eventName}","provider":"${pactbroker.providerVersionNumber}","consumerVersion":"${pactbroker.consumerVersionNumber}"}',
      '--provider-verification-failed',
      '--provider',
      'hook-orders',
      '--description',
      description,
    ];
    await run(args('first'));
    await run(args('second'));
    const hook = (await (await fetch(`${broker.url}/webhooks/${uuid}`)).json()) as { description: string };
    expect(hook.description).toBe('second');
    const before = receiver.received.length;
    // What pact-verifier sends for a failure, to the link the pact gave it.
    const latest = (await (
      await fetch(`${broker.url}/pacts/provider/hook-orders/consumer/hook-web/latest`)
    ).json()) as {
      _links: { 'pb:publish-verification-results': { href: string } };
    };
    const res = await fetch(
      new URL(new URL(latest._links['pb:publish-verification-results'].href).pathname, broker.url),
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/hal+json' },
        body: JSON.stringify({
          success: false,
          providerApplicationVersion: 'p-prod',
          verifiedBy: { implementation: 'Pact-Rust', version: '1.4.7' },
          testResults: [
            {
              interactionId: 'x',
              success: false,
              mismatches: [{ attribute: 'status', description: 'expected 200 but was 500' }],
            },
          ],
        }),
      },
    );
    expect(res.status).toBe(201);
    expect(await bodies(before, 1)).toEqual([
      { state: 'failure', event: 'provider_verification_failed', provider: 'p-prod', consumerVersion: '1' },
    ]);
  }, 60_000);

  it('the same content from a new consumer version: only the provider versions that have not verified it', async () => {
    const before = receiver.received.length;
    await publish('2', 'changed');
    const got = await bodies(before, 2);
    expect(got.map((b) => b.version).sort()).toEqual(['p-main', 'p-rel']);
    expect(got.every((b) => b.consumerVersion === '2')).toBe(true);
  }, 60_000);

  it('test-webhook runs a webhook now', async () => {
    const before = receiver.received.length;
    const output = await run(['test-webhook', '--uuid', 'verification-status-hook-0001']);
    expect(output).toMatch(/success|200/i);
    expect(await bodies(before, 1)).toEqual([
      expect.objectContaining({ event: 'test', consumerVersion: '2', state: 'failure' }),
    ]);
  }, 60_000);
});
