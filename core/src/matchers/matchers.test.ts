import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MatchersV3 } from '@pact-foundation/pact';
import { parseContract } from '../contract/parse.js';
import { parseResponse } from '../contract/fragments.js';
import { matchResponse } from '../matching/match.js';
import {
  arrayContaining,
  atMostLike,
  boolean,
  constrainedArrayLike,
  date,
  datetime,
  decimal,
  eachKeyMatches,
  eachLike,
  eachValueMatches,
  equal,
  fromProviderState,
  includes,
  integer,
  like,
  nullValue,
  number,
  regex,
  string,
  time,
  url,
  uuid,
} from './matchers.js';
import { extractMatching, reify } from './extract.js';

// The same template the Pact JS fixture file was written from (test/fixtures/pact-js/generate.mjs).
const order = {
  id: integer(1),
  total: decimal(10.5),
  count: number(3),
  status: regex('PENDING|SHIPPED', 'PENDING'),
  createdAt: datetime("yyyy-MM-dd'T'HH:mm:ss", '2024-05-01T10:00:00'),
  day: date('yyyy-MM-dd', '2024-05-01'),
  at: time('HH:mm', '10:00'),
  uuid: uuid('a5d5c1f3-1b1b-4b1b-8b1b-1b1b1b1b1b1b'),
  paid: boolean(true),
  note: nullValue(),
  label: string('fragile'),
  title: includes('order'),
  items: eachLike({ sku: regex('[A-Z]-\\d+', 'A-1'), quantity: integer(2) }, 1),
  tags: atMostLike('a', 3),
  codes: constrainedArrayLike('x', 1, 4),
  exact: equal('exact'),
  attributes: eachKeyMatches({ colour: 'red' }, regex('[a-z]+', 'colour')),
  prices: eachValueMatches({ small: 1 }, integer(1)),
  selfLink: fromProviderState('/orders/${id}', '/orders/1'),
};

describe('matchers produce the rules Pact writes', () => {
  it('extracts exactly the body rules, generators and example of the Pact JS V4 file for the same template', () => {
    const file = fileURLToPath(
      new URL('../../../test/fixtures/pact-js/pactjs-web-pactjs-orders-v4.json', import.meta.url),
    );
    const contract = parseContract(readFileSync(file, 'utf8'));
    const pact = contract.interactions.find((i) => i.description === 'a request for order 1');
    if (pact?.type !== 'Synchronous/HTTP') throw new Error('fixture interaction missing');
    const ours = extractMatching(order);
    // Pact's core writes the eachKey/eachValue example as JSON text; compare the rules without it.
    const dropValues = (rules: typeof ours.rules) =>
      JSON.parse(
        JSON.stringify(rules, (k, v: unknown) =>
          k === 'value' && typeof v !== 'string'
            ? undefined
            : k === 'value' && typeof v === 'string' && v.startsWith('{')
              ? undefined
              : v,
        ),
      );
    expect(dropValues(ours.rules)).toEqual(dropValues(pact.response.matchingRules.body ?? {}));
    expect(ours.generators).toEqual(pact.response.generators.body);
    expect(ours.example).toEqual(pact.response.body?.kind === 'json' ? pact.response.body.value : undefined);
  });

  it('understands templates built with Pact JS matchers', () => {
    const pactJs = {
      id: MatchersV3.integer(1),
      items: MatchersV3.eachLike({ sku: MatchersV3.regex('[A-Z]-\\d+', 'A-1') }),
    };
    const treaty = { id: integer(1), items: eachLike({ sku: regex('[A-Z]-\\d+', 'A-1') }) };
    expect(extractMatching(pactJs)).toEqual(extractMatching(treaty));
  });

  it('puts eachLike element rules under [*], bracket-quotes odd keys, and builds arrayContains variants', () => {
    const x = extractMatching({
      'odd key': like(1),
      list: eachLike({ id: integer(1) }, 2),
      mixed: arrayContaining({ kind: 'a' }, { kind: regex('b+', 'bb') }),
    });
    expect(Object.keys(x.rules).sort()).toEqual(["$['odd key']", '$.list', '$.list[*].id', '$.mixed'].sort());
    expect(x.example).toEqual({
      'odd key': 1,
      list: [{ id: 1 }, { id: 1 }],
      mixed: [{ kind: 'a' }, { kind: 'bb' }],
    });
    expect(x.rules['$.mixed']?.rules[0]).toEqual({
      match: 'arrayContains',
      variants: [
        { index: 0, rules: {} },
        { index: 1, rules: { '$.kind': { combine: 'AND', rules: [{ match: 'regex', regex: 'b+' }] } } },
      ],
    });
  });

  it('adds generators where no example is given', () => {
    const x = extractMatching({
      id: integer(),
      when: datetime("yyyy-MM-dd'T'HH:mm:ss"),
      ref: uuid(),
      link: url(['orders', regex('\\d+', '7')]),
    });
    expect(x.generators).toEqual({
      '$.id': { type: 'RandomInt', min: 0, max: 10 },
      '$.when': { type: 'DateTime', format: "yyyy-MM-dd'T'HH:mm:ss" },
      '$.ref': { type: 'Uuid' },
      '$.link': {
        type: 'MockServerURL',
        example: 'http://localhost:8080/orders/7',
        regex: '.*(\\/orders\\/\\d+)$',
      },
    });
  });
});

describe('extracted rules drive the engine', () => {
  const { example, rules } = extractMatching(
    like({ id: integer(1), tags: eachLike('a'), at: datetime('yyyy-MM-dd', '2024-01-02') }),
  );
  const expected = parseResponse(
    {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: example,
      matchingRules: {
        body: Object.fromEntries(
          Object.entries(rules).map(([k, v]) => [k, { combine: v.combine, matchers: v.rules }]),
        ),
      },
    },
    '4',
  );
  const actual = (body: unknown) =>
    parseResponse({ status: 200, headers: { 'Content-Type': 'application/json' }, body }, '4');

  it('accepts a body of the same shape with other values', () => {
    expect(
      matchResponse(expected, actual({ id: 7, tags: ['x', 'y', 'z'], at: '2030-12-31', extra: true })),
    ).toEqual([]);
  });

  it('rejects wrong types, empty arrays and bad dates, each at its path', () => {
    const paths = matchResponse(expected, actual({ id: 1.5, tags: [], at: '31/12/2030' })).map((m) => m.path);
    expect(paths.sort()).toEqual(['$.body.at', '$.body.id', '$.body.tags']);
  });
});

describe('reify', () => {
  it('replaces every matcher with its example', () => {
    expect(
      reify({
        a: like({ b: integer(2), c: eachLike(regex('x+', 'xx'), 2) }),
        d: nullValue(),
        e: arrayContaining(1, like(2)),
      }),
    ).toEqual({ a: { b: 2, c: ['xx', 'xx'] }, d: null, e: [1, 2] });
  });
});
