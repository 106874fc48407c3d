import { describe, expect, it } from 'vitest';
import { isFloatLiteral } from './json.js';
import {
  parseBody,
  parseGenerators,
  parseMatchingRules,
  parseMessage,
  parseQuery,
  parseRequest,
  parseResponse,
} from './fragments.js';
import { normalizeSpecVersion } from './version.js';

const code = (c: string) => expect.objectContaining({ name: 'TreatyError', code: c });

describe('normalizeSpecVersion', () => {
  it('accepts the written and the short forms', () => {
    const cases: Array<[string | number, string]> = [
      ['1.0.0', '1.0.0'],
      ['1', '1.0.0'],
      ['1.0', '1.0.0'],
      [1, '1.0.0'],
      ['1.1.0', '1.1.0'],
      ['1.1', '1.1.0'],
      ['2.0.0', '2.0.0'],
      ['2', '2.0.0'],
      ['2.0', '2.0.0'],
      [2, '2.0.0'],
      ['3.0.0', '3.0.0'],
      ['3', '3.0.0'],
      ['3.0', '3.0.0'],
      ['v3', '3.0.0'],
      [3, '3.0.0'],
      ['4.0', '4.0'],
      ['4', '4.0'],
      ['4.0.0', '4.0'],
      [4, '4.0'],
    ];
    for (const [input, version] of cases) expect(normalizeSpecVersion(input), String(input)).toBe(version);
  });

  it('rejects anything else with its own code', () => {
    for (const input of ['5', '3.1', '', 'latest', 0])
      expect(() => normalizeSpecVersion(input)).toThrow(code('TREATY_CONTRACT_UNSUPPORTED_VERSION'));
  });
});

describe('queries', () => {
  it('keep the raw V1 query string for literal comparison and decode it for every version', () => {
    const v1 = parseRequest({ method: 'GET', path: '/', query: 'b=2&a=%3D1&a=x+y&' }, '1.0.0');
    expect(v1.rawQuery).toBe('b=2&a=%3D1&a=x+y&');
    expect(v1.query).toEqual({ b: ['2'], a: ['=1', 'x y'] });
    const v2 = parseRequest({ method: 'GET', path: '/', query: 'a=1&a=2&flag' }, '2.0.0');
    expect(v2.rawQuery).toBeUndefined();
    expect(v2.query).toEqual({ a: ['1', '2'], flag: [''] });
  });

  it('read V3/V4 maps whose values are a string or an array', () => {
    expect(parseQuery({ a: '1', b: ['2', '3'], n: [4, true] }, '$.query')).toEqual({
      a: ['1'],
      b: ['2', '3'],
      n: ['4', 'true'],
    });
    expect(() => parseQuery({ a: [{}] }, 'interactions[0].request.query')).toThrow(
      expect.objectContaining({
        code: 'TREATY_CONTRACT_INVALID',
        message: 'interactions[0].request.query.a[0]: expected a string, got an object.',
      }),
    );
  });
});

describe('requests and responses', () => {
  it('read headers written as a string or an array and default method and path', () => {
    const r = parseRequest({ headers: { Accept: 'a/b', 'X-Ids': ['1', '2'] } }, '3');
    expect(r).toMatchObject({ method: 'GET', path: '/', headers: { Accept: ['a/b'], 'X-Ids': ['1', '2'] } });
  });

  it('ignore unknown extra attributes', () => {
    expect(parseResponse({ status: 201, somethingElse: { x: 1 } }, '3')).toEqual({
      status: 201,
      headers: {},
      matchingRules: {},
      generators: {},
    });
  });

  it('say where a value has the wrong shape and what was expected', () => {
    expect(() => parseRequest({ method: 42 }, '3', { path: 'interactions[3].request' })).toThrow(
      expect.objectContaining({
        code: 'TREATY_CONTRACT_INVALID',
        path: 'interactions[3].request.method',
        message: 'interactions[3].request.method: expected a string, got 42.',
      }),
    );
    expect(() => parseResponse({ status: 99 }, '3')).toThrow(
      expect.objectContaining({ code: 'TREATY_CONTRACT_INVALID', path: '$.status' }),
    );
    expect(() => parseResponse([], '3')).toThrow(
      expect.objectContaining({ message: '$: expected a response object, got an array.' }),
    );
    expect(() => parseRequest({ headers: { 'Content-Type': { a: 1 } } }, '3')).toThrow(
      expect.objectContaining({ path: "$.headers['Content-Type']" }),
    );
    expect(() => parseRequest({}, '9')).toThrow(code('TREATY_CONTRACT_UNSUPPORTED_VERSION'));
  });
});

describe('bodies', () => {
  it('tell an absent body from an empty one and from null', () => {
    expect(parseResponse({ status: 200 }, '3').body).toBeUndefined();
    expect(parseResponse({ status: 200, body: '' }, '3').body).toEqual({ kind: 'text', text: '' });
    expect(parseResponse({ status: 200, body: null }, '3').body).toEqual({ kind: 'json', value: null });
  });

  it('treat a JSON string as the body text and any other JSON value as a document', () => {
    const headers = { 'Content-Type': 'application/json' };
    expect(parseResponse({ status: 200, headers, body: '{"a":1}' }, '2').body).toEqual({
      kind: 'text',
      text: '{"a":1}',
      contentType: 'application/json',
    });
    expect(parseResponse({ status: 200, headers, body: [1, 2] }, '2').body).toEqual({
      kind: 'json',
      value: [1, 2],
      contentType: 'application/json',
    });
  });

  it('read V4 body objects: plain, JSON text, base64 and hints', () => {
    expect(
      parseBody(
        { contentType: 'application/json', encoded: false, content: { a: 1 } },
        true,
        '4.0',
        undefined,
        '$.body',
      ),
    ).toEqual({ kind: 'json', value: { a: 1 }, contentType: 'application/json' });
    const parsed = parseBody(
      { contentType: 'application/json', encoded: 'JSON', content: '{"price": 100.0}' },
      true,
      '4.0',
      undefined,
      '$.body',
    );
    expect(parsed).toMatchObject({ kind: 'json', value: { price: 100 } });
    if (parsed?.kind !== 'json') throw new Error('expected a JSON body');
    expect(isFloatLiteral(parsed.value as object, 'price')).toBe(true);
    expect(
      parseBody(
        {
          contentType: 'application/octet-stream',
          encoded: 'base64',
          content: 'AAEC',
          contentTypeHint: 'BINARY',
        },
        true,
        '4.0',
        undefined,
        '$.body',
      ),
    ).toEqual({
      kind: 'binary',
      bytes: new Uint8Array([0, 1, 2]),
      contentType: 'application/octet-stream',
      contentTypeHint: 'BINARY',
    });
    expect(parseBody({ contentType: 'text/plain' }, true, '4.0', undefined, '$.body')).toBeUndefined();
    expect(() =>
      parseBody({ content: 'x', encoded: 'rot13' }, true, '4.0', undefined, 'interactions[0].response.body'),
    ).toThrow(
      expect.objectContaining({
        code: 'TREATY_CONTRACT_INVALID',
        path: 'interactions[0].response.body.encoded',
      }),
    );
  });

  it('read V1–V3 body strings as the Pact core does: JSON string values, base64 bytes, text', () => {
    const body = (value: string, contentType?: string) =>
      parseResponse(
        {
          status: 200,
          ...(contentType === undefined ? {} : { headers: { 'Content-Type': contentType } }),
          body: value,
        },
        '3.0.0',
      ).body;
    // Under a JSON type, a string that is not JSON text of a string or object is a JSON string value.
    expect(body('Fulfilling', 'application/json')).toEqual({
      kind: 'json',
      value: 'Fulfilling',
      contentType: 'application/json',
    });
    expect(body('[1,2]', 'application/json')).toMatchObject({ kind: 'json', value: '[1,2]' });
    expect(body('{"a":1}', 'application/json')).toMatchObject({ kind: 'text', text: '{"a":1}' });
    expect(body('"quoted"', 'application/json')).toMatchObject({ kind: 'text', text: '"quoted"' });
    // Under a type that is not text, the string is base64 of the bytes; it stays text if it is not.
    expect(body('AAEC/w==', 'multipart/form-data; boundary=x')).toEqual({
      kind: 'binary',
      bytes: new Uint8Array([0, 1, 2, 255]),
      contentType: 'multipart/form-data; boundary=x',
    });
    expect(body('AAEC', 'application/octet-stream')).toMatchObject({ kind: 'binary' });
    expect(body('not base64!', 'application/pdf')).toMatchObject({ kind: 'text', text: 'not base64!' });
    expect(body('AAE', 'image/png')).toMatchObject({ kind: 'text', text: 'AAE' });
    // Text types, and strings with no declared type, are text as written.
    expect(body('AAEC', 'text/plain')).toMatchObject({ kind: 'text', text: 'AAEC' });
    expect(body('AAEC')).toEqual({ kind: 'text', text: 'AAEC' });
    expect(body('', 'application/json')).toMatchObject({ kind: 'text', text: '' });
    // V3 message contents follow the same rules, by the content type their metadata declares.
    const jpeg = parseMessage({ contents: '/9j/4A==', metaData: { contentType: 'image/jpeg' } }, '3.0.0');
    expect(jpeg.contents).toEqual({
      kind: 'binary',
      bytes: new Uint8Array([255, 216, 255, 224]),
      contentType: 'image/jpeg',
    });
  });

  it('read an unencoded V4 string under a JSON type as a JSON string value', () => {
    const v4 = (content: string, contentType: string) =>
      parseBody({ content, contentType, encoded: false }, true, '4.0', undefined, '$.body');
    expect(v4('First pact', 'application/json')).toEqual({
      kind: 'json',
      value: 'First pact',
      contentType: 'application/json',
    });
    expect(v4('{"a":1}', 'application/vnd.api+json')).toMatchObject({ kind: 'json', value: '{"a":1}' });
    expect(v4('', 'application/json')).toMatchObject({ kind: 'text', text: '' });
    expect(v4('First pact', 'text/plain')).toMatchObject({ kind: 'text', text: 'First pact' });
  });

  it('keep a V3 body that merely looks like a V4 body object as a JSON document', () => {
    expect(parseBody({ content: 'x' }, true, '3.0.0', undefined, '$.body')).toEqual({
      kind: 'json',
      value: { content: 'x' },
    });
  });
});

describe('matching rules', () => {
  it('refuse the rule paths Pact refuses: a name after a dot is letters, digits and _ - : # @', () => {
    const rule = { matchers: [{ match: 'type' }] };
    const refused = (key: string) => () =>
      parseMatchingRules({ [key]: rule }, 'interactions[0].request.matchingRules');
    expect(refused('$.header.$.Authorization[0]')).toThrow(
      expect.objectContaining({ code: 'TREATY_CONTRACT_INVALID_PATH' }),
    );
    expect(refused('$.body.a!b')).toThrow(expect.objectContaining({ code: 'TREATY_CONTRACT_INVALID_PATH' }));
    expect(refused("$.body['a!b']")).not.toThrow();
    expect(refused('$.body.ns:item.@id')).not.toThrow();
    expect(refused('$.body.#text')).not.toThrow();
    expect(refused('$.headers.Content-Type')).not.toThrow();
  });

  it('split V2 flat paths into categories and read legacy rules without match', () => {
    const rules = parseMatchingRules(
      {
        '$.body.animals': { min: 1, match: 'type' },
        '$.body.animals[*].name': { min: 2 },
        '$.headers.Accept': { match: 'regex', regex: '\\w+' },
        '$.header.x-test': { regex: '\\d+' },
        "$.query['a b']": { match: 'regex', regex: '\\d{1,4}' },
        '$.path': { match: 'regex', regex: '/\\w+' },
      },
      '$.matchingRules',
    );
    expect(rules).toEqual({
      body: {
        '$.animals': { combine: 'AND', rules: [{ match: 'type', min: 1 }] },
        '$.animals[*].name': { combine: 'AND', rules: [{ match: 'type', min: 2 }] },
      },
      header: {
        Accept: { combine: 'AND', rules: [{ match: 'regex', regex: '\\w+' }] },
        'x-test': { combine: 'AND', rules: [{ match: 'regex', regex: '\\d+' }] },
      },
      query: { 'a b': { combine: 'AND', rules: [{ match: 'regex', regex: '\\d{1,4}' }] } },
      path: { combine: 'AND', rules: [{ match: 'regex', regex: '/\\w+' }] },
    });
  });

  it('read V3/V4 categories with combine and normalise every alias', () => {
    const rules = parseMatchingRules(
      {
        body: {
          '$.a': { combine: 'or', matchers: [{ match: 'min-type', min: 1 }, { match: 'null' }] },
          '$.t': {
            matchers: [{ match: 'timestamp', timestamp: 'yyyy' }, { match: 'real' }, { match: 'not-empty' }],
          },
          '$.c': {
            matchers: [
              { match: 'content-type', value: 'image/png' },
              { match: 'status-code', status: [200, 201] },
            ],
          },
          '$.k': {
            matchers: [
              { match: 'each-key', rules: [{ match: 'regex', regex: '[a-z]+' }] },
              { match: 'each-value', rules: [{ match: 'type' }], value: 1 },
            ],
          },
          '$.v': {
            matchers: [
              {
                match: 'array-contains',
                variants: [{ index: 0, rules: { '$.id': { matchers: [{ match: 'integer' }] } } }],
              },
            ],
          },
        },
        status: { matchers: [{ match: 'statusCode', status: 'clientError' }] },
        somethingNew: { whatever: true },
      },
      '$',
    );
    expect(rules.body?.['$.a']).toEqual({
      combine: 'OR',
      rules: [{ match: 'type', min: 1 }, { match: 'null' }],
    });
    expect(rules.body?.['$.t']?.rules).toEqual([
      { match: 'datetime', format: 'yyyy' },
      { match: 'decimal' },
      { match: 'notEmpty' },
    ]);
    expect(rules.body?.['$.c']?.rules).toEqual([
      { match: 'contentType', value: 'image/png' },
      { match: 'statusCode', status: [200, 201] },
    ]);
    expect(rules.body?.['$.k']?.rules).toEqual([
      { match: 'eachKey', rules: [{ match: 'regex', regex: '[a-z]+' }] },
      { match: 'eachValue', rules: [{ match: 'type' }], value: 1 },
    ]);
    expect(rules.body?.['$.v']?.rules).toEqual([
      {
        match: 'arrayContains',
        variants: [{ index: 0, rules: { '$.id': { combine: 'AND', rules: [{ match: 'integer' }] } } }],
      },
    ]);
    expect(rules.status).toEqual({ combine: 'AND', rules: [{ match: 'statusCode', status: 'clientError' }] });
    expect(Object.keys(rules)).toEqual(['body', 'status']);
  });

  it('keep unknown matchers with a coded warning, and name bad rule shapes with their codes and paths', () => {
    const warned: unknown[] = [];
    const rules = parseMatchingRules(
      { body: { '$.a': { matchers: [{ match: 'fuzzy', level: 2 }] } } },
      'interactions[1].response.matchingRules',
      (path, _message, code) => warned.push({ path, code }),
    );
    expect(rules.body?.['$.a']?.rules).toEqual([
      { match: 'unknown', name: 'fuzzy', rule: { match: 'fuzzy', level: 2 } },
    ]);
    expect(warned).toEqual([
      {
        code: 'TREATY_CONTRACT_UNKNOWN_RULE',
        path: "interactions[1].response.matchingRules.body['$.a'].matchers[0]",
      },
    ]);
    // A rule named like a member every object inherits is as unknown as any other name.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const seen: unknown[] = [];
      const inherited = parseMatchingRules(
        { body: { '$.a': { matchers: [{ match: name }] } } },
        '$',
        (_path, _message, c) => seen.push(c),
      );
      expect(inherited.body?.['$.a']?.rules).toEqual([{ match: 'unknown', name, rule: { match: name } }]);
      expect(seen).toEqual(['TREATY_CONTRACT_UNKNOWN_RULE']);
    }
    expect(() => parseMatchingRules({ body: { '$.a': { matchers: [{ match: 'regex' }] } } }, '$')).toThrow(
      code('TREATY_CONTRACT_INVALID'),
    );
    expect(() => parseMatchingRules({ body: { '$.a': { matchers: {} } } }, '$')).toThrow(
      code('TREATY_CONTRACT_INVALID'),
    );
    expect(() => parseMatchingRules({ body: { '$.a': { combine: 'XOR', matchers: [] } } }, '$')).toThrow(
      code('TREATY_CONTRACT_INVALID'),
    );
    expect(() => parseMatchingRules({ $nope: { match: 'type' } }, '$')).toThrow(
      code('TREATY_CONTRACT_INVALID_PATH'),
    );
    expect(() =>
      parseMatchingRules(
        { body: { '$.items[x]': { matchers: [{ match: 'type' }] } } },
        'interactions[0].response.matchingRules',
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'TREATY_CONTRACT_INVALID_PATH',
        path: "interactions[0].response.matchingRules.body['$.items[x]']",
      }),
    );
  });
});

describe('generators', () => {
  it('read generators by category; path and status hold one directly', () => {
    expect(
      parseGenerators(
        {
          body: { '$.id': { type: 'RandomInt', min: 1, max: 9 }, '$.u': { type: 'Uuid', format: 'URN' } },
          header: { 'X-Date': { type: 'DateTime', format: 'yyyy', expression: '+1 day' } },
          path: { type: 'ProviderState', expression: '/orders/${id}' },
          status: { type: 'RandomInt', min: 200, max: 299 },
          unknownCategory: { x: 1 },
        },
        '$',
      ),
    ).toEqual({
      body: { '$.id': { type: 'RandomInt', min: 1, max: 9 }, '$.u': { type: 'Uuid', format: 'URN' } },
      header: { 'X-Date': { type: 'DateTime', format: 'yyyy', expression: '+1 day' } },
      path: { type: 'ProviderState', expression: '/orders/${id}' },
      status: { type: 'RandomInt', min: 200, max: 299 },
    });
  });

  it('reject unknown generator types with their own code', () => {
    expect(() =>
      parseGenerators({ body: { '$.a': { type: 'Lottery' } } }, 'interactions[0].request.generators'),
    ).toThrow(
      expect.objectContaining({
        code: 'TREATY_CONTRACT_UNKNOWN_GENERATOR',
        path: "interactions[0].request.generators.body['$.a']",
      }),
    );
  });
});

describe('messages', () => {
  it('read V3 contents with metaData and body rules', () => {
    const m = parseMessage(
      {
        contents: { id: 1 },
        metaData: { contentType: 'application/json' },
        matchingRules: { body: { '$.id': { matchers: [{ match: 'integer' }] } } },
      },
      '3',
    );
    expect(m).toEqual({
      contents: { kind: 'json', value: { id: 1 }, contentType: 'application/json' },
      metadata: { contentType: 'application/json' },
      matchingRules: { body: { '$.id': { combine: 'AND', rules: [{ match: 'integer' }] } } },
      generators: {},
    });
  });

  it('read V4 contents as a body object and the content rule category as the body', () => {
    const m = parseMessage(
      {
        contents: { content: 'aGk=', contentType: 'application/octet-stream', encoded: 'base64' },
        metadata: { topic: 'x' },
        matchingRules: {
          content: { $: { matchers: [{ match: 'notEmpty' }] } },
          metadata: { topic: { matchers: [{ match: 'regex', regex: '\\w+' }] } },
        },
        generators: { content: { '$.a': { type: 'RandomBoolean' } } },
      },
      '4.0',
    );
    expect(m.contents).toEqual({
      kind: 'binary',
      bytes: new TextEncoder().encode('hi'),
      contentType: 'application/octet-stream',
    });
    expect(m.matchingRules.body).toEqual({ $: { combine: 'AND', rules: [{ match: 'notEmpty' }] } });
    expect(m.matchingRules.metadata).toEqual({
      topic: { combine: 'AND', rules: [{ match: 'regex', regex: '\\w+' }] },
    });
    expect(m.generators.body).toEqual({ '$.a': { type: 'RandomBoolean' } });
  });

  it('reject metadata that is not an object', () => {
    expect(() => parseMessage({ contents: 'x', metadata: 'y' }, '4', { path: 'interactions[2]' })).toThrow(
      expect.objectContaining({ path: 'interactions[2].metadata' }),
    );
  });
});
