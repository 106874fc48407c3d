import { describe, expect, it } from 'vitest';
import { parseRequest, parseResponse } from '../contract/fragments.js';
import { CONTRACT_ENVELOPE_DEPTH, MAX_JSON_DEPTH, parseJson } from '../contract/json.js';
import type { JsonObject, JsonValue, MatchingRule, RuleList } from '../contract/model.js';
import { parseContract } from '../contract/parse.js';
import { serializeContract } from '../contract/serialize.js';
import { generateResponse } from '../generators/parts.js';
import { compareJson } from './json-body.js';
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

describe('JSON nested as deeply as Treaty reads (MAX_JSON_DEPTH)', () => {
  /** `depth` objects within each other under key "a", around `leaf`. */
  const deep = (depth: number, leaf: unknown = 1): unknown => {
    let v = leaf;
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  };
  const deepPath = (depth: number) => `$${'.a'.repeat(depth)}`;
  const post = (body: unknown, extra: Record<string, unknown> = {}) => ({
    method: 'POST',
    path: '/deep',
    headers: json,
    body,
    ...extra,
  });
  /** A request whose body arrives as JSON text, as the mock server reads it. */
  const arrived = (body: unknown) => ({
    ...parseRequest(post(undefined), '4'),
    body: { kind: 'text' as const, text: JSON.stringify(body), contentType: 'application/json' },
  });

  it('matches, with and without rules, bodies at the limit, and renders their mismatches', () => {
    const rules = { body: { $: { matchers: [{ match: 'type' }] } } };
    for (const matchingRules of [undefined, rules]) {
      const expected = parseRequest(post(deep(MAX_JSON_DEPTH), { matchingRules }), '4');
      expect(matchRequest(expected, arrived(deep(MAX_JSON_DEPTH)))).toEqual([]);
      const found = matchRequest(expected, arrived(deep(MAX_JSON_DEPTH, 'x')));
      expect(found.map((m) => m.path)).toEqual([`$.body${'.a'.repeat(MAX_JSON_DEPTH)}`]);
    }
    // A deep actual body against a shallow expectation is reported with the value shown.
    const shallow = parseRequest(post({ b: 1 }), '4');
    const found = matchRequest(shallow, arrived({ b: 1, c: deep(MAX_JSON_DEPTH - 1) }));
    const shown = `${'{"a":'.repeat(16).slice(0, 77)}...`;
    expect(found.map((m) => m.message)).toEqual([`$.body.c: unexpected key 'c' with value ${shown}`]);
  });

  it('refuses an actual body one level deeper as a mismatch that says why, not a crash', () => {
    const expected = parseRequest(post({ b: 1 }), '4');
    const found = matchRequest(expected, arrived(deep(MAX_JSON_DEPTH + 1)));
    expect(found.map((m) => m.rule)).toEqual(['json']);
    expect(found[0]?.message).toMatch(
      /could not be parsed \(The JSON nests arrays and objects more than 256/,
    );
  });

  it('reads, writes (V3 and V4) and generates a contract at the limit, and refuses one a level deeper', () => {
    // The limit is the body's own depth, whatever the document wraps around it.
    const bodyDepth = MAX_JSON_DEPTH;
    const pact = (depth: number) => ({
      consumer: { name: 'c' },
      provider: { name: 'p' },
      interactions: [
        {
          description: 'deep',
          request: { method: 'GET', path: '/' },
          response: {
            status: 200,
            headers: json,
            body: deep(depth),
            matchingRules: { body: { [deepPath(depth)]: { matchers: [{ match: 'integer' }] } } },
            generators: { body: { [deepPath(depth)]: { type: 'RandomInt', min: 7, max: 7 } } },
          },
        },
      ],
      metadata: { pactSpecification: { version: '3.0.0' } },
    });
    const contract = parseContract(JSON.stringify(pact(bodyDepth)));
    expect(parseContract(pact(bodyDepth))).toEqual(contract);
    const v3 = serializeContract(contract, { specVersion: 3 });
    expect(parseContract(v3)).toEqual(contract);
    const v4 = serializeContract(contract);
    expect(v4).toContain('"content"');
    expect(parseContract(v4)).toEqual(parseContract(serializeContract(parseContract(v4))));
    const [reread] = parseContract(v4).interactions; // V4 adds the interaction's key
    expect(reread?.type === 'Synchronous/HTTP' && reread.response).toEqual(
      contract.interactions[0]?.type === 'Synchronous/HTTP' && contract.interactions[0].response,
    );
    const i = contract.interactions[0];
    if (i?.type !== 'Synchronous/HTTP') throw new Error('expected an HTTP interaction');
    const generated = generateResponse(i.response, { mode: 'consumer' });
    expect(generated.body).toEqual({
      kind: 'json',
      value: deep(bodyDepth, 7),
      contentType: 'application/json',
    });
    expect(matchResponse(i.response, generated)).toEqual([]);

    for (const input of [JSON.stringify(pact(bodyDepth + 1)), pact(bodyDepth + 1)]) {
      expect(() => parseContract(input)).toThrow(
        expect.objectContaining({
          code: 'TREATY_INPUT_TOO_DEEP',
          path: 'interactions[0].response.body',
        }) as unknown as Error,
      );
    }
    // Anything else in the document is held to the same depth plus the envelope's.
    const junk = { ...pact(1), metadata: { deep: deep(MAX_JSON_DEPTH + CONTRACT_ENVELOPE_DEPTH) } };
    for (const input of [JSON.stringify(junk), junk])
      expect(() => parseContract(input)).toThrow(
        expect.objectContaining({ code: 'TREATY_INPUT_TOO_DEEP' }) as unknown as Error,
      );
  });
});

describe('rules that several interactions carry', () => {
  it('apply alike from maps of their own, and rules that differ in anything stay apart', () => {
    const sku = {
      '$.items': { match: 'type', min: 1 },
      '$.items[*].sku': { match: 'regex', regex: 'A-\\d+' },
    };
    const body = { items: [{ sku: 'A-1' }] };
    // Equal rules in fresh maps (as every interaction of a parsed contract has): the same verdicts.
    for (let i = 0; i < 3; i++) {
      expect(response(body, structuredClone(sku), { items: [{ sku: 'A-2' }, { sku: 'A-3' }] })).toEqual([]);
      expect(response(body, structuredClone(sku), { items: [{ sku: 'B-2' }] })).toEqual([
        '$.body.items[0].sku regex',
      ]);
    }
    // The same paths with another regex or minimum are other rules.
    const other = { ...sku, '$.items[*].sku': { match: 'regex', regex: 'B-\\d+' } };
    expect(response(body, other, { items: [{ sku: 'B-2' }] })).toEqual([]);
    expect(response(body, { ...sku, '$.items': { match: 'type', min: 2 } }, body)).toEqual([
      '$.body.items type',
    ]);
    expect(response(body, sku, { items: [] })).toEqual(['$.body.items type']);
  });
});

describe('rule maps looked up one after another', () => {
  it('tell maps apart that differ in one value from the map before', () => {
    // Each map is compared with the last one looked up; any difference must give its own verdicts.
    const rule = (match: Record<string, unknown>) =>
      ({ combine: 'AND' as const, rules: [match] }) as RuleList;
    const body = { items: [{ sku: 'A-1', n: 1 }] };
    const one = { items: [{ sku: 'A-1', n: 1.5 }] };
    const steps: Array<[Record<string, RuleList>, unknown, string[]]> = [
      [{ '$.items': rule({ match: 'type', min: 1 }) }, one, []],
      [{ '$.items': rule({ match: 'type', min: 2 }) }, one, ['$.body.items type']],
      [{ '$.items[0].sku': rule({ match: 'type' }) }, one, ['$.body.items[0].n equality']],
      [{ '$.items[0].n': rule({ match: 'type' }) }, one, []],
      [{ '$.items[0].n': rule({ match: 'type' }), '$.items[0].sku': rule({ match: 'type' }) }, one, []],
      [
        { '$.items[0].n': rule({ match: 'integer' }), '$.items[0].sku': rule({ match: 'type' }) },
        one,
        ['$.body.items[0].n integer'],
      ],
      [{ '$.items[0].n': rule({ match: 'integer' }) }, one, ['$.body.items[0].n integer']],
      // Two paths as specific as each other: the first written wins, so the order tells maps apart.
      [
        { '$.items[*].n': rule({ match: 'integer' }), '$.*[0].n': rule({ match: 'number' }) },
        one,
        ['$.body.items[0].n integer'],
      ],
      [{ '$.*[0].n': rule({ match: 'number' }), '$.items[*].n': rule({ match: 'integer' }) }, one, []],
      [{ '$.items[0].sku': rule({ match: 'type' }) }, one, ['$.body.items[0].n equality']],
      [{ '$.items': rule({ match: 'type', min: 1 }), '$.items[*].n': rule({ match: 'number' }) }, one, []],
      [
        { '$.items': rule({ match: 'type', min: 1 }), '$.items[*].n': rule({ match: 'integer' }) },
        one,
        ['$.body.items[0].n integer'],
      ],
      [
        { '$.items[*].n': rule({ match: 'integer' }), '$.items': rule({ match: 'type', min: 1 }) },
        one,
        ['$.body.items[0].n integer'],
      ],
      [{ '$.items[*].sku': rule({ match: 'regex', regex: 'A-\\d' }) }, body, []],
      [{ '$.items[*].sku': rule({ match: 'regex', regex: 'B-\\d' }) }, body, ['$.body.items[0].sku regex']],
      [
        {
          '$.items[*].sku': { combine: 'OR', rules: [{ match: 'regex', regex: 'B-\\d' }, { match: 'type' }] },
        },
        body,
        [],
      ],
      [
        {
          '$.items[*].sku': {
            combine: 'AND',
            rules: [{ match: 'regex', regex: 'B-\\d' }, { match: 'type' }],
          },
        },
        body,
        ['$.body.items[0].sku regex'],
      ],
      [
        { '$.items[*].sku': { combine: 'AND', rules: [{ match: 'regex', regex: 'B-\\d' }] } },
        body,
        ['$.body.items[0].sku regex'],
      ],
      [{ '$.items[*].sku': { combine: 'AND', rules: [] } }, body, []],
    ];
    for (let round = 0; round < 2; round++)
      for (const [rules, actual, found] of steps) {
        const got = compareJson(body, actual as JsonValue, {
          allowUnexpectedKeys: true,
          rules: structuredClone(rules),
          part: 'body',
          prefix: '$.body',
        });
        expect(
          got.map((m) => `${m.path} ${m.rule}`),
          JSON.stringify(rules),
        ).toEqual(found);
      }
  });
});

describe('a subtree checked whole before it is walked', () => {
  function prng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return s / 0x100000000;
    };
  }
  const random = prng(20261201);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const keys = ['a', 'b', 'c', '2'];

  function doc(depth: number): JsonValue {
    const r = random();
    if (depth < 4 && r < 0.2) return Array.from({ length: Math.floor(random() * 4) }, () => doc(depth + 1));
    if (depth < 4 && r < 0.45) {
      const o: JsonObject = {};
      for (const k of keys) if (random() < 0.5) o[k] = doc(depth + 1);
      return o;
    }
    return pick<JsonValue>([0, 7, -3, 1.5, 2, 'x', 'abc', '12', '', true, false, null]);
  }

  /** The same document with random changes: other values and types, keys gone or added, lengths. */
  function mutate(v: JsonValue, depth: number): JsonValue {
    const r = random();
    if (r < 0.08) return doc(depth);
    if (Array.isArray(v)) {
      const out = v.map((x) => mutate(x, depth + 1));
      if (random() < 0.15)
        out.push(out.length > 0 && random() < 0.7 ? (out[0] as JsonValue) : doc(depth + 1));
      if (random() < 0.1) out.pop();
      return out;
    }
    if (v !== null && typeof v === 'object') {
      const out: JsonObject = {};
      for (const [k, x] of Object.entries(v)) if (random() > 0.08) out[k] = mutate(x, depth + 1);
      if (random() < 0.15) out.z = doc(depth + 1);
      return out;
    }
    if (r < 0.2) return pick<JsonValue>([1, 'y', true, null, 2.5, 3]);
    return v;
  }

  /** JSON text of a value that writes some whole numbers as floats (`3.0`), as a provider may. */
  function text(v: JsonValue): string {
    if (typeof v === 'number') return Number.isInteger(v) && random() < 0.3 ? `${v}.0` : JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(text).join(',')}]`;
    if (v !== null && typeof v === 'object')
      return `{${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}:${text(x)}`)
        .join(',')}}`;
    return JSON.stringify(v);
  }

  /** Path expressions of the document's nodes, some indices written as [*]. */
  function paths(v: JsonValue, at: string, out: string[]): string[] {
    out.push(at);
    if (Array.isArray(v))
      v.forEach((x, i) => {
        paths(x, `${at}[${random() < 0.6 ? '*' : i}]`, out);
      });
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) paths(x, /^\d/.test(k) ? `${at}['${k}']` : `${at}.${k}`, out);
    return out;
  }

  const ruleKinds: Array<() => MatchingRule> = [
    () => ({ match: 'type' }),
    () => ({ match: 'type' }),
    () => ({ match: 'type', min: 1 }),
    () => ({ match: 'type', max: 1 }),
    () => ({ match: 'regex', regex: pick(['.*', '\\d+', '[a-z]+']) }),
    () => ({ match: 'integer' }),
    () => ({ match: 'decimal' }),
    () => ({ match: 'number' }),
    () => ({ match: 'equality' }),
    () => ({ match: 'values' }),
    () => ({ match: 'null' }),
    () => ({ match: 'notEmpty' }),
    () => ({ match: 'eachValue', rules: [{ match: 'type' }] }),
    () => ({ match: 'eachKey', rules: [{ match: 'regex', regex: '[a-c]' }] }),
  ];

  function rules(expected: JsonValue): Record<string, RuleList> | undefined {
    if (random() < 0.15) return undefined;
    const out: Record<string, RuleList> = {};
    const where = paths(expected, '$', []);
    const n = Math.floor(random() * 4);
    for (let i = 0; i < n; i++) {
      const list: MatchingRule[] = [
        ruleKinds[Math.floor(random() * (random() < 0.6 ? 4 : 14))]?.() ?? { match: 'type' },
      ];
      if (random() < 0.15) list.push(pick(ruleKinds)());
      out[random() < 0.3 ? '$' : pick(where)] = { combine: random() < 0.8 ? 'AND' : 'OR', rules: list };
    }
    return out;
  }

  // A rule path that never completes (no document here has the key `never`) keeps a path alive
  // below every node up to its length, so that no subtree is checked whole: every node takes the
  // walk that reports. It applies nowhere, so the verdicts must be the same.
  const never = `$${'.*'.repeat(12)}.never`;
  const compare = (e: JsonValue, a: JsonValue, r: Record<string, RuleList> | undefined, strict: boolean) =>
    compareJson(e, a, { allowUnexpectedKeys: !strict, rules: r, part: 'body', prefix: '$.body' });

  it('finds exactly the mismatches of the walk that reports, for random documents, rules and floats', () => {
    let mismatched = 0;
    let matched = 0;
    for (let n = 0; n < 3000; n++) {
      const expected = doc(0);
      const actual = parseJson(text(random() < 0.4 ? expected : mutate(expected, 0)));
      const r = rules(expected);
      const walked = { ...r, [never]: { combine: 'AND' as const, rules: [{ match: 'type' as const }] } };
      for (const strict of [false, true]) {
        const found = compare(expected, actual, r, strict);
        expect(found, JSON.stringify({ expected, actual, r, strict })).toEqual(
          compare(expected, actual, walked, strict),
        );
        if (found.length === 0) matched++;
        else mismatched++;
      }
    }
    // Both outcomes are common enough for the comparison to mean something.
    expect(matched).toBeGreaterThan(1000);
    expect(mismatched).toBeGreaterThan(1000);
  });

  it('reads 1.0 as written under integer and decimal rules, and takes null examples as the first', () => {
    const e = parseJson('{"n": 1, "d": 1.5, "list": [{"x": 1}, null]}');
    const r = {
      '$.n': { combine: 'AND' as const, rules: [{ match: 'integer' as const }] },
      '$.d': { combine: 'AND' as const, rules: [{ match: 'decimal' as const }] },
      '$.list': { combine: 'AND' as const, rules: [{ match: 'type' as const }] },
    };
    const a = parseJson('{"n": 1.0, "d": 2.0, "list": [{"x": 2}, {"x": 3}, {"x": "no"}]}');
    const found = compare(e, a, r, false).map((m) => `${m.path} ${m.rule}`);
    expect(found).toEqual(['$.body.n integer', '$.body.list[2].x type']);
    expect(compare(e, a, { ...r, [never]: r['$.n'] }, false)).toEqual(compare(e, a, r, false));
  });

  it('skips holes in an array made by code, as the walk that reports does', () => {
    const made: unknown[] = [{ x: 1 }];
    made[2] = { x: 'no' }; // index 1 is a hole
    const holes = made as JsonValue;
    const r = { $: { combine: 'AND' as const, rules: [{ match: 'type' as const }] } };
    const e = [{ x: 0 }];
    expect(compare(e, holes, r, false).map((m) => m.path)).toEqual(['$.body[2].x']);
    expect(compare({ list: e }, { list: holes }, r, false)).toEqual(
      compare({ list: e }, { list: holes }, { ...r, [never]: r.$ }, false),
    );
  });
});
