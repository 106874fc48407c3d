import { describe, expect, it } from 'vitest';
import { LIMITS, MAX_PARAM_LENGTH, checkName, wholeNumber } from './limits.js';

describe('checkName', () => {
  it('accepts names Pact clients send, up to the limit in characters', () => {
    for (const name of [
      '3f786850e387550fdab836ed7e6dc881de23001b',
      '1.2.3-rc.1+build.45',
      'feature/JIRA-1234 a long branch',
      'a'.repeat(LIMITS.name),
      '😀'.repeat(LIMITS.name),
      ' padded ',
    ])
      expect(checkName('name', name)).toBe(name);
  });

  it.each([
    ['a lone surrogate', '\ud800'],
    ['a lone low surrogate', 'x\udc00'],
    ['NUL', 'a\u0000b'],
    ['LF', 'a\nb'],
    ['CR', 'a\rb'],
    ['tab', 'a\tb'],
    ['a C1 control', 'a\u0085b'],
    ['a line separator', 'a\u2028b'],
    ['dot', '.'],
    ['dot dot', '..'],
    ['empty', ''],
    ['only spaces', '   '],
    ['too long', 'a'.repeat(LIMITS.name + 1)],
    ['too long in astral characters', '😀'.repeat(LIMITS.name + 1)],
    ['not a string', 42],
  ])('refuses %s with TREATY_BROKER_INVALID_NAME', (_what, value) => {
    expect(() => checkName('branch', value)).toThrow(
      expect.objectContaining({ code: 'TREATY_BROKER_INVALID_NAME', status: 400 }),
    );
  });

  it('lets the router take any name within the limit, even one of astral characters', () => {
    expect(MAX_PARAM_LENGTH).toBeGreaterThanOrEqual('😀'.repeat(LIMITS.name).length);
    expect(MAX_PARAM_LENGTH).toBeGreaterThanOrEqual(LIMITS.token);
  });
});

describe('wholeNumber', () => {
  it('reads decimal digits within the range, and the fallback when absent', () => {
    expect(wholeNumber('7', 1, 1, 10, 'n')).toBe(7);
    expect(wholeNumber(undefined, 3, 1, 10, 'n')).toBe(3);
  });

  it.each(['1e17', '-1', '0', 'NaN', '0x10', '1.5', '99999999999999999999', ' 1', '11'])(
    'refuses %j',
    (v) => {
      expect(() => wholeNumber(v, 1, 1, 10, 'n')).toThrow(
        expect.objectContaining({ code: 'TREATY_BROKER_BAD_REQUEST' }),
      );
    },
  );
});
