import { describe, expect, it } from 'vitest';
import { MatchersV3 as P } from '@pact-foundation/pact';
import {
  arrayContaining,
  atLeastLike,
  atLeastOneLike,
  atMostLike,
  boolean,
  booleanValue,
  constrainedArrayLike,
  contentType,
  date,
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
  time,
  timestamp,
  url,
  url2,
  uuid,
} from './matchers.js';
import { formatFixedInstant } from './date-example.js';
import { matchesDateFormat } from '../matching/date-format.js';

// Each pair is [Treaty, Pact JS] for the same call: the objects must be equal, key for key.
describe("constructors write exactly Pact JS's integration JSON", () => {
  const item = { sku: regex('[A-Z]-\\d+', 'A-1') };
  it.each<[string, unknown, unknown]>([
    ['like', like({ a: 1 }), P.like({ a: 1 })],
    ['eachLike', eachLike(item), P.eachLike(item)],
    ['eachLike with min', eachLike(item, 3), P.eachLike(item, 3)],
    ['atLeastOneLike', atLeastOneLike('x'), P.atLeastOneLike('x')],
    ['atLeastOneLike with count', atLeastOneLike('x', 2), P.atLeastOneLike('x', 2)],
    ['atLeastLike', atLeastLike('x', 2), P.atLeastLike('x', 2)],
    ['atLeastLike with count', atLeastLike('x', 2, 4), P.atLeastLike('x', 2, 4)],
    ['atMostLike', atMostLike('x', 3), P.atMostLike('x', 3)],
    ['atMostLike with count', atMostLike('x', 3, 2), P.atMostLike('x', 3, 2)],
    ['constrainedArrayLike', constrainedArrayLike('x', 2, 4), P.constrainedArrayLike('x', 2, 4)],
    [
      'constrainedArrayLike with count',
      constrainedArrayLike('x', 2, 4, 3),
      P.constrainedArrayLike('x', 2, 4, 3),
    ],
    ['boolean', boolean(), P.boolean()],
    ['boolean false', boolean(false), P.boolean(false)],
    ['integer', integer(7), P.integer(7)],
    ['integer 0', integer(0), P.integer(0)],
    ['integer, generated', integer(), P.integer()],
    ['decimal', decimal(1.25), P.decimal(1.25)],
    ['decimal, generated', decimal(), P.decimal()],
    ['number', number(3), P.number(3)],
    ['number, generated', number(), P.number()],
    ['string', string('s'), P.string('s')],
    ['string, default', string(), P.string()],
    ['regex from a string', regex('\\d+', '12'), P.regex('\\d+', '12')],
    ['regex from a RegExp', regex(/\d+/, '12'), P.regex(/\d+/, '12')],
    [
      'datetime',
      datetime('yyyy-MM-dd HH:mm', '2024-01-02 10:11'),
      P.datetime('yyyy-MM-dd HH:mm', '2024-01-02 10:11'),
    ],
    [
      'timestamp',
      timestamp('yyyy-MM-dd HH:mm', '2024-01-02 10:11'),
      P.timestamp('yyyy-MM-dd HH:mm', '2024-01-02 10:11'),
    ],
    ['date', date('yyyy-MM-dd', '2024-01-02'), P.date('yyyy-MM-dd', '2024-01-02')],
    ['time', time('HH:mm', '10:11'), P.time('HH:mm', '10:11')],
    ['includes', includes('x'), P.includes('x')],
    ['nullValue', nullValue(), P.nullValue()],
    ['equal', equal({ a: [1] }), P.equal({ a: [1] })],
    ['arrayContaining', arrayContaining({ a: 1 }, like(2)), P.arrayContaining({ a: 1 }, P.like(2))],
    [
      'eachKeyMatches',
      eachKeyMatches({ k: 1 }, regex('[a-z]', 'k')),
      P.eachKeyMatches({ k: 1 }, P.regex('[a-z]', 'k')),
    ],
    ['eachKeyMatches, default rule', eachKeyMatches({ k: 1 }), P.eachKeyMatches({ k: 1 })],
    [
      'eachValueMatches',
      eachValueMatches({ k: 1 }, [integer(1)]),
      P.eachValueMatches({ k: 1 }, [P.integer(1)]),
    ],
    ['eachKeyLike', eachKeyLike('k', { a: 1 }), P.eachKeyLike('k', { a: 1 })],
    ['fromProviderState', fromProviderState('${id}', 1), P.fromProviderState('${id}', 1)],
    ['uuid', uuid('a5d5c1f3-1b1b-4b1b-8b1b-1b1b1b1b1b1b'), P.uuid('a5d5c1f3-1b1b-4b1b-8b1b-1b1b1b1b1b1b')],
    ['uuid, generated', uuid(), P.uuid()],
    ['url', url(['orders', regex('\\d+', '1')]), P.url(['orders', P.regex('\\d+', '1')])],
    [
      'url2',
      url2('https://x.io', ['a', regex('\\d+', '2')]),
      P.url2('https://x.io', ['a', P.regex('\\d+', '2')]),
    ],
    ['contentType', contentType('image/png'), P.contentType('image/png')],
    ['matchStatus', matchStatus(201, [200, 201]), P.matchStatus(201, [200, 201])],
    [
      'matchStatus by class',
      matchStatus(204, 'success'),
      P.matchStatus(204, P.HTTPResponseStatusClass.Success),
    ],
  ])('%s', (_name, ours, theirs) => {
    expect(ours).toEqual(theirs);
    expect(JSON.parse(JSON.stringify(ours))).toEqual(ours);
  });
});

describe('shapes Pact JS has no constructor for (the keys its core reads)', () => {
  it.each<[string, unknown, unknown]>([
    ['semver', semver('1.2.3-rc.1+b7'), { 'pact:matcher:type': 'semver', value: '1.2.3-rc.1+b7' }],
    ['notEmpty', notEmpty(['a']), { 'pact:matcher:type': 'notEmpty', value: ['a'] }],
    ['booleanValue', booleanValue(false), { 'pact:matcher:type': 'boolean', value: false }],
    [
      'statusCode by class',
      statusCode('clientError'),
      { 'pact:matcher:type': 'statusCode', status: 'clientError', value: 400 },
    ],
    [
      'statusCode by list',
      statusCode([201, 202]),
      { 'pact:matcher:type': 'statusCode', status: [201, 202], value: 201 },
    ],
    [
      "statusCode 'information' is written 'info'",
      statusCode('information'),
      { 'pact:matcher:type': 'statusCode', status: 'info', value: 100 },
    ],
    [
      'contentType with an example',
      contentType('text/plain', 'hi'),
      { 'pact:matcher:type': 'contentType', value: 'text/plain', example: 'hi' },
    ],
    [
      'eachLike with min 0 keeps one example element',
      eachLike('x', 0),
      { min: 0, 'pact:matcher:type': 'type', value: ['x'] },
    ],
    [
      'datetime, generated',
      datetime("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
      {
        format: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        'pact:generator:type': 'DateTime',
        'pact:matcher:type': 'timestamp',
        value: '2024-01-02T03:04:05.678Z',
      },
    ],
    [
      'date, generated',
      date('dd/MM/yy'),
      { format: 'dd/MM/yy', 'pact:generator:type': 'Date', 'pact:matcher:type': 'date', value: '02/01/24' },
    ],
    [
      'time, generated',
      time('h:mm a'),
      { format: 'h:mm a', 'pact:generator:type': 'Time', 'pact:matcher:type': 'time', value: '3:04 AM' },
    ],
    [
      'randomInt',
      generators.randomInt(1, 9),
      { 'pact:generator:type': 'RandomInt', 'pact:matcher:type': 'integer', min: 1, max: 9, value: 1 },
    ],
    [
      'randomDecimal',
      generators.randomDecimal(),
      { 'pact:generator:type': 'RandomDecimal', 'pact:matcher:type': 'decimal', digits: 10, value: 12.34 },
    ],
    [
      'randomHexadecimal',
      generators.randomHexadecimal(4),
      {
        'pact:generator:type': 'RandomHexadecimal',
        'pact:matcher:type': 'regex',
        regex: '[0-9a-fA-F]+',
        digits: 4,
        value: '0123',
      },
    ],
    [
      'randomString',
      generators.randomString(3),
      { 'pact:generator:type': 'RandomString', 'pact:matcher:type': 'type', size: 3, value: 'abc' },
    ],
    [
      'randomBoolean',
      generators.randomBoolean(false),
      { 'pact:generator:type': 'RandomBoolean', 'pact:matcher:type': 'type', value: false },
    ],
    [
      'fromRegex',
      generators.fromRegex('\\d{2}', '12'),
      { 'pact:generator:type': 'Regex', 'pact:matcher:type': 'regex', regex: '\\d{2}', value: '12' },
    ],
    [
      'uuid in a format',
      generators.uuid('upper-case-hyphenated'),
      {
        'pact:matcher:type': 'regex',
        regex: '[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}',
        'pact:generator:type': 'Uuid',
        format: 'upper-case-hyphenated',
        value: 'E2490DE5-5BD3-43D5-B7C4-526E33F71304',
      },
    ],
    [
      'date with an expression',
      generators.date('yyyy-MM-dd', '+ 1 day'),
      {
        format: 'yyyy-MM-dd',
        'pact:generator:type': 'Date',
        'pact:matcher:type': 'date',
        value: '2024-01-02',
        expression: '+ 1 day',
      },
    ],
  ])('%s', (_name, ours, expected) => {
    expect(ours).toEqual(expected);
  });

  it('every generator helper carries a rule (Pact ignores a generator without one) and an example that fits it', () => {
    for (const format of ['simple', 'lower-case-hyphenated', 'upper-case-hyphenated', 'URN'] as const) {
      const m = generators.uuid(format) as unknown as { regex: string; value: string };
      expect(isMatcher(m)).toBe(true);
      expect(new RegExp(`^${m.regex}$`).test(m.value)).toBe(true);
    }
  });
});

describe('the fixed example of a generated date fits its format', () => {
  it.each([
    "yyyy-MM-dd'T'HH:mm:ss",
    "yyyy-MM-dd'T'HH:mm:ss.SSSX",
    "yyyy-MM-dd'T'HH:mm:ssxxx",
    'EEE, dd MMM yyyy HH:mm:ss Z',
    'EEEE d MMMM uuuu',
    'yyyy-DDD',
    'HH:mm[:ss]',
    "hh 'o''clock' a",
    'yyyyMMddHHmmssSSS',
    'yyyy-MM-dd HH:mm:ss z',
  ])('%s', (format) => {
    const text = formatFixedInstant(format);
    expect(text).toBeDefined();
    expect(matchesDateFormat('datetime', text as string, format)).toBe(true);
  });

  it('gives up on letters it does not know rather than guess', () => {
    expect(formatFixedInstant('yyyy B')).toBeUndefined();
  });
});

describe('isMatcher', () => {
  it('recognises Treaty and Pact JS matchers and nothing else', () => {
    expect(isMatcher(like(1))).toBe(true);
    expect(isMatcher(P.integer(1))).toBe(true);
    expect(isMatcher(arrayContaining(1))).toBe(true);
    expect(isMatcher({ value: 1 })).toBe(false);
    expect(isMatcher({ 'pact:generator:type': 'RandomInt', value: 1 })).toBe(false);
    expect(isMatcher([like(1)])).toBe(false);
    expect(isMatcher(null)).toBe(false);
    expect(isMatcher('type')).toBe(false);
  });
});
