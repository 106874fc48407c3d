import { describe, expect, it } from 'vitest';
import { parseMessage, parseRequest, parseResponse } from '../contract/fragments.js';
import { readBodyAhead } from './body.js';
import { matchMessage, matchRequest, matchResponse } from './match.js';
import { parsePathExpression, pathWeight } from '../contract/path-expr.js';
import { RuleSelector } from './rule-selector.js';

const json = { 'Content-Type': 'application/json' };
const rules = (body: Record<string, unknown>) => ({
  body: Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, { matchers: Array.isArray(v) ? v : [v] }]),
  ),
});

describe('a matching rule Pact does not define', () => {
  it('fails every value it applies to, in bodies and headers, as the Pact core fails it', () => {
    const expected = parseResponse(
      {
        status: 200,
        headers: { ...json, 'X-Id': 'a' },
        body: { status: 'success', other: 1 },
        matchingRules: {
          ...rules({ '$.status': { match: 'value' } }),
          header: { 'X-Id': { matchers: [{ match: 'value' }] } },
        },
      },
      '3',
    );
    const same = parseResponse(
      { status: 200, headers: { ...json, 'X-Id': 'a' }, body: { status: 'success', other: 1 } },
      '3',
    );
    const mismatches = matchResponse(expected, same);
    expect(mismatches.map((m) => [m.path, m.rule])).toEqual([
      ['$.header.X-Id', 'unknown'],
      ['$.body.status', 'unknown'],
    ]);
    expect(mismatches[1]?.message).toContain("could not apply the 'value' matching rule");
  });
});

describe('mismatches are data', () => {
  it('give part, path, expected, actual, rule and a message naming the path', () => {
    const expected = parseResponse(
      {
        status: 200,
        headers: json,
        body: { order: { id: 1, lines: [{ sku: 'A' }] } },
        matchingRules: rules({ '$.order.id': { match: 'integer' } }),
      },
      '3',
    );
    const actual = parseResponse(
      { status: 200, headers: json, body: { order: { id: 'x', lines: [{ sku: 'B' }] } } },
      '3',
    );
    expect(matchResponse(expected, actual)).toEqual([
      {
        part: 'body',
        path: '$.body.order.id',
        expected: 1,
        actual: 'x',
        rule: 'integer',
        message: '$.body.order.id: expected an integer but got "x"',
      },
      {
        part: 'body',
        path: '$.body.order.lines[0].sku',
        expected: 'A',
        actual: 'B',
        rule: 'equality',
        message: '$.body.order.lines[0].sku: expected "A" but got the string "B"',
      },
    ]);
  });

  it('report every problem of a request at once: method, path, query, header and body', () => {
    const expected = parseRequest(
      { method: 'POST', path: '/a', query: { q: ['1'] }, headers: { 'X-Key': 'k', ...json }, body: { a: 1 } },
      '3',
    );
    const actual = parseRequest(
      { method: 'GET', path: '/b', query: { q: ['2'], extra: ['x'] }, headers: json, body: { a: 1, b: 2 } },
      '3',
    );
    expect(matchRequest(expected, actual).map((m) => `${m.part} ${m.path} ${m.rule}`)).toEqual([
      'method $.method equality',
      'path $.path equality',
      'query $.query.q equality',
      'query $.query.extra unexpected',
      'header $.header.X-Key presence',
      'body $.body.b unexpected',
    ]);
  });
});

describe('rule selection', () => {
  it('weighs names and indices above wildcards, and prefers the longer path on a tie', () => {
    const w = (expr: string, loc: Array<string | number>) => pathWeight(parsePathExpression(expr), loc);
    expect(w('$.items[*].id', ['items', 3, 'id'])).toBe(2 * 2 * 1 * 2);
    expect(w('$.items[3].id', ['items', 3, 'id'])).toBe(16);
    expect(w('$.*', ['items'])).toBe(2);
    expect(w('$.other', ['items'])).toBe(0);
    const selector = RuleSelector.for({
      '$.items': { combine: 'AND', rules: [{ match: 'type' }] },
      '$.items[*].id': { combine: 'AND', rules: [{ match: 'integer' }] },
    });
    expect(selector?.select(['items', 0, 'id'])).toEqual({
      list: { combine: 'AND', rules: [{ match: 'integer' }] },
      cascaded: false,
    });
    expect(selector?.select(['items', 0, 'name'])).toEqual({
      list: { combine: 'AND', rules: [{ match: 'type' }] },
      cascaded: true,
    });
  });

  it('combines rules with OR when asked', () => {
    const expected = parseResponse(
      {
        status: 200,
        headers: json,
        body: { v: 1 },
        matchingRules: {
          body: { '$.v': { combine: 'OR', matchers: [{ match: 'integer' }, { match: 'null' }] } },
        },
      },
      '3',
    );
    const body = (v: unknown) => parseResponse({ status: 200, headers: json, body: { v } }, '3');
    expect(matchResponse(expected, body(5))).toEqual([]);
    expect(matchResponse(expected, body(null))).toEqual([]);
    expect(matchResponse(expected, body('x')).map((m) => m.rule)).toEqual(['integer', 'null']);
  });

  it('rejects an invalid path expression with its own code', () => {
    expect(() => parsePathExpression('$.a[x]')).toThrow(
      expect.objectContaining({ code: 'TREATY_CONTRACT_INVALID_PATH' }),
    );
  });
});

describe('headers, query and status', () => {
  it('apply a header rule to each value of a repeated header', () => {
    const expected = parseRequest(
      {
        method: 'GET',
        path: '/',
        headers: { 'X-N': '1' },
        matchingRules: { header: { 'x-n': { matchers: [{ match: 'integer' }] } } },
      },
      '3',
    );
    expect(
      matchRequest(
        expected,
        parseRequest({ method: 'GET', path: '/', headers: { 'X-N': ['2', '30'] } }, '3'),
      ),
    ).toEqual([]);
    expect(
      matchRequest(expected, parseRequest({ method: 'GET', path: '/', headers: { 'X-N': ['2', 'x'] } }, '3')),
    ).toHaveLength(1);
  });

  it('compare Accept lists by media type and parameters', () => {
    const expected = parseRequest(
      { method: 'GET', path: '/', headers: { Accept: 'application/json, text/html;level=1' } },
      '3',
    );
    const ok = parseRequest(
      { method: 'GET', path: '/', headers: { Accept: 'text/html; level=1; q=0.8, application/json' } },
      '3',
    );
    const missing = parseRequest({ method: 'GET', path: '/', headers: { Accept: 'application/json' } }, '3');
    expect(matchRequest(expected, ok)).toEqual([]);
    expect(matchRequest(expected, missing)).toHaveLength(1);
  });

  it('match a V4 status class', () => {
    const expected = parseResponse(
      { status: 200, matchingRules: { status: { matchers: [{ match: 'statusCode', status: 'success' }] } } },
      '4',
    );
    expect(matchResponse(expected, parseResponse({ status: 204 }, '4'))).toEqual([]);
    expect(matchResponse(expected, parseResponse({ status: 404 }, '4'))[0]).toMatchObject({
      part: 'status',
      actual: 404,
      rule: 'statusCode',
    });
  });
});

describe('messages', () => {
  it('are lenient about extra keys and compare metadata', () => {
    const expected = parseMessage(
      { contents: { id: 1 }, metaData: { topic: 'orders', contentType: 'application/json' } },
      '3',
    );
    expect(
      matchMessage(
        expected,
        parseMessage(
          {
            contents: { id: 1, extra: true },
            metaData: { topic: 'orders', contentType: 'application/json; charset=utf-8', other: 1 },
          },
          '3',
        ),
      ),
    ).toEqual([]);
    expect(
      matchMessage(expected, parseMessage({ contents: { id: 1 }, metaData: { topic: 'payments' } }, '3')),
    ).toEqual([
      expect.objectContaining({ part: 'metadata', path: '$.metadata.topic' }),
      expect.objectContaining({ part: 'metadata', path: '$.metadata.contentType', rule: 'presence' }),
    ]);
  });

  it('apply metadata rules', () => {
    const expected = parseMessage(
      {
        contents: 'x',
        metadata: { id: 'abc-1' },
        matchingRules: { metadata: { id: { matchers: [{ match: 'regex', regex: '\\w{3}-\\d+' }] } } },
      },
      '3',
    );
    expect(matchMessage(expected, parseMessage({ contents: 'x', metadata: { id: 'xyz-99' } }, '3'))).toEqual(
      [],
    );
    expect(
      matchMessage(expected, parseMessage({ contents: 'x', metadata: { id: 'nope' } }, '3')),
    ).toHaveLength(1);
  });
});

describe('bodies by content type', () => {
  it('compare form-urlencoded bodies field by field, with rules', () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const expected = parseRequest(
      {
        method: 'POST',
        path: '/',
        headers: form,
        body: 'a=1&b=x',
        matchingRules: { body: { '$.a': { matchers: [{ match: 'integer' }] } } },
      },
      '3',
    );
    expect(
      matchRequest(
        expected,
        parseRequest({ method: 'POST', path: '/', headers: form, body: 'b=x&a=42' }, '3'),
      ),
    ).toEqual([]);
    expect(
      matchRequest(
        expected,
        parseRequest({ method: 'POST', path: '/', headers: form, body: 'a=z&b=x' }, '3'),
      ),
    ).toHaveLength(1);
  });

  it('say when an actual JSON body cannot be parsed', () => {
    const expected = parseResponse({ status: 200, headers: json, body: { a: 1 } }, '3');
    // `encoded: true` keeps the content as raw text, like a body read off the wire.
    const broken = { status: 200, headers: json, body: { content: '{"a": 1', encoded: true } };
    const [m] = matchResponse(expected, parseResponse(broken, '4'));
    expect(m?.message).toMatch(/could not be parsed/);
    const [empty] = matchResponse(expected, parseResponse({ status: 200, headers: json, body: '' }, '3'));
    expect(empty?.message).toBe('$.body: expected a JSON body like {"a":1} but the body is empty');
  });

  it('report a body of another declared kind (XML where JSON was expected) as a content type mismatch', () => {
    const expected = parseRequest({ method: 'PUT', path: '/', headers: json, body: { a: 1 } }, '3');
    const xml = parseRequest(
      { method: 'PUT', path: '/', headers: { 'Content-Type': 'application/xml' }, body: '<a>1</a>' },
      '3',
    );
    const body = matchRequest(expected, xml).filter((m) => m.part === 'body');
    expect(body.map((m) => [m.path, m.rule, m.expected, m.actual])).toEqual([
      ['$.body', 'contentType', 'application/json', 'application/xml'],
    ]);
    // The same kind under another name is compared by its content.
    const hal = parseRequest(
      { method: 'PUT', path: '/', headers: { 'Content-Type': 'application/hal+json' }, body: { a: 1 } },
      '3',
    );
    expect(matchRequest(expected, hal).filter((m) => m.part === 'body')).toEqual([]);
  });

  it('sniff binary content for a contentType rule', () => {
    const png = btoa(String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0));
    const expected = parseResponse(
      {
        status: 200,
        body: { content: png, contentType: 'image/png', encoded: 'base64' },
        matchingRules: { body: { $: { matchers: [{ match: 'contentType', value: 'image/png' }] } } },
      },
      '4',
    );
    expect(
      matchResponse(
        expected,
        parseResponse(
          { status: 200, body: { content: png, contentType: 'image/png', encoded: 'base64' } },
          '4',
        ),
      ),
    ).toEqual([]);
    expect(
      matchResponse(
        expected,
        parseResponse(
          { status: 200, body: { content: btoa('GIF89a....'), contentType: 'image/png', encoded: 'base64' } },
          '4',
        ),
      )[0]?.rule,
    ).toBe('contentType');
  });
});

describe('a body read ahead of its comparison', () => {
  it('gives the comparison exactly what reading it then would: values, float literals, parse errors', () => {
    const expected = parseResponse(
      {
        status: 200,
        headers: json,
        body: { id: 1, price: 2.5, items: [{ n: 1 }] },
        matchingRules: rules({
          '$.id': { match: 'integer' },
          '$.price': { match: 'decimal' },
          '$.items': { match: 'type', min: 1 },
        }),
      },
      '3',
    );
    const answer = (text: string, contentType = 'application/json') => ({
      status: 200,
      headers: { 'content-type': [contentType] },
      matchingRules: {},
      generators: {},
      body: { kind: 'text' as const, text, contentType },
    });
    const texts = [
      '{"id": 7, "price": 3.25, "items": [{"n": 2}]}',
      // 1.0 is a decimal written as one, and an integer rule refuses it.
      '{"id": 1.0, "price": 3, "items": []}',
      '{"id": 7, "price": 3.25, "items": [{"n": 2}]',
      '',
      '{"id": "x"}',
    ];
    for (const text of texts) {
      const plain = matchResponse(expected, answer(text));
      const ahead = answer(text);
      readBodyAhead(ahead.body);
      expect(matchResponse(expected, ahead)).toEqual(plain);
    }
    // Read ahead or not, the second answer fails on both float literals, the third on its syntax.
    expect(matchResponse(expected, answer(texts[1] as string)).map((m) => m.path)).toEqual([
      '$.body.id',
      '$.body.price',
      '$.body.items',
    ]);
    const broken = answer(texts[2] as string);
    readBodyAhead(broken.body);
    expect(matchResponse(expected, broken)[0]?.message).toContain('could not be parsed');
    // A body that is not JSON by its content type is left for the comparison to read as it reads it.
    const text = answer('{"id": 7}', 'text/plain');
    readBodyAhead(text.body);
    expect(matchResponse(expected, text)).toEqual(matchResponse(expected, answer('{"id": 7}', 'text/plain')));
  });
});
