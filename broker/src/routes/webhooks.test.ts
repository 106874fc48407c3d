import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import type { AppOptions } from '../options.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

// The webhook API with app.inject(). Delivery is off here (deliver: false): these webhooks name hosts
// that are only text, never contacted; delivery has its own tests with receivers on loopback.

let app: FastifyInstance | undefined;
let store: SqliteStore;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function broker(options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-webhooks-')), 'b.sqlite'));
  const s = store;
  app = await buildApp({ store: s, ...options, webhooks: { deliver: false, ...options.webhooks } });
  app.addHook('onClose', async () => s.close());
  await s.publishPact({ consumer: 'web', consumerVersion: '1', provider: 'orders', content: '{"n":1}' });
  return app;
}

const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await (app as FastifyInstance).inject({
    method: method as 'GET',
    url,
    headers: { accept: 'application/hal+json', ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: res.statusCode, json: res.body === '' ? undefined : res.json(), headers: res.headers };
};

const hook = (over: Record<string, unknown> = {}) => ({
  description: 'Tell CI',
  provider: { name: 'orders' },
  events: [{ name: 'contract_requiring_verification_published' }],
  request: {
    method: 'POST',
    url: 'https://ci.example.com/build?v=${pactbroker.providerVersionNumber}',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t0ps3cret' },
    body: { version: '${pactbroker.providerVersionNumber}' },
    username: 'ci',
    password: 'hunter2',
  },
  ...over,
});

describe('webhooks: create, read, replace, delete', () => {
  it('are in the index, as the Pact CLI needs them (pb:webhook even to create one)', async () => {
    await broker();
    const { json } = await call('GET', '/', undefined, { host: 'broker.test' });
    expect(json._links['pb:webhooks']).toEqual({ href: 'http://broker.test/webhooks', title: 'Webhooks' });
    expect(json._links['pb:webhook']).toEqual({
      href: 'http://broker.test/webhooks/{uuid}',
      title: 'Webhook',
      templated: true,
    });
  });

  it('creates one with a new uuid, and never shows its secrets back', async () => {
    await broker();
    const created = await call('POST', '/webhooks', hook(), { host: 'broker.test' });
    expect(created.status).toBe(201);
    const uuid = created.json.uuid as string;
    expect(uuid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.headers.location).toBe(`http://broker.test/webhooks/${uuid}`);
    expect(created.json).toMatchObject({
      uuid,
      description: 'Tell CI',
      provider: { name: 'orders' },
      enabled: true,
      events: [{ name: 'contract_requiring_verification_published' }],
      request: {
        method: 'POST',
        url: 'https://ci.example.com/build?v=${pactbroker.providerVersionNumber}',
        headers: { 'Content-Type': 'application/json', Authorization: '**********' },
        body: { version: '${pactbroker.providerVersionNumber}' },
        username: 'ci',
        password: '**********',
      },
      _links: {
        self: { title: 'Tell CI', href: `http://broker.test/webhooks/${uuid}` },
        'pb:execute': { href: `http://broker.test/webhooks/${uuid}/execute` },
        'pb:provider': { name: 'orders', href: 'http://broker.test/pacticipants/orders' },
        'pb:webhooks': { href: 'http://broker.test/webhooks' },
      },
    });
    const answers = [created, await call('GET', `/webhooks/${uuid}`), await call('GET', '/webhooks')];
    for (const a of answers) {
      expect(JSON.stringify(a.json)).not.toContain('t0ps3cret');
      expect(JSON.stringify(a.json)).not.toContain('hunter2');
    }
    // Stored as given, for delivery.
    expect((await store.getWebhook(uuid))?.request).toMatchObject({
      headers: { Authorization: 'Bearer t0ps3cret' },
      password: 'hunter2',
    });
    const list = answers[2]?.json;
    expect(list._links['pb:webhooks']).toEqual([
      {
        title: 'A webhook for all pacts with provider orders',
        name: 'Tell CI',
        href: `http://localhost:80/webhooks/${uuid}`,
      },
    ]);
    expect(list._embedded.webhooks).toHaveLength(1);
  });

  it('fills in the defaults: a description from the request, contract_content_changed, enabled', async () => {
    await broker();
    const { status, json } = await call('POST', '/webhooks', {
      request: { method: 'post', url: 'https://ci.example.com/x', body: null, headers: null },
      consumer: { name: 'web', label: null },
    });
    expect(status).toBe(201);
    expect(json).toMatchObject({
      description: 'POST ci.example.com',
      consumer: { name: 'web' },
      events: [{ name: 'contract_content_changed' }],
      enabled: true,
      request: { method: 'POST', url: 'https://ci.example.com/x' },
    });
    expect(json.request.body).toBeUndefined();
    expect(json.request.headers).toBeUndefined();
  });

  it('creates with a client-chosen uuid (201), replaces (200) keeping masked secrets, and deletes (204, then 404)', async () => {
    await broker();
    const uuid = 'my-webhook-0123456789';
    const put = await call('PUT', `/webhooks/${uuid}`, hook());
    expect(put.status).toBe(201);
    expect(put.json.uuid).toBe(uuid);
    // What a client read back, changed and sent again: the masked values mean "keep them".
    const again = {
      ...put.json,
      enabled: false,
      request: { ...put.json.request, url: 'https://ci.example.com/other' },
    };
    const replaced = await call('PUT', `/webhooks/${uuid}`, again);
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ enabled: false, request: { url: 'https://ci.example.com/other' } });
    expect(replaced.json.updatedAt).toEqual(expect.any(String));
    expect((await store.getWebhook(uuid))?.request).toMatchObject({
      headers: { Authorization: 'Bearer t0ps3cret' },
      password: 'hunter2',
    });
    expect((await call('DELETE', `/webhooks/${uuid}`)).status).toBe(204);
    expect((await call('DELETE', `/webhooks/${uuid}`)).json).toMatchObject({
      statusCode: 404,
      code: 'TREATY_BROKER_NOT_FOUND',
    });
    expect((await call('GET', `/webhooks/${uuid}`)).status).toBe(404);
  });

  it('refuses a uuid the Pact Broker would refuse', async () => {
    await broker();
    const { status, json } = await call('PUT', '/webhooks/too-short', hook());
    expect(status).toBe(400);
    expect(json).toMatchObject({
      statusCode: 400,
      code: 'TREATY_BROKER_WEBHOOK_INVALID',
      error: 'Bad Request',
      errors: { uuid: [expect.stringContaining('16 to 255')] },
    });
  });
});

describe('webhooks: what is refused, and why', () => {
  it.each([
    ['no request', { request: undefined }, 'request'],
    ['no method', { request: { url: 'https://ci.example.com/' } }, 'request.method'],
    ['not a method', { request: { method: 'PO ST', url: 'https://ci.example.com/' } }, 'request.method'],
    ['a relative URL', { request: { method: 'POST', url: '/build' } }, 'request.url'],
    [
      'a parameter in the host',
      { request: { method: 'POST', url: 'https://${pactbroker.consumerName}.example.com/' } },
      'request.url',
    ],
    [
      'headers that are not an object',
      { request: { method: 'POST', url: 'https://ci.example.com/', headers: ['a'] } },
      'request.headers',
    ],
    [
      'a header value on two lines',
      { request: { method: 'POST', url: 'https://ci.example.com/', headers: { A: 'x\r\nB: y' } } },
      'request.headers',
    ],
    [
      'credentials in the URL',
      { request: { method: 'POST', url: 'https://ci:pw@ci.example.com/' } },
      'request.url',
    ],
    [
      'a header the broker sets',
      { request: { method: 'POST', url: 'https://ci.example.com/', headers: { 'Content-Length': '0' } } },
      'request.headers',
    ],
    [
      'an environment variable outside the prefix',
      { request: { method: 'POST', url: 'https://ci.example.com/', headers: { A: '${env.DATABASE_URL}' } } },
      'request',
    ],
    ['an unknown event', { events: [{ name: 'contract_published' }, { name: 'deployed' }] }, 'events'],
    ['no events', { events: [] }, 'events'],
    ['a name and a label', { consumer: { name: 'web', label: 'x' } }, 'consumer.label'],
    ['neither name nor label', { consumer: {} }, 'consumer'],
    ['a pacticipant that does not exist', { provider: { name: 'nobody' } }, 'provider.name'],
    ['enabled that is not a boolean', { enabled: 'yes' }, 'enabled'],
  ])('refuses %s, naming the field', async (_what, over, field) => {
    await broker();
    const { status, json } = await call('POST', '/webhooks', hook(over));
    expect(status).toBe(400);
    expect(json).toMatchObject({
      statusCode: 400,
      code: 'TREATY_BROKER_WEBHOOK_INVALID',
      error: 'Bad Request',
    });
    expect(Object.keys(json.errors)).toContain(field);
    expect(json.message).toContain(field);
    expect(await store.listWebhooks()).toEqual([]);
  });

  it.each([
    ['a method other than POST', { method: 'GET', url: 'https://ci.example.com/' }, 'must be POST'],
    ['http', { method: 'POST', url: 'http://ci.example.com/' }, 'scheme must be https'],
    // Refused when the webhook is saved, before any connection: nothing is sent to 10.1.2.3.
    ['a private address', { method: 'POST', url: 'https://10.1.2.3/' }, '10.1.2.3 is a private address'],
    [
      'the cloud metadata address',
      { method: 'POST', url: 'https://169.254.169.254/latest/meta-data' },
      'link-local',
    ],
    ['loopback in IPv6', { method: 'POST', url: 'https://[::1]:8443/' }, 'loopback'],
    [
      'loopback inside an IPv4-mapped IPv6 address',
      { method: 'POST', url: 'https://[::ffff:127.0.0.1]/' },
      'loopback address, inside an IPv6 address',
    ],
    [
      'loopback written as a number',
      { method: 'POST', url: 'https://2130706433/' },
      '127.0.0.1 is a loopback',
    ],
    ['localhost', { method: 'POST', url: 'https://localhost:9292/' }, 'localhost is a loopback'],
  ])('refuses %s as not allowed, saying why', async (_what, request, why) => {
    await broker();
    const { status, json } = await call('POST', '/webhooks', hook({ request }));
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 'TREATY_BROKER_WEBHOOK_NOT_ALLOWED' });
    expect(json.errors[request.method === 'GET' ? 'request.method' : 'request.url'][0]).toContain(why);
  });

  it('takes a private address or another scheme the operator allowed, and refuses a host off the allow-list', async () => {
    await broker({
      webhooks: {
        schemes: ['https', 'http'],
        hosts: ['127.0.0.1', '*.corp.example'],
        methods: ['POST', 'PUT'],
      },
    });
    const ok = await call(
      'POST',
      '/webhooks',
      hook({ request: { method: 'PUT', url: 'http://127.0.0.1:9/hook' } }),
    );
    expect(ok.status).toBe(201);
    expect(
      (
        await call(
          'POST',
          '/webhooks',
          hook({ request: { method: 'POST', url: 'https://ci.corp.example/' } }),
        )
      ).status,
    ).toBe(201);
    const off = await call(
      'POST',
      '/webhooks',
      hook({ request: { method: 'POST', url: 'https://ci.example.com/' } }),
    );
    expect(off.json).toMatchObject({ code: 'TREATY_BROKER_WEBHOOK_NOT_ALLOWED' });
    expect(off.json.errors['request.url'][0]).toContain(
      "not on the broker's webhook host allow-list (127.0.0.1, *.corp.example)",
    );
  });
});

describe('webhooks: who may do what', () => {
  const auth = { readWrite: [{ token: 'rw' }], readOnly: [{ token: 'ro' }] };

  it('reads with any credential; creating, changing, deleting and running need the read-write role', async () => {
    await broker({ auth });
    const rw = { authorization: 'Bearer rw' };
    const ro = { authorization: 'Bearer ro' };
    const uuid = (await call('POST', '/webhooks', hook(), rw)).json.uuid as string;
    expect((await call('GET', '/webhooks', undefined, ro)).status).toBe(200);
    expect((await call('GET', `/webhooks/${uuid}`, undefined, ro)).status).toBe(200);
    expect(
      (await call('GET', '/pacts/provider/orders/consumer/web/webhooks/status', undefined, ro)).status,
    ).toBe(200);
    for (const [method, url, body] of [
      ['POST', '/webhooks', hook()],
      ['PUT', `/webhooks/${uuid}`, hook()],
      ['DELETE', `/webhooks/${uuid}`, undefined],
      ['POST', `/webhooks/${uuid}/execute`, {}],
      ['POST', '/webhooks/execute', hook()],
      ['POST', '/webhooks/provider/orders', hook()],
      ['PUT', '/pacticipants/orders/labels/team-a', undefined],
    ] as const) {
      const a = await call(method, url, body, ro);
      expect(a.status, `${method} ${url}`).toBe(403);
      expect(a.json).toMatchObject({ code: 'TREATY_BROKER_FORBIDDEN' });
    }
    expect((await call('GET', '/webhooks')).status).toBe(401);
    expect(await store.listWebhooks()).toHaveLength(1);
  });
});

describe('webhooks by pacticipant', () => {
  it('lists and creates the webhooks of a provider, a consumer, or the pair, as the Pact Broker scopes them', async () => {
    await broker();
    const make = async (consumer?: unknown, provider?: unknown) =>
      (await call('POST', '/webhooks', hook({ consumer, provider }))).json.uuid as string;
    const providerOnly = await make(undefined, { name: 'orders' });
    const consumerOnly = await make({ name: 'web' }, undefined);
    const pair = await make({ name: 'web' }, { name: 'orders' });
    await make(undefined, undefined);
    await make({ name: 'web' }, { label: 'team-a' });
    const uuids = async (url: string) =>
      ((await call('GET', url)).json._embedded.webhooks as Array<{ uuid: string }>).map((w) => w.uuid);
    expect(await uuids('/webhooks/provider/orders')).toEqual([providerOnly]);
    expect(await uuids('/webhooks/consumer/web')).toEqual([consumerOnly]);
    expect(await uuids('/webhooks/provider/orders/consumer/web')).toEqual([pair]);
    expect(await uuids('/pacts/provider/orders/consumer/web/webhooks')).toEqual([pair]);
    expect(await uuids('/webhooks')).toHaveLength(5);
    expect((await call('GET', '/webhooks/provider/nobody')).json).toMatchObject({
      statusCode: 404,
      code: 'TREATY_BROKER_NOT_FOUND',
    });
    // Posting to a scoped list makes the webhook for that scope, whatever the body says.
    const scoped = await call(
      'POST',
      '/webhooks/consumer/web',
      hook({ provider: undefined, consumer: { name: 'orders' } }),
    );
    expect(scoped.status).toBe(201);
    expect(scoped.json.consumer).toEqual({ name: 'web' });
    expect(scoped.json.provider).toBeUndefined();
    expect((await call('POST', '/pacts/provider/orders/consumer/nobody/webhooks', hook())).status).toBe(404);
  });

  it('keeps labels on pacticipants, for webhooks by label', async () => {
    await broker();
    expect((await call('PUT', '/pacticipants/orders/labels/team-a')).status).toBe(201);
    expect((await call('PUT', '/pacticipants/orders/labels/team-a')).status).toBe(200);
    expect((await call('GET', '/pacticipants/orders/labels/team-a')).json.name).toBe('team-a');
    expect((await call('GET', '/pacticipants/label/team-a')).json._embedded.pacticipants).toEqual([
      expect.objectContaining({ name: 'orders' }),
    ]);
    expect((await call('PUT', '/pacticipants/nobody/labels/team-a')).status).toBe(404);
    expect((await call('DELETE', '/pacticipants/orders/labels/team-a')).status).toBe(204);
    expect((await call('GET', '/pacticipants/orders/labels/team-a')).status).toBe(404);
    expect(await store.labelsOf('orders')).toEqual([]);
  });

  it('says how the webhooks of a pair went, and what a pact triggered, before anything was triggered', async () => {
    await broker();
    const status = await call('GET', '/pacts/provider/orders/consumer/web/webhooks/status');
    expect(status.json).toMatchObject({
      summary: { successful: 0, failed: 0, retrying: 0, notRun: 0 },
      _embedded: { triggeredWebhooks: [] },
      _links: { 'pb:error-logs': [], 'pb:pact-version': { name: 'Pact between web (1) and orders' } },
    });
    const triggered = await call('GET', '/pacts/provider/orders/consumer/web/version/1/triggered-webhooks');
    expect(triggered.json._embedded.triggeredWebhooks).toEqual([]);
    expect(
      (await call('GET', '/pacts/provider/orders/consumer/web/version/9/triggered-webhooks')).status,
    ).toBe(404);
    expect((await call('GET', '/triggered-webhooks/nope/logs')).status).toBe(404);
    expect((await call('GET', '/pacts/provider/orders/consumer/nobody/webhooks/status')).status).toBe(404);
  });
});
