import { describe, expect, it } from 'vitest';
import { TreatyError } from '../errors.js';
import {
  arrayContaining,
  contentType,
  eachKeyMatches,
  eachLike,
  eachValueMatches,
  generators,
  integer,
  like,
  regex,
  string,
  uuid,
} from './matchers.js';
import { extractMatching, reify } from './extract.js';

const and = (...rules: unknown[]) => ({ combine: 'AND', rules });

function thrown(fn: () => unknown): TreatyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TreatyError) return e;
    throw e;
  }
  throw new Error('expected a TreatyError, but nothing was thrown');
}

describe('extractMatching: body paths', () => {
  it('a plain template has no rules and its example is itself', () => {
    expect(extractMatching({ a: [1, { b: 'x' }], c: null })).toEqual({
      example: { a: [1, { b: 'x' }], c: null },
      rules: {},
      generators: {},
    });
  });

  it('keys that are not identifiers are bracket-quoted, quotes and backslashes escaped', () => {
    const x = extractMatching({
      'a b': like(1),
      "it's": like(1),
      'back\\slash': like(1),
      '': like(1),
      _ok: like(1),
      a1: like(1),
      '1a': like(1),
    });
    expect(Object.keys(x.rules)).toEqual([
      "$['a b']",
      "$['it\\'s']",
      "$['back\\\\slash']",
      "$['']",
      '$._ok',
      '$.a1',
      "$['1a']",
    ]);
  });

  it('plain arrays keep their indices; a matcher over an array puts every element under [*]', () => {
    const x = extractMatching({
      plain: [integer(1), [integer(2)]],
      typed: like([{ a: integer(1) }, { a: integer(2) }]),
    });
    expect(Object.keys(x.rules)).toEqual(['$.plain[0]', '$.plain[1][0]', '$.typed[*].a', '$.typed']);
    expect(x.rules['$.typed[*].a']).toEqual(and({ match: 'integer' }));
  });

  it('elements of different shapes under one matcher add up their rules at [*]', () => {
    expect(extractMatching(like([integer(1), string('x')])).rules['$[*]']).toEqual(
      and({ match: 'integer' }, { match: 'type' }),
    );
  });

  it('a matcher wrapping a matcher gives both rules at one path, the inner one first', () => {
    expect(extractMatching({ n: like(integer(1)) }).rules).toEqual({
      '$.n': and({ match: 'integer' }, { match: 'type' }),
    });
  });

  it('eachValue and values put rules found in the example under .*; eachKey keeps the example keys', () => {
    const x = extractMatching({
      v: eachValueMatches({ a: like({ b: integer(1) }) }, like({ b: 1 })),
      k: eachKeyMatches({ red: { hex: regex('#\\w+', '#f00') } }, regex('[a-z]+', 'red')),
    });
    expect(x.rules).toEqual({
      '$.v.*.b': and({ match: 'integer' }),
      '$.v.*': and({ match: 'type' }),
      '$.v': and({ match: 'eachValue', rules: [{ match: 'type' }], value: { a: { b: 1 } } }),
      '$.k.red.hex': and({ match: 'regex', regex: '#\\w+' }),
      '$.k': and({
        match: 'eachKey',
        rules: [{ match: 'regex', regex: '[a-z]+' }],
        value: { red: { hex: '#f00' } },
      }),
    });
    expect(x.example).toEqual({ v: { a: { b: 1 } }, k: { red: { hex: '#f00' } } });
  });

  it('arrayContaining variants carry their own rules and generators, relative to the element', () => {
    const x = extractMatching({ list: arrayContaining({ id: integer() }, like('s'), 'plain') });
    expect(x.rules['$.list']).toEqual(
      and({
        match: 'arrayContains',
        variants: [
          {
            index: 0,
            rules: { '$.id': and({ match: 'integer' }) },
            generators: { '$.id': { type: 'RandomInt', min: 0, max: 10 } },
          },
          { index: 1, rules: { $: and({ match: 'type' }) } },
          { index: 2, rules: {} },
        ],
      }),
    );
    expect(x.generators).toEqual({});
    expect(x.example).toEqual({ list: [{ id: 101 }, 's', 'plain'] });
  });

  it('a generator is recorded once per path with the defaults Pact writes', () => {
    const x = extractMatching(eachLike({ id: uuid(), n: generators.randomInt(2, 4) }, 3));
    expect(x.generators).toEqual({
      '$[*].id': { type: 'Uuid' },
      '$[*].n': { type: 'RandomInt', min: 2, max: 4 },
    });
  });

  it('the example of a contentType matcher with an example is that example', () => {
    expect(extractMatching({ f: contentType('text/plain', 'hello') }).example).toEqual({ f: 'hello' });
    expect(reify({ f: contentType('text/plain', 'hello') })).toEqual({ f: 'hello' });
  });
});

describe('extractMatching: headers, queries, paths and metadata', () => {
  it('header rules are keyed by the header name as written; values become text', () => {
    const x = extractMatching(
      { 'X-Thing': regex('a+', 'aa'), 'X-Count': integer(3), Accept: 'application/json' },
      { category: 'header' },
    );
    expect(x.rules).toEqual({
      'X-Thing': and({ match: 'regex', regex: 'a+' }),
      'X-Count': and({ match: 'integer' }),
    });
    expect(x.example).toEqual({ 'X-Thing': 'aa', 'X-Count': '3', Accept: 'application/json' });
  });

  it('query names are not quoted, and several values share the first rules given (as Pact writes them)', () => {
    const x = extractMatching(
      { ids: [integer(1), regex('\\d+', '2')], 'a b': like('q'), page: generators.randomInt(1, 5) },
      { category: 'query' },
    );
    expect(x.rules).toEqual({
      ids: and({ match: 'integer' }),
      'a b': and({ match: 'type' }),
      page: and({ match: 'integer' }),
    });
    expect(x.generators).toEqual({ page: { type: 'RandomInt', min: 1, max: 5 } });
    expect(x.example).toEqual({ ids: ['1', '2'], 'a b': 'q', page: '1' });
  });

  it('a path template gives one rule at $', () => {
    expect(extractMatching(regex('/orders/\\d+', '/orders/1'), { category: 'path' })).toEqual({
      example: '/orders/1',
      rules: { $: and({ match: 'regex', regex: '/orders/\\d+' }) },
      generators: {},
    });
    expect(extractMatching('/plain', { category: 'path' })).toEqual({
      example: '/plain',
      rules: {},
      generators: {},
    });
  });

  it('metadata keeps JSON values and keys rules by name', () => {
    const x = extractMatching(
      { topic: regex('o.+', 'orders'), nested: like({ a: 1 }), count: 2 },
      { category: 'metadata' },
    );
    expect(x.rules).toEqual({ topic: and({ match: 'regex', regex: 'o.+' }), nested: and({ match: 'type' }) });
    expect(x.example).toEqual({ topic: 'orders', nested: { a: 1 }, count: 2 });
  });

  it.each([
    [
      'a header template that is a matcher',
      () => extractMatching(like({ a: 1 }), { category: 'header' }),
      'header: the template must be an object of names to values, got a matcher',
    ],
    [
      'a query template that is a string',
      () => extractMatching('a=1', { category: 'query' }),
      'query: the template must be an object',
    ],
    [
      'a path that is not a string',
      () => extractMatching(integer(1), { category: 'path' }),
      'path: the path template must give a string example',
    ],
    [
      'an unknown category',
      () => extractMatching({}, { category: 'status' as 'body' }),
      'unknown category "status"',
    ],
  ])('refuses %s', (_name, fn, message) => {
    const error = thrown(fn);
    expect(error.code).toBe('TREATY_MATCHER_INVALID');
    expect(error.message).toContain(message);
  });
});

describe('extractMatching refuses what it cannot write, saying where', () => {
  it.each([
    ['undefined in a template', { a: { b: undefined } }, '$.a.b: undefined is not a JSON value', '$.a.b'],
    ['a function in a template', { f: () => 1 }, '$.f: a function is not a JSON value', '$.f'],
    ['NaN in a template', [1, Number.NaN], '$[1]: NaN is not a JSON value', '$[1]'],
    ['a Date in a template', { when: new Date(0) }, '$.when: a Date is not plain JSON', '$.when'],
    [
      'an unknown matcher type',
      { x: { 'pact:matcher:type': 'fuzzy', value: 1 } },
      '$.x: unknown matcher type "fuzzy"',
      '$.x',
    ],
    [
      'an unknown generator type',
      { x: { 'pact:matcher:type': 'type', 'pact:generator:type': 'Dice', value: 1 } },
      '$.x: unknown generator type "Dice"',
      '$.x',
    ],
    [
      'a regex matcher without its regex',
      { x: { 'pact:matcher:type': 'regex', value: 'a' } },
      "$.x: a 'regex' matcher needs a string 'regex'",
      '$.x',
    ],
    [
      'a matcher without an example',
      { x: { 'pact:matcher:type': 'integer' } },
      "$.x: the integer matcher has no example 'value'",
      '$.x',
    ],
    [
      'an eachKey rule that is not a matcher',
      { x: { 'pact:matcher:type': 'eachKey', rules: ['a'], value: {} } },
      '$.x: rule 0 of eachKey is not a matcher',
      '$.x',
    ],
    [
      'an arrayContains without variants',
      { x: { 'pact:matcher:type': 'arrayContains' } },
      "$.x: an arrayContains matcher needs a non-empty 'variants' list",
      '$.x',
    ],
  ])('%s', (_name, template, message, path) => {
    const error = thrown(() => extractMatching(template));
    expect(error.code).toBe('TREATY_MATCHER_INVALID');
    expect(error.message).toContain(message);
    expect(error.path).toBe(path);
  });
});
