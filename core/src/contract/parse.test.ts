import { describe, expect, it } from 'vitest';
import { TreatyError } from '../errors.js';
import { type ContractWarning, parseContract } from './parse.js';
import { serializeContract } from './serialize.js';
import { parseRequest, parseResponse, parseMessage } from './fragments.js';
import { normalizeSpecVersion } from './version.js';
import { MAX_JSON_DEPTH, parseJson, isFloatLiteral, stringifyJson } from './json.js';

function error(fn: () => unknown): TreatyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TreatyError) return e;
    throw new Error(`expected a TreatyError, got ${String(e)}`);
  }
  throw new Error('expected an error');
}

const v3 = (interactions: unknown[]) => ({
  consumer: { name: 'c' },
  provider: { name: 'p' },
  interactions,
  metadata: { pactSpecification: { version: '3.0.0' } },
});

describe('parseContract', () => {
  it('says plainly when the input is not a contract at all', () => {
    for (const input of ['not json', '[1,2]', '{"hello": "world"}', 42, null]) {
      const e = error(() => parseContract(input));
      expect(e.code).toBe('TREATY_CONTRACT_NOT_A_CONTRACT');
      expect(e.message).toContain('A Pact file is a JSON object');
    }
    expect(error(() => parseContract('{"consumer": {}, "provider": {}}')).message).toContain(
      'it has no interactions',
    );
  });

  it('names the JSON path of a bad field', () => {
    const e = error(() =>
      parseContract(
        v3([{ description: 'a', request: { method: 42, path: '/' }, response: { status: 200 } }]),
      ),
    );
    expect(e.code).toBe('TREATY_CONTRACT_INVALID');
    expect(e.message).toBe('interactions[0].request.method: expected a string, got 42.');
    expect(e.path).toBe('interactions[0].request.method');
    expect(
      error(() =>
        parseContract(v3([{ description: 'a', request: { path: '/' }, response: { status: 'ok' } }])),
      ).message,
    ).toBe('interactions[0].response.status: expected a number, got the string "ok".');
  });

  it('reads what the Pact tools read leniently, with a warning for each part', () => {
    const warnings: ContractWarning[] = [];
    const contract = parseContract(
      {
        consumer: { name: 'web' },
        provider: { name: 'orders' },
        metadata: { pactSpecification: { version: '4.0' } },
        interactions: [
          { type: 'Synchronous/HTTP', request: {}, response: {}, comments: '' },
          {
            type: 'Synchronous/HTTP',
            description: 7,
            request: {},
            response: {},
            interactionMarkup: '',
            pluginConfiguration: [],
          },
        ],
      },
      { onWarning: (w) => warnings.push(w) },
    );
    expect(contract.interactions.map((i) => i.description)).toEqual(['Interaction 0', '7']);
    expect(contract.interactions[0]?.comments).toBeUndefined();
    expect(contract.interactions[1]?.interactionMarkup).toBeUndefined();
    expect(contract.interactions[1]?.pluginConfiguration).toBeUndefined();
    expect(warnings.map((w) => w.path)).toEqual([
      'interactions[0].description',
      'interactions[0].comments',
      'interactions[1].description',
      'interactions[1].pluginConfiguration',
      'interactions[1].interactionMarkup',
    ]);
    expect(warnings[1]?.message).toBe(
      'interactions[0].comments: expected an object, got the string ""; ignored, as the Pact tools ignore it.',
    );
    // Without a listener the same file reads the same way, silently.
    expect(parseContract(serializeContract(contract)).interactions).toHaveLength(2);
  });

  it('rejects an unknown spec version and generators with their own codes, and keeps an unknown rule with a warning', () => {
    const bad = { ...v3([]), metadata: { pactSpecification: { version: '9.0' } } };
    expect(error(() => parseContract(bad)).code).toBe('TREATY_CONTRACT_UNSUPPORTED_VERSION');
    const rule = v3([
      {
        description: 'a',
        request: {},
        response: { matchingRules: { body: { '$.a': { matchers: [{ match: 'frobnicate' }] } } } },
      },
    ]);
    // As the Pact core reads it: the rule is kept as written, with a warning carrying the code.
    const warnings: ContractWarning[] = [];
    const read = parseContract(rule, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'TREATY_CONTRACT_UNKNOWN_RULE',
        path: "interactions[0].response.matchingRules.body['$.a'].matchers[0]",
      }),
    ]);
    const http = read.interactions[0];
    expect(http?.type === 'Synchronous/HTTP' && http.response.matchingRules.body?.['$.a']).toEqual({
      combine: 'AND',
      rules: [{ match: 'unknown', name: 'frobnicate', rule: { match: 'frobnicate' } }],
    });
    expect(serializeContract(read)).toMatch(/"matchers": \[\s*\{\s*"match": "frobnicate"\s*\}/);
    const gen = v3([
      { description: 'a', request: {}, response: { generators: { body: { '$.a': { type: 'Magic' } } } } },
    ]);
    expect(error(() => parseContract(gen)).code).toBe('TREATY_CONTRACT_UNKNOWN_GENERATOR');
  });

  it('reads V1/V2 provider states, V3 message pacts and V4 annotations', () => {
    const v2 = parseContract({
      consumer: { name: 'c' },
      provider: { name: 'p' },
      interactions: [
        {
          description: 'd',
          provider_state: 'ruby state',
          request: { method: 'GET', path: '/' },
          response: { status: 200 },
        },
      ],
      metadata: { pactSpecificationVersion: '1.0.0' },
    });
    expect(v2.specVersion).toBe('1.0.0');
    expect(v2.interactions[0]?.providerStates).toEqual([{ name: 'ruby state' }]);
    const messages = parseContract({
      consumer: { name: 'c' },
      provider: { name: 'p' },
      messages: [{ description: 'm', contents: { a: 1 }, metaData: { topic: 't' } }],
      metadata: { pactSpecification: { version: '3.0.0' } },
    });
    expect(messages.interactions[0]).toMatchObject({
      type: 'Asynchronous/Messages',
      message: { contents: { kind: 'json', value: { a: 1 } }, metadata: { topic: 't' } },
    });
    const v4 = parseContract({
      consumer: { name: 'c' },
      provider: { name: 'p' },
      interactions: [
        {
          type: 'Synchronous/HTTP',
          key: 'k1',
          description: 'd',
          pending: true,
          comments: { text: ['hello'], testname: 't' },
          request: { method: 'GET', path: '/' },
          response: { status: 204 },
        },
      ],
      metadata: { pactSpecification: { version: '4.0' }, pactJs: { version: '1' } },
    });
    expect(v4.interactions[0]).toMatchObject({
      key: 'k1',
      pending: true,
      comments: { text: ['hello'], testname: 't' },
    });
    expect(v4.metadata).toEqual({ pactJs: { version: '1' } });
  });
});

describe('parseContract: versions and errors', () => {
  const file = (extra: Record<string, unknown>) => ({
    consumer: { name: 'c' },
    provider: { name: 'p' },
    ...extra,
  });
  const httpI = { description: 'd', request: { method: 'GET', path: '/' }, response: { status: 200 } };

  it('finds the declared version in every place Pact tools have written it', () => {
    expect(
      parseContract(file({ interactions: [], metadata: { pactSpecification: { version: '3.0.0' } } }))
        .specVersion,
    ).toBe('3.0.0');
    expect(
      parseContract(file({ interactions: [], metadata: { 'pact-specification': { version: '2.0.0' } } }))
        .specVersion,
    ).toBe('2.0.0');
    expect(
      parseContract(file({ interactions: [], metadata: { pactSpecificationVersion: '1.1.0' } })).specVersion,
    ).toBe('1.1.0');
    expect(
      parseContract(file({ interactions: [], metadata: { pactSpecification: { version: 4 } } })).specVersion,
    ).toBe('4.0');
  });

  it('assumes V2 for HTTP, V3 for message pacts and V4 for typed interactions when no version is declared', () => {
    expect(parseContract(file({ interactions: [httpI] })).specVersion).toBe('2.0.0');
    expect(parseContract(file({ messages: [{ description: 'm', contents: 'x' }] })).specVersion).toBe(
      '3.0.0',
    );
    const v4 = parseContract(
      file({
        interactions: [
          {
            ...httpI,
            type: 'Synchronous/HTTP',
            response: {
              status: 200,
              body: { content: { a: 1 }, contentType: 'application/json', encoded: false },
            },
          },
        ],
      }),
    );
    expect(v4.specVersion).toBe('4.0');
    expect(v4.interactions[0]).toMatchObject({ response: { body: { kind: 'json', value: { a: 1 } } } });
  });

  it('reads V4 synchronous messages and files holding both interactions and messages', () => {
    const c = parseContract(
      file({
        interactions: [
          {
            type: 'Synchronous/Messages',
            description: 's',
            request: { contents: { content: { q: 1 }, contentType: 'application/json', encoded: false } },
            response: [{ contents: { content: 'ok', contentType: 'text/plain', encoded: false } }],
          },
        ],
        metadata: { pactSpecification: { version: '4.0' } },
      }),
    );
    expect(c.interactions[0]).toMatchObject({
      type: 'Synchronous/Messages',
      request: { contents: { kind: 'json', value: { q: 1 } } },
      response: [{ contents: { kind: 'text', text: 'ok' } }],
    });
    const both = parseContract(
      file({
        interactions: [httpI],
        messages: [{ description: 'm', contents: { a: 1 } }],
        metadata: { pactSpecification: { version: '3.0.0' } },
      }),
    );
    expect(both.interactions.map((i) => i.type)).toEqual(['Synchronous/HTTP', 'Asynchronous/Messages']);
  });

  it('says what a non-contract is', () => {
    expect(error(() => parseContract('[1, 2]')).message).toContain('expected a JSON object, got an array');
    expect(error(() => parseContract('"pact"')).message).toContain('got the string "pact"');
    expect(error(() => parseContract({ consumer: { name: 'c' } })).message).toContain(
      'it has no provider, interactions',
    );
    const e = error(() => parseContract('{\n  "consumer": {"name": "c"},\n  "provider": 1,\n}'));
    expect(e.code).toBe('TREATY_CONTRACT_NOT_A_CONTRACT');
    expect(e.message).toContain('not valid JSON');
    expect(e.message).toContain('line 4, column 1');
  });

  it('names the path of bad interaction fields', () => {
    const v4 = (i: Record<string, unknown>) =>
      file({
        interactions: [httpI, { ...httpI, ...i }],
        metadata: { pactSpecification: { version: '4.0' } },
      });
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { type: 'Synchronous/Carrier-Pigeon' },
        "interactions[1].type: expected 'Synchronous/HTTP', 'Asynchronous/Messages', 'Synchronous/Messages', got the string \"Synchronous/Carrier-Pigeon\".",
      ],
      [
        { type: 'Synchronous/HTTP', pending: 'yes' },
        'interactions[1].pending: expected true or false, got the string "yes".',
      ],
      [{ type: 'Synchronous/HTTP', key: 7 }, 'interactions[1].key: expected a string, got 7.'],
      [
        { type: 'Synchronous/HTTP', comments: { text: 'one' } },
        'interactions[1].comments.text: expected an array of strings, got the string "one".',
      ],
      [
        { type: 'Synchronous/HTTP', interactionMarkup: { markup: 1 } },
        'interactions[1].interactionMarkup.markup: expected a string, got 1.',
      ],
      [
        { type: 'Synchronous/HTTP', request: undefined },
        'interactions[1].request: expected a request object, got nothing.',
      ],
    ];
    for (const [damage, message] of cases) {
      const e = error(() => parseContract(v4(damage)));
      expect(e.code).toBe('TREATY_CONTRACT_INVALID');
      expect(e.message).toBe(message);
    }
    expect(error(() => parseContract(file({ interactions: {} }))).message).toBe(
      'interactions: expected an array of interactions, got an object.',
    );
    expect(error(() => parseContract(file({ interactions: [], consumer: 'c' }))).message).toBe(
      'consumer: expected an object { name }, got the string "c".',
    );
    expect(error(() => parseContract(file({ interactions: [], provider: {} }))).message).toBe(
      'provider.name: expected a string, got nothing.',
    );
    expect(error(() => parseContract(file({ interactions: [], metadata: [] }))).message).toBe(
      'metadata: expected an object, got an array.',
    );
  });

  it('ignores unknown attributes', () => {
    const c = parseContract(
      file({
        interactions: [{ ...httpI, flavour: 'vanilla' }],
        extra: true,
        metadata: { pactSpecification: { version: '3.0.0' }, custom: 1 },
      }),
    );
    expect(c.interactions).toHaveLength(1);
    expect(c.metadata).toEqual({ custom: 1 });
  });
});

describe('parseContract: how deep a body may nest', () => {
  // A V4 response body `levels` deep: the document wraps five more levels around it.
  const contract = (levels: number): string =>
    `{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"4.0"}},` +
    `"interactions":[{"type":"Synchronous/HTTP","description":"d","request":{"method":"GET","path":"/"},` +
    `"response":{"status":200,"body":{"contentType":"application/json","encoded":false,"content":` +
    `${'['.repeat(levels)}1${']'.repeat(levels)}}}}]}`;

  it('reads a body at the limit and refuses one level more, from text and from a parsed value', () => {
    for (const levels of [3, MAX_JSON_DEPTH]) {
      expect(parseContract(contract(levels)).interactions).toHaveLength(1);
      expect(parseContract(JSON.parse(contract(levels))).interactions).toHaveLength(1);
    }
    // The document is within what a contract may nest, the body is not.
    expect(error(() => parseContract(contract(MAX_JSON_DEPTH + 1))).code).toBe('TREATY_INPUT_TOO_DEEP');
    expect(error(() => parseContract(JSON.parse(contract(MAX_JSON_DEPTH + 1)))).code).toBe(
      'TREATY_INPUT_TOO_DEEP',
    );
  });
});

describe('fragments', () => {
  it('read V2 flat rules with $.headers and $.header alike, and V4 content rules as body rules', () => {
    const r = parseRequest(
      {
        method: 'GET',
        path: '/',
        matchingRules: {
          '$.headers.Accept': { regex: '\\w+' },
          '$.header.X': { match: 'type' },
          '$.body.a': { min: 1 },
        },
      },
      '2.0.0',
    );
    expect(r.matchingRules.header?.Accept?.rules).toEqual([{ match: 'regex', regex: '\\w+' }]);
    expect(r.matchingRules.header?.X?.rules).toEqual([{ match: 'type' }]);
    expect(r.matchingRules.body?.['$.a']?.rules).toEqual([{ match: 'type', min: 1 }]);
    const m = parseMessage(
      {
        contents: { content: { a: 1 }, contentType: 'application/json', encoded: false },
        matchingRules: { content: { '$.a': { matchers: [{ match: 'integer' }] } } },
      },
      '4',
    );
    expect(m.matchingRules.body?.['$.a']?.rules).toEqual([{ match: 'integer' }]);
  });

  it('keep absent, empty and null bodies apart', () => {
    expect(parseResponse({ status: 200 }, '3').body).toBeUndefined();
    expect(parseResponse({ status: 200, body: '' }, '3').body).toEqual({ kind: 'text', text: '' });
    expect(parseResponse({ status: 200, body: null }, '3').body).toEqual({ kind: 'json', value: null });
    expect(
      parseResponse(
        {
          status: 200,
          body: { content: 'AAE=', encoded: 'base64', contentType: 'application/octet-stream' },
        },
        '4',
      ).body,
    ).toEqual({ kind: 'binary', bytes: new Uint8Array([0, 1]), contentType: 'application/octet-stream' });
  });

  it('normalise spec versions and reject unknown ones', () => {
    expect(normalizeSpecVersion('3')).toBe('3.0.0');
    expect(normalizeSpecVersion(4)).toBe('4.0');
    expect(normalizeSpecVersion('v1.1')).toBe('1.1.0');
    expect(error(() => normalizeSpecVersion('5')).code).toBe('TREATY_CONTRACT_UNSUPPORTED_VERSION');
  });
});

describe('parseJson', () => {
  it('parses like JSON.parse and flags float literals', () => {
    const text = '{"a": [1, 1.0, 2e3, -0.5], "b": {"c": "x\\n\\u00e9"}, "d": true, "e": null}';
    const value = parseJson(text) as { a: number[] };
    expect(value).toEqual(JSON.parse(text));
    expect([0, 1, 2, 3].map((i) => isFloatLiteral(value.a, i))).toEqual([false, true, true, true]);
    expect(stringifyJson(value)).toBe('{"a":[1,1.0,2000.0,-0.5],"b":{"c":"x\\né"},"d":true,"e":null}');
  });

  it('reports invalid JSON with line and column', () => {
    const e = error(() => parseJson('{\n  "a": 1,\n  "b": tru\n}'));
    expect(e.code).toBe('TREATY_CONTRACT_INVALID');
    expect(e.message).toContain('line 3, column 8');
    expect(() => parseJson('{"a":1} x')).toThrow(/end of the JSON text/);
    expect(() => parseJson('[01]')).toThrow(/leading zeros/);
  });
});
