import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function broker(bodyLimit?: number): Promise<FastifyInstance> {
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-app-')), 'b.sqlite'));
  app = await buildApp({ store, ...(bodyLimit === undefined ? {} : { bodyLimit }) });
  app.addHook('onClose', async () => store.close());
  return app;
}

const pact = (consumer = 'web', provider = 'orders', n = 1) => ({
  consumer: { name: consumer },
  provider: { name: provider },
  interactions: [
    {
      type: 'Synchronous/HTTP',
      description: `d${n}`,
      request: { method: 'GET', path: '/' },
      response: { status: 200 },
    },
  ],
  metadata: { pactSpecification: { version: '4.0' } },
});

describe('the broker API', () => {
  it('serves a HAL index with absolute links', async () => {
    const res = await (await broker()).inject({
      method: 'GET',
      url: '/',
      headers: { host: 'broker.test:9292' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/hal+json;charset=utf-8');
    expect(res.json()._links['pb:latest-provider-pacts'].href).toBe(
      'http://broker.test:9292/pacts/provider/{provider}/latest',
    );
  });

  it('publishes a pact (201, then 200 for the same content), serves it back with links, and lists it for the provider', async () => {
    const a = await broker();
    const put = await a.inject({
      method: 'PUT',
      url: '/pacts/provider/orders/consumer/web/version/1.0.0',
      payload: pact(),
    });
    expect(put.statusCode).toBe(201);
    expect(
      (
        await a.inject({
          method: 'PUT',
          url: '/pacts/provider/orders/consumer/web/version/1.0.0',
          payload: pact(),
        })
      ).statusCode,
    ).toBe(200);
    const got = await a.inject({ method: 'GET', url: '/pacts/provider/orders/consumer/web/version/1.0.0' });
    expect(got.json()).toMatchObject({ consumer: { name: 'web' }, interactions: [{ description: 'd1' }] });
    expect(got.json()._links['pb:publish-verification-results'].href).toMatch(
      /\/pact-version\/[0-9a-f]{64}\/verification-results$/,
    );
    const latest = await a.inject({ method: 'GET', url: '/pacts/provider/orders/latest' });
    expect(latest.json()._links['pb:pacts']).toEqual([expect.objectContaining({ name: 'web' })]);
    const l = await a.inject({ method: 'GET', url: '/pacts/provider/orders/consumer/web/latest' });
    expect(l.headers['x-pact-consumer-version']).toBe('1.0.0');
  });

  it('records verification results against the pact content', async () => {
    const a = await broker();
    const put = await a.inject({
      method: 'PUT',
      url: '/pacts/provider/orders/consumer/web/version/1',
      payload: pact(),
    });
    const url = new URL(put.json()._links['pb:publish-verification-results'].href as string).pathname;
    const res = await a.inject({
      method: 'POST',
      url,
      payload: { success: true, providerApplicationVersion: 'p-1' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ success: true, providerApplicationVersion: 'p-1' });
    expect((await a.inject({ method: 'POST', url, payload: { ok: 1 } })).json()).toMatchObject({
      statusCode: 400,
      code: 'TREATY_BROKER_BAD_REQUEST',
    });
  });

  it('answers every bad request as { statusCode, code, error, message } and writes nothing', async () => {
    const a = await broker(2048);
    const bad = async (
      method: 'PUT' | 'GET',
      url: string,
      payload?: string,
      contentType = 'application/json',
    ) =>
      (
        await a.inject({
          method,
          url,
          ...(payload === undefined ? {} : { payload, headers: { 'content-type': contentType } }),
        })
      ).json() as Record<string, unknown>;
    expect(await bad('PUT', '/pacts/provider/orders/consumer/web/version/1', '{not json')).toMatchObject({
      statusCode: 400,
      code: 'TREATY_BROKER_BAD_REQUEST',
      error: 'Bad Request',
    });
    expect(
      await bad('PUT', '/pacts/provider/orders/consumer/web/version/1', JSON.stringify({ hello: 'world' })),
    ).toMatchObject({ statusCode: 400, code: 'TREATY_BROKER_BAD_REQUEST' });
    expect(
      await bad('PUT', '/pacts/provider/billing/consumer/web/version/1', JSON.stringify(pact())),
    ).toMatchObject({
      code: 'TREATY_BROKER_BAD_REQUEST',
      message: expect.stringContaining('the URL names web and billing'),
    });
    expect(
      await bad('PUT', '/pacts/provider/orders/consumer/web/version/1', 'x', 'text/plain'),
    ).toMatchObject({ statusCode: 415 });
    expect(
      await bad(
        'PUT',
        '/pacts/provider/orders/consumer/web/version/1',
        JSON.stringify({ ...pact(), pad: 'x'.repeat(4096) }),
      ),
    ).toMatchObject({ statusCode: 413 });
    expect(await bad('GET', '/pacts/provider/orders/consumer/web/version/1')).toMatchObject({
      statusCode: 404,
      code: 'TREATY_BROKER_NOT_FOUND',
    });
    expect(await bad('GET', '/nowhere')).toMatchObject({ statusCode: 404, code: 'TREATY_BROKER_NOT_FOUND' });
    expect((await a.inject({ method: 'GET', url: '/pacticipants' })).json()._embedded.pacticipants).toEqual(
      [],
    );
  });

  it('refuses changed content for a published consumer version with 409', async () => {
    const a = await broker();
    await a.inject({
      method: 'PUT',
      url: '/pacts/provider/orders/consumer/web/version/1',
      payload: pact('web', 'orders', 1),
    });
    const res = await a.inject({
      method: 'PUT',
      url: '/pacts/provider/orders/consumer/web/version/1',
      payload: pact('web', 'orders', 2),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'TREATY_BROKER_PACT_CONFLICT', error: 'Conflict' });
  });
});

describe('POST /contracts/publish', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
  const body = (over: Record<string, unknown> = {}, contract: Record<string, unknown> = {}) => ({
    pacticipantName: 'web',
    pacticipantVersionNumber: '1.0.0',
    branch: 'main',
    tags: ['prod'],
    contracts: [
      {
        consumerName: 'web',
        providerName: 'orders',
        specification: 'pact',
        contentType: 'application/json',
        content: b64(pact()),
        ...contract,
      },
    ],
    ...over,
  });

  it('publishes the version with its branch, tags and pacts, and answers with notices and links', async () => {
    const a = await broker();
    const res = await a.inject({ method: 'POST', url: '/contracts/publish', payload: body() });
    expect(res.statusCode).toBe(200);
    expect(res.json()._links['pb:contracts'][0].href).toMatch(
      /\/pacts\/provider\/orders\/consumer\/web\/version\/1\.0\.0$/,
    );
    expect(res.json().notices.map((n: { type: string }) => n.type)).toContain('success');
    expect(
      (await a.inject({ method: 'GET', url: '/pacts/provider/orders/consumer/web/version/1.0.0' }))
        .statusCode,
    ).toBe(200);
  });

  it('refuses bad input with 400s that say what is wrong', async () => {
    const a = await broker();
    const msg = async (payload: unknown) =>
      (await a.inject({ method: 'POST', url: '/contracts/publish', payload: payload as object })).json() as {
        statusCode: number;
        message: string;
      };
    expect(await msg(body({ pacticipantName: ' ' }))).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('pacticipantName'),
    });
    expect(await msg(body({}, { content: 'not*base64' }))).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('strict Base64'),
    });
    expect(await msg(body({}, { content: b64({ hello: 1 }) }))).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('not a pact'),
    });
    expect(await msg(body({}, { providerName: 'billing' }))).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('not web and billing'),
    });
    expect(await msg(body({ contracts: [] }))).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('non-empty'),
    });
  });

  it('answers 409 with notices for changed content, and writes nothing', async () => {
    const a = await broker();
    await a.inject({ method: 'POST', url: '/contracts/publish', payload: body() });
    const res = await a.inject({
      method: 'POST',
      url: '/contracts/publish',
      payload: body({ tags: ['new-tag'] }, { content: b64(pact('web', 'orders', 2)) }),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'TREATY_BROKER_PACT_CONFLICT', notices: [{ type: 'error' }] });
  });
});

describe('pacts for verification by environment', () => {
  it('selects the consumer versions deployed or released in an environment', async () => {
    const a = await broker();
    await a.inject({
      method: 'PUT',
      url: '/pacts/provider/orders/consumer/web/version/1',
      payload: pact('web', 'orders', 1),
    });
    await a.inject({
      method: 'PUT',
      url: '/pacts/provider/orders/consumer/web/version/2',
      payload: pact('web', 'orders', 2),
    });
    const env = (
      await a.inject({
        method: 'POST',
        url: '/environments',
        payload: { name: 'production', production: true },
      })
    ).json() as { uuid: string };
    await a.inject({
      method: 'POST',
      url: `/pacticipants/web/versions/1/deployed-versions/environment/${env.uuid}`,
      payload: {},
    });
    const res = await a.inject({
      method: 'POST',
      url: '/pacts/provider/orders/for-verification',
      payload: { consumerVersionSelectors: [{ deployedOrReleased: true }] },
    });
    const pacts = (
      res.json() as {
        _embedded: { pacts: Array<{ shortDescription: string; _links: { self: { name: string } } }> };
      }
    )._embedded.pacts;
    expect(pacts.map((p) => [p.shortDescription, p._links.self.name])).toEqual([
      ['deployed to production', 'Pact between web (1) and orders'],
    ]);
    const bad = await a.inject({
      method: 'POST',
      url: '/pacts/provider/orders/for-verification',
      payload: { consumerVersionSelectors: [{ environment: 'nowhere' }] },
    });
    expect(bad.json()).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("no environment named 'nowhere'"),
    });
  });
});

describe('authentication', () => {
  it('lets read-only credentials read, refuses their writes with 403, and answers 401 without credentials', async () => {
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-auth-')), 'b.sqlite'));
    app = await buildApp({
      store,
      auth: { readWrite: [{ token: 'rw' }], readOnly: [{ username: 'viewer', password: 'pw' }] },
    });
    app.addHook('onClose', async () => store.close());
    const basic = `Basic ${Buffer.from('viewer:pw').toString('base64')}`;
    const put = (authorization?: string) =>
      app?.inject({
        method: 'PUT',
        url: '/pacts/provider/orders/consumer/web/version/1',
        payload: pact(),
        headers: authorization === undefined ? {} : { authorization },
      });
    expect((await put())?.json()).toMatchObject({ statusCode: 401, code: 'TREATY_BROKER_UNAUTHORIZED' });
    expect((await put('Bearer wrong'))?.json()).toMatchObject({
      statusCode: 401,
      message: expect.stringContaining('not known'),
    });
    expect((await put(basic))?.json()).toMatchObject({ statusCode: 403, code: 'TREATY_BROKER_FORBIDDEN' });
    expect((await put('Bearer rw'))?.statusCode).toBe(201);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/pacts/provider/orders/consumer/web/version/1',
          headers: { authorization: basic },
        })
      ).statusCode,
    ).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/diagnostic/status/heartbeat' })).statusCode).toBe(200);
  });
});

describe('integrations', () => {
  it('lists every consumer-provider pair that has a pact', async () => {
    const a = await broker();
    await a.inject({
      method: 'PUT',
      url: '/pacts/provider/orders/consumer/web/version/1',
      payload: pact('web', 'orders'),
    });
    await a.inject({
      method: 'PUT',
      url: '/pacts/provider/billing/consumer/web/version/1',
      payload: pact('web', 'billing'),
    });
    const res = (await a.inject({ method: 'GET', url: '/integrations' })).json() as {
      _embedded: { integrations: Array<{ consumer: { name: string }; provider: { name: string } }> };
    };
    expect(res._embedded.integrations.map((i) => `${i.consumer.name}→${i.provider.name}`)).toEqual([
      'web→billing',
      'web→orders',
    ]);
  });
});
