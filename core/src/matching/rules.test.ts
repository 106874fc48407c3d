import { describe, expect, it } from 'vitest';
import type { MatchingRule } from '../contract/model.js';
import { checkRule, checkRuleList, compileRegex } from './rules.js';

const body = { coerceStrings: false, actualIsFloat: false };
const header = { coerceStrings: true, actualIsFloat: false };
const float = { coerceStrings: false, actualIsFloat: true };
const passes = (rule: MatchingRule, actual: unknown, ctx = body, expected: unknown = undefined) =>
  checkRule(rule, expected, actual, ctx) === undefined;

describe('compileRegex', () => {
  it('matches the whole value, never a substring', () => {
    const re = compileRegex('alligator named .{4}');
    expect(re?.test('alligator named mary')).toBe(true);
    expect(re?.test('alligator named brent')).toBe(false);
    expect(compileRegex('a|b')?.test('ab')).toBe(false);
  });

  it('lets . stop at line breaks unless the pattern asks for (?s), as Java does', () => {
    expect(compileRegex('.+')?.test('one\ntwo')).toBe(false);
    expect(compileRegex('(?s).+')?.test('one\ntwo')).toBe(true);
  });

  it('translates cheap Java-isms', () => {
    expect(compileRegex('(?i)abc')?.test('ABC')).toBe(true);
    expect(compileRegex('\\p{Alpha}+\\p{Digit}')?.test('abc1')).toBe(true);
    expect(compileRegex('\\p{L}+')?.test('Grüße')).toBe(true);
    expect(compileRegex('\\Aab\\z')?.test('ab')).toBe(true);
    expect(compileRegex('(?>ab)+')?.test('abab')).toBe(true);
  });

  it('returns null for a pattern no syntax accepts', () => {
    expect(compileRegex('(unclosed')).toBeNull();
  });
});

describe('checkRule', () => {
  it('regex reads numbers and booleans as text but not containers', () => {
    expect(passes({ match: 'regex', regex: '\\d+' }, 1234)).toBe(true);
    expect(passes({ match: 'regex', regex: 'true' }, true)).toBe(true);
    expect(checkRule({ match: 'regex', regex: '.*' }, undefined, [1], body)).toMatch(/got an array/);
  });

  it('type treats every number as one type and compares with the example', () => {
    expect(passes({ match: 'type' }, 100.5, body, 1)).toBe(true);
    expect(passes({ match: 'type' }, '1', body, 1)).toBe(false);
    expect(passes({ match: 'type' }, null, body, 'x')).toBe(false);
    expect(checkRule({ match: 'type' }, 1, 'x', body)).toBe(
      'expected a value of type number (like 1) but got the string "x"',
    );
  });

  it('integer, decimal and number coerce strings only in headers and queries', () => {
    expect(passes({ match: 'integer' }, 100)).toBe(true);
    expect(passes({ match: 'integer' }, 100.1)).toBe(false);
    expect(passes({ match: 'integer' }, '100')).toBe(false);
    expect(passes({ match: 'integer' }, '100', header)).toBe(true);
    expect(passes({ match: 'integer' }, [])).toBe(false);
    expect(passes({ match: 'decimal' }, 100)).toBe(false);
    expect(passes({ match: 'decimal' }, 100.5)).toBe(true);
    expect(passes({ match: 'decimal' }, null)).toBe(false);
    expect(passes({ match: 'decimal' }, '1.5', header)).toBe(true);
    expect(passes({ match: 'number' }, '100')).toBe(false);
    expect(passes({ match: 'number' }, '-1.5e3', header)).toBe(true);
  });

  it('integer and decimal follow how a number was written (100.0 is a decimal)', () => {
    expect(passes({ match: 'integer' }, 100, float)).toBe(false);
    expect(passes({ match: 'decimal' }, 100, float)).toBe(true);
    expect(checkRule({ match: 'integer' }, 1, 100, float)).toMatch(/written as a decimal/);
  });

  it('include, boolean, null, semver and notEmpty', () => {
    expect(passes({ match: 'include', value: 'ell' }, 'hello')).toBe(true);
    expect(passes({ match: 'include', value: 'x' }, 'hello')).toBe(false);
    expect(passes({ match: 'boolean' }, false)).toBe(true);
    expect(passes({ match: 'boolean' }, 'true')).toBe(true);
    expect(passes({ match: 'boolean' }, 0)).toBe(false);
    expect(passes({ match: 'null' }, null)).toBe(true);
    expect(passes({ match: 'null' }, 'null')).toBe(false);
    expect(passes({ match: 'semver' }, '1.2.3-beta.1+build.5')).toBe(true);
    expect(passes({ match: 'semver' }, '1.0')).toBe(false);
    for (const empty of ['', [], {}, null, new Uint8Array(0)])
      expect(passes({ match: 'notEmpty' }, empty)).toBe(false);
    expect(passes({ match: 'notEmpty' }, 'x', body, ['a'])).toBe(false);
    expect(passes({ match: 'notEmpty' }, ['x'], body, ['a'])).toBe(true);
  });

  it('date, time and datetime use the pattern, or ISO 8601 without one', () => {
    expect(passes({ match: 'date' }, '2024-02-29')).toBe(true);
    expect(passes({ match: 'date' }, '2023-02-29')).toBe(false);
    expect(passes({ match: 'time', format: 'HH:mm' }, '23:59')).toBe(true);
    expect(passes({ match: 'datetime', format: "yyyy-MM-dd'T'HH:mm:ss" }, '2024-01-02 03:04:05')).toBe(false);
    expect(passes({ match: 'datetime' }, 20240102)).toBe(false);
  });
});

describe('checkRuleList', () => {
  it('AND needs every rule, OR any one', () => {
    const rules: MatchingRule[] = [{ match: 'integer' }, { match: 'null' }];
    expect(checkRuleList({ combine: 'OR', rules }, 1, null, body)).toEqual([]);
    expect(checkRuleList({ combine: 'AND', rules }, 1, null, body).map((f) => f.rule.match)).toEqual([
      'integer',
    ]);
    expect(checkRuleList({ combine: 'OR', rules }, 1, 'x', body).map((f) => f.rule.match)).toEqual([
      'integer',
      'null',
    ]);
  });
});
