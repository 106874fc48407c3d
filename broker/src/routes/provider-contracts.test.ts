import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

const doc =
  'openapi: 3.0.3\ninfo: { title: orders, version: "1" }\npaths:\n  /orders/1:\n    get:\n      responses:\n        "200": { description: ok }\n';
const b64 = (text: string) => Buffer.from(text).toString('base64');

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp({ store: SqliteStore.open(':memory:') });
});
afterAll(async () => app.close());

const publish = (body: unknown, provider = 'orders') =>
  app.inject({
    method: 'POST',
    url: `/provider-contracts/provider/${provider}/publish`,
    payload: body as object,
  });
const stored = (version: string) =>
  app.inject({
    method: 'GET',
    url: `/contracts/bi-directional/provider/orders/version/${version}/provider-contract`,
  });

describe('POST /provider-contracts/provider/:provider/publish', () => {
  it('answers what the pactflow CLI reads: notices with type and text, the version, the tags link', async () => {
    const res = await publish({
      pacticipantVersionNumber: '1',
      branch: 'main',
      tags: ['dev'],
      contract: { content: b64(doc), contentType: 'application/yaml', specification: 'oas' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/hal+json;charset=utf-8');
    const body = res.json() as {
      notices: Array<{ type: string; text: string }>;
      _embedded: { version: { number: string } };
      _links: Record<string, unknown>;
    };
    expect(body.notices.every((n) => typeof n.type === 'string' && typeof n.text === 'string')).toBe(true);
    expect(body._embedded.version.number).toBe('1');
    expect(body._links['pb:pacticipant-version-tags']).toEqual([
      { name: 'dev', href: 'http://localhost:80/pacticipants/orders/versions/1/tags/dev' },
    ]);
    expect((await stored('1')).json()).toMatchObject({ content: doc, contentType: 'application/yaml' });
  });

  it.each([
    ['no version', { contract: { content: b64(doc) } }, 'TREATY_BROKER_BAD_REQUEST'],
    ['no contract', { pacticipantVersionNumber: '2' }, 'TREATY_BROKER_BAD_REQUEST'],
    [
      'content not Base64',
      { pacticipantVersionNumber: '2', contract: { content: '%%%' } },
      'TREATY_BROKER_BAD_REQUEST',
    ],
    [
      'not OpenAPI',
      { pacticipantVersionNumber: '2', contract: { content: b64('a: 1') } },
      'TREATY_OPENAPI_INVALID',
    ],
    [
      'an AsyncAPI document',
      { pacticipantVersionNumber: '2', contract: { content: b64(doc), specification: 'asyncapi' } },
      'TREATY_BROKER_UNSUPPORTED_CONTRACT',
    ],
    [
      'a $ref to another file',
      {
        pacticipantVersionNumber: '2',
        contract: { content: b64(`${doc}components: { schemas: { A: { $ref: "/etc/passwd" } } }\n`) },
      },
      'TREATY_OPENAPI_INVALID',
    ],
    [
      'a self-verification without success',
      { pacticipantVersionNumber: '2', contract: { content: b64(doc), selfVerificationResults: {} } },
      'TREATY_BROKER_BAD_REQUEST',
    ],
    [
      'a version of two lines',
      { pacticipantVersionNumber: 'a\nb', contract: { content: b64(doc) } },
      'TREATY_BROKER_INVALID_NAME',
    ],
  ])('refuses %s with 400 and stores nothing', async (_what, body, code) => {
    const res = await publish(body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code });
    expect((await stored('2')).statusCode).toBe(404);
  });

  it('is in the index as pf:publish-provider-contract', async () => {
    const index = (
      await app.inject({ method: 'GET', url: '/', headers: { accept: 'application/hal+json' } })
    ).json() as {
      _links: Record<string, { href: string; templated?: boolean }>;
    };
    expect(index._links['pf:publish-provider-contract']).toMatchObject({
      href: 'http://localhost:80/provider-contracts/provider/{provider}/publish',
      templated: true,
    });
  });
});
