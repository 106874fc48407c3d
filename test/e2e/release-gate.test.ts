import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsumerContract, integer, like } from '@treaty/core';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { main, type CliIo } from '@treaty/cli';
import { brokerDatabases, usePostgres } from '../support/postgres.js';

// Treaty's own CLI end to end: publish → verify and publish results → record the provider's
// deployment → can-i-deploy says yes; a consumer that needs more says no, with the reason. On a
// broker on SQLite, and again on one on PostgreSQL.
const postgres = usePostgres();
let broker: RunningBroker;
let provider: Server;
let providerUrl = '';
let pacts = '';

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

async function consumerTest(field: string, consumer = 'gate2-web', provider = 'gate2-orders'): Promise<void> {
  pacts = mkdtempSync(join(tmpdir(), 'treaty-gate-pacts-'));
  await new ConsumerContract({ consumer, provider, dir: pacts })
    .addInteraction()
    .uponReceiving(`order 1 with ${field}`)
    .withRequest('GET', '/orders/1')
    .willRespondWith(200, (res) => res.jsonBody(like({ [field]: integer(1) })))
    .executeTest(async (mock) => void (await fetch(`${mock.url}/orders/1`)));
}

beforeAll(async () => {
  provider = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"id":1}');
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => provider.close(() => r()));
});

const b = () => ['--broker-base-url', broker.url];

describe.each(brokerDatabases(postgres))('the release gate with Treaty’s CLI, on $store', ({ database }) => {
  beforeAll(async () => {
    broker = await startBroker({ port: 0, host: '127.0.0.1', database: await database() });
  });
  afterAll(async () => {
    await broker.close();
  });

  it('publish → verify → deploy → can-i-deploy yes; a consumer needing a missing field → no, with the reason', async () => {
    await consumerTest('id');
    const pub = io();
    expect(
      await main(['publish', pacts, '--consumer-app-version', 'web-1', '--branch', 'main', ...b()], pub),
      pub.out(),
    ).toBe(0);
    expect(pub.out()).toContain('Pact published');

    const ver = io();
    expect(
      await main(
        [
          'verify',
          '--provider-base-url',
          providerUrl,
          '--provider',
          'gate2-orders',
          ...b(),
          '--consumer-version-selectors',
          '{"mainBranch":true}',
          '--publish-verification-results',
          '--provider-app-version',
          'orders-1',
          '--provider-version-branch',
          'main',
        ],
        ver,
      ),
      ver.out(),
    ).toBe(0);

    const env = (await (
      await fetch(`${broker.url}/environments`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":"production","production":true}',
      })
    ).json()) as { uuid: string };
    expect(
      (
        await fetch(
          `${broker.url}/pacticipants/gate2-orders/versions/orders-1/deployed-versions/environment/${env.uuid}`,
          { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' },
        )
      ).status,
    ).toBe(201);

    const yes = io();
    expect(
      await main(
        [
          'can-i-deploy',
          '--pacticipant',
          'gate2-web',
          '--version',
          'web-1',
          '--to-environment',
          'production',
          ...b(),
        ],
        yes,
      ),
      yes.out(),
    ).toBe(0);
    expect(yes.out()).toContain('Computer says yes');
    expect(yes.out()).toMatch(/gate2-web\s+web-1\s+gate2-orders\s+orders-1\s+success/);

    await consumerTest('rating');
    expect(
      await main(['publish', pacts, '--consumer-app-version', 'web-2', '--branch', 'main', ...b()], io()),
    ).toBe(0);
    await main(
      [
        'verify',
        '--provider-base-url',
        providerUrl,
        '--provider',
        'gate2-orders',
        ...b(),
        '--consumer-version-selectors',
        '{"mainBranch":true}',
        '--publish-verification-results',
        '--provider-app-version',
        'orders-1',
        '--provider-version-branch',
        'main',
      ],
      io(),
    );
    const no = io();
    expect(
      await main(
        [
          'can-i-deploy',
          '--pacticipant',
          'gate2-web',
          '--version',
          'web-2',
          '--to-environment',
          'production',
          ...b(),
        ],
        no,
      ),
    ).toBe(1);
    expect(no.out()).toContain('Computer says no');
    expect(no.out()).toContain(
      'gate2-orders orders-1 (currently in production) failed to verify the pact of gate2-web web-2',
    );
    const json = io();
    expect(
      await main(
        [
          'can-i-deploy',
          '--pacticipant',
          'gate2-web',
          '--version',
          'web-2',
          '--to-environment',
          'production',
          '--output',
          'json',
          ...b(),
        ],
        json,
      ),
    ).toBe(1);
    expect(JSON.parse(json.out())).toMatchObject({ summary: { deployable: false } });
  }, 60_000);

  it('--retry-while-unknown asks again while results are missing: gives up after n tries, or turns to yes once the provider verifies', async () => {
    await consumerTest('id', 'gate3-web', 'gate3-orders');
    expect(
      await main(['publish', pacts, '--consumer-app-version', 'web-1', '--branch', 'main', ...b()], io()),
    ).toBe(0);
    expect(await main(['create-environment', '--name', 'retry-env', ...b()], io())).toBe(0);
    expect(
      (
        await fetch(`${broker.url}/pacticipants/gate3-orders/branches/main/versions/orders-1`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        })
      ).ok,
    ).toBe(true);
    expect(
      await main(
        [
          'record-deployment',
          '--pacticipant',
          'gate3-orders',
          '--version',
          'orders-1',
          '--environment',
          'retry-env',
          ...b(),
        ],
        io(),
      ),
    ).toBe(0);
    const ask = (retries: string, out: CliIo) =>
      main(
        [
          'can-i-deploy',
          '--pacticipant',
          'gate3-web',
          '--version',
          'web-1',
          '--to-environment',
          'retry-env',
          '--retry-while-unknown',
          retries,
          '--retry-interval',
          '0.05',
          ...b(),
        ],
        out,
      );

    const givesUp = io();
    expect(await ask('2', givesUp)).toBe(1);
    expect(givesUp.out().match(/Waiting for verification results/g)).toHaveLength(2);
    expect(givesUp.out()).toContain('Computer says no: results are missing');

    const waits = io();
    const answer = ask('200', waits);
    while (!waits.out().includes('Waiting for verification results'))
      await new Promise((r) => setTimeout(r, 10));
    const verified = io();
    expect(
      await main(
        [
          'verify',
          '--provider-base-url',
          providerUrl,
          '--provider',
          'gate3-orders',
          ...b(),
          '--publish-verification-results',
          '--provider-app-version',
          'orders-1',
          '--provider-version-branch',
          'main',
        ],
        verified,
      ),
      verified.out(),
    ).toBe(0);
    expect(await answer, waits.out()).toBe(0);
    expect(waits.out()).toContain('Computer says yes');
  }, 60_000);

  it('refuses bad command lines with usage errors', async () => {
    const x = io();
    expect(await main(['can-i-deploy', '--pacticipant', 'a', ...b()], x)).toBe(2);
    expect(x.out()).toContain(
      'Say which version of a: --version <v>, --latest [tag], --branch <b> or --main-branch.',
    );
    const y = io();
    expect(await main(['publish', '--consumer-app-version', '1', ...b()], y)).toBe(2);
  });
});
