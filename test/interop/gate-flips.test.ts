import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPactTool, type PactTool } from '../support/pact-tools.js';
import { startBroker, type RunningBroker } from '@treaty/broker';

// Only the real Pact tools against a Treaty broker: pact-broker publishes and records the
// deployment, can-i-deploy says no; pact-verifier fetches by selectors and publishes its result;
// can-i-deploy says yes.

const run = (tool: PactTool, args: string[]) => runPactTool(tool, args);

let broker: RunningBroker;
let provider: Server;
let port = 0;
let pacts = '';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-gate-flip-'));
  broker = await startBroker({ port: 0, host: '127.0.0.1', database: join(dir, 'broker.sqlite') });
  pacts = join(dir, 'pacts');
  mkdirSync(pacts);
  writeFileSync(
    join(pacts, 'flip-web-flip-orders.json'),
    JSON.stringify({
      consumer: { name: 'flip-web' },
      provider: { name: 'flip-orders' },
      interactions: [
        {
          type: 'Synchronous/HTTP',
          description: 'a request for order 1',
          request: { method: 'GET', path: '/orders/1' },
          response: {
            status: 200,
            headers: { 'Content-Type': ['application/json'] },
            body: { contentType: 'application/json', encoded: false, content: { id: 1 } },
          },
        },
      ],
      metadata: { pactSpecification: { version: '4.0' } },
    }),
  );
  provider = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"id":1}');
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  port = (provider.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => provider.close(() => r()));
  await broker.close();
});

describe('the gate turns from no to yes with the real Pact tools', () => {
  it('publish, deploy the provider, can-i-deploy no, verify and publish results by selectors, can-i-deploy yes', async () => {
    const b = ['--broker-base-url', broker.url];
    expect(
      (
        await run('pact-broker', [
          'publish',
          pacts,
          '--consumer-app-version',
          'web-1',
          '--branch',
          'main',
          ...b,
        ])
      ).code,
    ).toBe(0);
    expect(
      (await run('pact-broker', ['create-environment', '--name', 'production', '--production', ...b])).code,
    ).toBe(0);
    // The provider version exists once the verifier publishes; record it on its branch first so it can be
    // deployed.
    const ensure = await fetch(`${broker.url}/pacticipants/flip-orders/branches/main/versions/orders-1`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(ensure.status).toBe(201);
    expect(
      (
        await run('pact-broker', [
          'record-deployment',
          '--pacticipant',
          'flip-orders',
          '--version',
          'orders-1',
          '--environment',
          'production',
          ...b,
        ])
      ).code,
    ).toBe(0);
    const ask = () =>
      run('pact-broker', [
        'can-i-deploy',
        '--pacticipant',
        'flip-web',
        '--version',
        'web-1',
        '--to-environment',
        'production',
        ...b,
      ]);
    expect((await ask()).code).toBe(1);
    const verified = await run('pact-verifier', [
      '--broker-url',
      broker.url,
      '--provider-name',
      'flip-orders',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
      '--consumer-version-selectors',
      '{"mainBranch":true}',
      '--publish',
      '--provider-version',
      'orders-1',
      '--provider-branch',
      'main',
      '--no-colour',
    ]);
    expect(verified.code, verified.output).toBe(0);
    const yes = await ask();
    expect(yes.code, yes.output).toBe(0);
  }, 90_000);
});
