import { connect } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConsumerContract,
  MAX_JSON_DEPTH,
  isTreatyError,
  parseContract,
  serializeContract,
  type MockServerInfo,
} from '@treaty/core';

/*
 * An attacker's corpus against the consumer mock server and the contract reader. The mock server is
 * the real one, on 127.0.0.1, with two ordinary interactions; every hostile request must get a
 * well-formed answer (a 4xx, or the mismatch answer the mock gives any unmatched request: 500 with
 * `x-treaty-mismatch`), the process (this test runner) must survive, and afterwards ordinary requests
 * must still match.
 */

interface Answer {
  status: number;
  headers: string;
  body: string;
}

/** Sends raw bytes on a fresh connection and reads until the server closes it (or `settle` passes). */
function raw(
  mock: MockServerInfo,
  bytes: Buffer | string,
  how: { after?: 'end' | 'destroy' } = {},
): Promise<Answer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(mock.port, mock.host);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      if (all.length === 0) return resolve(undefined);
      const text = all.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n([\s\S]*?)\r\n\r\n/.exec(text);
      if (m === null) return reject(new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const headers = (m[2] ?? '').toLowerCase();
      let body: Buffer = all.subarray(m[0].length);
      if (/^transfer-encoding: chunked$/m.test(headers)) body = unchunk(body);
      resolve({ status: Number(m[1]), headers, body: body.toString('utf8') });
    });
    socket.write(bytes, () => {
      if (how.after === 'destroy') {
        socket.destroy();
        resolve(undefined);
      } else if (how.after === 'end') socket.end();
    });
  });
}

/** The payload of a chunked HTTP body. */
function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = eol < 0 ? 0 : Number.parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** A whole request with `Connection: close`, so the server closes the connection after answering. */
const request = (method: string, target: string, headers: string[] = [], body: Buffer | string = '') =>
  Buffer.concat([
    Buffer.from(
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
        `${headers.map((h) => `${h}\r\n`).join('')}` +
        `${body.length > 0 ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n`,
      'latin1',
    ),
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  ]);
const postJson = (body: Buffer | string, target = '/orders') =>
  request('POST', target, ['Content-Type: application/json'], body);

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Each case: what is sent, and optionally the status it must get and text the answer must hold. */
interface Case {
  name: string;
  send: (mock: MockServerInfo) => Promise<Answer | undefined>;
  status?: number;
  says?: RegExp;
}

const corpus: Case[] = [
  {
    name: 'malformed JSON',
    send: (m) => raw(m, postJson('{"sku": ')),
    status: 500,
    says: /could not be parsed/,
  },
  {
    name: `JSON nested ${MAX_JSON_DEPTH} levels (the limit)`,
    send: (m) => raw(m, postJson(nested(MAX_JSON_DEPTH))),
    status: 500,
    says: /unexpected key 'a'/,
  },
  {
    name: `JSON nested ${MAX_JSON_DEPTH + 1} levels`,
    send: (m) => raw(m, postJson(nested(MAX_JSON_DEPTH + 1))),
    status: 500,
    says: /more than 256 levels deep/,
  },
  {
    name: 'JSON nested 5,000 levels',
    send: (m) => raw(m, postJson(`${'['.repeat(5000)}${']'.repeat(5000)}`)),
    status: 500,
    says: /more than 256 levels deep/,
  },
  { name: 'unclosed JSON 60,000 levels', send: (m) => raw(m, postJson('['.repeat(60_000))), status: 500 },
  {
    name: 'a header of 15,000 bytes (under Node’s limit)',
    send: (m) => raw(m, request('GET', '/orders/1', [`X-Big: ${'a'.repeat(15_000)}`])),
    status: 200,
  },
  {
    name: 'headers over Node’s 16 KiB limit',
    send: (m) => raw(m, request('GET', '/orders/1', [`X-Big: ${'a'.repeat(20_000)}`])),
    status: 431,
  },
  {
    name: '1,000 headers',
    send: (m) =>
      raw(
        m,
        request(
          'GET',
          '/orders/1',
          Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${i}`),
        ),
      ),
    status: 200,
  },
  {
    name: 'headers named __proto__, constructor and toString',
    send: (m) =>
      raw(
        m,
        request('GET', '/orders/1', ['__proto__: 1', 'constructor: 2', 'toString: 3', 'hasOwnProperty: 4']),
      ),
    status: 200,
  },
  {
    name: 'query parameters named __proto__, constructor and toString',
    send: (m) => raw(m, request('GET', '/orders/1?__proto__=1&constructor=2&toString=3&toString=4')),
    status: 500,
    says: /unexpected query parameter 'constructor'/,
  },
  { name: 'a NUL byte in the path', send: (m) => raw(m, request('GET', '/orders/\0')), status: 400 },
  {
    name: 'a percent-encoded NUL in the path',
    send: (m) => raw(m, request('GET', '/orders/%00')),
    status: 500,
  },
  {
    name: 'a percent-encoded NUL in the query',
    send: (m) => raw(m, request('GET', '/orders/1?q=%00')),
    status: 500,
  },
  {
    name: 'a NUL byte in a JSON body',
    send: (m) => raw(m, postJson('{"sku":"A-1\0"}')),
    status: 500,
    says: /could not be parsed/,
  },
  {
    name: 'an escaped NUL in a JSON string',
    send: (m) => raw(m, postJson('{"sku":"A-1\\u0000"}')),
    status: 500,
    says: /A-1\\\\u0000/,
  },
  {
    name: 'invalid UTF-8 bytes in the path',
    send: (m) => raw(m, request('GET', Buffer.from([0x2f, 0xff, 0xfe, 0xc3]).toString('latin1'))),
  },
  {
    name: 'invalid UTF-8, percent-encoded, in the query',
    send: (m) => raw(m, request('GET', '/orders/1?q=%ff%fe')),
    status: 500,
  },
  {
    name: 'invalid UTF-8 in a JSON body',
    send: (m) =>
      raw(m, postJson(Buffer.from([0x7b, 0x22, 0x73, 0x6b, 0x75, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))),
    status: 500,
  },
  {
    name: 'a lone UTF-16 surrogate in a JSON string',
    send: (m) => raw(m, postJson('{"sku":"\\ud800"}')),
    status: 500,
    says: /\\ud800/,
  },
  {
    name: 'a lone surrogate, UTF-8-encoded, in the path',
    send: (m) => raw(m, request('GET', '/orders/%ED%A0%80')),
    status: 500,
  },
  {
    name: 'invalid percent-encoding in the path',
    send: (m) => raw(m, request('GET', '/%E0%A4%A')),
    status: 500,
  },
  {
    name: 'a URL of 15,000 bytes',
    send: (m) => raw(m, request('GET', `/orders/${'1'.repeat(15_000)}`)),
    status: 500,
  },
  {
    name: 'a URL over Node’s limit',
    send: (m) => raw(m, request('GET', `/${'a'.repeat(70_000)}`)),
    status: 431,
  },
  { name: 'the method FOO', send: (m) => raw(m, request('FOO', '/orders/1')), status: 400 },
  { name: 'the method PROPFIND', send: (m) => raw(m, request('PROPFIND', '/orders/1')), status: 500 },
  {
    name: 'a chunked body with a bad chunk size',
    send: (m) =>
      raw(
        m,
        'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      ),
    status: 400,
  },
  {
    name: 'a chunked body that claims more than it sends',
    send: (m) =>
      raw(m, 'POST /orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffff\r\n{}', {
        after: 'end',
      }),
  },
  {
    name: 'both Content-Length and Transfer-Encoding',
    send: (m) =>
      raw(
        m,
        'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      ),
    status: 400,
  },
  {
    name: 'two different Content-Lengths',
    send: (m) =>
      raw(m, 'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'),
    status: 400,
  },
  {
    name: 'a truncated body (Content-Length larger than sent, then the connection closes)',
    send: (m) =>
      raw(
        m,
        'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"sku"',
        {
          after: 'end',
        },
      ),
  },
  {
    name: 'a request aborted mid-body',
    send: (m) =>
      raw(m, 'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"sku":"', {
        after: 'destroy',
      }),
  },
  {
    name: 'a body over maxRequestBytes (64 KiB here)',
    send: (m) => raw(m, postJson(`{"sku":"${'x'.repeat(100_000)}"}`)),
    status: 413,
    says: /"code":"TREATY_MOCK_REQUEST_TOO_LARGE"/,
  },
  {
    name: 'an empty JSON body',
    send: (m) => raw(m, request('POST', '/orders', ['Content-Type: application/json'])),
    status: 500,
    says: /the body is empty|expected a body/,
  },
  {
    name: 'a body declared as XML, nested 5,000 elements',
    send: (m) =>
      raw(
        m,
        request(
          'POST',
          '/orders',
          ['Content-Type: application/xml'],
          `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`,
        ),
      ),
    status: 500,
  },
];

function ordinaryInteractions(contract: ConsumerContract): void {
  contract
    .addInteraction()
    .uponReceiving('a request for order 1')
    .withRequest('GET', '/orders/1')
    .willRespondWith(200, (res) => res.jsonBody({ id: 1 }));
  contract
    .addInteraction()
    .uponReceiving('a new order')
    .withRequest('POST', '/orders', (req) => req.jsonBody({ sku: 'A-1' }))
    .willRespondWith(201, (res) => res.jsonBody({ id: 2 }));
}

async function ordinaryRequests(mock: MockServerInfo): Promise<void> {
  const got = await fetch(`${mock.url}/orders/1`);
  expect([got.status, await got.json()]).toEqual([200, { id: 1 }]);
  const posted = await fetch(`${mock.url}/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"sku":"A-1"}',
  });
  expect([posted.status, await posted.json()]).toEqual([201, { id: 2 }]);
}

describe('the consumer mock server under hostile requests', () => {
  it('answers every request of the corpus well-formed, survives, and still matches ordinary requests', async () => {
    const contract = new ConsumerContract({
      consumer: 'hostile-web',
      provider: 'orders',
      dir: mkdtempSync(join(tmpdir(), 'treaty-hostile-')),
      maxRequestBytes: 64 * 1024,
    });
    ordinaryInteractions(contract);
    const outcomes: string[] = [];
    const failure = await contract
      .executeTest(async (mock) => {
        for (const c of corpus) {
          const answer = await c.send(mock);
          const mismatch = answer?.headers.includes('x-treaty-mismatch: true') === true;
          // No 5xx but the mock's deliberate mismatch answer; any answer must be what the case expects.
          if (answer !== undefined && answer.status >= 500 && !(answer.status === 500 && mismatch))
            outcomes.push(`${c.name}: a real ${answer.status}: ${answer.body.slice(0, 200)}`);
          if (c.status !== undefined && answer?.status !== c.status)
            outcomes.push(`${c.name}: expected ${c.status}, got ${answer?.status ?? 'no answer'}`);
          if (c.says !== undefined && !c.says.test(answer?.body ?? ''))
            outcomes.push(`${c.name}: the answer does not say ${c.says}: ${answer?.body.slice(0, 300)}`);
          if (answer?.headers.includes('content-type: application/json') === true)
            expect(() => JSON.parse(answer.body) as unknown, c.name).not.toThrow();
        }
        // 200 at once, each matched.
        const all = await Promise.all(
          Array.from({ length: 200 }, () => fetch(`${mock.url}/orders/1`).then((r) => r.status)),
        );
        expect(all.filter((s) => s !== 200)).toEqual([]);
        await ordinaryRequests(mock);
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    if (!isTreatyError(failure)) throw failure;
    expect(outcomes).toEqual([]);
    // The hostile requests fail the consumer test, with their reasons, as any unexpected request does.
    expect(isTreatyError(failure) && failure.code).toBe('TREATY_CONSUMER_TEST_FAILED');
    const report = failure instanceof Error ? failure.message : '';
    expect(report).toMatch(/more than 256 levels deep/);
    expect(report).toMatch(/The request body is larger than 64 KiB \(maxRequestBytes\)/);
    expect(report).not.toMatch(/Expected but not received/);
    expect(report).not.toMatch(/TREATY_INTERNAL|failed on/);
  });
});

// ---------------------------------------------------------------------------------------------
// The contract reader

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const base = (version: string): Record<string, Json> => ({
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions: [
    {
      description: 'a new order',
      providerStates: [{ name: 'stock', params: { sku: 'A-1' } }],
      request: {
        method: 'POST',
        path: '/orders',
        query: { page: ['1'] },
        headers: { 'Content-Type': 'application/json' },
        body: { sku: 'A-1', lines: [{ n: 1 }] },
        matchingRules: { body: { '$.sku': { matchers: [{ match: 'type' }] } }, header: {}, query: {} },
        generators: { body: { '$.lines[0].n': { type: 'RandomInt', min: 1, max: 9 } } },
      },
      response: {
        status: 201,
        headers: { 'Content-Type': 'application/json' },
        body: { id: 2 },
        matchingRules: { body: { '$.id': { matchers: [{ match: 'integer' }] } } },
      },
    },
  ],
  metadata: { pactSpecification: { version } },
});

/** Every place in a document: the path to each object member and array item. */
function places(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [];
  const entries: Array<[string | number, Json]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...path, k], ...places(v, [...path, k])]);
}

function replaced(doc: Json, path: Array<string | number>, value: Json): Json {
  const copy = JSON.parse(JSON.stringify(doc)) as Json;
  let at = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, Json>;
  at[path[path.length - 1] as string | number] = value;
  return copy;
}

/** Member names that are Object.prototype's own, as text (so `__proto__` is a member, not a prototype). */
const hostileKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const pollution = '{"polluted":"yes","toString":1,"hasOwnProperty":1}';

/** Hostile values as JSON text: huge and negative-zero numbers, lone surrogates, deep nesting. */
const hostileValues = [
  '1e400',
  '-1e400',
  '-0',
  '-0.0',
  '1e-400',
  '123456789012345678901234567890',
  '"\\ud800"',
  '"\\udc00x\\ud800"',
  '"\\u0000"',
  '""',
  'null',
  '[]',
  '{}',
  `{"__proto__":${pollution}}`,
  `{"constructor":{"prototype":${pollution}}}`,
  `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`,
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
];

/** Reads a document as text and as a parsed value; only a TreatyError may come out. */
function read(text: string): string[] {
  const problems: string[] = [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  for (const input of value === undefined ? [text] : [text, value]) {
    try {
      const contract = parseContract(input);
      // What was read is written and read back, as the broker and `treaty` do.
      for (const specVersion of [4, 3] as const) {
        let written: string | undefined;
        try {
          written = serializeContract(contract, { specVersion });
        } catch (error) {
          if (!isTreatyError(error)) throw error;
        }
        if (written !== undefined) parseContract(written);
      }
    } catch (error) {
      if (!isTreatyError(error))
        problems.push(
          `${typeof input === 'string' ? 'text' : 'value'}: ${String(error)} ← ${text.slice(0, 160)}`,
        );
    }
  }
  return problems;
}

describe('the contract reader under hostile documents', () => {
  it('throws only TreatyErrors for hostile keys and values at every place, and pollutes no prototype', () => {
    const problems: string[] = [];
    for (const version of ['2.0.0', '3.0.0', '4.0']) {
      const doc = base(version) as Json;
      const marker = '"\u0000HOSTILE\u0000"';
      for (const path of places(doc)) {
        const template = JSON.stringify(replaced(doc, path, '\u0000HOSTILE\u0000'));
        for (const value of hostileValues) problems.push(...read(template.replace(marker, value)));
        // The same place under a hostile member name, holding a polluting object.
        if (typeof path[path.length - 1] === 'string') {
          for (const key of hostileKeys) {
            const renamed = template.replace(
              `"${String(path[path.length - 1])}":${marker}`,
              `"${key}":${pollution}`,
            );
            problems.push(...read(renamed));
          }
        }
      }
      // Hostile names as whole maps: headers, query, rules and generators by category and path.
      for (const key of hostileKeys) {
        const text = JSON.stringify(base(version))
          .replace('"Content-Type":', `"${key}":"x","Content-Type":`)
          .replace('"page":', `"${key}":["1"],"page":`)
          .replace('"body":{"$.sku"', `"${key}":{"${key}":{"matchers":[{"match":"type"}]}},"body":{"$.sku"`)
          .replace('"header":{}', `"header":{"${key}":{"matchers":[{"match":"regex","regex":"x"}]}}`)
          .replace(
            '"query":{}',
            `"query":{"${key}":{"matchers":[{"match":"type"}]},"page":{"matchers":[{"match":"type"}]}}`,
          )
          .replace('"generators":{', `"generators":{"${key}":{"${key}":{"type":"RandomInt"}},`);
        problems.push(...read(text));
      }
    }
    expect(problems).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('reads a document of 20,000 interactions, and refuses deep ones with TREATY_INPUT_TOO_DEEP', () => {
    const doc = base('3.0.0');
    const one = (doc.interactions as Json[])[0] as Record<string, Json>;
    doc.interactions = Array.from({ length: 20_000 }, (_, i) => ({ ...one, description: `order ${i}` }));
    expect(parseContract(JSON.stringify(doc)).interactions).toHaveLength(20_000);
    for (const input of [
      `{"consumer":${nested(5000)}}`,
      JSON.parse(`{"consumer":${nested(5000)}}`) as unknown,
      `{"interactions":[${'['.repeat(200_000)}`,
    ]) {
      expect(() => parseContract(input)).toThrow(
        expect.objectContaining({ code: 'TREATY_INPUT_TOO_DEEP' }) as unknown as Error,
      );
    }
  });

  it('refuses a number no double holds, as the Pact core does, instead of reading it as Infinity', () => {
    for (const big of ['1e400', '-1e400', '9'.repeat(400)]) {
      const text = JSON.stringify(base('4.0')).replace('"sku":"A-1",', `"sku":"A-1","big":${big},`);
      expect(() => parseContract(text)).toThrow(
        expect.objectContaining({
          code: 'TREATY_CONTRACT_NOT_A_CONTRACT',
          message: expect.stringContaining('a number a double can hold'),
        }) as unknown as Error,
      );
    }
  });

  it('keeps lone surrogates, -0 and tiny numbers as data, not crashes', () => {
    const text = JSON.stringify(base('4.0'))
      .replace('"a new order"', '"a new \\ud800 order"')
      .replace('"sku":"A-1",', '"sku":"\\udfff","z":-0,"tiny":1e-400,');
    const contract = parseContract(text);
    const i = contract.interactions[0];
    if (i?.type !== 'Synchronous/HTTP') throw new Error('expected an HTTP interaction');
    expect(i.description).toBe('a new \ud800 order');
    expect(i.request.body).toMatchObject({
      kind: 'json',
      value: { sku: '\udfff', z: -0, tiny: 0 },
    });
    const written = serializeContract(contract);
    // A lone surrogate is written escaped, so the text is valid UTF-8.
    expect(written).toContain('\\ud800');
    expect(Buffer.from(written, 'utf8').toString('utf8')).toBe(written);
  });
});
