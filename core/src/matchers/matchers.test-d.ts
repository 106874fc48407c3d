import { describe, expectTypeOf, it } from 'vitest';
import { arrayContaining, atMostLike, boolean, datetime, decimal, eachKeyMatches, eachLike, equal, fromProviderState, integer, like, nullValue, regex, statusCode, string, uuid, type Matcher, type Reify } from './matchers.js';
import { reify } from './extract.js';

describe('matcher types', () => {
  it('like keeps the type of its example, nested matchers included', () => {
    const m = like({ id: integer(1), tags: eachLike('a') });
    expectTypeOf(m).toEqualTypeOf<Matcher<{ id: number; tags: string[] }>>();
    expectTypeOf<Reify<typeof m>>().toEqualTypeOf<{ id: number; tags: string[] }>();
  });

  it('eachLike of a like of matchers is an array of plain objects', () => {
    const m = eachLike(like({ sku: string('A-1'), price: decimal(1.5), paid: boolean() }));
    expectTypeOf(reify(m)).toEqualTypeOf<Array<{ sku: string; price: number; paid: boolean }>>();
  });

  it('scalar matchers carry their example types', () => {
    expectTypeOf(reify(nullValue())).toEqualTypeOf<null>();
    expectTypeOf(reify(regex(/\d+/, '12'))).toEqualTypeOf<string>();
    expectTypeOf(reify(datetime('yyyy', '2024'))).toEqualTypeOf<string>();
    expectTypeOf(reify(uuid())).toEqualTypeOf<string>();
    expectTypeOf(reify(statusCode('success'))).toEqualTypeOf<number>();
    expectTypeOf(reify(atMostLike(1, 3))).toEqualTypeOf<number[]>();
    expectTypeOf(reify(fromProviderState('/orders/${id}', '/orders/1'))).toEqualTypeOf<string>();
    expectTypeOf(reify(equal({ a: 1 }))).toEqualTypeOf<{ a: number }>();
    expectTypeOf(reify(eachKeyMatches({ red: 1 }, regex('[a-z]+', 'red')))).toEqualTypeOf<Record<string, number>>();
    expectTypeOf(reify(arrayContaining({ kind: 'a' }, { n: integer(1) }))).toEqualTypeOf<Array<{ kind: string } | { n: number }>>();
  });

  it('works with interfaces, not only type literals', () => {
    interface Order {
      id: number;
      lines: Array<{ sku: string }>;
    }
    const template = { id: integer(1), lines: eachLike({ sku: 'A-1' }) };
    const order: Order = reify(template);
    expectTypeOf(order).toMatchTypeOf<Order>();
    expectTypeOf(reify(like<Order>({ id: 1, lines: [] }))).toEqualTypeOf<Order>();
  });

  it('rejects misuse at compile time', () => {
    // @ts-expect-error a regex example must be a string
    regex(/\d+/, 12);
    // @ts-expect-error integer takes a number
    integer('1');
    // @ts-expect-error not a status class
    statusCode('great');
    // @ts-expect-error the type of a reified integer is number, not string
    const s: string = reify(integer(1));
    void s;
  });
});
