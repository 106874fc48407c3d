import { TreatyError } from '../errors.js';
import type { JsonObject, JsonValue } from './model.js';
import { setOwn } from './own.js';

/*
 * JSON.parse cannot tell `100` from `100.0`, but Pact's `integer` and `decimal` rules can. This
 * parser returns ordinary values and remembers, per containing object or array, which members were
 * written with a fraction or an exponent. The flags live in a WeakMap, so values stay plain JSON and
 * nothing leaks when they are dropped.
 */
const floatMembers = new WeakMap<object, Set<string | number>>();

/**
 * True when `container[key]` was written as a float (`100.0`, `1e2`, `2.5`) in the text it was parsed
 * from, or marked with {@link markFloatLiteral}. A number that is not integral is always a float.
 * @example isFloatLiteral(parseJson('{"a": 1.0}') as object, 'a') // true
 */
export function isFloatLiteral(container: object, key: string | number): boolean {
  if (floatMembers.get(container)?.has(key) === true) return true;
  // The parser only needs to flag integral values (the native fast path flags none); a value with a
  // fraction can only have been written as a float.
  const value = (container as Record<string | number, unknown>)[key];
  return typeof value === 'number' && !Number.isInteger(value);
}

/**
 * Records that `container[key]` is a float even if its value is integral (used by code that builds values).
 * @example markFloatLiteral(body, 'price')
 */
export function markFloatLiteral(container: object, key: string | number): void {
  let set = floatMembers.get(container);
  if (set === undefined) {
    set = new Set();
    floatMembers.set(container, set);
  }
  set.add(key);
}

function describeChar(text: string, at: number): string {
  return at >= text.length ? 'the end of the text' : JSON.stringify(text[at]);
}

function position(text: string, at: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${at - lineStart + 1}`;
}

/**
 * How deeply arrays and objects may nest in JSON that Treaty reads (contracts, request and response
 * bodies). Real contracts nest a few dozen levels at most, and the Pact core (serde_json) refuses more
 * than 128. The engine's recursive walks (matching with rules, serializing, rendering mismatches)
 * break near 800 levels on Node's default stack, so 256 keeps them three times clear of it.
 * @example MAX_JSON_DEPTH // 256
 */
export const MAX_JSON_DEPTH = 256;

/**
 * The levels a contract document wraps around a body (`interactions[i].response.body.content`, a
 * synchronous message's `response[j].contents.content`, rule lists) — a contract may nest this much
 * more than the bodies it holds, so a body at the limit reads, and writes back as V4, whole.
 */
export const CONTRACT_ENVELOPE_DEPTH = 8;

function tooDeep(limit: number, where: string): TreatyError {
  return new TreatyError(
    'TREATY_INPUT_TOO_DEEP',
    `The JSON nests arrays and objects more than ${limit} levels deep${where}; Treaty reads at most ${limit} ` +
      'levels (the Pact core reads 128). Flatten the document, or send it as text.',
  );
}

/**
 * Throws TREATY_INPUT_TOO_DEEP when JSON text opens more than `limit` arrays and objects within each
 * other. It counts brackets outside strings in one pass, without recursion, so hostile text is
 * refused before any recursive code sees it; text that is not JSON is left for the parser to refuse.
 * @example checkJsonTextDepth('[[[]]]', 2) // throws TREATY_INPUT_TOO_DEEP
 */
export function checkJsonTextDepth(text: string, limit = MAX_JSON_DEPTH): void {
  // Too short to open more than `limit` brackets, or too few of them anywhere in it.
  if (text.length > limit && fewerBrackets(text, limit) === undefined) scanJsonText(text, limit);
}

/**
 * True when the text opens at most `limit` brackets in all (so it cannot nest deeper): counted with
 * indexOf, which runs far faster than a walk, and stops at the first bracket past the limit.
 */
function fewerBrackets(text: string, limit: number): true | undefined {
  let count = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1))
    if (++count > limit) return undefined;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1))
    if (++count > limit) return undefined;
  return true;
}

/**
 * One pass over JSON text, without recursion: throws TREATY_INPUT_TOO_DEEP when it nests more than
 * `limit` levels, and returns how deep it nests and whether a number outside the strings may be an
 * integral float or too large for an integer (a fraction of zeros as in `100.0`, an exponent, 16 or
 * more digits, or a run of 309), which the native parser cannot tell apart.
 */
function scanJsonText(text: string, limit: number): { depth: number; floats: boolean } {
  const n = text.length;
  let depth = 0;
  let deepest = 0;
  let floats = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip the string as the parser reads it: a backslash escapes the next character.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > deepest) {
        if (depth > limit) throw tooDeep(limit, ` (at ${position(text, i)})`);
        deepest = depth;
      }
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
    else if (!floats && (c === 45 || (c >= 48 && c <= 57))) {
      let j = c === 45 ? i + 1 : i;
      const start = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      const integral = j - start;
      let fraction = -1;
      let d = text.charCodeAt(j);
      if (d === 46) {
        let zeros = true;
        const from = ++j;
        for (; j < n && isDigit(text.charCodeAt(j)); j++) if (text.charCodeAt(j) !== 48) zeros = false;
        fraction = j - from;
        if (fraction > 0 && zeros) floats = true;
        d = text.charCodeAt(j);
      }
      // 16 digits with a fraction may round to an integer; without one, a run of 309 may not fit.
      if (d === 101 || d === 69 || (fraction >= 0 ? integral + fraction >= 16 : integral >= 309))
        floats = true;
      i = j - 1;
    }
  }
  return { depth: deepest, floats };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Throws TREATY_INPUT_TOO_DEEP when an already-parsed value nests arrays and objects more than
 * `limit` levels deep (a cycle counts as too deep). Walks with an explicit stack, not recursion.
 * @example checkJsonValueDepth(JSON.parse(body)) // before handing a parsed body to the engine
 */
export function checkJsonValueDepth(value: unknown, limit = MAX_JSON_DEPTH): void {
  jsonValueDepth(value, limit);
}

/**
 * How deeply a parsed value nests arrays and objects (0 for a scalar); throws TREATY_INPUT_TOO_DEEP,
 * as {@link checkJsonValueDepth}, past `limit`.
 * @example jsonValueDepth({ a: [1] }) // 2
 */
export function jsonValueDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  // Only containers are stacked, each with its depth beside it: leaves cost a type check.
  const values: object[] = [];
  const depths: number[] = [];
  let deepest = 0;
  const push = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null) return;
    if (depth >= limit) throw tooDeep(limit, '');
    values.push(v);
    depths.push(depth);
    if (depth >= deepest) deepest = depth + 1;
  };
  push(value, 0);
  for (let v = values.pop(); v !== undefined; v = values.pop()) {
    const below = (depths.pop() as number) + 1;
    if (Array.isArray(v)) for (const item of v) push(item, below);
    else for (const item of Object.values(v)) push(item, below);
  }
  return deepest;
}

/**
 * Parses JSON text (a leading byte-order mark is ignored) and keeps which numbers were written as
 * floats. Invalid JSON is a TREATY_CONTRACT_INVALID error with the line and column; JSON nested more
 * than {@link MAX_JSON_DEPTH} levels is TREATY_INPUT_TOO_DEEP.
 * @example parseJson('{"price": 10.0}') // { price: 10 }, with isFloatLiteral(result, 'price') === true
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonValue {
  // Most bodies hold fewer brackets than the limit (so they cannot nest deeper) and no number the
  // native parser would lose: the two are found with indexOf and the regex engine, without a pass
  // of our own over every character.
  if ((text.length <= maxDepth || fewerBrackets(text, maxDepth) === true) && !floatCandidate.test(text))
    return parseNative(text);
  return parseJsonMeasured(text, maxDepth).value;
}

/*
 * Matches wherever a number outside the strings may be one that scanJsonText flags (see there): a
 * fraction of zeros, an exponent, or 16 digits with at most a dot among them. The first two must
 * end where a number inside an array or object ends (a top-level number has no container to keep
 * a flag in), so `"3.0.0"` and the `0e8` of a UUID do not match; text inside a string may still
 * match, and then the exact scan decides. Each alternative fails or succeeds without backtracking
 * over more than one number, so long runs of digits cost linear time.
 */
const floatCandidate = /[0-9](?:\.0+[\s,\]}]|[eE][-+]?[0-9]+[\s,\]}]|(?:\.?[0-9]){15})/;

/** JSON.parse, a byte-order mark ignored; text it refuses goes to the parser that says where. */
function parseNative(text: string): JsonValue {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as JsonValue;
  } catch {
    return parseJsonSlow(text);
  }
}

/**
 * {@link parseJson}, also saying how deeply the text nests arrays and objects (0 for a scalar).
 * @example parseJsonMeasured('{"a": [1]}').depth // 2
 */
export function parseJsonMeasured(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
): { value: JsonValue; depth: number } {
  // Only numbers written as floats with an integral value (100.0, 1e2) need flags; when the text
  // holds nothing that could be one, the native parser gives exactly the same values, faster. The
  // same pass checks the depth.
  const { depth, floats } = scanJsonText(text, text.length > maxDepth ? maxDepth : Number.POSITIVE_INFINITY);
  return { value: floats ? parseJsonSlow(text) : parseNative(text), depth };
}

/**
 * Like {@link parseJson}, but returns the value inside a one-element array so that a document that
 * is a single number keeps its written form too: `isFloatLiteral(box, 0)`. (A flag needs a
 * containing object, which a top-level value does not have.)
 * @example const box = parseJsonBoxed('100.0'); isFloatLiteral(box, 0) // true, box[0] === 100
 */
export function parseJsonBoxed(text: string): [JsonValue] {
  const value = parseJson(text);
  const box: [JsonValue] = [value];
  if (typeof value === 'number' && /[.eE]/.test(text)) markFloatLiteral(box, 0);
  return box;
}

function parseJsonSlow(text: string): JsonValue {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;

  const fail = (what: string): never => {
    throw new TreatyError(
      'TREATY_CONTRACT_INVALID',
      `Invalid JSON at ${position(text, i)}: ${what}, found ${describeChar(text, i)}.`,
    );
  };
  const skip = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };

  const parseString = (): string => {
    // i is at the opening quote
    const start = ++i;
    // fast path: no escapes
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) return text.slice(start, i++);
      if (c === 92) break;
      if (c < 32) fail('a control character inside a string');
      i++;
    }
    let out = text.slice(start, i);
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return out;
      }
      if (c < 32) fail('a control character inside a string');
      if (c !== 92) {
        const runStart = i;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 34 || d === 92 || d < 32) break;
          i++;
        }
        out += text.slice(runStart, i);
        continue;
      }
      const e = text[i + 1];
      i += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('a \\u escape with four hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          i -= 1;
          fail('a valid escape sequence');
      }
    }
    return fail('a closing quote');
  };

  // Returns the number and whether it was written as a float.
  let lastWasFloat = false;
  const parseNumber = (): number => {
    const start = i;
    if (text.charCodeAt(i) === 45) i++;
    const intStart = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === intStart) fail('a digit');
    if (text.charCodeAt(intStart) === 48 && i - intStart > 1) {
      i = intStart + 1;
      fail('no leading zeros');
    }
    let float = false;
    if (text.charCodeAt(i) === 46) {
      float = true;
      i++;
      const fracStart = i;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      if (i === fracStart) fail('a digit after the decimal point');
    }
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) {
      float = true;
      i++;
      const s = text.charCodeAt(i);
      if (s === 43 || s === 45) i++;
      const expStart = i;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      if (i === expStart) fail('a digit in the exponent');
    }
    lastWasFloat = float;
    const value = Number(text.slice(start, i));
    // 1e400 would silently become Infinity (and null when written back); the Pact core refuses it too.
    if (!Number.isFinite(value)) {
      i = start;
      fail('a number a double can hold (at most about 1.8e308)');
    }
    return value;
  };

  const parseValue = (): JsonValue => {
    skip();
    const c = text.charCodeAt(i);
    if (c === 123) {
      i++;
      const obj: JsonObject = {};
      skip();
      if (text.charCodeAt(i) === 125) {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (text.charCodeAt(i) !== 34) fail('a string key');
        const key = parseString();
        skip();
        if (text.charCodeAt(i) !== 58) fail("':' after a key");
        i++;
        lastWasFloat = false;
        const value = parseValue();
        if (lastWasFloat && typeof value === 'number') markFloatLiteral(obj, key);
        lastWasFloat = false;
        setOwn(obj, key, value);
        skip();
        const d = text.charCodeAt(i);
        if (d === 44) {
          i++;
          continue;
        }
        if (d === 125) {
          i++;
          return obj;
        }
        fail("',' or '}'");
      }
    }
    if (c === 91) {
      i++;
      const arr: JsonValue[] = [];
      skip();
      if (text.charCodeAt(i) === 93) {
        i++;
        return arr;
      }
      for (;;) {
        lastWasFloat = false;
        const value = parseValue();
        if (lastWasFloat && typeof value === 'number') markFloatLiteral(arr, arr.length);
        lastWasFloat = false;
        arr.push(value);
        skip();
        const d = text.charCodeAt(i);
        if (d === 44) {
          i++;
          continue;
        }
        if (d === 93) {
          i++;
          return arr;
        }
        fail("',' or ']'");
      }
    }
    if (c === 34) return parseString();
    if (c === 45 || (c >= 48 && c <= 57)) return parseNumber();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return fail('a JSON value');
  };

  const value = parseValue();
  skip();
  if (i < n) fail('the end of the JSON text');
  return value;
}

/**
 * JSON.stringify that writes members flagged as floats with a fraction (`100.0`), so a contract read
 * from text is written back with the same number forms.
 * @example stringifyJson(parseJson('{"a":1.0}')) // '{"a":1.0}'
 */
export function stringifyJson(value: JsonValue, indent = 0): string {
  const pad = indent > 0 ? ' '.repeat(indent) : '';
  const write = (
    v: JsonValue,
    container: object | undefined,
    key: string | number,
    depth: string,
  ): string => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'number':
        if (!Number.isFinite(v)) return 'null';
        if (
          container !== undefined &&
          Number.isInteger(v) &&
          Math.abs(v) < 1e21 &&
          isFloatLiteral(container, key)
        )
          return Object.is(v, -0) ? '-0.0' : `${v}.0`;
        return JSON.stringify(v);
      case 'string':
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
    }
    const inner = depth + pad;
    const nl = pad === '' ? '' : '\n';
    const sep = pad === '' ? ':' : ': ';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${nl}${v.map((x, idx) => inner + write(x, v, idx, inner)).join(`,${nl}`)}${nl}${depth}]`;
    }
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) return '{}';
    return `{${nl}${keys.map((k) => `${inner}${JSON.stringify(k)}${sep}${write(v[k] as JsonValue, v, k, inner)}`).join(`,${nl}`)}${nl}${depth}}`;
  };
  return write(value, undefined, '', '');
}
