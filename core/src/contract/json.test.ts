import { describe, expect, it } from 'vitest';
import { TreatyError } from '../errors.js';
import {
  MAX_JSON_DEPTH,
  checkJsonTextDepth,
  checkJsonValueDepth,
  isFloatLiteral,
  markFloatLiteral,
  parseJson,
  parseJsonBoxed,
  stringifyJson,
} from './json.js';
import type { JsonValue } from './model.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 0x100000000;
  };
}

const numberForms = [
  '0',
  '-0',
  '7',
  '-12',
  '100.0',
  '1.00',
  '-0.0',
  '2.5',
  '1e2',
  '1E+2',
  '-3e-2',
  '0.1',
  '12345678901234567.5',
  '1.0000000000000001',
  '123456789012345.5',
  '9007199254740993',
  '5e-324',
];
const stringForms = [
  '""',
  '"plain"',
  '"a\\"b\\\\c\\/d"',
  '"\\b\\f\\n\\r\\t"',
  '"\\u00e9\\uD83D\\ude00"',
  '"é 😀"',
  '"looks like: 1.0, [2e3"',
  '"__proto__"',
];

/** Random JSON text with random whitespace, built from the forms above. */
function randomText(random: () => number, depth = 0): string {
  const ws = () => [' ', '', '\n', '\t', '\r\n  '][Math.floor(random() * 5)] as string;
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
  const r = random();
  if (depth < 4 && r < 0.25) {
    const n = Math.floor(random() * 5);
    return `[${ws()}${Array.from({ length: n }, () => randomText(random, depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
  }
  if (depth < 4 && r < 0.5) {
    const n = Math.floor(random() * 5);
    const members = Array.from(
      { length: n },
      (_, i) => `${ws()}${pick([`"k${i}"`, ...stringForms])}${ws()}:${ws()}${randomText(random, depth + 1)}`,
    );
    return `{${members.join(',')}${ws()}}`;
  }
  if (r < 0.75) return pick(numberForms);
  if (r < 0.9) return pick(stringForms);
  return pick(['true', 'false', 'null']);
}

/** Every (container, key, value) below a value, for comparing flags. */
function members(
  value: JsonValue,
  out: Array<[object, string | number, JsonValue]> = [],
): Array<[object, string | number, JsonValue]> {
  if (Array.isArray(value))
    value.forEach((v, i) => {
      out.push([value, i, v]);
      members(v, out);
    });
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push([value, k, v as JsonValue]);
      members(v as JsonValue, out);
    }
  return out;
}

function error(fn: () => unknown): TreatyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TreatyError) return e;
    throw new Error(`expected a TreatyError, got ${String(e)}`);
  }
  throw new Error('expected an error');
}

describe('parseJson', () => {
  it('gives the same values as JSON.parse for random documents', () => {
    const random = prng(20261122);
    for (let n = 0; n < 3000; n++) {
      const text = randomText(random);
      expect(parseJson(text), text).toEqual(JSON.parse(text));
    }
  });

  it('flags exactly the members written with a fraction or an exponent, on the fast and the slow path alike', () => {
    const random = prng(7);
    let flagged = 0;
    for (let n = 0; n < 1500; n++) {
      const text = randomText(random);
      // Wrapping beside a 1.0 forces the character-by-character parser for the same document.
      const direct = members(parseJson(text));
      const slow = members((parseJson(`{"force": 1.0, "doc": ${text}}`) as { doc: JsonValue }).doc);
      const written = members(JSON.parse(text) as JsonValue).length;
      expect(direct.length).toBe(written);
      direct.forEach(([container, key, value], i) => {
        const [sc, sk] = slow[i] as [object, string | number, JsonValue];
        if (typeof value !== 'number') return;
        expect(isFloatLiteral(container, key), `${text} member ${i}`).toBe(isFloatLiteral(sc, sk));
        if (isFloatLiteral(container, key)) flagged++;
      });
    }
    expect(flagged).toBeGreaterThan(100);
  });

  it('flags integral floats in every written form and leaves integers alone', () => {
    for (const form of numberForms) {
      const doc = parseJson(`{"n": ${form}}`) as { n: number };
      const float = /[.eE]/.test(form);
      expect(isFloatLiteral(doc, 'n'), form).toBe(float);
      expect(doc.n).toBe(JSON.parse(form));
    }
    const arr = parseJson('[1, 1.0, 2e3, -0.5, 3]') as number[];
    expect(arr.map((_, i) => isFloatLiteral(arr, i))).toEqual([false, true, true, true, false]);
  });

  it('flags the same numbers as the character-by-character parser however a number is written and ended', () => {
    // Most texts take JSON.parse after a regex found no number that could be an integral float;
    // the flags must be those of the parser that reads every character, forced here by a 1.0 beside.
    const random = prng(11);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
    const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');
    let flagged = 0;
    let refused = 0;
    for (let n = 0; n < 3000; n++) {
      const long = random() < 0.05 ? 320 : 18;
      const int =
        random() < 0.2 ? '0' : `${1 + Math.floor(random() * 9)}${digits(Math.floor(random() * long))}`;
      const zeros = '0'.repeat(1 + Math.floor(random() * 3));
      const frac = random() < 0.5 ? '' : `.${random() < 0.4 ? zeros : digits(1 + Math.floor(random() * 18))}`;
      const exp =
        random() < 0.15 ? `${pick(['e', 'E'])}${pick(['', '+', '-'])}${Math.floor(random() * 400)}` : '';
      const num = `${random() < 0.3 ? '-' : ''}${int}${frac}${exp}`;
      const end = pick([' ', '\n', '\t', '\r\n', '']);
      for (const text of [
        `[${num}${end}]`,
        `{"n":${num}${end}}`,
        `[1,${num}${end},2]`,
        `{"v":"3.0.0","a":{"n":${end}${num}}${end},"id":"550e8400-e29b-41d4-a716-446655440000"}`,
      ]) {
        if (!Number.isFinite(Number(num))) {
          expect(error(() => parseJson(text)).code, text).toBe('TREATY_CONTRACT_INVALID');
          refused++;
          continue;
        }
        const fast = members(parseJson(text));
        const slow = members((parseJson(`{"force": 1.0, "doc": ${text}}`) as { doc: JsonValue }).doc);
        expect(fast.map(([, , v]) => v)).toEqual(slow.map(([, , v]) => v));
        fast.forEach(([container, key, value], i) => {
          const [sc, sk] = slow[i] as [object, string | number, JsonValue];
          if (typeof value !== 'number') return;
          expect(isFloatLiteral(container, key), text).toBe(isFloatLiteral(sc, sk));
          if (isFloatLiteral(container, key) && Number.isInteger(value)) flagged++;
        });
      }
    }
    expect(flagged).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(50);
  });

  it('reads strings that look like floats as strings, and numbers nested wider than the limit', () => {
    const text = JSON.stringify({ v: '4.0', w: 'x 1.0, y', id: '123456789012345678901', e: '1e5]' });
    expect(parseJson(text)).toEqual(JSON.parse(text));
    // More brackets than the depth limit, none deeper than two: the scan runs and finds the float.
    const wide = `[${Array.from({ length: MAX_JSON_DEPTH + 100 }, (_, i) => (i === 300 ? '[2.0]' : '[1]')).join(',')}]`;
    const doc = parseJson(wide) as number[][];
    expect(doc).toEqual(JSON.parse(wide));
    expect(isFloatLiteral(doc[300] as object, 0)).toBe(true);
    expect(isFloatLiteral(doc[299] as object, 0)).toBe(false);
  });

  it('keeps the written form of a top-level number in a box', () => {
    expect(isFloatLiteral(parseJsonBoxed('100.0'), 0)).toBe(true);
    expect(isFloatLiteral(parseJsonBoxed(' 1e2 '), 0)).toBe(true);
    expect(isFloatLiteral(parseJsonBoxed('100'), 0)).toBe(false);
    expect(isFloatLiteral(parseJsonBoxed('"1.0"'), 0)).toBe(false);
    const box = parseJsonBoxed('{"a": 1.0}');
    expect(isFloatLiteral(box[0] as object, 'a')).toBe(true);
  });

  it('strips a byte-order mark and keeps __proto__ as a plain member', () => {
    expect(parseJson('\uFEFF{"a": 1}')).toEqual({ a: 1 });
    expect(parseJson('\uFEFF{"a": 1.0}')).toEqual({ a: 1 });
    for (const text of ['{"__proto__": {"x": 1}}', '{"__proto__": {"x": 1.0}}']) {
      const v = parseJson(text) as Record<string, unknown>;
      expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
      expect(Object.keys(v)).toEqual(['__proto__']);
      expect((v as { x?: number }).x).toBeUndefined();
    }
  });

  it('refuses what JSON.parse refuses, with TREATY_CONTRACT_INVALID and the line and column', () => {
    const bad = [
      '',
      ' ',
      '{',
      '[1,]',
      '{"a":1,}',
      "{'a':1}",
      '{a:1}',
      'NaN',
      'Infinity',
      '-',
      '01',
      '1.',
      '.5',
      '1e',
      '+1',
      '"\\x"',
      '"\\u12"',
      '"a\nb"',
      'tru',
      'nul',
      '[1 2]',
      '{"a" 1}',
      '{"a":1} x',
      '"open',
      '\uFEFF\uFEFF1',
      '1.0.0',
      '[1.0, 01]',
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text.replace(/^\uFEFF/, '')), JSON.stringify(text)).toThrow();
      const e = error(() => parseJson(text));
      expect(e.code).toBe('TREATY_CONTRACT_INVALID');
      expect(e.message).toMatch(/^Invalid JSON at line \d+, column \d+: /);
    }
    expect(error(() => parseJson('{\n  "a": 1,\n  "b": tru\n}')).message).toContain('line 3, column 8');
    expect(error(() => parseJson('[01]')).message).toContain('no leading zeros');
    expect(error(() => parseJson('{"a":1} x')).message).toContain('the end of the JSON text');
  });
});

describe('stringifyJson', () => {
  it('writes what JSON.stringify writes, compact and indented', () => {
    const random = prng(99);
    for (let n = 0; n < 1000; n++) {
      const value = JSON.parse(randomText(random)) as JsonValue;
      expect(stringifyJson(value)).toBe(JSON.stringify(value));
      expect(stringifyJson(value, 2)).toBe(JSON.stringify(value, null, 2));
    }
    expect(stringifyJson([1, undefined, 2] as unknown as JsonValue)).toBe('[1,null,2]');
    expect(stringifyJson({ a: undefined, b: 1 } as unknown as JsonValue)).toBe('{"b":1}');
  });

  it('writes back the numbers parsed as floats as floats, so text → value → text keeps their meaning', () => {
    const random = prng(3);
    for (let n = 0; n < 1000; n++) {
      const text = randomText(random);
      const value = parseJson(text);
      const out = stringifyJson(value);
      const again = parseJson(out);
      // JSON.stringify's own loss (-0 → 0) aside, the values and the flags survive.
      expect(JSON.parse(JSON.stringify(again))).toEqual(JSON.parse(JSON.stringify(value)));
      expect(stringifyJson(again)).toBe(out);
      const after = members(again);
      members(value).forEach(([c1, k1, v1], i) => {
        const [c2, k2] = after[i] as [object, string | number, JsonValue];
        if (typeof v1 === 'number' && Number.isFinite(v1))
          expect(isFloatLiteral(c2, k2), `${text} → ${out}`).toBe(isFloatLiteral(c1, k1));
      });
    }
    expect(stringifyJson(parseJson('{"a": 100.0, "b": 1e2, "c": -0.0, "d": 2.5, "e": [3.0, 3]}'))).toBe(
      '{"a":100.0,"b":100.0,"c":-0.0,"d":2.5,"e":[3.0,3]}',
    );
  });

  it('writes values marked by code as floats', () => {
    const body = { price: 10, count: 10 };
    markFloatLiteral(body, 'price');
    expect(stringifyJson(body, 2)).toBe('{\n  "price": 10.0,\n  "count": 10\n}');
  });
});

/** `depth` arrays (or objects under key "a") within each other around `inner`. */
const nested = (depth: number, kind: 'array' | 'object', inner = '1'): string =>
  kind === 'array'
    ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof TreatyError ? e.code : `not a TreatyError: ${String(e)}`;
  }
  return 'no error';
}

describe('the JSON depth limit', () => {
  it('reads JSON nested exactly MAX_JSON_DEPTH levels and refuses one level more, on both parser paths', () => {
    for (const kind of ['array', 'object'] as const) {
      // '1.0' sends the text through the slower parser that keeps float forms.
      for (const inner of ['1', '1.0']) {
        expect(JSON.stringify(parseJson(nested(MAX_JSON_DEPTH, kind, inner)))).toBe(
          JSON.stringify(JSON.parse(nested(MAX_JSON_DEPTH, kind, inner))),
        );
        expect(codeOf(() => parseJson(nested(MAX_JSON_DEPTH + 1, kind, inner)))).toBe(
          'TREATY_INPUT_TOO_DEEP',
        );
      }
    }
  });

  it('refuses deep text that is not even JSON before the recursive parser could exhaust the stack', () => {
    // Unclosed: JSON.parse fails, and the position-reporting parser would have recursed 100,000 levels.
    expect(codeOf(() => parseJson('['.repeat(100_000)))).toBe('TREATY_INPUT_TOO_DEEP');
    expect(codeOf(() => parseJson(`[1.0,${'{"a":'.repeat(100_000)}`))).toBe('TREATY_INPUT_TOO_DEEP');
    expect(codeOf(() => parseJsonBoxed(nested(5000, 'array')))).toBe('TREATY_INPUT_TOO_DEEP');
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const brackets = '['.repeat(5000);
    expect(parseJson(JSON.stringify({ s: brackets }))).toEqual({ s: brackets });
    // An escaped backslash ends before the quote; an escaped quote does not end the string.
    const open = '{'.repeat(5000);
    const tricky = String.raw`["\\", "\"${open}"]`;
    expect(parseJson(tricky)).toEqual(['\\', `"${open}`]);
    expect(() => checkJsonTextDepth(`"${'['.repeat(10)}"`, 2)).not.toThrow();
    expect(codeOf(() => checkJsonTextDepth('[[[1]]]', 2))).toBe('TREATY_INPUT_TOO_DEEP');
  });

  it('says where the text got too deep and what to do', () => {
    const text = `{\n "a": ${nested(MAX_JSON_DEPTH + 10, 'array')}}`;
    expect(() => parseJson(text)).toThrow(/more than 256 levels deep \(at line 2, column 262\).*Flatten/);
  });

  it('checks parsed values without recursion, and counts a cycle as too deep', () => {
    expect(() => checkJsonValueDepth(JSON.parse(nested(MAX_JSON_DEPTH, 'object')))).not.toThrow();
    expect(codeOf(() => checkJsonValueDepth(JSON.parse(nested(MAX_JSON_DEPTH + 1, 'object'))))).toBe(
      'TREATY_INPUT_TOO_DEEP',
    );
    expect(codeOf(() => checkJsonValueDepth(JSON.parse(nested(100_000, 'array'))))).toBe(
      'TREATY_INPUT_TOO_DEEP',
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = [cycle];
    expect(codeOf(() => checkJsonValueDepth(cycle))).toBe('TREATY_INPUT_TOO_DEEP');
  });

  it('writes a value at the limit back as the same text', () => {
    for (const kind of ['array', 'object'] as const) {
      const text = nested(MAX_JSON_DEPTH, kind, '1.0');
      expect(stringifyJson(parseJson(text))).toBe(text);
      expect(stringifyJson(parseJson(text), 2)).toBe(
        JSON.stringify(JSON.parse(text), null, 2).replace('1', '1.0'),
      );
    }
  });
});
