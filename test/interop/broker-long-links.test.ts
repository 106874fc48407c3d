import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPactTool } from '../support/pact-tools.js';
import { pact, publishBody } from '../hostile/broker-support.js';
import { LIMITS, SqliteStore, contentSha, startBroker, type RunningBroker } from '@treaty/broker';

// Pact's recommended setup against a Treaty broker, with 40-character git SHAs as versions: the same
// content published under two consumer versions, one at the head of main, one recorded as deployed;
// the provider verifies with the mainBranch and deployedOrReleased selectors. The for-verification
// link then carries both versions (a token over 100 characters, which fastify's default router
// refused), and the real pact-verifier and `treaty verify` both verify and publish through it.

const CONSUMER = 'long-links-web';
const PROVIDER = 'long-links-orders';
const MAIN_SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const DEPLOYED_SHA = '89e6c98d92887913cadf06b2adb97f26cde4849b';
const selectors = [{ mainBranch: true }, { deployedOrReleased: true }];

let broker: RunningBroker;
let provider: Server;
let port = 0;
let database = '';

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${broker.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/hal+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  database = join(mkdtempSync(join(tmpdir(), 'treaty-long-links-')), 'broker.sqlite');
  broker = await startBroker({ port: 0, host: '127.0.0.1', database });
  await api('POST', '/contracts/publish', publishBody(CONSUMER, PROVIDER, MAIN_SHA, { branch: 'main' }));
  await api(
    'POST',
    '/contracts/publish',
    publishBody(CONSUMER, PROVIDER, DEPLOYED_SHA, { branch: 'release' }),
  );
  const env = await api('POST', '/environments', { name: 'production', production: true });
  await api(
    'POST',
    `/pacticipants/${CONSUMER}/versions/${DEPLOYED_SHA}/deployed-versions/environment/${String(env.uuid)}`,
    {},
  );
  provider = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ id: 7 }));
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
  port = (provider.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => provider.close(() => r()));
  await broker.close();
});

async function results(): Promise<Array<[string, boolean]>> {
  const store = SqliteStore.open(database);
  const list = await store.verificationsFor(
    CONSUMER,
    PROVIDER,
    contentSha(JSON.stringify(pact(CONSUMER, PROVIDER))),
  );
  await store.close();
  return list.map((v) => [v.providerVersion, v.success]);
}

describe('verifying through a long for-verification link', () => {
  it('issues one pact whose link carries both 40-character SHAs, longer than fastify’s default limit', async () => {
    const fv = (await api('POST', `/pacts/provider/${PROVIDER}/for-verification`, {
      consumerVersionSelectors: selectors,
    })) as { _embedded: { pacts: Array<{ _links: { self: { href: string } } }> } };
    expect(fv._embedded.pacts).toHaveLength(1);
    const href = fv._embedded.pacts[0]?._links.self.href ?? '';
    const token = href.split('/metadata/')[1] ?? '';
    expect(token.length).toBeGreaterThan(100);
    expect(token.length).toBeLessThanOrEqual(LIMITS.token);
    const got = await fetch(href, { headers: { Accept: 'application/hal+json' } });
    expect(got.status).toBe(200);
  });

  it('pact-verifier with mainBranch and deployedOrReleased verifies and publishes', async () => {
    const providerVersion = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
    const { code, output } = await runPactTool('pact-verifier', [
      '--broker-url',
      broker.url,
      '--provider-name',
      PROVIDER,
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
      ...selectors.flatMap((s) => ['--consumer-version-selectors', JSON.stringify(s)]),
      '--publish',
      '--provider-version',
      providerVersion,
      '--provider-branch',
      'main',
      '--no-colour',
    ]);
    expect(code, output).toBe(0);
    expect(output).toContain('a request for order 1');
    expect(await results()).toContainEqual([providerVersion, true]);
  }, 60_000);

  it('treaty verify with the same selectors verifies and publishes', async () => {
    const providerVersion = '0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33';
    const { code, output } = await runPactTool('treaty', [
      'verify',
      '--provider-base-url',
      `http://127.0.0.1:${port}`,
      '--provider',
      PROVIDER,
      '--broker-base-url',
      broker.url,
      ...selectors.flatMap((s) => ['--consumer-version-selectors', JSON.stringify(s)]),
      '--provider-app-version',
      providerVersion,
      '--provider-version-branch',
      'main',
      '--publish-verification-results',
    ]);
    expect(code, output).toBe(0);
    expect(await results()).toContainEqual([providerVersion, true]);
  }, 60_000);
});
