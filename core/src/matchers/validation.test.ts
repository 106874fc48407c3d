import { describe, expect, it } from 'vitest';
import { TreatyError } from '../errors.js';
import {
  arrayContaining,
  atLeastLike,
  atLeastOneLike,
  atMostLike,
  constrainedArrayLike,
  contentType,
  date,
  datetime,
  decimal,
  eachKeyMatches,
  eachLike,
  eachValueMatches,
  equal,
  fromProviderState,
  generators,
  integer,
  like,
  notEmpty,
  number,
  regex,
  semver,
  statusCode,
  time,
  url,
  uuid,
  type Matcher,
} from './matchers.js';

function thrown(fn: () => unknown): TreatyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TreatyError) return e;
    throw e;
  }
  throw new Error('expected a TreatyError, but nothing was thrown');
}

describe('a matcher whose example breaks its own rule fails at the call', () => {
  it.each([
    [
      'regex',
      () => regex('\\d+', 'abc'),
      'regex("\\\\d+", "abc"): the example "abc" does not match the regex /\\d+/ as a whole value',
    ],
    [
      'regex, partial match only',
      () => regex(/\d+/, '12a'),
      'regex(/\\d+/, "12a"): the example "12a" does not match',
    ],
    ['regex flags', () => regex(/abc/i, 'ABC'), 'the flags /i cannot be written into a contract'],
    ['invalid regex', () => regex('(', 'x'), '/(/ is not a valid regular expression'],
    [
      'regex example not a string',
      () => regex('\\d+', 12 as unknown as string),
      'the example must be a string, got 12',
    ],
    ['integer with a fraction', () => integer(1.5), 'integer(1.5): the example 1.5 is not an integer'],
    [
      'integer from a string',
      () => integer('1' as unknown as number),
      'integer("1"): the example "1" is not an integer',
    ],
    ['decimal NaN', () => decimal(Number.NaN), 'decimal(NaN): the example NaN is not a finite number'],
    ['decimal not a number', () => decimal('1.5' as unknown as number), 'is not a finite number'],
    [
      'decimal, whole number',
      () => decimal(10),
      'decimal(10): the example 10 is written to JSON as a whole number, which breaks the decimal rule',
    ],
    [
      'number Infinity',
      () => number(Number.POSITIVE_INFINITY),
      'number(Infinity): the example Infinity is not a finite number',
    ],
    [
      'min above max',
      () => constrainedArrayLike('x', 3, 1),
      'constrainedArrayLike("x", 3, 1): min (3) is above max (1)',
    ],
    [
      'count outside min..max',
      () => constrainedArrayLike('x', 1, 2, 3),
      'count (3) must be between min (1) and max (2)',
    ],
    [
      'eachLike negative min',
      () => eachLike('x', -1),
      'eachLike("x", -1): min must be a whole number of at least 0, got -1',
    ],
    [
      'eachLike fractional min',
      () => eachLike('x', 1.5),
      'min must be a whole number of at least 0, got 1.5',
    ],
    ['atLeastLike count below min', () => atLeastLike('x', 3, 2), 'count (2) is below min (3)'],
    ['atLeastOneLike count 0', () => atLeastOneLike('x', 0), 'count must be at least 1'],
    ['atMostLike count above max', () => atMostLike('x', 1, 2), 'count (2) is above max (1)'],
    ['semver', () => semver('1.0'), 'semver("1.0"): the example "1.0" is not a semantic version'],
    [
      'datetime',
      () => datetime('yyyy-MM-dd', '01/02/2024'),
      `datetime("yyyy-MM-dd", "01/02/2024"): the example "01/02/2024" does not fit the datetime format 'yyyy-MM-dd'`,
    ],
    ['date, impossible month', () => date('yyyy-MM-dd', '2024-13-01'), 'does not fit the date format'],
    ['time', () => time('HH:mm', '25:00'), `does not fit the time format 'HH:mm'`],
    ['date without a format', () => date(''), 'a format such as'],
    [
      'date format Treaty cannot render',
      () => datetime('yyyy-MM-dd BBBB'),
      "cannot write an example for the format 'yyyy-MM-dd BBBB'; pass one",
    ],
    ['uuid', () => uuid('nope'), 'uuid("nope"): the example "nope" does not match the regex'],
    ['uuid upper case', () => uuid('A5D5C1F3-1B1B-4B1B-8B1B-1B1B1B1B1B1B'), 'lower-case hyphenated UUID'],
    ['notEmpty', () => notEmpty([]), 'the example itself is empty'],
    ['statusCode class', () => statusCode('great' as 'success'), '"great" is not a status class'],
    [
      'statusCode example outside class',
      () => statusCode('success', 404),
      'the example 404 is not a status the rule allows',
    ],
    ['statusCode list', () => statusCode([]), 'a non-empty list of HTTP status codes'],
    ['contentType', () => contentType('png'), '"png" is not a media type'],
    ['fromProviderState without ${}', () => fromProviderState('id', 1), 'names no ${value} to fill in'],
    [
      'eachKeyMatches with a non-matcher rule',
      () => eachKeyMatches({ a: 1 }, 'x' as unknown as Matcher<string>),
      'the rules must be one matcher',
    ],
    ['eachValueMatches with no rules', () => eachValueMatches({ a: 1 }, []), 'the rules must be one matcher'],
    ['arrayContaining with no variants', () => arrayContaining(), 'give at least one variant'],
    [
      'url with a bare RegExp',
      () => url(['orders', /\d+/]),
      'write the regex fragment /\\d+/ as regex(pattern, example)',
    ],
    [
      'randomInt example out of range',
      () => generators.randomInt(1, 5, 9),
      'the example 9 is not an integer in [1, 5]',
    ],
    ['randomInt min above max', () => generators.randomInt(5, 1), 'min ≤ max'],
    ['uuid generator format', () => generators.uuid('weird' as 'URN'), '"weird" is not a UUID format'],
  ])('%s', (_name, fn, message) => {
    const error = thrown(fn);
    expect(error.code).toBe('TREATY_MATCHER_INVALID');
    expect(error.kind).toBe('user');
    expect(error.message).toContain(message);
  });
});

describe('unserialisable examples are refused at the call', () => {
  it.each([
    ['a Date', () => like({ when: new Date(0) }), 'like({…}): the example.when is a Date, not plain JSON'],
    ['undefined', () => like({ a: undefined }), 'the example.a is undefined'],
    ['a function', () => eachLike({ f: () => 1 }), 'the example.f is a function'],
    ['NaN', () => like(Number.NaN), 'the example is NaN'],
    ['a bigint', () => equal(1n), 'equal(1n): the example is a bigint'],
    ['a symbol', () => notEmpty({ s: Symbol('x') }), 'the example.s is a symbol'],
    // biome-ignore lint/suspicious/noSparseArray: a hole is the bad input under test
    ['a sparse array', () => like([1, , 3]), 'the example[1] is a hole'],
    ['a Map', () => like(new Map()), 'is a Map'],
    ['an odd key', () => like({ 'a b': undefined }), 'the example["a b"] is undefined'],
    [
      'inside an arrayContaining variant',
      () => arrayContaining({ a: 1 }, { b: Number.NaN }),
      'variant 1.b is NaN',
    ],
  ])('%s', (_name, fn, message) => {
    const error = thrown(fn);
    expect(error.code).toBe('TREATY_MATCHER_INVALID');
    expect(error.message).toContain(message);
  });

  it('refuses a circular example, naming where the cycle closes', () => {
    const a: Record<string, unknown> = { list: [] };
    (a.list as unknown[]).push(a);
    expect(thrown(() => like(a)).message).toContain('the example.list[0] refers to itself');
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(() => like({ a: shared, b: shared })).not.toThrow();
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(() => like(bare)).not.toThrow();
  });
});
