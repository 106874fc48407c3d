import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

let app: FastifyInstance;
let port = 0;

beforeAll(async () => {
  const store = SqliteStore.open(':memory:');
  app = await buildApp({ store, bodyLimit: 1024 });
  app.addHook('onClose', async () => store.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => app.close());

/** Sends raw bytes and returns the whole answer. */
function rawHttp(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('framework errors carry our codes', () => {
  it.each([
    ['bad JSON', 'POST', '/contracts/publish', 'application/json', '{', 400, 'TREATY_BROKER_BAD_REQUEST'],
    [
      'a wrong content type',
      'POST',
      '/contracts/publish',
      'text/plain',
      'x',
      415,
      'TREATY_BROKER_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body too large',
      'POST',
      '/contracts/publish',
      'application/json',
      `"${'x'.repeat(2000)}"`,
      413,
      'TREATY_BROKER_BODY_TOO_LARGE',
    ],
    ['bad URL encoding', 'GET', '/pacticipants/%E0%A4%A', undefined, undefined, 400, 'TREATY_BROKER_BAD_URL'],
    ['bad query encoding', 'GET', '/pacticipants?x=%ZZ', undefined, undefined, 400, 'TREATY_BROKER_BAD_URL'],
    [
      'a parameter too long',
      'GET',
      `/pacticipants/${'a'.repeat(3000)}`,
      undefined,
      undefined,
      400,
      'TREATY_BROKER_INVALID_NAME',
    ],
    [
      'a method the URL does not take',
      'DELETE',
      '/pacticipants',
      undefined,
      undefined,
      405,
      'TREATY_BROKER_METHOD_NOT_ALLOWED',
    ],
    ['nothing at the URL', 'GET', '/nothing/here', undefined, undefined, 404, 'TREATY_BROKER_NOT_FOUND'],
  ])('%s', async (_what, method, url, type, payload, status, code) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      ...(type === undefined ? {} : { headers: { 'content-type': type }, payload }),
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({
      statusCode: status,
      code,
      error: expect.any(String),
      message: expect.any(String),
    });
  });

  it('answers headers too large, and a request that is not HTTP, in the same shape', async () => {
    const big = await rawHttp(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(big).toContain('"code":"TREATY_BROKER_HEADERS_TOO_LARGE"');
    const garbage = await rawHttp('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage).toContain('"code":"TREATY_BROKER_BAD_REQUEST"');
  });
});
