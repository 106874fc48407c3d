import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, buildApp, openStore, type AppOptions, type WebhookOptions } from '@treaty/broker';
import { brokerDatabases, usePostgres } from '../support/postgres.js';
import { type Receiver, startReceiver } from '../support/webhook-receiver.js';
import { smallPact } from '../support/pacts.js';

// Webhooks delivered by the broker's own worker to real receivers on 127.0.0.1 (allow-listed, with http
// allowed): nothing is sent anywhere else. Each broker runs on a SQLite file in a temp folder; several
// brokers share one SQLite file, or one PostgreSQL database.

const postgres = usePostgres();

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

const LOOPBACK: WebhookOptions = { schemes: ['http'], hosts: ['127.0.0.1'], retrySchedule: [0.05, 0.05] };

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  closing.push(r.close);
  return r;
}

async function broker(
  webhooks: WebhookOptions = LOOPBACK,
  options: Partial<AppOptions> & { database?: string } = {},
): Promise<{ app: FastifyInstance; store: SqliteStore; database: string }> {
  const database = options.database ?? join(mkdtempSync(join(tmpdir(), 'treaty-delivery-')), 'b.sqlite');
  const store = SqliteStore.open(database);
  const app = await buildApp({ ...options, store, webhooks });
  await app.ready();
  closing.push(async () => {
    await app.close();
    await store.close();
  });
  return { app, store, database };
}

async function call(
  app: FastifyInstance,
  method: string,
  url: string,
  body?: unknown,
  accept = 'application/hal+json',
) {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: { accept },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  if (res.statusCode >= 400 && method !== 'GET')
    throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return { status: res.statusCode, text: res.body, json: res.body.startsWith('{') ? res.json() : undefined };
}

async function publish(
  app: FastifyInstance,
  p: {
    consumer?: string;
    provider?: string;
    version: string;
    n: number;
    branch?: string;
    tags?: string[];
    buildUrl?: string;
  },
) {
  const consumer = p.consumer ?? 'web';
  const provider = p.provider ?? 'orders';
  return call(app, 'POST', '/contracts/publish', {
    pacticipantName: consumer,
    pacticipantVersionNumber: p.version,
    ...(p.branch === undefined ? {} : { branch: p.branch }),
    ...(p.tags === undefined ? {} : { tags: p.tags }),
    ...(p.buildUrl === undefined ? {} : { buildUrl: p.buildUrl }),
    contracts: [
      {
        consumerName: consumer,
        providerName: provider,
        specification: 'pact',
        contentType: 'application/json',
        content: Buffer.from(JSON.stringify(smallPact(consumer, provider, p.n))).toString('base64'),
      },
    ],
  });
}

async function webhook(app: FastifyInstance, body: Record<string, unknown>): Promise<string> {
  return (await call(app, 'POST', '/webhooks', body)).json.uuid as string;
}

/** Reads until the answer is as wanted (the test's timeout ends a wait that never is). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Triggered = {
  uuid: string;
  status: string;
  attemptsMade: number;
  attemptsRemaining: number;
  eventName: string;
  _links: { 'pb:logs': { href: string } };
};

const triggered = async (
  app: FastifyInstance,
  version: string,
  pair = '/pacts/provider/orders/consumer/web',
) =>
  (await call(app, 'GET', `${pair}/version/${version}/triggered-webhooks`)).json._embedded
    .triggeredWebhooks as Triggered[];

const finished = (list: Triggered[]) =>
  list.length > 0 && list.every((t) => t.status === 'success' || t.status === 'failure');

async function logsOf(app: FastifyInstance, t: Triggered) {
  return (await call(app, 'GET', new URL(t._links['pb:logs'].href).pathname)).json as {
    status: string;
    executions: Array<{
      number: number;
      success: boolean;
      request: { url: string; headers: Record<string, string>; body?: string };
      response?: { status: number; body?: string; truncated?: boolean };
      error?: { code: string; message: string };
      logs: string;
    }>;
  };
}

const every = (names: string[]) => Object.fromEntries(names.map((n) => [n, `\${pactbroker.${n}}`]));
const PARAMETERS = [
  'pactUrl',
  'verificationResultUrl',
  'consumerName',
  'providerName',
  'consumerVersionNumber',
  'consumerVersionTags',
  'consumerVersionBranch',
  'providerVersionNumber',
  'providerVersionTags',
  'providerVersionBranch',
  'providerVersionDescriptions',
  'consumerLabels',
  'providerLabels',
  'buildUrl',
  'eventName',
  'currentlyDeployedProviderVersionNumber',
  'githubVerificationStatus',
  'bitbucketVerificationStatus',
  'azureDevOpsVerificationStatus',
  'gitlabVerificationStatus',
];

describe('webhook delivery', () => {
  it('fills the template values into the URL, headers and body, delivers once, and logs it with secrets masked', async () => {
    const r = await receiver();
    const { app } = await broker(
      { ...LOOPBACK, secrets: { TREATY_WEBHOOK_SECRET_CI: 's3cret-token' } },
      { publicUrl: 'https://broker.example' },
    );
    await publish(app, { consumer: 'web app', version: '1', n: 1, branch: 'main', tags: ['prod'] });
    await call(app, 'PUT', '/pacticipants/orders/labels/team-a');
    await call(app, 'PUT', '/pacticipants/web%20app/labels/frontend');
    const uuid = await webhook(app, {
      consumer: { name: 'web app' },
      provider: { label: 'team-a' },
      events: [{ name: 'contract_content_changed' }],
      request: {
        method: 'POST',
        url: `${r.url}/hooks/\${pactbroker.consumerName}?branch=\${pactbroker.consumerVersionBranch}`,
        headers: {
          'Content-Type': 'application/json',
          Authorization: 'Bearer ${env.TREATY_WEBHOOK_SECRET_CI}',
          'X-Event': '${pactbroker.eventName}',
        },
        body: every(PARAMETERS),
      },
    });
    await publish(app, {
      consumer: 'web app',
      version: '2',
      n: 2,
      branch: 'feat/x',
      tags: ['prod'],
      buildUrl: 'https://ci/2',
    });
    const [got] = await r.waitFor(1);
    expect(got?.url).toBe('/hooks/web%20app?branch=feat%2Fx');
    expect(got?.headers.authorization).toBe('Bearer s3cret-token');
    expect(got?.headers['x-event']).toBe('contract_content_changed');
    const body = JSON.parse(got?.body ?? '') as Record<string, string>;
    expect(body).toMatchObject({
      consumerName: 'web app',
      providerName: 'orders',
      consumerVersionNumber: '2',
      consumerVersionTags: 'prod',
      consumerVersionBranch: 'feat/x',
      providerVersionNumber: '',
      consumerLabels: 'frontend',
      providerLabels: 'team-a',
      buildUrl: 'https://ci/2',
      eventName: 'contract_content_changed',
      verificationResultUrl: '',
      githubVerificationStatus: 'pending',
      bitbucketVerificationStatus: 'INPROGRESS',
      azureDevOpsVerificationStatus: 'pending',
      gitlabVerificationStatus: 'pending',
      currentlyDeployedProviderVersionNumber: '',
    });
    expect(Object.values(body).some((v) => v.includes('${'))).toBe(false);
    // The pact link starts with the public URL, and resolves.
    const pactUrl = new URL(body.pactUrl ?? '');
    expect(pactUrl.origin).toBe('https://broker.example');
    expect((await call(app, 'GET', pactUrl.pathname)).json.interactions[0].description).toBe('request 2');

    const pair = '/pacts/provider/orders/consumer/web%20app';
    const [t] = await until(() => triggered(app, '2', pair), finished);
    expect(t).toMatchObject({
      status: 'success',
      attemptsMade: 1,
      attemptsRemaining: 0,
      eventName: 'contract_content_changed',
    });
    const logs = await logsOf(app, t as Triggered);
    expect(logs.executions).toHaveLength(1);
    expect(logs.executions[0]).toMatchObject({
      success: true,
      request: { headers: { Authorization: '**********' } },
      response: { status: 200, body: 'ok' },
    });
    expect(logs.executions[0]?.logs).toContain('HTTP/1.1 POST');
    expect(logs.executions[0]?.logs).toContain('Successfully executed webhook');
    const text = await call(
      app,
      'GET',
      new URL((t as Triggered)._links['pb:logs'].href).pathname,
      undefined,
      'text/plain',
    );
    expect(text.text).toContain('HTTP/1.1 200 OK');
    for (const answer of [
      JSON.stringify(logs),
      text.text,
      (await call(app, 'GET', `/ui/webhooks/${uuid}`, undefined, 'text/html')).text,
    ])
      expect(answer).not.toContain('s3cret-token');
    const status = await call(app, 'GET', `${pair}/webhooks/status`);
    expect(status.json.summary).toEqual({ successful: 1, failed: 0, retrying: 0, notRun: 0 });
    const page = await call(app, 'GET', `/ui/webhooks/${uuid}`, undefined, 'text/html');
    expect(page.text).toContain('✔ delivered');
    expect(page.text).toContain('Attempt 1: delivered (HTTP 200)');
    await app.treatyWebhooks.settled();
    expect(r.received).toHaveLength(1);
  });

  it('retries a receiver that fails twice and then answers 2xx, and sends nothing more', async () => {
    const r = await receiver((_req, n, res) => res.writeHead(n < 3 ? 503 : 202).end());
    const { app } = await broker();
    await publish(app, { version: '1', n: 1 });
    await webhook(app, {
      provider: { name: 'orders' },
      events: [{ name: 'contract_published' }],
      request: { method: 'POST', url: `${r.url}/hook` },
    });
    await publish(app, { version: '2', n: 1 });
    await r.waitFor(3);
    const [t] = await until(() => triggered(app, '2'), finished);
    expect(t).toMatchObject({ status: 'success', attemptsMade: 3 });
    const logs = await logsOf(app, t as Triggered);
    expect(logs.executions.map((e) => [e.number, e.success, e.response?.status])).toEqual([
      [1, false, 503],
      [2, false, 503],
      [3, true, 202],
    ]);
    expect(logs.executions[0]?.error).toMatchObject({ code: 'TREATY_BROKER_WEBHOOK_DELIVERY_FAILED' });
    expect(logs.executions[0]?.logs).toContain('Retrying webhook in 0.05 seconds');
    await app.treatyWebhooks.settled();
    expect(r.received).toHaveLength(3);
  });

  it('gives up after the last retry of the schedule, and says so', async () => {
    const r = await receiver((_req, _n, res) => res.writeHead(500).end('down'));
    const { app } = await broker({ ...LOOPBACK, retrySchedule: [0.05] });
    await publish(app, { version: '1', n: 1 });
    await webhook(app, {
      events: [{ name: 'contract_published' }],
      request: { method: 'POST', url: `${r.url}/hook` },
    });
    await publish(app, { version: '2', n: 2 });
    const [t] = await until(() => triggered(app, '2'), finished);
    expect(t).toMatchObject({ status: 'failure', attemptsMade: 2, attemptsRemaining: 0 });
    expect((await logsOf(app, t as Triggered)).executions[1]?.logs).toContain(
      'Webhook execution failed after 2 attempts',
    );
    const status = await call(app, 'GET', '/pacts/provider/orders/consumer/web/webhooks/status');
    expect(status.json.summary).toMatchObject({ failed: 1 });
    expect(status.json._links['pb:error-logs']).toHaveLength(1);
    expect(r.received).toHaveLength(2);
  });

  it('refuses a host that resolves to a loopback address unless it is allow-listed, after DNS, with the reason logged', async () => {
    const r = await receiver();
    // Created while the operator allowed localhost; then the broker runs without that on its allow-list.
    const first = await broker({ schemes: ['http'], hosts: ['localhost'], retrySchedule: [] });
    await publish(first.app, { version: '1', n: 1 });
    await webhook(first.app, {
      events: [{ name: 'contract_published' }],
      request: { method: 'POST', url: `http://localhost:${r.port}/hook` },
    });
    const { database } = first;
    await closing.pop()?.();

    const strict = await broker({ schemes: ['http'], retrySchedule: [] }, { database });
    await publish(strict.app, { version: '2', n: 2 });
    const [refused] = await until(() => triggered(strict.app, '2'), finished);
    expect(refused?.status).toBe('failure');
    const attempt = (await logsOf(strict.app, refused as Triggered)).executions[0];
    expect(attempt?.error?.code).toBe('TREATY_BROKER_WEBHOOK_NOT_ALLOWED');
    expect(attempt?.error?.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(attempt?.logs).toContain('nothing was sent');
    expect(r.received).toHaveLength(0);
    await closing.pop()?.();

    const allowing = await broker(
      { schemes: ['http'], hosts: ['localhost'], retrySchedule: [] },
      { database },
    );
    await publish(allowing.app, { version: '3', n: 3 });
    await r.waitFor(1);
    expect((await until(() => triggered(allowing.app, '3'), finished))[0]?.status).toBe('success');
  });

  it('does not let a receiver that never answers hold up another: it times out on its own', async () => {
    let hanging: { open: boolean } | undefined;
    const stuck = await receiver((req, _n, res) => {
      hanging = { open: true };
      res.on('close', () => {
        if (hanging !== undefined) hanging.open = false;
      });
      void req;
    });
    let hangingOpenWhenOtherArrived: boolean | undefined;
    const quick = await receiver((_req, _n, res) => {
      hangingOpenWhenOtherArrived = hanging?.open ?? true;
      res.writeHead(200).end();
    });
    const { app } = await broker({ ...LOOPBACK, retrySchedule: [], timeoutSeconds: 2 });
    await publish(app, { version: '1', n: 1 });
    for (const url of [`${stuck.url}/hook`, `${quick.url}/hook`])
      await webhook(app, { events: [{ name: 'contract_published' }], request: { method: 'POST', url } });
    await publish(app, { version: '2', n: 2 });
    await quick.waitFor(1);
    expect(hangingOpenWhenOtherArrived).toBe(true);
    const done = await until(
      () => triggered(app, '2'),
      (l) => l.length === 2 && finished(l),
    );
    const logs = await Promise.all(done.map((t) => logsOf(app, t)));
    const timedOut = logs.find((l) => l.status === 'failure');
    expect(timedOut?.executions[0]?.error?.message).toBe(
      'The receiver did not answer within 2 s (the webhook timeout).',
    );
    expect(logs.filter((l) => l.status === 'success')).toHaveLength(1);
    expect(stuck.received).toHaveLength(1);
  });

  it('follows no redirect, and reads only the start of a long answer', async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver((_req, _n, res) =>
      res.writeHead(302, { Location: `${elsewhere.url}/hook` }).end(),
    );
    const long = await receiver((_req, _n, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(1024 * 1024));
    });
    const { app } = await broker({ ...LOOPBACK, retrySchedule: [] });
    await publish(app, { version: '1', n: 1 });
    for (const url of [`${redirecting.url}/hook`, `${long.url}/hook`])
      await webhook(app, { events: [{ name: 'contract_published' }], request: { method: 'POST', url } });
    await publish(app, { version: '2', n: 2 });
    const done = await until(
      () => triggered(app, '2'),
      (l) => l.length === 2 && finished(l),
    );
    const attempts = (await Promise.all(done.map((t) => logsOf(app, t)))).map((l) => l.executions[0]);
    const redirect = attempts.find((a) => a?.response?.status === 302);
    expect(redirect).toMatchObject({
      success: false,
      error: { code: 'TREATY_BROKER_WEBHOOK_DELIVERY_FAILED' },
    });
    expect(redirect?.error?.message).toContain('redirects are not followed');
    const big = attempts.find((a) => a?.response?.status === 200);
    expect(big?.success).toBe(true);
    expect(big?.response?.truncated).toBe(true);
    expect(big?.response?.body?.length).toBe(16 * 1024);
    await app.treatyWebhooks.settled();
    expect(elsewhere.received).toHaveLength(0);
  });

  it('sends nothing when a secret the webhook names is not in the broker environment, and logs why', async () => {
    const r = await receiver();
    const { app } = await broker({ ...LOOPBACK, retrySchedule: [] });
    await publish(app, { version: '1', n: 1 });
    await webhook(app, {
      events: [{ name: 'contract_published' }],
      request: {
        method: 'POST',
        url: `${r.url}/hook`,
        headers: { Authorization: 'Bearer ${env.TREATY_WEBHOOK_SECRET_NOPE}' },
      },
    });
    await publish(app, { version: '2', n: 2 });
    const [t] = await until(() => triggered(app, '2'), finished);
    const attempt = (await logsOf(app, t as Triggered)).executions[0];
    expect(attempt?.error).toMatchObject({ code: 'TREATY_BROKER_WEBHOOK_SECRET_MISSING' });
    expect(attempt?.error?.message).toContain('TREATY_WEBHOOK_SECRET_NOPE');
    expect(r.received).toHaveLength(0);
  });

  it('runs a webhook now, saved or not, with the newest pact it could fire for, and stores nothing', async () => {
    const r = await receiver((_req, _n, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"seen":true}'),
    );
    const { app, store } = await broker();
    await publish(app, { version: '7', n: 1 });
    const request = {
      method: 'POST',
      url: `${r.url}/test`,
      body: { v: '${pactbroker.consumerVersionNumber}', e: '${pactbroker.eventName}' },
    };
    const uuid = await webhook(app, {
      provider: { name: 'orders' },
      events: [{ name: 'contract_published' }],
      request,
    });
    const saved = await call(app, 'POST', `/webhooks/${uuid}/execute`, {});
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({
      success: true,
      request: { body: { v: '7', e: 'test' }, url: `${r.url}/test` },
      response: { status: 200, body: '{"seen":true}' },
      _links: { 'try-again': { href: expect.stringContaining(`/webhooks/${uuid}/execute`) } },
    });
    const unsaved = await call(app, 'POST', '/webhooks/execute', {
      request: { ...request, url: `${r.url}/unsaved` },
    });
    expect(unsaved.json.success).toBe(true);
    expect(r.received.map((x) => x.url)).toEqual(['/test', '/unsaved']);
    expect(await store.triggeredWebhooks({})).toEqual([]);
    // Not to a refused target, even once.
    const refused = await app.inject({
      method: 'POST',
      url: '/webhooks/execute',
      // 10.0.0.1 is refused by the allow-list check before any connection; nothing is sent to it.
      payload: { request: { method: 'POST', url: 'http://10.0.0.1/x' } },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('TREATY_BROKER_WEBHOOK_NOT_ALLOWED');
  });

  it('fires contract_content_changed only when the content changed, and contract_published every time', async () => {
    const published = await receiver();
    const changed = await receiver();
    const { app } = await broker();
    await publish(app, { version: '0', n: 0 });
    for (const [r, name] of [
      [published, 'contract_published'],
      [changed, 'contract_content_changed'],
    ] as const)
      await webhook(app, {
        events: [{ name }],
        request: { method: 'POST', url: `${r.url}/hook`, body: { v: '${pactbroker.consumerVersionNumber}' } },
      });
    await publish(app, { version: '1', n: 1 });
    await publish(app, { version: '2', n: 1 });
    await publish(app, { version: '2', n: 1 });
    await publish(app, { version: '3', n: 3 });
    await published.waitFor(4);
    await changed.waitFor(2);
    await app.treatyWebhooks.settled();
    const versions = (r: Receiver) => r.received.map((x) => (JSON.parse(x.body) as { v: string }).v).sort();
    expect(versions(published)).toEqual(['1', '2', '2', '3']);
    expect(versions(changed)).toEqual(['1', '3']);
  });
});

describe('contract_requiring_verification_published', () => {
  it('fires once per provider version that has not verified the content: main branch head, deployed, released', async () => {
    const r = await receiver();
    const { app } = await broker();
    const put = (url: string) => call(app, 'PUT', url);
    await publish(app, { version: '0', n: 0 });
    await publish(app, { provider: 'billing', version: '0', n: 0 });
    await put('/pacticipants/orders/branches/main/versions/p-main');
    await put('/pacticipants/orders/branches/release/versions/p-prod');
    await put('/pacticipants/orders/branches/mobile/versions/p-mobile');
    const env = async (name: string) =>
      (await call(app, 'POST', '/environments', { name, production: true })).json.uuid as string;
    const production = await env('production');
    const appstore = await env('appstore');
    await call(
      app,
      'POST',
      `/pacticipants/orders/versions/p-prod/deployed-versions/environment/${production}`,
      {},
    );
    await call(
      app,
      'POST',
      `/pacticipants/orders/versions/p-mobile/released-versions/environment/${appstore}`,
      {},
    );
    await webhook(app, {
      events: [{ name: 'contract_requiring_verification_published' }],
      request: {
        method: 'POST',
        url: `${r.url}/verify`,
        body: {
          provider: '${pactbroker.providerName}',
          version: '${pactbroker.providerVersionNumber}',
          branch: '${pactbroker.providerVersionBranch}',
          why: '${pactbroker.providerVersionDescriptions}',
          consumerVersion: '${pactbroker.consumerVersionNumber}',
        },
      },
    });
    await publish(app, { version: '1', n: 1, branch: 'main' });
    await r.waitFor(3);
    await app.treatyWebhooks.settled();
    const bodies = () => r.received.map((x) => JSON.parse(x.body) as Record<string, string>);
    expect(bodies().sort((a, b) => (a.version ?? '').localeCompare(b.version ?? ''))).toEqual([
      {
        provider: 'orders',
        version: 'p-main',
        branch: 'main',
        why: 'latest from main branch',
        consumerVersion: '1',
      },
      {
        provider: 'orders',
        version: 'p-mobile',
        branch: 'mobile',
        why: 'released in appstore',
        consumerVersion: '1',
      },
      {
        provider: 'orders',
        version: 'p-prod',
        branch: 'release',
        why: 'deployed in production',
        consumerVersion: '1',
      },
    ]);
    // p-prod verifies the content; the same content from another consumer version needs only the other two.
    const sha = /pact-version\/([0-9a-f]+)/.exec(
      (await call(app, 'GET', '/pacts/provider/orders/consumer/web/version/1')).json._links['pb:pact-version']
        .href,
    )?.[1];
    await call(app, 'POST', `/pacts/provider/orders/consumer/web/pact-version/${sha}/verification-results`, {
      success: false,
      providerApplicationVersion: 'p-prod',
    });
    await publish(app, { version: '2', n: 1, branch: 'main' });
    await r.waitFor(5);
    await app.treatyWebhooks.settled();
    expect(
      bodies()
        .slice(3)
        .map((b) => b.version)
        .sort(),
    ).toEqual(['p-main', 'p-mobile']);
    // A provider with no version in use (billing) needs no verification: nothing fires.
    await publish(app, { provider: 'billing', version: '1', n: 1 });
    await app.treatyWebhooks.settled();
    expect(r.received).toHaveLength(5);
  });
});

describe('verification events', () => {
  it('fire once per consumer version the pact link named, with the result in the CI statuses', async () => {
    const r = await receiver();
    const { app } = await broker();
    await publish(app, { version: '1', n: 1, branch: 'main' });
    await publish(app, { version: '2', n: 1, branch: 'feat', tags: ['prod'] });
    await webhook(app, {
      consumer: { name: 'web' },
      events: [{ name: 'provider_verification_failed' }, { name: 'provider_verification_succeeded' }],
      request: {
        method: 'POST',
        url: `${r.url}/status`,
        body: {
          event: '${pactbroker.eventName}',
          consumerVersion: '${pactbroker.consumerVersionNumber}',
          state: '${pactbroker.githubVerificationStatus}',
          provider: '${pactbroker.providerVersionNumber}',
          result: '${pactbroker.verificationResultUrl}',
          build: '${pactbroker.buildUrl}',
        },
      },
    });
    const fv = await call(app, 'POST', '/pacts/provider/orders/for-verification', {
      consumerVersionSelectors: [{ branch: 'main' }, { tag: 'prod' }],
    });
    const [entry] = fv.json._embedded.pacts as Array<{ _links: { self: { href: string } } }>;
    const link = (await call(app, 'GET', new URL(entry?._links.self.href ?? '').pathname)).json._links[
      'pb:publish-verification-results'
    ].href as string;
    const result = await call(app, 'POST', new URL(link).pathname, {
      success: false,
      providerApplicationVersion: 'p-1',
      buildUrl: 'https://ci/p-1',
    });
    await r.waitFor(2);
    await app.treatyWebhooks.settled();
    const bodies = r.received.map((x) => JSON.parse(x.body) as Record<string, string>);
    expect(bodies.map((b) => b.consumerVersion).sort()).toEqual(['1', '2']);
    for (const b of bodies)
      expect(b).toMatchObject({
        event: 'provider_verification_failed',
        state: 'failure',
        provider: 'p-1',
        build: 'https://ci/p-1',
        result: result.json._links.self.href,
      });
    const byResult = await call(
      app,
      'GET',
      `${new URL(result.json._links.self.href).pathname}/triggered-webhooks`,
    );
    expect(byResult.json._embedded.triggeredWebhooks).toHaveLength(2);
  });
});

describe.each(brokerDatabases(postgres))('several brokers on one $store database', ({ database }) => {
  /** A broker app with its worker running, on the database at `url`. */
  async function on(url: string): Promise<FastifyInstance> {
    const store = await openStore(url);
    const app = await buildApp({ store, webhooks: { ...LOOPBACK, pollSeconds: 0.01 } });
    await app.ready();
    closing.push(async () => {
      await app.close();
      await store.close();
    });
    return app;
  }

  it('deliver one publication once: both workers run, one of them claims it', async () => {
    const r = await receiver();
    const url = await database();
    const [one, two] = [await on(url), await on(url)];
    await webhook(two, {
      events: [{ name: 'contract_published' }],
      request: { method: 'POST', url: `${r.url}/hook`, body: '${pactbroker.consumerVersionNumber}' },
    });
    await publish(one, { version: '1', n: 1 });
    await r.waitFor(1);
    await one.treatyWebhooks.settled();
    await two.treatyWebhooks.settled();
    // Both have polled many times since (every 10 ms): nothing more arrives, and the broker logged one
    // attempt, read through either of them.
    await new Promise((done) => setTimeout(done, 200));
    expect(r.received.map((x) => [x.method, x.url, x.body])).toEqual([['POST', '/hook', '1']]);
    for (const app of [one, two]) {
      const [only, ...more] = await triggered(app, '1');
      expect(more).toEqual([]);
      expect(only).toMatchObject({ status: 'success', attemptsMade: 1 });
      expect((await logsOf(app, only as Triggered)).executions).toHaveLength(1);
    }
  });

  it('deliver each event once: a delivery is claimed by one of them', async () => {
    const r = await receiver();
    const url = await database();
    const [one, two] = [await on(url), await on(url)];
    await publish(one, { version: '0', n: 0 });
    await webhook(one, {
      events: [{ name: 'contract_published' }],
      request: { method: 'POST', url: `${r.url}/hook`, body: '${pactbroker.consumerVersionNumber}' },
    });
    for (let v = 1; v <= 20; v++) await publish(v % 2 === 0 ? one : two, { version: String(v), n: v });
    await r.waitFor(20);
    await one.treatyWebhooks.settled();
    await two.treatyWebhooks.settled();
    expect(r.received.map((x) => Number(x.body)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});
