import { describe, expectTypeOf, it } from 'vitest';
import {
  arrayContaining,
  atLeastLike,
  atMostLike,
  boolean,
  constrainedArrayLike,
  contentType,
  datetime,
  decimal,
  eachKeyLike,
  eachKeyMatches,
  eachLike,
  eachValueMatches,
  equal,
  fromProviderState,
  generators,
  includes,
  integer,
  isMatcher,
  like,
  matchStatus,
  notEmpty,
  nullValue,
  number,
  regex,
  semver,
  statusCode,
  string,
  url,
  uuid,
  type Matcher,
  type Reify,
} from './matchers.js';
import { extractMatching, reify, type ExtractedMatching } from './extract.js';
import type { Generator, JsonValue, RuleList } from '../contract/model.js';

describe('matcher types', () => {
  it('like keeps the type of its example, nested matchers included', () => {
    const m = like({ id: integer(1), tags: eachLike('a') });
    expectTypeOf(m).toEqualTypeOf<Matcher<{ id: number; tags: string[] }>>();
    expectTypeOf<Reify<typeof m>>().toEqualTypeOf<{ id: number; tags: string[] }>();
  });

  it('eachLike of a like of matchers is an array of plain objects', () => {
    expectTypeOf(reify(eachLike(like({ sku: string('A-1') })))).toEqualTypeOf<Array<{ sku: string }>>();
    const m = eachLike(like({ sku: string('A-1'), price: decimal(1.5), paid: boolean() }));
    expectTypeOf(reify(m)).toEqualTypeOf<Array<{ sku: string; price: number; paid: boolean }>>();
  });

  it('deeply nested templates need no casts', () => {
    const t = {
      order: like({
        lines: eachLike({
          sku: regex('[A-Z]-\\d', 'A-1'),
          qty: integer(1),
          meta: { tags: atMostLike(string('x'), 3) },
        }),
        total: number(1),
      }),
    };
    expectTypeOf(reify(t)).toEqualTypeOf<{
      order: { lines: Array<{ sku: string; qty: number; meta: { tags: string[] } }>; total: number };
    }>();
  });

  it('scalar matchers carry their example types', () => {
    expectTypeOf(reify(nullValue())).toEqualTypeOf<null>();
    expectTypeOf(reify(regex(/\d+/, '12'))).toEqualTypeOf<string>();
    expectTypeOf(reify(datetime('yyyy', '2024'))).toEqualTypeOf<string>();
    expectTypeOf(reify(uuid())).toEqualTypeOf<string>();
    expectTypeOf(reify(includes('x'))).toEqualTypeOf<string>();
    expectTypeOf(reify(semver('1.0.0'))).toEqualTypeOf<string>();
    expectTypeOf(reify(contentType('image/png'))).toEqualTypeOf<string>();
    expectTypeOf(reify(url(['a']))).toEqualTypeOf<string>();
    expectTypeOf(reify(statusCode('success'))).toEqualTypeOf<number>();
    expectTypeOf(reify(matchStatus(200, [200]))).toEqualTypeOf<number>();
    expectTypeOf(reify(generators.randomInt(1, 2))).toEqualTypeOf<number>();
    expectTypeOf(reify(generators.randomBoolean())).toEqualTypeOf<boolean>();
  });

  it('array and map matchers carry their element types', () => {
    expectTypeOf(reify(atMostLike(1, 3))).toEqualTypeOf<number[]>();
    expectTypeOf(reify(atLeastLike({ a: integer(1) }, 2))).toEqualTypeOf<Array<{ a: number }>>();
    expectTypeOf(reify(constrainedArrayLike(uuid(), 1, 2))).toEqualTypeOf<string[]>();
    expectTypeOf(reify(arrayContaining({ kind: 'a' }, { n: integer(1) }))).toEqualTypeOf<
      Array<{ kind: string } | { n: number }>
    >();
    expectTypeOf(reify(eachKeyMatches({ red: 1 }, regex('[a-z]+', 'red')))).toEqualTypeOf<
      Record<string, number>
    >();
    expectTypeOf(reify(eachValueMatches({ a: { b: integer(1) } }, like({ b: 1 })))).toEqualTypeOf<
      Record<string, { b: number }>
    >();
    expectTypeOf(reify(eachKeyLike('k', { price: decimal(1.5) }))).toEqualTypeOf<
      Record<string, { price: number }>
    >();
  });

  it('equal and notEmpty keep the example type; fromProviderState widens literals the provider will replace', () => {
    expectTypeOf(reify(equal({ a: 1 }))).toEqualTypeOf<{ a: number }>();
    expectTypeOf(reify(notEmpty(['a']))).toEqualTypeOf<string[]>();
    expectTypeOf(reify(fromProviderState('/orders/${id}', '/orders/1'))).toEqualTypeOf<string>();
    expectTypeOf(reify(fromProviderState('${n}', 1))).toEqualTypeOf<number>();
  });

  it('tuples and readonly arrays map element by element', () => {
    expectTypeOf<Reify<readonly [Matcher<number>, 'x']>>().toEqualTypeOf<[number, 'x']>();
    expectTypeOf<Reify<ReadonlyArray<Matcher<string>>>>().toEqualTypeOf<string[]>();
  });

  it('unions of templates reify member by member', () => {
    expectTypeOf<Reify<Matcher<number> | { a: Matcher<string> } | null>>().toEqualTypeOf<
      number | { a: string } | null
    >();
  });

  it('works with interfaces, not only type literals', () => {
    interface Line {
      sku: string;
    }
    interface Order {
      id: number;
      lines: Line[];
    }
    const template = { id: integer(1), lines: eachLike({ sku: 'A-1' }) };
    const order: Order = reify(template);
    expectTypeOf(order).toEqualTypeOf<Order>();
    expectTypeOf(reify(like<Order>({ id: 1, lines: [] }))).toEqualTypeOf<Order>();
    expectTypeOf(reify(eachLike<Line>({ sku: 'A-1' }))).toEqualTypeOf<Line[]>();
    // An interface is its own example type: Reify leaves a matcher-free type as it is.
    expectTypeOf<Reify<Order>>().toEqualTypeOf<Order>();
    // A typed template checks the example against the interface at the call.
    const typed = (t: Order): Matcher<Order> => like(t);
    expectTypeOf(reify(typed({ id: 1, lines: [{ sku: 'x' }] }))).toEqualTypeOf<Order>();
  });

  it('isMatcher narrows, and extractMatching returns the contract model types', () => {
    const v: unknown = like(1);
    if (isMatcher(v)) expectTypeOf(v).toEqualTypeOf<Matcher<unknown>>();
    const x = extractMatching({ id: integer(1) }, { category: 'body' });
    expectTypeOf(x).toEqualTypeOf<ExtractedMatching>();
    expectTypeOf(x.example).toEqualTypeOf<JsonValue>();
    expectTypeOf(x.rules).toEqualTypeOf<Record<string, RuleList>>();
    expectTypeOf(x.generators).toEqualTypeOf<Record<string, Generator>>();
  });

  it('rejects misuse at compile time', () => {
    // @ts-expect-error a regex example must be a string
    regex(/\d+/, 12);
    // @ts-expect-error integer takes a number
    integer('1');
    // @ts-expect-error not a status class
    statusCode('great');
    // @ts-expect-error status codes are numbers
    statusCode(['200']);
    // @ts-expect-error eachLike's min is a number
    eachLike('a', '1');
    // @ts-expect-error datetime needs a format
    datetime();
    // @ts-expect-error eachKeyMatches' rules match keys, which are strings
    eachKeyMatches({ a: 1 }, integer(1));
    // @ts-expect-error not a UUID format
    generators.uuid('weird');
    // @ts-expect-error not a category
    extractMatching({}, { category: 'status' });
    // @ts-expect-error an example that does not fit the interface
    like<{ id: number }>({ id: 'x' });
    // @ts-expect-error the type of a reified integer is number, not string
    const s: string = reify(integer(1));
    // @ts-expect-error a reified eachLike is an array, not its element
    const one: { sku: string } = reify(eachLike({ sku: string('a') }));
    // @ts-expect-error a matcher is not its example: use reify() to get the value
    const n: number = integer(1);
    void [s, one, n];
  });
});
