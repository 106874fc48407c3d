import { describe, expect, it } from 'vitest';
import { TreatyError } from '../errors.js';
import { markFloatLiteral } from './json.js';
import type { Contract, HttpRequest, HttpResponse, Interaction, JsonObject, Message } from './model.js';
import { parseContract } from './parse.js';
import { serializeContract } from './serialize.js';

function error(fn: () => unknown): TreatyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TreatyError) return e;
    throw new Error(`expected a TreatyError, got ${String(e)}`);
  }
  throw new Error('expected an error');
}

const request = (over: Partial<HttpRequest> = {}): HttpRequest => ({
  method: 'GET',
  path: '/orders',
  query: {},
  headers: {},
  matchingRules: {},
  generators: {},
  ...over,
});
const response = (over: Partial<HttpResponse> = {}): HttpResponse => ({
  status: 200,
  headers: {},
  matchingRules: {},
  generators: {},
  ...over,
});
const message = (over: Partial<Message> = {}): Message => ({
  metadata: {},
  matchingRules: {},
  generators: {},
  ...over,
});

const http = (
  description: string,
  over: Partial<Extract<Interaction, { type: 'Synchronous/HTTP' }>> = {},
): Interaction => ({
  type: 'Synchronous/HTTP',
  description,
  providerStates: [],
  pending: false,
  request: request(),
  response: response(),
  ...over,
});
const async = (description: string, m: Partial<Message> = {}): Interaction => ({
  type: 'Asynchronous/Messages',
  description,
  providerStates: [],
  pending: false,
  message: message(m),
});
const sync = (description: string): Interaction => ({
  type: 'Synchronous/Messages',
  description,
  providerStates: [],
  pending: false,
  request: message(),
  response: [message()],
});

const contract = (interactions: Interaction[], metadata: JsonObject = {}): Contract => ({
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions,
  metadata,
  specVersion: '4.0',
});

describe('serializeContract', () => {
  it('writes V4 by default: sorted keys, two-space indent, a trailing newline, the version in metadata', () => {
    const text = serializeContract(
      contract([http('a')], { treaty: { version: '0.1.0' }, pactSpecification: { version: '2.0.0' } }),
    );
    expect(text.endsWith('}\n')).toBe(true);
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['consumer', 'interactions', 'metadata', 'provider']);
    expect(json.metadata).toEqual({ pactSpecification: { version: '4.0' }, treaty: { version: '0.1.0' } });
    expect(text).toContain('\n  "consumer": {\n    "name": "web"\n  },\n');
    const [interaction] = json.interactions as Array<Record<string, unknown>>;
    expect(Object.keys(interaction ?? {})).toEqual([
      'description',
      'key',
      'pending',
      'request',
      'response',
      'type',
    ]);
  });

  it('accepts the version as 4, 3, strings and v-prefixed forms, and refuses versions it cannot write', () => {
    const c = contract([http('a')]);
    for (const v of [4, '4', '4.0', 'v4'])
      expect(JSON.parse(serializeContract(c, { specVersion: v })).metadata.pactSpecification.version).toBe(
        '4.0',
      );
    for (const v of [3, '3', '3.0.0'])
      expect(JSON.parse(serializeContract(c, { specVersion: v })).metadata.pactSpecification.version).toBe(
        '3.0.0',
      );
    expect(error(() => serializeContract(c, { specVersion: 2 })).code).toBe(
      'TREATY_CONTRACT_UNSUPPORTED_VERSION',
    );
    expect(error(() => serializeContract(c, { specVersion: '5.0' })).code).toBe(
      'TREATY_CONTRACT_UNSUPPORTED_VERSION',
    );
  });

  it('keeps interaction order and is byte-stable whatever order maps were built in', () => {
    const a = contract([
      http('second', {
        request: request({ headers: { b: ['1'], a: ['2'] }, query: { z: ['1'], y: ['2'] } }),
      }),
      http('first'),
    ]);
    const b = contract([
      http('second', {
        request: request({ query: { y: ['2'], z: ['1'] }, headers: { a: ['2'], b: ['1'] } }),
      }),
      http('first'),
    ]);
    const text = serializeContract(a);
    expect(serializeContract(b)).toBe(text);
    expect(serializeContract(a)).toBe(text);
    expect(
      (JSON.parse(text).interactions as Array<{ description: string }>).map((i) => i.description),
    ).toEqual(['second', 'first']);
  });

  it('writes V4 bodies as body objects: JSON as a value, text as a string, bytes in base64', () => {
    const c = contract([
      http('json', {
        response: response({
          headers: { 'Content-Type': ['application/json'] },
          body: { kind: 'json', value: { id: 1 } },
        }),
      }),
      http('text', {
        response: response({ body: { kind: 'text', text: 'pong', contentType: 'text/plain' } }),
      }),
      http('bytes', {
        request: request({
          method: 'PUT',
          body: { kind: 'binary', bytes: new Uint8Array([0, 1, 254, 255]), contentType: 'image/png' },
        }),
      }),
      http('json string', {
        response: response({ body: { kind: 'json', value: 'hello', contentType: 'application/json' } }),
      }),
    ]);
    const [j, t, b, s] = JSON.parse(serializeContract(c)).interactions as Array<{
      request: { body?: unknown };
      response: { body?: unknown };
    }>;
    expect(j?.response.body).toEqual({ content: { id: 1 }, contentType: 'application/json', encoded: false });
    expect(t?.response.body).toEqual({ content: 'pong', contentType: 'text/plain', encoded: false });
    expect(b?.request.body).toEqual({ content: 'AAH+/w==', contentType: 'image/png', encoded: 'base64' });
    expect(s?.response.body).toEqual({
      content: '"hello"',
      contentType: 'application/json',
      encoded: 'JSON',
    });
    // and each reads back as what it was
    const back = parseContract(serializeContract(c)).interactions;
    expect(
      back.map((i) =>
        i.type === 'Synchronous/HTTP' ? (i.request.body ?? i.response.body)?.kind : undefined,
      ),
    ).toEqual(['json', 'text', 'binary', 'json']);
  });

  it('writes V3 headers as one string, queries as arrays, and leaves V4-only annotations out', () => {
    const c = contract([
      http('a', {
        pending: true,
        comments: { text: ['note'] },
        key: 'k1',
        request: request({
          headers: { Accept: ['application/json', 'text/plain'] },
          query: { tag: ['a', 'b'] },
        }),
      }),
    ]);
    const [i] = JSON.parse(serializeContract(c, { specVersion: 3 })).interactions as Array<
      Record<string, { headers?: unknown; query?: unknown }>
    >;
    expect(i?.request?.headers).toEqual({ Accept: 'application/json, text/plain' });
    expect(i?.request?.query).toEqual({ tag: ['a', 'b'] });
    expect(Object.keys(i ?? {})).toEqual(['description', 'request', 'response']);
  });

  it('writes V3 bytes under a textual content type as their text, and other bytes in base64', () => {
    const bytes = (b: number[] | string) =>
      typeof b === 'string' ? new TextEncoder().encode(b) : new Uint8Array(b);
    const bodies = [
      { kind: 'binary' as const, bytes: bytes('pong'), contentType: 'text/plain' },
      { kind: 'binary' as const, bytes: bytes('{"a": 1.0}'), contentType: 'application/json' },
      { kind: 'binary' as const, bytes: bytes([0x89, 0x50, 0xff]), contentType: 'image/png' },
      { kind: 'binary' as const, bytes: bytes([0xc3, 0x28]), contentType: 'text/plain' },
      {
        kind: 'binary' as const,
        bytes: bytes('pong'),
        contentType: 'text/plain',
        contentTypeHint: 'BINARY' as const,
      },
    ];
    const text = serializeContract(
      contract(bodies.map((body, n) => http(`b${n}`, { response: response({ body }) }))),
      { specVersion: 3 },
    );
    expect(
      (JSON.parse(text).interactions as Array<{ response: { body: unknown } }>).map((i) => i.response.body),
    ).toEqual(['pong', { a: 1 }, 'iVD/', 'wyg=', 'cG9uZw==']);
    expect(text).toContain('"a": 1.0');
  });

  it('writes status and method rules under "$" and the path rule directly, as Pact does', () => {
    const c = contract([
      http('a', {
        request: request({
          matchingRules: { path: { combine: 'AND', rules: [{ match: 'regex', regex: '/orders/\\d+' }] } },
        }),
        response: response({
          matchingRules: { status: { combine: 'AND', rules: [{ match: 'statusCode', status: 'success' }] } },
        }),
      }),
    ]);
    const [i] = JSON.parse(serializeContract(c)).interactions as Array<{
      request: { matchingRules: unknown };
      response: { matchingRules: unknown };
    }>;
    expect(i?.request.matchingRules).toEqual({
      path: { combine: 'AND', matchers: [{ match: 'regex', regex: '/orders/\\d+' }] },
    });
    expect(i?.response.matchingRules).toEqual({
      status: { $: { combine: 'AND', matchers: [{ match: 'statusCode', status: 'success' }] } },
    });
    expect(parseContract(serializeContract(c)).interactions).toEqual(
      c.interactions.map((x) => ({ ...x, key: expect.any(String) })),
    );
  });

  it('refuses V3 for synchronous messages and for HTTP mixed with messages, saying what to do', () => {
    const s = error(() => serializeContract(contract([http('a'), sync('price')]), { specVersion: 3 }));
    expect(s.code).toBe('TREATY_CONTRACT_UNSERIALIZABLE');
    expect(s.message).toContain("interactions[1] ('price') is a synchronous message");
    expect(s.message).toContain('V4');
    const m = error(() => serializeContract(contract([http('a'), async('event')]), { specVersion: 3 }));
    expect(m.code).toBe('TREATY_CONTRACT_UNSERIALIZABLE');
    expect(m.message).toMatch(/split it into an HTTP pact and a message pact/);
    const messages = JSON.parse(
      serializeContract(
        contract([async('event', { contents: { kind: 'json', value: { a: 1 } }, metadata: { topic: 't' } })]),
        { specVersion: 3 },
      ),
    );
    expect(messages.interactions).toBeUndefined();
    expect(messages.messages).toEqual([
      { contents: { a: 1 }, description: 'event', metadata: { topic: 't' } },
    ]);
  });

  it('computes a stable key from what the interaction is, and keeps a given key', () => {
    const keyOf = (i: Interaction) =>
      (JSON.parse(serializeContract(contract([i]))).interactions[0] as { key: string }).key;
    const base = http('a', { providerStates: [{ name: 's', params: { id: 1 } }] });
    const key = keyOf(base);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(keyOf(http('a', { providerStates: [{ name: 's', params: { id: 1 } }] }))).toBe(key);
    expect(keyOf({ ...base, comments: { text: ['x'] }, pending: true })).toBe(key);
    expect(keyOf({ ...base, description: 'b' })).not.toBe(key);
    expect(keyOf({ ...base, providerStates: [{ name: 's', params: { id: 2 } }] })).not.toBe(key);
    expect(
      keyOf(
        http('a', {
          providerStates: [{ name: 's', params: { id: 1 } }],
          response: response({ status: 201 }),
        }),
      ),
    ).not.toBe(key);
    expect(keyOf({ ...base, key: 'given' })).toBe('given');
  });

  it('writes numbers marked as floats with a fraction', () => {
    const value = { price: 100, count: 100 };
    markFloatLiteral(value, 'price');
    const text = serializeContract(
      contract([
        http('a', { response: response({ body: { kind: 'json', value, contentType: 'application/json' } }) }),
      ]),
    );
    expect(text).toContain('"price": 100.0');
    expect(text).toContain('"count": 100\n');
    expect(serializeContract(parseContract(text))).toBe(text);
  });
});
