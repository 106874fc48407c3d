import { TreatyError } from '../errors.js';
import type { JsonValue, StatusClass } from '../contract/model.js';
import { compileRegex } from '../matching/rules.js';
import { matchesDateFormat } from '../matching/date-format.js';

/*
 * Matchers are plain JSON in Pact's "integration JSON" shape — `{ "pact:matcher:type": "type",
 * "value": … }`, the shape Pact JS's V3 matchers produce — so templates built with Pact JS work in
 * Treaty unchanged. The TypeScript type of each matcher carries the type of its example through a
 * phantom property that never exists at run time.
 */
declare const exampleType: unique symbol;

/** A matcher whose example has type `T`. */
export interface Matcher<T> {
  readonly 'pact:matcher:type': string;
  /** Phantom: the example's type. Never present at run time. */
  readonly [exampleType]: T;
}

/**
 * The example type of a template: every matcher replaced by the type of its example.
 * @example type Order = Reify<typeof template> // { id: number; tags: string[] }
 */
export type Reify<T> = T extends Matcher<infer E>
  ? E
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: Reify<T[K]> }
    : T extends object
      ? { -readonly [K in keyof T]: Reify<T[K]> }
      : T;

/** Status classes accepted by {@link statusCode}. */
export type { StatusClass };

type Raw = Record<string, unknown>;

function make<T>(fields: Raw): Matcher<T> {
  return fields as unknown as Matcher<T>;
}

function fail(matcher: string, problem: string): never {
  throw new TreatyError('TREATY_MATCHER_INVALID', `${matcher}: ${problem}`);
}

/** Throws unless `value` is JSON: no functions, undefined, symbols, bigints, NaN/Infinity or cycles. */
function assertJson(matcher: string, value: unknown, path = 'example', seen: Set<object> = new Set()): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(matcher, `${path} is ${value}, which JSON cannot hold`);
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) fail(matcher, `${path} refers to itself; a contract body must be a tree`);
      seen.add(value);
      if (Array.isArray(value)) value.forEach((v, i) => assertJson(matcher, v, `${path}[${i}]`, seen));
      else {
        const proto = Object.getPrototypeOf(value) as unknown;
        if (proto !== Object.prototype && proto !== null) fail(matcher, `${path} is a ${(value as object).constructor?.name ?? 'class instance'}, not plain JSON; convert it first (e.g. toISOString())`);
        for (const [k, v] of Object.entries(value)) assertJson(matcher, v, `${path}.${k}`, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      fail(matcher, `${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`);
  }
}

function checkCount(matcher: string, name: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) fail(matcher, `${name} must be a whole number of at least 0, got ${n}`);
}

/**
 * The value must have the same type as the example (cascades to everything inside it).
 * @example like({ id: 1, name: 'Ada' })
 */
export function like<T>(template: T): Matcher<Reify<T>> {
  assertJson('like', template);
  return make({ 'pact:matcher:type': 'type', value: template });
}

/**
 * An array whose every element is like the example, with at least `min` elements (default 1).
 * @example eachLike({ sku: 'A-1' }) // typed { sku: string }[]
 */
export function eachLike<T>(template: T, min = 1): Matcher<Array<Reify<T>>> {
  checkCount('eachLike', 'min', min);
  assertJson('eachLike', template);
  return make({ min, 'pact:matcher:type': 'type', value: Array.from({ length: Math.max(min, 1) }, () => template) });
}

/**
 * An array with at least one element (or `count` examples), each like the example.
 * @example atLeastOneLike('tag')
 */
export function atLeastOneLike<T>(template: T, count = 1): Matcher<Array<Reify<T>>> {
  checkCount('atLeastOneLike', 'count', count);
  if (count < 1) fail('atLeastOneLike', `count must be at least 1, got ${count}`);
  assertJson('atLeastOneLike', template);
  return make({ min: 1, 'pact:matcher:type': 'type', value: Array.from({ length: count }, () => template) });
}

/**
 * An array with at least `min` elements, each like the example.
 * @example atLeastLike({ id: 1 }, 2)
 */
export function atLeastLike<T>(template: T, min: number, count?: number): Matcher<Array<Reify<T>>> {
  checkCount('atLeastLike', 'min', min);
  checkCount('atLeastLike', 'count', count);
  if (count !== undefined && count < min) fail('atLeastLike', `count (${count}) is below min (${min})`);
  assertJson('atLeastLike', template);
  return make({ min, 'pact:matcher:type': 'type', value: Array.from({ length: Math.max(count ?? min, 1) }, () => template) });
}

/**
 * An array with at most `max` elements, each like the example.
 * @example atMostLike('a', 3)
 */
export function atMostLike<T>(template: T, max: number, count = 1): Matcher<Array<Reify<T>>> {
  checkCount('atMostLike', 'max', max);
  checkCount('atMostLike', 'count', count);
  if (count > max) fail('atMostLike', `count (${count}) is above max (${max})`);
  assertJson('atMostLike', template);
  return make({ max, 'pact:matcher:type': 'type', value: Array.from({ length: count }, () => template) });
}

/**
 * An array with between `min` and `max` elements, each like the example.
 * @example constrainedArrayLike('x', 1, 4)
 */
export function constrainedArrayLike<T>(template: T, min: number, max: number, count?: number): Matcher<Array<Reify<T>>> {
  checkCount('constrainedArrayLike', 'min', min);
  checkCount('constrainedArrayLike', 'max', max);
  if (min > max) fail('constrainedArrayLike', `min (${min}) is above max (${max})`);
  const n = count ?? Math.max(min, 1);
  if (n < min || n > max) fail('constrainedArrayLike', `count (${n}) must be between min (${min}) and max (${max})`);
  assertJson('constrainedArrayLike', template);
  return make({ min, max, 'pact:matcher:type': 'type', value: Array.from({ length: n }, () => template) });
}

/**
 * A string matching the regular expression as a whole.
 * @example regex(/\d{4}-\d{2}/, '2024-05')
 */
export function regex(pattern: RegExp | string, example: string): Matcher<string> {
  const source = pattern instanceof RegExp ? pattern.source : pattern;
  if (typeof example !== 'string') fail('regex', `the example must be a string, got ${typeof example}`);
  const re = compileRegex(source);
  if (re === null) fail('regex', `/${source}/ is not a valid regular expression`);
  if (!re.test(example)) fail('regex', `the example ${JSON.stringify(example)} does not match /${source}/ (the whole value must match)`);
  return make({ 'pact:matcher:type': 'regex', regex: source, value: example });
}

/**
 * An integer; without an example a random one is generated (RandomInt).
 * @example integer(42)
 */
export function integer(example?: number): Matcher<number> {
  if (example === undefined) return make({ 'pact:generator:type': 'RandomInt', 'pact:matcher:type': 'integer', value: 101 });
  if (!Number.isInteger(example)) fail('integer', `the example ${String(example)} is not an integer`);
  return make({ 'pact:matcher:type': 'integer', value: example });
}

/**
 * A decimal number; without an example a random one is generated (RandomDecimal).
 * @example decimal(10.5)
 */
export function decimal(example?: number): Matcher<number> {
  if (example === undefined) return make({ 'pact:generator:type': 'RandomDecimal', 'pact:matcher:type': 'decimal', value: 12.34 });
  if (typeof example !== 'number' || !Number.isFinite(example)) fail('decimal', `the example ${String(example)} is not a finite number`);
  return make({ 'pact:matcher:type': 'decimal', value: example });
}

/**
 * Any number; without an example a random integer is generated.
 * @example number(3)
 */
export function number(example?: number): Matcher<number> {
  if (example === undefined) return make({ 'pact:generator:type': 'RandomInt', 'pact:matcher:type': 'number', value: 1234 });
  if (typeof example !== 'number' || !Number.isFinite(example)) fail('number', `the example ${String(example)} is not a finite number`);
  return make({ 'pact:matcher:type': 'number', value: example });
}

/**
 * A boolean (type match).
 * @example boolean(true)
 */
export function boolean(example = true): Matcher<boolean> {
  if (typeof example !== 'boolean') fail('boolean', `the example must be true or false, got ${String(example)}`);
  return make({ 'pact:matcher:type': 'type', value: example });
}

/**
 * A string (type match).
 * @example string('Ada')
 */
export function string(example = 'some string'): Matcher<string> {
  if (typeof example !== 'string') fail('string', `the example must be a string, got ${typeof example}`);
  return make({ 'pact:matcher:type': 'type', value: example });
}

function dateLike(name: 'datetime' | 'date' | 'time', matchType: string, generator: string, format: string, example: string | undefined): Matcher<string> {
  if (typeof format !== 'string' || format === '') fail(name, 'a format such as "yyyy-MM-dd" is required');
  if (example === undefined) return make({ format, 'pact:generator:type': generator, 'pact:matcher:type': matchType, value: '' });
  if (!matchesDateFormat(name, example, format)) fail(name, `the example ${JSON.stringify(example)} does not fit the format '${format}'`);
  return make({ format, 'pact:matcher:type': matchType, value: example });
}

/**
 * A date-time string in a Java DateTimeFormatter format; without an example one is generated.
 * @example datetime("yyyy-MM-dd'T'HH:mm:ss", '2024-05-01T10:00:00')
 */
export function datetime(format: string, example?: string): Matcher<string> {
  return dateLike('datetime', 'timestamp', 'DateTime', format, example);
}

/**
 * A date string in a Java DateTimeFormatter format.
 * @example date('yyyy-MM-dd', '2024-05-01')
 */
export function date(format: string, example?: string): Matcher<string> {
  return dateLike('date', 'date', 'Date', format, example);
}

/**
 * A time string in a Java DateTimeFormatter format.
 * @example time('HH:mm', '10:00')
 */
export function time(format: string, example?: string): Matcher<string> {
  return dateLike('time', 'time', 'Time', format, example);
}

const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * A lower-case hyphenated UUID; without an example one is generated.
 * @example uuid('a5d5c1f3-1b1b-4b1b-8b1b-1b1b1b1b1b1b')
 */
export function uuid(example?: string): Matcher<string> {
  if (example === undefined) return make({ 'pact:matcher:type': 'regex', regex: uuidPattern, 'pact:generator:type': 'Uuid', value: 'e2490de5-5bd3-43d5-b7c4-526e33f71304' });
  if (!new RegExp(`^${uuidPattern}$`).test(example)) fail('uuid', `the example ${JSON.stringify(example)} is not a lower-case hyphenated UUID`);
  return make({ 'pact:matcher:type': 'regex', regex: uuidPattern, value: example });
}

/**
 * A string that contains `value`.
 * @example includes('order')
 */
export function includes(value: string): Matcher<string> {
  if (typeof value !== 'string') fail('includes', `the value must be a string, got ${typeof value}`);
  return make({ 'pact:matcher:type': 'include', value });
}

/**
 * The value must be null.
 * @example nullValue()
 */
export function nullValue(): Matcher<null> {
  return make({ 'pact:matcher:type': 'null', value: null });
}

/**
 * The value must equal the example exactly; resets cascading type matching below it.
 * @example equal('exact')
 */
export function equal<T>(value: T): Matcher<Reify<T>> {
  assertJson('equal', value);
  return make({ 'pact:matcher:type': 'equality', value });
}

/**
 * An array that contains, in any order, an element matching each variant.
 * @example arrayContaining({ type: 'email' }, { type: like('phone') })
 */
export function arrayContaining<T extends unknown[]>(...variants: T): Matcher<Array<Reify<T[number]>>> {
  if (variants.length === 0) fail('arrayContaining', 'give at least one variant');
  variants.forEach((v, i) => assertJson('arrayContaining', v, `variant ${i}`));
  return make({ 'pact:matcher:type': 'arrayContains', variants });
}

/**
 * An object whose every key matches the rules (values are free).
 * @example eachKeyMatches({ colour: 'red' }, regex('[a-z]+', 'colour'))
 */
export function eachKeyMatches<T>(example: Record<string, T>, rules: Matcher<string> | Array<Matcher<string>> = like('key')): Matcher<Record<string, Reify<T>>> {
  assertJson('eachKeyMatches', example);
  return make({ 'pact:matcher:type': 'eachKey', rules: Array.isArray(rules) ? rules : [rules], value: example });
}

/**
 * An object whose every value matches the rules (keys are free).
 * @example eachValueMatches({ small: 1 }, integer(1))
 */
export function eachValueMatches<T>(example: Record<string, T>, rules: Matcher<unknown> | Array<Matcher<unknown>>): Matcher<Record<string, Reify<T>>> {
  assertJson('eachValueMatches', example);
  return make({ 'pact:matcher:type': 'eachValue', rules: Array.isArray(rules) ? rules : [rules], value: example });
}

const semverPattern = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * A semantic version string.
 * @example semver('1.2.3')
 */
export function semver(example: string): Matcher<string> {
  if (typeof example !== 'string' || !semverPattern.test(example)) fail('semver', `the example ${JSON.stringify(example)} is not a semantic version such as 1.2.3`);
  return make({ 'pact:matcher:type': 'semver', value: example });
}

/**
 * A value that is present and not empty (not null, "", [] or {}), of the example's type.
 * @example notEmpty('Ada')
 */
export function notEmpty<T>(example: T): Matcher<Reify<T>> {
  assertJson('notEmpty', example);
  if (example === null || example === '' || (Array.isArray(example) && example.length === 0) || (typeof example === 'object' && example !== null && Object.keys(example).length === 0)) {
    fail('notEmpty', 'the example itself is empty');
  }
  return make({ 'pact:matcher:type': 'notEmpty', value: example });
}

const classExample: Record<StatusClass, number> = { info: 100, success: 200, redirect: 302, clientError: 400, serverError: 500, nonError: 200, error: 500 };

/**
 * An HTTP status of a class (`'success'`, `'clientError'`, …) or one of a list of codes.
 * @example statusCode('success') // matches any 2xx; the mock server answers 200
 */
export function statusCode(status: StatusClass | number[], example?: number): Matcher<number> {
  let value: number;
  if (Array.isArray(status)) {
    if (status.length === 0 || !status.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) fail('statusCode', 'give a class name or a non-empty list of HTTP status codes (100–599)');
    value = example ?? (status[0] as number);
  } else {
    if (!(status in classExample)) fail('statusCode', `'${String(status)}' is not a status class; use one of ${Object.keys(classExample).join(', ')}`);
    value = example ?? classExample[status];
  }
  return make({ 'pact:matcher:type': 'statusCode', status, value });
}

/**
 * Binary content whose sniffed type must be `type` (e.g. an image upload).
 * @example contentType('image/png')
 */
export function contentType(type: string): Matcher<string> {
  if (typeof type !== 'string' || !type.includes('/')) fail('contentType', `'${String(type)}' is not a media type such as image/png`);
  return make({ 'pact:matcher:type': 'contentType', value: type });
}

/**
 * A value the provider supplies from its provider state: `expression` like `/orders/${id}`.
 * @example fromProviderState('/orders/${id}', '/orders/1')
 */
export function fromProviderState<T extends JsonValue>(expression: string, example: T): Matcher<T> {
  if (typeof expression !== 'string' || !expression.includes('${')) fail('fromProviderState', `the expression ${JSON.stringify(expression)} names no \${value}`);
  assertJson('fromProviderState', example);
  return make({ 'pact:matcher:type': 'type', 'pact:generator:type': 'ProviderState', expression, value: example });
}

/**
 * A URL whose path is built from fragments (strings or regexes); the mock server's own URL replaces
 * the base in the example (MockServerURL).
 * @example url(['orders', regex('\\d+', '1')])
 */
export function url(fragments: Array<string | RegExp | Matcher<string>>, base?: string): Matcher<string> {
  const parts = fragments.map((f) => {
    if (f instanceof RegExp) return { re: f.source, ex: undefined };
    if (typeof f === 'string') return { re: f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), ex: f };
    const raw = f as unknown as Raw;
    return { re: String(raw.regex), ex: String(raw.value) };
  });
  if (parts.some((p) => p.ex === undefined)) fail('url', 'give each regex fragment as regex(pattern, example) so the example URL can be written');
  const pattern = `.*(${parts.map((p) => `\\/${p.re}`).join('')})$`;
  const example = `${base ?? 'http://localhost:8080'}${parts.map((p) => `/${p.ex}`).join('')}`;
  return make(base === undefined ? { 'pact:matcher:type': 'regex', 'pact:generator:type': 'MockServerURL', regex: pattern, value: example, example } : { 'pact:matcher:type': 'regex', regex: pattern, value: example });
}

/**
 * True for a matcher object (Treaty's or Pact JS's).
 * @example isMatcher(like(1)) // true
 */
export function isMatcher(value: unknown): value is Matcher<unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Raw)['pact:matcher:type'] === 'string';
}
