import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/types.js';

// With a database over the network (PostgreSQL) every store call is a round trip: the gate and pacts
// for verification must ask a handful of questions per answer, however long the history is, and the
// integrations pages one, however many integrations there are.

/** The store, counting the calls made through it by method name. */
function counting(store: Store): { store: Store; calls: Map<string, number>; total: () => number } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls, total: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}

const pact = (consumer: string, provider: string, revision: number) =>
  JSON.stringify({
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description: `${consumer} reads ${provider} rev ${revision}`,
        request: { method: 'GET', path: `/things/${revision}` },
        response: { status: 200, body: { rev: revision } },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  });

const consumers = ['web', 'mobile', 'admin', 'orders'];
const providersOf: Record<string, string[]> = {
  web: ['orders', 'payments', 'users'],
  mobile: ['orders', 'users'],
  admin: ['orders', 'payments', 'users'],
  orders: ['users'],
};

/**
 * A broker with some history: `n` versions of each consumer (on main and feature branches, some
 * tagged), `n` versions of each provider verifying them (some failing), deployments and releases
 * in two environments, and WIP pacts at the head of feature branches.
 */
async function history(n: number): Promise<SqliteStore> {
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-round-trips-')), 'b.sqlite'));
  const production = await store.createEnvironment({ name: 'production', production: true });
  const staging = await store.createEnvironment({ name: 'staging', production: false });
  for (const consumer of consumers) {
    for (let v = 1; v <= n; v++) {
      await store.publishContracts({
        consumer,
        consumerVersion: `${consumer}-${v}`,
        branch: v % 4 === 0 ? `feat-${v % 3}` : 'main',
        tags: v % 5 === 0 ? ['prod'] : [],
        contracts: providersOf[consumer]?.map((provider) => ({
          provider,
          content: pact(consumer, provider, Math.floor(v / 3)),
        })) as Array<{ provider: string; content: string }>,
      });
    }
  }
  for (const provider of ['orders', 'payments', 'users']) {
    for (let v = 1; v <= n; v++) {
      await store.ensureVersion(provider, `${provider}-${v}`, { branch: v % 6 === 0 ? 'feat-p' : 'main' });
      for (const consumer of consumers.filter((c) => providersOf[c]?.includes(provider))) {
        const p = await store.getPact(consumer, `${consumer}-${v}`, provider);
        if (p === undefined) continue;
        await store.recordVerification({
          consumer,
          provider,
          providerVersion: `${provider}-${v}`,
          sha: p.sha,
          success: v % 7 !== 0,
        });
      }
    }
    await store.recordDeployment({
      pacticipant: provider,
      version: `${provider}-${n}`,
      environmentUuid: production.uuid,
    });
    await store.recordDeployment({
      pacticipant: provider,
      version: `${provider}-${Math.max(1, n - 1)}`,
      environmentUuid: staging.uuid,
    });
    await store.recordRelease({
      pacticipant: provider,
      version: `${provider}-${Math.max(1, n - 1)}`,
      environmentUuid: production.uuid,
    });
  }
  for (const consumer of consumers) {
    await store.recordDeployment({
      pacticipant: consumer,
      version: `${consumer}-${Math.max(1, n - 1)}`,
      environmentUuid: production.uuid,
    });
    await store.recordRelease({
      pacticipant: consumer,
      version: `${consumer}-${n}`,
      environmentUuid: staging.uuid,
    });
  }
  return store;
}

/** The heavy requests, each as a client sends it. */
const requests = (n: number) => ({
  'can-i-deploy web → production': {
    method: 'GET' as const,
    url: `/can-i-deploy?pacticipant=web&version=web-${n}&environment=production`,
  },
  'can-i-deploy orders → production (as consumer and provider), ignoring admin': {
    method: 'GET' as const,
    url: `/can-i-deploy?pacticipant=orders&version=orders-${n}&environment=production&ignore[]=admin`,
  },
  'matrix: three selectors → production': {
    method: 'GET' as const,
    url: `/matrix?q[][pacticipant]=web&q[][version]=web-${n}&q[][pacticipant]=mobile&q[][version]=mobile-${n}&q[][pacticipant]=orders&q[][latest]=true&environment=production&latestby=cvpv`,
  },
  'matrix: six selectors, each kind, → staging': {
    method: 'GET' as const,
    url: `/matrix?q[][pacticipant]=web&q[][version]=web-${n}&q[][pacticipant]=mobile&q[][branch]=main&q[][pacticipant]=admin&q[][tag]=prod&q[][latest]=true&q[][pacticipant]=orders&q[][mainBranch]=true&q[][pacticipant]=users&q[][environment]=production&q[][pacticipant]=payments&q[][latest]=true&environment=staging&ignore[][pacticipant]=admin&ignore[][version]=admin-1`,
  },
  'matrix: one pacticipant, its newest versions, no target': {
    method: 'GET' as const,
    url: '/matrix?q[][pacticipant]=orders&q[][branch]=main',
  },
  'pacts for verification: seven selectors, pending and WIP': {
    method: 'POST' as const,
    url: '/pacts/provider/orders/for-verification',
    payload: {
      consumerVersionSelectors: [
        { mainBranch: true },
        { branch: 'feat-1' },
        { tag: 'prod', latest: true },
        { tag: 'prod' },
        { deployedOrReleased: true },
        { environment: 'staging' },
        { tag: 'nope', latest: true, fallbackTag: 'prod' },
      ],
      includePendingStatus: true,
      providerVersionBranch: 'main',
      includeWipPactsSince: '2000-01-01',
    },
  },
  'pacts for verification: default selectors, pending': {
    method: 'POST' as const,
    url: '/pacts/provider/users/for-verification',
    payload: { providerVersionBranch: 'feat-new' },
  },
});

/** The most store calls a heavy request makes when no comparison with an OpenAPI document is due. */
const atMost = { gate: 5, forVerification: 3 };

async function measure(n: number): Promise<Record<string, { total: number; calls: string }>> {
  const seeded = await history(n);
  const counted = counting(seeded);
  const app = await buildApp({ store: counted.store });
  await app.ready();
  await app.treatyWebhooks.settled();
  const out: Record<string, { total: number; calls: string }> = {};
  try {
    for (const [name, request] of Object.entries(requests(n))) {
      counted.calls.clear();
      const res = await app.inject(request);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
      out[name] = {
        total: counted.total(),
        calls: [...counted.calls].map(([k, v]) => `${k}×${v}`).join(' '),
      };
    }
  } finally {
    await app.close();
    await seeded.close();
  }
  return out;
}

describe('store calls per heavy request', () => {
  it('are a few, and as many for 50 versions of everything as for 2', async () => {
    const short = await measure(2);
    const long = await measure(50);
    for (const name of Object.keys(short)) {
      const bound = name.startsWith('pacts for verification') ? atMost.forVerification : atMost.gate;
      expect(long[name]?.total, `${name}: ${long[name]?.calls}`).toBeLessThanOrEqual(bound);
      // The same calls, whatever the history.
      expect(long[name], name).toEqual(short[name]);
    }
  }, 120_000);

  it('are one for the integrations pages and /integrations, however many integrations there are', async () => {
    /** Store calls per request on a broker where each of `k` consumers has `k` providers. */
    const callsWith = async (k: number): Promise<Record<string, Record<string, number>>> => {
      const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-round-trips-')), 'b.sqlite'));
      for (let c = 0; c < k; c++)
        for (let v = 1; v <= 2; v++)
          await store.publishContracts({
            consumer: `c${c}`,
            consumerVersion: `${v}`,
            contracts: Array.from({ length: k }, (_, p) => ({
              provider: `p${p}`,
              content: pact(`c${c}`, `p${p}`, v),
            })),
          });
      for (let p = 0; p < k; p++) {
        const { sha } = (await store.latestPact('c0', `p${p}`)) ?? { sha: '' };
        await store.recordVerification({
          consumer: 'c0',
          provider: `p${p}`,
          providerVersion: '1',
          sha,
          success: true,
        });
      }
      const counted = counting(store);
      const app = await buildApp({ store: counted.store });
      await app.ready();
      await app.treatyWebhooks.settled();
      const out: Record<string, Record<string, number>> = {};
      try {
        for (const [url, html] of [
          ['/', true],
          ['/ui/network', true],
          ['/integrations', false],
        ] as const) {
          counted.calls.clear();
          const res = await app.inject({
            url,
            headers: { accept: html ? 'text/html' : 'application/hal+json' },
          });
          expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
          if (url === '/')
            expect(res.body).toContain(`${k * k} contracts between consumers and providers: ${k} verified`);
          if (url === '/integrations')
            expect(
              (res.json() as { _embedded: { integrations: unknown[] } })._embedded.integrations,
            ).toHaveLength(k * k);
          out[url] = Object.fromEntries(counted.calls);
        }
      } finally {
        await app.close();
        await store.close();
      }
      return out;
    };
    const few = await callsWith(2);
    expect(few).toEqual({
      '/': { integrationSummaries: 1 },
      '/ui/network': { integrationSummaries: 1 },
      '/integrations': { integrationSummaries: 1 },
    });
    expect(await callsWith(7)).toEqual(few);
  });

  it('grow only by the comparisons with OpenAPI documents made on demand, once', async () => {
    const seeded = await history(6);
    await seeded.publishProviderContract({
      provider: 'orders',
      providerVersion: 'orders-6',
      content: JSON.stringify({ openapi: '3.0.0', info: { title: 'orders', version: '1' }, paths: {} }),
      contentType: 'application/json',
      specification: 'oas',
    });
    const counted = counting(seeded);
    const app = await buildApp({ store: counted.store });
    await app.ready();
    await app.treatyWebhooks.settled();
    const ask = async () => {
      counted.calls.clear();
      const res = await app.inject({
        method: 'GET',
        url: '/matrix?q[][pacticipant]=mobile&q[][version]=mobile-5&q[][pacticipant]=orders&q[][version]=orders-6',
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { matrix: Array<{ verificationType: string | null }> };
      return { rows: body.matrix, calls: Object.fromEntries(counted.calls) };
    };
    // Orders 6 never verified mobile 5's content: its document answers for it, compared on demand.
    const first = await ask();
    expect(first.rows.map((r) => r.verificationType)).toEqual(['BDCT']);
    // The document read once, and per comparison its pact read and the result recorded.
    expect(first.calls).toEqual({
      lookUpNames: 1,
      versionsMatching: 1,
      integrationsOfVersions: 1,
      matrixFacts: 1,
      getProviderContract: 1,
      getPactBySha: 1,
      recordComparison: 1,
    });
    const again = await ask();
    expect(again.rows).toEqual(first.rows);
    expect(again.calls).toEqual({
      lookUpNames: 1,
      versionsMatching: 1,
      integrationsOfVersions: 1,
      matrixFacts: 1,
    });
    await app.close();
    await seeded.close();
  });
});
