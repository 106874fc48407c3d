import { describe, expect, it } from 'vitest';
import { parseRequest, parseResponse } from '../contract/fragments.js';
import { matchRequest, matchResponse } from './match.js';

const json = { 'Content-Type': 'application/json' };
type Rules = Record<string, unknown | unknown[]>;
const byPath = (rules: Rules) => ({
  body: Object.fromEntries(
    Object.entries(rules).map(([k, v]) => [k, { matchers: Array.isArray(v) ? v : [v] }]),
  ),
});

/** Mismatch paths of an actual response body against an expected body and body rules (V4 shapes). */
function response(expected: unknown, rules: Rules, actual: unknown): string[] {
  const e = parseResponse({ status: 200, headers: json, body: expected, matchingRules: byPath(rules) }, '4');
  const a = parseResponse({ status: 200, headers: json, body: actual }, '4');
  return matchResponse(e, a).map((m) => `${m.path} ${m.rule}`);
}

function request(expected: unknown, rules: Rules, actual: unknown): string[] {
  const e = parseRequest(
    { method: 'POST', path: '/', headers: json, body: expected, matchingRules: byPath(rules) },
    '4',
  );
  const a = parseRequest({ method: 'POST', path: '/', headers: json, body: actual }, '4');
  return matchRequest(e, a).map((m) => `${m.path} ${m.rule}`);
}

describe('strictness', () => {
  it('rejects unexpected keys in requests, even null ones, and accepts them in responses', () => {
    expect(request({ a: 1 }, {}, { a: 1, b: null })).toEqual(['$.body.b unexpected']);
    expect(response({ a: 1 }, {}, { a: 1, b: null })).toEqual([]);
    expect(request({}, {}, { a: 1 })).toEqual(['$.body.a unexpected']);
  });

  it('compares arrays without rules by length and position', () => {
    expect(response([1, 2], {}, [2, 1])).toEqual(['$.body[0] equality', '$.body[1] equality']);
    expect(response([1, 2], {}, [1, 2, 3])).toEqual(['$.body length']);
    expect(response([], {}, [1])).toEqual(['$.body length']);
  });

  it('tells null from a value both ways', () => {
    expect(response({ a: null }, {}, { a: 1 })).toEqual(['$.body.a equality']);
    expect(response({ a: 1 }, {}, { a: null })).toEqual(['$.body.a equality']);
  });
});

describe('rule selection and cascading', () => {
  it('cascades a type rule to every descendant', () => {
    expect(
      response(
        { user: { id: 1, tags: ['a'] } },
        { '$.user': { match: 'type' } },
        { user: { id: 9, tags: ['x', 'y'] } },
      ),
    ).toEqual([]);
    expect(response({ user: { id: 1 } }, { '$.user': { match: 'type' } }, { user: { id: '9' } })).toEqual([
      '$.body.user.id type',
    ]);
  });

  it('lets the most specific path win: a name beats *', () => {
    const rules = { '$.items[*].*': { match: 'type' }, '$.items[*].id': { match: 'regex', regex: '\\d{3}' } };
    expect(response({ items: [{ id: '100', n: 'a' }] }, rules, { items: [{ id: '123', n: 'b' }] })).toEqual(
      [],
    );
    expect(response({ items: [{ id: '100', n: 'a' }] }, rules, { items: [{ id: '12', n: 'b' }] })).toEqual([
      '$.body.items[0].id regex',
    ]);
  });

  it('resets a cascading rule with equality', () => {
    const rules = { $: { match: 'type' }, '$.kind': { match: 'equality' } };
    expect(response({ kind: 'order', n: 1 }, rules, { kind: 'order', n: 2 })).toEqual([]);
    expect(response({ kind: 'order', n: 1 }, rules, { kind: 'refund', n: 2 })).toEqual([
      '$.body.kind equality',
    ]);
  });

  it('matches * against array indices as well as keys', () => {
    expect(
      response(
        { two: [{ ids: [1] }] },
        { '$.two.*.ids': { match: 'type', min: 1 } },
        { two: [{ ids: [5, 6] }] },
      ),
    ).toEqual([]);
  });

  it('tells elements apart when a rule names one by a numeric field ($.items.0)', () => {
    expect(
      response(
        { items: [{ n: 'a' }, { n: 'b' }] },
        { '$.items.0.n': { match: 'type' } },
        { items: [{ n: 'x' }, { n: 'y' }] },
      ),
    ).toEqual(['$.body.items[1].n equality']);
  });

  it('addresses odd keys with bracket notation', () => {
    expect(
      response(
        { '2': { str: 'a' }, "it's": 1 },
        { "$['2'].str": { match: 'type' }, "$['it\\'s']": { match: 'integer' } },
        { '2': { str: 'zz' }, "it's": 7 },
      ),
    ).toEqual([]);
  });
});

describe('type rules on arrays', () => {
  it('free the length and compare extra elements with the first example', () => {
    expect(response({ a: [10] }, { '$.a': { match: 'type' } }, { a: [20, 5, 1910] })).toEqual([]);
    expect(
      response({ a: [{ id: 1 }] }, { '$.a': { match: 'type' } }, { a: [{ id: 2 }, { id: 'x' }] }),
    ).toEqual(['$.body.a[1].id type']);
  });

  it('bound the length with min and max only where they are declared', () => {
    expect(response({ a: [1] }, { '$.a': { match: 'type', min: 2 } }, { a: [1] })).toEqual(['$.body.a type']);
    expect(response({ a: [1] }, { '$.a': { match: 'type', max: 2 } }, { a: [1, 2, 3] })).toEqual([
      '$.body.a type',
    ]);
    expect(response({ a: [[1, 2]] }, { '$.a': { match: 'type', min: 2 } }, { a: [[1], [2]] })).toEqual([]);
  });

  it('check each element of a nested eachLike', () => {
    const rules = {
      '$.orders': { match: 'type', min: 1 },
      '$.orders[*].lines': { match: 'type', min: 1 },
      '$.orders[*].lines[*].qty': { match: 'integer' },
    };
    expect(
      response({ orders: [{ lines: [{ qty: 1 }] }] }, rules, {
        orders: [{ lines: [{ qty: 2 }, { qty: 3 }] }, { lines: [{ qty: 4 }] }],
      }),
    ).toEqual([]);
    expect(
      response({ orders: [{ lines: [{ qty: 1 }] }] }, rules, {
        orders: [{ lines: [{ qty: 2 }] }, { lines: [] }],
      }),
    ).toEqual(['$.body.orders[1].lines type']);
    expect(
      response({ orders: [{ lines: [{ qty: 1 }] }] }, rules, { orders: [{ lines: [{ qty: 2.5 }] }] }),
    ).toEqual(['$.body.orders[0].lines[0].qty integer']);
  });
});

describe('collection rules', () => {
  it('values ignores the keys of a map and checks each value', () => {
    expect(request({ a: { id: 1 } }, { $: { match: 'values' } }, { x: { id: 2 }, y: { id: 3 } })).toEqual([]);
    expect(request({ a: { id: 1 } }, { $: { match: 'values' } }, { x: { id: 'no' } })).toEqual([
      '$.body.x.id values',
    ]);
  });

  it('eachKey and eachValue check every key and value', () => {
    const rules = {
      '$.m': [
        { match: 'eachKey', rules: [{ match: 'regex', regex: '[a-z]+' }] },
        { match: 'eachValue', rules: [{ match: 'integer' }] },
      ],
    };
    expect(response({ m: { a: 1 } }, rules, { m: { b: 2, c: 3 } })).toEqual([]);
    expect(response({ m: { a: 1 } }, rules, { m: { '100': 2, c: 'x' } })).toEqual([
      "$.body.m['100'] eachKey",
      '$.body.m.c integer',
    ]);
  });

  it('arrayContains finds each variant anywhere in the array', () => {
    const rules = {
      '$.a': {
        match: 'arrayContains',
        variants: [
          { index: 0, rules: { '$.id': { matchers: [{ match: 'integer' }] } } },
          { index: 1, rules: {} },
        ],
      },
    };
    expect(
      response({ a: [{ id: 1 }, { kind: 'x' }] }, rules, { a: [{ other: true }, { kind: 'x' }, { id: 42 }] }),
    ).toEqual([]);
    expect(response({ a: [{ id: 1 }, { kind: 'x' }] }, rules, { a: [{ id: 42 }] })).toEqual([
      '$.body.a arrayContains',
    ]);
  });
});

describe('integer and decimal against the written number', () => {
  it('read 100.0 in a JSON text body as a decimal', () => {
    const e = parseResponse(
      {
        status: 200,
        headers: json,
        body: { a: 1, b: 1.5 },
        matchingRules: byPath({ '$.a': { match: 'integer' }, '$.b': { match: 'decimal' } }),
      },
      '4',
    );
    const actual = (text: string) =>
      parseResponse(
        {
          status: 200,
          headers: json,
          body: { contentType: 'application/json', content: text, encoded: 'JSON' },
        },
        '4',
      );
    expect(matchResponse(e, actual('{"a": 100, "b": 100.0}'))).toEqual([]);
    expect(matchResponse(e, actual('{"a": 100.0, "b": 100}')).map((m) => `${m.path} ${m.rule}`)).toEqual([
      '$.body.a integer',
      '$.body.b decimal',
    ]);
  });
});
