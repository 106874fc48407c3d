import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

let app: FastifyInstance;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(async () => {
  const store = SqliteStore.open(':memory:');
  app = await buildApp({
    store,
    auth: {
      readWrite: [{ token: 'rw-secret' }, { username: 'ci', password: 'pw' }],
      readOnly: [{ token: 'ro-secret' }],
    },
  });
  app.addHook('onClose', async () => store.close());
  await app.inject({
    method: 'PATCH',
    url: '/pacticipants/orders',
    headers: { authorization: 'Bearer rw-secret', 'content-type': 'application/json' },
    payload: '{}',
  });
});
afterAll(async () => app.close());

const get = (url: string, authorization?: string) =>
  app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

describe('credentials', () => {
  it('exempts the heartbeat by its exact route, whatever the query', async () => {
    expect((await get('/diagnostic/status/heartbeat')).statusCode).toBe(200);
    expect((await get('/diagnostic/status/heartbeat?x=/pacticipants')).statusCode).toBe(200);
    for (const url of [
      '/diagnostic/status/heartbeatX',
      '/diagnostic/status/heartbeat/../../pacticipants',
      '/diagnostic/status/heartbeat%2F..%2Fpacticipants',
    ])
      expect((await get(url)).statusCode, url).toBe(401);
  });

  it('accepts each configured credential and refuses others, of any length or shape', async () => {
    expect((await get('/pacticipants', 'Bearer rw-secret')).statusCode).toBe(200);
    expect((await get('/pacticipants', 'bearer rw-secret')).statusCode).toBe(200);
    expect((await get('/pacticipants', basic('ci', 'pw'))).statusCode).toBe(200);
    for (const header of [
      'Bearer rw-secre',
      'Bearer rw-secret-longer',
      'Bearer ',
      'Bearer',
      basic('ci', 'pw2'),
      basic('ci:', 'pw'),
      'Basic !!!not-base64',
      'Basic',
      `Bearer ${'x'.repeat(8000)}`,
      'Digest rw-secret',
    ]) {
      const res = await get('/pacticipants', header);
      expect(res.statusCode, header.slice(0, 30)).toBe(401);
      expect(res.json()).toMatchObject({ code: 'TREATY_BROKER_UNAUTHORIZED' });
    }
  });

  it('lets read-only credentials ask for pacts to verify (a read, though a POST)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/pacts/provider/orders/for-verification',
      headers: { authorization: 'Bearer ro-secret', 'content-type': 'application/json' },
      payload: '{"consumerVersionSelectors":[{"mainBranch":true}]}',
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses a write with read-only credentials, naming the role needed', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: '/pacticipants/orders',
      headers: { authorization: 'Bearer ro-secret', 'content-type': 'application/json' },
      payload: '{"displayName":"Orders"}',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'TREATY_BROKER_FORBIDDEN' });
    expect(res.json().message).toContain('needs the read-write role');
    expect(res.json().message).toContain('read-only role');
  });
});
