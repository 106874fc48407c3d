import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsumerContract, integer, like } from '@treaty/core';
import { contentSha, openStore, startBroker, type RunningBroker } from '@treaty/broker';
import { main, type CliIo } from '@treaty/cli';
import { brokerDatabases, usePostgres } from '../support/postgres.js';

// A consumer test writes a contract; it is published to a running Treaty broker; `treaty verify`
// fetches it back by selectors and publishes the result — every part real. On a broker on SQLite,
// and again on one on PostgreSQL.
const postgres = usePostgres();
let broker: RunningBroker;
let provider: Server;
let providerUrl = '';
let database = '';
let mainContent = '';
let breaking = false;
let withRating = false;

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

async function writeContract(field: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-e2e-pacts-'));
  await new ConsumerContract({ consumer: 'e2e-web', provider: 'e2e-orders', dir })
    .addInteraction()
    .given('order 1 exists', { id: 1 })
    .uponReceiving(`a request for order 1 needing ${field}`)
    .withRequest('GET', '/orders/1')
    .willRespondWith(200, (res) => res.jsonBody(like({ [field]: integer(1) })))
    .executeTest(async (mock) => {
      await (await fetch(`${mock.url}/orders/1`)).json();
    });
  return readFileSync(join(dir, 'e2e-web-e2e-orders.json'), 'utf8');
}

async function publish(content: string, version: string, branch: string): Promise<void> {
  const res = await fetch(`${broker.url}/contracts/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      pacticipantName: 'e2e-web',
      pacticipantVersionNumber: version,
      branch,
      contracts: [
        {
          consumerName: 'e2e-web',
          providerName: 'e2e-orders',
          specification: 'pact',
          contentType: 'application/json',
          content: Buffer.from(content).toString('base64'),
        },
      ],
    }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  provider = createServer((req, res) => {
    if (req.url === '/_states') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('{}');
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(breaking ? { identifier: 1 } : withRating ? { id: 1, rating: 5 } : { id: 1 }));
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => provider.close(() => r()));
});

const verify = (selectors: unknown[], extra: string[] = []) => [
  'verify',
  '--provider-base-url',
  providerUrl,
  '--provider',
  'e2e-orders',
  '--broker-base-url',
  broker.url,
  '--provider-states-setup-url',
  `${providerUrl}/_states`,
  ...selectors.flatMap((s) => ['--consumer-version-selectors', JSON.stringify(s)]),
  ...extra,
];

describe.each(brokerDatabases(postgres))('consumer → broker → treaty verify → broker, on $store', (store) => {
  beforeAll(async () => {
    database = await store.database();
    broker = await startBroker({ port: 0, host: '127.0.0.1', database });
    mainContent = await writeContract('id');
    await publish(mainContent, '1.0.0', 'main');
    await publish(await writeContract('rating'), '1.1.0-feat', 'feat-rating');
  });
  afterAll(async () => {
    await broker.close();
  });

  it('verifies the main-branch pact from the broker and publishes a successful result', async () => {
    const out = io();
    const code = await main(
      verify(
        [{ mainBranch: true }],
        [
          '--publish-verification-results',
          '--provider-app-version',
          'orders-1',
          '--provider-version-branch',
          'main',
        ],
      ),
      out,
    );
    expect(code, out.out()).toBe(0);
    expect(out.out()).toContain('ok    a request for order 1 needing id');
    expect(out.out()).toContain('note: The pact at');
    expect(out.out()).toContain('Published 1 verification result(s) to the broker.');
    const opened = await openStore(database);
    const results = await opened.verificationsFor(
      'e2e-web',
      'e2e-orders',
      contentSha(JSON.stringify(JSON.parse(mainContent))),
    );
    expect(results.map((r) => [r.providerVersion, r.success])).toEqual([['orders-1', true]]);
    expect(await opened.getVersion('e2e-orders', 'orders-1')).toMatchObject({ branches: ['main'] });
    await opened.close();
  });

  it('treats the feature-branch pact as pending: its failure is reported, the run passes, the failure is published', async () => {
    const out = io();
    const code = await main(
      verify(
        [{ branch: 'feat-rating' }],
        [
          '--enable-pending',
          '--publish-verification-results',
          '--provider-app-version',
          'orders-2',
          '--provider-version-branch',
          'main',
        ],
      ),
      out,
    );
    expect(code, out.out()).toBe(0);
    expect(out.out()).toContain('[pending]');
    expect(out.out()).toContain('PEND  a request for order 1 needing rating');
  });

  it('adds work-in-progress pacts from consumer branches as pending, and a WIP result does not make them verified', async () => {
    const run = async () => {
      const out = io();
      const code = await main(
        verify(
          [{ mainBranch: true }],
          [
            '--include-wip-pacts-since',
            '2020-01-01',
            '--provider-version-branch',
            'main',
            '--publish-verification-results',
            '--provider-app-version',
            'orders-3',
          ],
        ),
        out,
      );
      return { code, text: out.out() };
    };
    withRating = true;
    try {
      const first = await run();
      expect(first.code, first.text).toBe(0);
      expect(first.text).toContain('work in progress');
      expect(first.text).toContain('ok    a request for order 1 needing rating');
      // Verified only in WIP mode: it is still work in progress for this branch next time.
      const second = await run();
      expect(second.text).toContain('ok    a request for order 1 needing rating');
      expect(second.text).toContain('work in progress');
    } finally {
      withRating = false;
    }
  });

  it('fails the run when the provider breaks the verified main-branch pact', async () => {
    breaking = true;
    try {
      const out = io();
      const code = await main(
        verify([{ mainBranch: true }], ['--enable-pending', '--provider-version-branch', 'main']),
        out,
      );
      expect(code).toBe(1);
      expect(out.out()).toContain("$.body.id: expected 1 but the key 'id' is missing");
    } finally {
      breaking = false;
    }
  });

  it('says what to do for a usage mistake with a broker', async () => {
    const out = io();
    expect(
      await main(
        [
          'verify',
          '--provider-base-url',
          providerUrl,
          '--broker-base-url',
          broker.url,
          '--consumer-version-selectors',
          '{bad',
        ],
        out,
      ),
    ).toBe(2);
    expect(out.out()).toContain('is not JSON');
    const out2 = io();
    expect(
      await main(['verify', '--provider-base-url', providerUrl, '--broker-base-url', broker.url], out2),
    ).toBe(2);
    expect(out2.out()).toContain('needs the provider name');
  });
});
