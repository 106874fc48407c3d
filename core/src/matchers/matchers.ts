import { TreatyError } from '../errors.js';
import type { JsonValue, StatusClass, UuidFormat } from '../contract/model.js';
import { compileRegex } from '../matching/rules.js';
import { matchesDateFormat } from '../matching/date-format.js';
import { formatFixedInstant } from './date-example.js';

/*
 * Matchers are plain JSON in Pact's "integration JSON" shape — `{ "pact:matcher:type": "type",
 * "value": … }`, the shape Pact JS's V3 matchers produce and Pact's core reads — so templates built
 * with Pact JS work in Treaty unchanged, and Treaty's templates could be handed to Pact's core. The
 * TypeScript type of each matcher carries the type of its example through a phantom property that
 * never exists at run time.
 */
declare const exampleType: unique symbol;

/**
 * A matcher whose example has type `T`: plain JSON with a `pact:matcher:type` key.
 * @example const id: Matcher<number> = integer(1)
 */
export interface Matcher<T> {
  readonly 'pact:matcher:type': string;
  /** Phantom: the example's type. Never present at run time. */
  readonly [exampleType]: T;
}

/**
 * The example type of a template: every matcher replaced by the type of its example.
 * @example type Order = Reify<typeof template> // { id: number; tags: string[] }
 */
export type Reify<T> =
  T extends Matcher<infer E>
    ? E
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Reify<T[K]> }
      : T extends object
        ? { -readonly [K in keyof T]: Reify<T[K]> }
        : T;

/** A literal type widened to its primitive, for examples a provider will replace. */
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/** Status classes accepted by {@link statusCode}. */
export type { StatusClass };

type Raw = Record<string, unknown>;

function make<T>(fields: Raw): Matcher<T> {
  return fields as unknown as Matcher<T>;
}

/** Throws TREATY_MATCHER_INVALID; `where` names the matcher as written, e.g. `integer(1.5)`. */
function fail(where: string, problem: string): never {
  throw new TreatyError('TREATY_MATCHER_INVALID', `${where}: ${problem}`);
}

/** A short rendering of an argument for messages (never throws, even on cycles or bigints). */
function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) return '[…]';
    return isMatcher(value) ? `${String((value as unknown as Raw)['pact:matcher:type'])}(…)` : '{…}';
  }
  return String(value);
}

/** `name(arg1, arg2)` for messages; trailing undefined arguments are left out. */
function callText(name: string, args: unknown[]): string {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return `${name}(${args.slice(0, n).map(show).join(', ')})`;
}

/** Throws unless `value` is JSON: no functions, undefined, symbols, bigints, NaN/Infinity or cycles. */
function assertJson(
  where: string,
  value: unknown,
  path = 'the example',
  seen: Set<object> = new Set(),
): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(where, `${path} is ${value}, which JSON cannot hold`);
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) fail(where, `${path} refers to itself; a contract body must be a tree`);
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) fail(where, `${path}[${i}] is a hole in a sparse array, which JSON cannot hold`);
          assertJson(where, value[i], `${path}[${i}]`, seen);
        }
      } else {
        const proto = Object.getPrototypeOf(value) as unknown;
        if (proto !== Object.prototype && proto !== null) {
          fail(
            where,
            `${path} is a ${(value as object).constructor?.name ?? 'class instance'}, not plain JSON; convert it first (e.g. toISOString() for a Date)`,
          );
        }
        for (const [k, v] of Object.entries(value))
          assertJson(
            where,
            v,
            /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`,
            seen,
          );
      }
      seen.delete(value);
      return;
    }
    default:
      fail(
        where,
        `${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`,
      );
  }
}

function checkCount(where: string, name: string, n: unknown): void {
  if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 0))
    fail(where, `${name} must be a whole number of at least 0, got ${show(n)}`);
}

const copies = <T>(template: T, n: number): T[] => Array.from({ length: n }, () => template);

/**
 * The value must have the same type as the example (cascades to everything inside it).
 * @example like({ id: 1, name: 'Ada' })
 */
export function like<T>(template: T): Matcher<Reify<T>> {
  assertJson(callText('like', [template]), template);
  return make({ 'pact:matcher:type': 'type', value: template });
}

/**
 * An array whose every element is like the example, with at least `min` elements (default 1).
 * With `min` 0 the example still holds one element, so that the element's rules reach the contract.
 * @example eachLike({ sku: 'A-1' }) // typed { sku: string }[]
 */
export function eachLike<T>(template: T, min = 1): Matcher<Array<Reify<T>>> {
  const where = callText('eachLike', [template, min]);
  checkCount(where, 'min', min);
  assertJson(where, template);
  return make({ min, 'pact:matcher:type': 'type', value: copies(template, Math.max(min, 1)) });
}

/**
 * An array with at least one element, each like the example; `count` examples are written (default 1).
 * @example atLeastOneLike('tag')
 */
export function atLeastOneLike<T>(template: T, count = 1): Matcher<Array<Reify<T>>> {
  const where = callText('atLeastOneLike', [template, count]);
  checkCount(where, 'count', count);
  if (count < 1) fail(where, `count must be at least 1, got ${count}`);
  assertJson(where, template);
  return make({ min: 1, 'pact:matcher:type': 'type', value: copies(template, count) });
}

/**
 * An array with at least `min` elements, each like the example; `count` examples are written (default `min`).
 * @example atLeastLike({ id: 1 }, 2)
 */
export function atLeastLike<T>(template: T, min: number, count?: number): Matcher<Array<Reify<T>>> {
  const where = callText('atLeastLike', [template, min, count]);
  checkCount(where, 'min', min);
  checkCount(where, 'count', count);
  if (count !== undefined && count < min)
    fail(where, `count (${count}) is below min (${min}); the example must satisfy its own rule`);
  assertJson(where, template);
  return make({ min, 'pact:matcher:type': 'type', value: copies(template, Math.max(count ?? min, 1)) });
}

/**
 * An array with at most `max` elements, each like the example; `count` examples are written (default 1).
 * @example atMostLike('a', 3)
 */
export function atMostLike<T>(template: T, max: number, count = 1): Matcher<Array<Reify<T>>> {
  const where = callText('atMostLike', [template, max, count]);
  checkCount(where, 'max', max);
  checkCount(where, 'count', count);
  if (count > max)
    fail(where, `count (${count}) is above max (${max}); the example must satisfy its own rule`);
  assertJson(where, template);
  return make({ max, 'pact:matcher:type': 'type', value: copies(template, count) });
}

/**
 * An array with between `min` and `max` elements, each like the example; `count` examples are written
 * (default `min`).
 * @example constrainedArrayLike('x', 1, 4)
 */
export function constrainedArrayLike<T>(
  template: T,
  min: number,
  max: number,
  count?: number,
): Matcher<Array<Reify<T>>> {
  const where = callText('constrainedArrayLike', [template, min, max, count]);
  checkCount(where, 'min', min);
  checkCount(where, 'max', max);
  checkCount(where, 'count', count);
  if (min > max) fail(where, `min (${min}) is above max (${max}); no array can satisfy that`);
  const n = count ?? Math.max(min, 1);
  if (n < min || n > max) fail(where, `count (${n}) must be between min (${min}) and max (${max})`);
  assertJson(where, template);
  return make({ min, max, 'pact:matcher:type': 'type', value: copies(template, n) });
}

/**
 * A string matching the regular expression as a whole (Pact anchors every regex).
 * @example regex(/\d{4}-\d{2}/, '2024-05')
 */
export function regex(pattern: RegExp | string, example: string): Matcher<string> {
  const where = callText('regex', [pattern, example]);
  if (pattern instanceof RegExp && /[imy]/.test(pattern.flags)) {
    fail(
      where,
      `the flags /${pattern.flags} cannot be written into a contract; spell them out in the pattern (e.g. [Aa] instead of /i)`,
    );
  }
  const source = pattern instanceof RegExp ? pattern.source : pattern;
  if (typeof source !== 'string')
    fail(where, `the pattern must be a RegExp or a string, got ${show(pattern)}`);
  if (typeof example !== 'string') fail(where, `the example must be a string, got ${show(example)}`);
  const re = compileRegex(source);
  if (re === null) fail(where, `/${source}/ is not a valid regular expression`);
  if (!re.test(example))
    fail(
      where,
      `the example ${show(example)} does not match the regex /${source}/ as a whole value; fix the example or the pattern`,
    );
  return make({ 'pact:matcher:type': 'regex', regex: source, value: example });
}

/**
 * An integer; without an example a random one is generated (RandomInt generator, example 101).
 * @example integer(42)
 */
export function integer(example?: number): Matcher<number> {
  if (example === undefined)
    return make({ 'pact:generator:type': 'RandomInt', 'pact:matcher:type': 'integer', value: 101 });
  if (typeof example !== 'number' || !Number.isInteger(example)) {
    fail(
      callText('integer', [example]),
      `the example ${show(example)} is not an integer, so it breaks the integer rule; use decimal() or number() for fractions`,
    );
  }
  return make({ 'pact:matcher:type': 'integer', value: example });
}

/**
 * A number with a fractional part; without an example a random one is generated (RandomDecimal).
 * @example decimal(10.5)
 */
export function decimal(example?: number): Matcher<number> {
  if (example === undefined)
    return make({ 'pact:generator:type': 'RandomDecimal', 'pact:matcher:type': 'decimal', value: 12.34 });
  const where = callText('decimal', [example]);
  if (typeof example !== 'number' || !Number.isFinite(example))
    fail(where, `the example ${show(example)} is not a finite number`);
  // JSON writes 10.0 as 10, which Pact's decimal rule reads as an integer and rejects.
  if (Number.isInteger(example))
    fail(
      where,
      `the example ${example} is written to JSON as a whole number, which breaks the decimal rule; use an example with a fraction (e.g. ${example}.5) or number(${example})`,
    );
  return make({ 'pact:matcher:type': 'decimal', value: example });
}

/**
 * Any number; without an example a random integer is generated (RandomInt, example 1234).
 * @example number(3)
 */
export function number(example?: number): Matcher<number> {
  if (example === undefined)
    return make({ 'pact:generator:type': 'RandomInt', 'pact:matcher:type': 'number', value: 1234 });
  if (typeof example !== 'number' || !Number.isFinite(example))
    fail(callText('number', [example]), `the example ${show(example)} is not a finite number`);
  return make({ 'pact:matcher:type': 'number', value: example });
}

/**
 * A boolean, matched by type as Pact JS does (default example `true`).
 * @example boolean(false)
 */
export function boolean(example = true): Matcher<boolean> {
  if (typeof example !== 'boolean')
    fail(callText('boolean', [example]), `the example must be true or false, got ${show(example)}`);
  return make({ 'pact:matcher:type': 'type', value: example });
}

/**
 * A boolean under the V4 `boolean` rule, which also accepts "true"/"false" in headers and queries.
 * @example booleanValue(true)
 */
export function booleanValue(example = true): Matcher<boolean> {
  if (typeof example !== 'boolean')
    fail(callText('booleanValue', [example]), `the example must be true or false, got ${show(example)}`);
  return make({ 'pact:matcher:type': 'boolean', value: example });
}

/**
 * A string, matched by type (default example `'some string'`).
 * @example string('Ada')
 */
export function string(example = 'some string'): Matcher<string> {
  if (typeof example !== 'string')
    fail(callText('string', [example]), `the example must be a string, got ${show(example)}`);
  return make({ 'pact:matcher:type': 'type', value: example });
}

type DateKind = 'datetime' | 'date' | 'time';
const dateRule: Record<DateKind, { matcher: string; generator: string }> = {
  datetime: { matcher: 'timestamp', generator: 'DateTime' },
  date: { matcher: 'date', generator: 'Date' },
  time: { matcher: 'time', generator: 'Time' },
};

function dateLike(
  name: string,
  kind: DateKind,
  format: string,
  example: string | undefined,
): Matcher<string> {
  const where = callText(name, [format, example]);
  if (typeof format !== 'string' || format === '')
    fail(where, `a format such as ${kind === 'time' ? "'HH:mm:ss'" : "'yyyy-MM-dd'"} is required`);
  const { matcher, generator } = dateRule[kind];
  if (example === undefined) {
    // The example is one fixed instant in the format; the generator writes the current one at run time.
    const fixed = formatFixedInstant(format);
    if (fixed === undefined || !matchesDateFormat(kind, fixed, format))
      fail(
        where,
        `Treaty cannot write an example for the format '${format}'; pass one as the second argument`,
      );
    return make({ format, 'pact:generator:type': generator, 'pact:matcher:type': matcher, value: fixed });
  }
  if (typeof example !== 'string') fail(where, `the example must be a string, got ${show(example)}`);
  if (!matchesDateFormat(kind, example, format))
    fail(where, `the example ${show(example)} does not fit the ${kind} format '${format}'`);
  return make({ format, 'pact:matcher:type': matcher, value: example });
}

/**
 * A date-time string in a Java DateTimeFormatter format; without an example one is generated (DateTime).
 * @example datetime("yyyy-MM-dd'T'HH:mm:ss", '2024-05-01T10:00:00')
 */
export function datetime(format: string, example?: string): Matcher<string> {
  return dateLike('datetime', 'datetime', format, example);
}

/**
 * Pact JS's other name for {@link datetime}.
 * @example timestamp("yyyy-MM-dd'T'HH:mm:ss", '2024-05-01T10:00:00')
 */
export function timestamp(format: string, example?: string): Matcher<string> {
  return dateLike('timestamp', 'datetime', format, example);
}

/**
 * A date string in a Java DateTimeFormatter format; without an example one is generated (Date).
 * @example date('yyyy-MM-dd', '2024-05-01')
 */
export function date(format: string, example?: string): Matcher<string> {
  return dateLike('date', 'date', format, example);
}

/**
 * A time string in a Java DateTimeFormatter format; without an example one is generated (Time).
 * @example time('HH:mm', '10:00')
 */
export function time(format: string, example?: string): Matcher<string> {
  return dateLike('time', 'time', format, example);
}

const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const uuidRe = new RegExp(`^${uuidPattern}$`);

/**
 * A lower-case hyphenated UUID; without an example one is generated (Uuid).
 * @example uuid('a5d5c1f3-1b1b-4b1b-8b1b-1b1b1b1b1b1b')
 */
export function uuid(example?: string): Matcher<string> {
  if (example === undefined)
    return make({
      'pact:matcher:type': 'regex',
      regex: uuidPattern,
      'pact:generator:type': 'Uuid',
      value: 'e2490de5-5bd3-43d5-b7c4-526e33f71304',
    });
  if (typeof example !== 'string' || !uuidRe.test(example))
    fail(
      callText('uuid', [example]),
      `the example ${show(example)} does not match the regex /${uuidPattern}/ (a lower-case hyphenated UUID)`,
    );
  return make({ 'pact:matcher:type': 'regex', regex: uuidPattern, value: example });
}

/**
 * A string that contains `value`.
 * @example includes('order')
 */
export function includes(value: string): Matcher<string> {
  if (typeof value !== 'string')
    fail(callText('includes', [value]), `the value must be a string, got ${show(value)}`);
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
  assertJson(callText('equal', [value]), value);
  return make({ 'pact:matcher:type': 'equality', value });
}

/**
 * An array that contains, in any order, an element matching each variant (V4 `arrayContains`).
 * @example arrayContaining({ type: 'email' }, { type: like('phone') })
 */
export function arrayContaining<T extends unknown[]>(...variants: T): Matcher<Array<Reify<T[number]>>> {
  const where = callText('arrayContaining', variants);
  if (variants.length === 0) fail(where, 'give at least one variant');
  variants.forEach((v, i) => {
    assertJson(where, v, `variant ${i}`);
  });
  return make({ 'pact:matcher:type': 'arrayContains', variants });
}

/**
 * An object whose every key matches the rules, values free (V4 `eachKey`; default rule: any string key).
 * @example eachKeyMatches({ colour: 'red' }, regex('[a-z]+', 'colour'))
 */
export function eachKeyMatches<T>(
  example: Record<string, T>,
  rules: Matcher<string> | Array<Matcher<string>> = like('key'),
): Matcher<Record<string, Reify<T>>> {
  const where = callText('eachKeyMatches', [example, rules]);
  assertJson(where, example);
  const list = Array.isArray(rules) ? rules : [rules];
  if (list.length === 0 || !list.every(isMatcher))
    fail(where, 'the rules must be one matcher or a non-empty list of matchers');
  return make({ 'pact:matcher:type': 'eachKey', rules: list, value: example });
}

/**
 * An object whose every value matches the rules, keys free (V4 `eachValue`).
 * @example eachValueMatches({ small: 1 }, integer(1))
 */
export function eachValueMatches<T>(
  example: Record<string, T>,
  rules: Matcher<unknown> | Array<Matcher<unknown>>,
): Matcher<Record<string, Reify<T>>> {
  const where = callText('eachValueMatches', [example, rules]);
  assertJson(where, example);
  const list = Array.isArray(rules) ? rules : [rules];
  if (list.length === 0 || !list.every(isMatcher))
    fail(where, 'the rules must be one matcher or a non-empty list of matchers');
  return make({ 'pact:matcher:type': 'eachValue', rules: list, value: example });
}

/**
 * A map whose keys are free and whose values are like `template` (the V3 `values` rule; Pact JS's deprecated
 * eachKeyLike).
 * @example eachKeyLike('sku-1', { price: decimal(9.5) })
 */
export function eachKeyLike<T>(keyExample: string, template: T): Matcher<Record<string, Reify<T>>> {
  const where = callText('eachKeyLike', [keyExample, template]);
  if (typeof keyExample !== 'string')
    fail(where, `the key example must be a string, got ${show(keyExample)}`);
  assertJson(where, template);
  return make({ 'pact:matcher:type': 'values', value: { [keyExample]: template } });
}

const semverPattern =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * A semantic version string (V4 `semver`).
 * @example semver('1.2.3')
 */
export function semver(example: string): Matcher<string> {
  if (typeof example !== 'string' || !semverPattern.test(example))
    fail(
      callText('semver', [example]),
      `the example ${show(example)} is not a semantic version such as 1.2.3`,
    );
  return make({ 'pact:matcher:type': 'semver', value: example });
}

/**
 * A value that is present and not empty (not null, "", [] or {}), of the example's type (V4 `notEmpty`).
 * @example notEmpty('Ada')
 */
export function notEmpty<T>(example: T): Matcher<Reify<T>> {
  const where = callText('notEmpty', [example]);
  assertJson(where, example);
  if (
    example === null ||
    example === '' ||
    (Array.isArray(example) && example.length === 0) ||
    (typeof example === 'object' && example !== null && Object.keys(example).length === 0)
  ) {
    fail(where, 'the example itself is empty, so it breaks the notEmpty rule');
  }
  return make({ 'pact:matcher:type': 'notEmpty', value: example });
}

const classExample: Record<StatusClass, number> = {
  info: 100,
  success: 200,
  redirect: 302,
  clientError: 400,
  serverError: 500,
  nonError: 200,
  error: 500,
};
const classRange: Record<StatusClass, (s: number) => boolean> = {
  info: (s) => s >= 100 && s < 200,
  success: (s) => s >= 200 && s < 300,
  redirect: (s) => s >= 300 && s < 400,
  clientError: (s) => s >= 400 && s < 500,
  serverError: (s) => s >= 500 && s < 600,
  nonError: (s) => s >= 100 && s < 400,
  error: (s) => s >= 400 && s < 600,
};

/**
 * An HTTP status of a class (`'success'`, `'clientError'`, …) or one of a list of codes (V4 `statusCode`).
 * @example statusCode('success') // matches any 2xx; the mock server answers 200
 */
export function statusCode(
  status: StatusClass | 'information' | number[],
  example?: number,
): Matcher<number> {
  const where = callText('statusCode', [status, example]);
  // Pact JS's HTTPResponseStatusClass.Information is 'information', which Pact's core rejects; the rule says
  // 'info'.
  const written = status === 'information' ? 'info' : status;
  let value: number;
  let fits: (s: number) => boolean;
  if (Array.isArray(written)) {
    if (written.length === 0 || !written.every((s) => Number.isInteger(s) && s >= 100 && s <= 599))
      fail(where, 'give a status class or a non-empty list of HTTP status codes (100–599)');
    value = example ?? (written[0] as number);
    fits = (s) => written.includes(s);
  } else {
    if (!Object.hasOwn(classExample, written))
      fail(
        where,
        `${show(written)} is not a status class; use one of ${Object.keys(classExample).join(', ')}`,
      );
    value = example ?? classExample[written];
    fits = classRange[written];
  }
  if (!Number.isInteger(value) || !fits(value))
    fail(where, `the example ${show(value)} is not a status the rule allows`);
  return make({ 'pact:matcher:type': 'statusCode', status: written, value });
}

/**
 * Pact JS's status matcher, example first: {@link statusCode} with the arguments swapped.
 * @example matchStatus(201, [200, 201])
 */
export function matchStatus(
  example: number,
  status: StatusClass | 'information' | number[],
): Matcher<number> {
  return statusCode(status, example);
}

/**
 * Content whose sniffed media type must be `type` (V4 `contentType`, for binary and multipart bodies).
 * The example defaults to the media type itself, as in Pact JS.
 * @example contentType('text/plain', 'hello')
 */
export function contentType(type: string, example?: string): Matcher<string> {
  const where = callText('contentType', [type, example]);
  if (typeof type !== 'string' || !/^[\w.+-]+\/[\w.+-]+/.test(type))
    fail(where, `${show(type)} is not a media type such as image/png`);
  if (example !== undefined && typeof example !== 'string')
    fail(where, `the example must be a string, got ${show(example)}`);
  return make(
    example === undefined
      ? { 'pact:matcher:type': 'contentType', value: type }
      : { 'pact:matcher:type': 'contentType', value: type, example },
  );
}

/**
 * A value the provider fills in from its provider state: `expression` like `/orders/${id}` (ProviderState
 * generator).
 * @example fromProviderState('/orders/${id}', '/orders/1')
 */
export function fromProviderState<T extends JsonValue>(expression: string, example: T): Matcher<Widen<T>> {
  const where = callText('fromProviderState', [expression, example]);
  if (typeof expression !== 'string' || !expression.includes('${'))
    fail(where, `the expression ${show(expression)} names no \${value} to fill in`);
  assertJson(where, example);
  return make({
    'pact:matcher:type': 'type',
    'pact:generator:type': 'ProviderState',
    expression,
    value: example,
  });
}

type UrlFragment = string | RegExp | Matcher<string>;

/**
 * A URL built from a base and path fragments (strings or regex() matchers); with a null base the
 * mock server's own URL is written at run time (MockServerURL). Pact JS's argument order.
 * @example url2('https://api.example.com', ['orders', regex('\\d+', '1')])
 */
export function url2(basePath: string | null, fragments: UrlFragment[]): Matcher<string> {
  const where = callText(
    basePath === null ? 'url' : 'url2',
    basePath === null ? [fragments] : [basePath, fragments],
  );
  if (!Array.isArray(fragments)) fail(where, 'give the path fragments as a list');
  const parts = fragments.map((f) => {
    if (f instanceof RegExp)
      return fail(
        where,
        `write the regex fragment ${String(f)} as regex(pattern, example), so that the example URL can be written`,
      );
    if (typeof f === 'string') return { re: f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), ex: f };
    const raw = f as unknown as Raw;
    if (
      raw['pact:matcher:type'] !== 'regex' ||
      typeof raw.regex !== 'string' ||
      typeof raw.value !== 'string'
    )
      return fail(where, `a fragment must be a string or a regex() matcher, got ${show(f)}`);
    return { re: raw.regex, ex: raw.value };
  });
  const pattern = `.*(${parts.map((p) => `\\/${p.re}`).join('')})$`;
  const example = `${basePath ?? 'http://localhost:8080'}${parts.map((p) => `/${p.ex}`).join('')}`;
  if (basePath === null)
    return make({
      'pact:matcher:type': 'regex',
      'pact:generator:type': 'MockServerURL',
      regex: pattern,
      value: example,
      example,
    });
  return make({ 'pact:matcher:type': 'regex', regex: pattern, value: example });
}

/**
 * A URL on the mock server built from path fragments (strings or regex() matchers).
 * @example url(['orders', regex('\\d+', '1')]) // example http://localhost:8080/orders/1
 */
export function url(fragments: UrlFragment[]): Matcher<string> {
  return url2(null, fragments);
}

/**
 * Matchers whose example a generator replaces at run time (in the mock server's responses and the
 * verifier's requests); each also carries a rule, since Pact's core ignores a generator without one.
 * @example generators.randomInt(1, 9)
 */
export const generators = {
  /** An integer rule with a RandomInt generator in [min, max]. */
  randomInt(min = 0, max = 10, example: number = min): Matcher<number> {
    const where = callText('generators.randomInt', [min, max, example]);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min > max)
      fail(where, `min and max must be integers with min ≤ max, got ${show(min)} and ${show(max)}`);
    if (!Number.isInteger(example) || example < min || example > max)
      fail(where, `the example ${show(example)} is not an integer in [${min}, ${max}]`);
    return make({
      'pact:generator:type': 'RandomInt',
      'pact:matcher:type': 'integer',
      min,
      max,
      value: example,
    });
  },
  /** A decimal rule with a RandomDecimal generator of `digits` digits. */
  randomDecimal(digits = 10, example = 12.34): Matcher<number> {
    const where = callText('generators.randomDecimal', [digits, example]);
    if (!Number.isInteger(digits) || digits < 2)
      fail(where, `digits must be a whole number of at least 2, got ${show(digits)}`);
    if (typeof example !== 'number' || !Number.isFinite(example) || Number.isInteger(example))
      fail(where, `the example ${show(example)} must be a number with a fraction`);
    return make({
      'pact:generator:type': 'RandomDecimal',
      'pact:matcher:type': 'decimal',
      digits,
      value: example,
    });
  },
  /** A hexadecimal string with a RandomHexadecimal generator of `digits` digits. */
  randomHexadecimal(digits = 10, example?: string): Matcher<string> {
    const where = callText('generators.randomHexadecimal', [digits, example]);
    if (!Number.isInteger(digits) || digits < 1)
      fail(where, `digits must be a whole number of at least 1, got ${show(digits)}`);
    const value = example ?? '0123456789abcdef'.repeat(Math.ceil(digits / 16)).slice(0, digits);
    if (typeof value !== 'string' || !/^[0-9a-fA-F]+$/.test(value))
      fail(where, `the example ${show(value)} is not hexadecimal`);
    return make({
      'pact:generator:type': 'RandomHexadecimal',
      'pact:matcher:type': 'regex',
      regex: '[0-9a-fA-F]+',
      digits,
      value,
    });
  },
  /** A string (type rule) with a RandomString generator of `size` characters. */
  randomString(size = 10, example?: string): Matcher<string> {
    const where = callText('generators.randomString', [size, example]);
    if (!Number.isInteger(size) || size < 0)
      fail(where, `size must be a whole number of at least 0, got ${show(size)}`);
    const value = example ?? 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(size / 26)).slice(0, size);
    if (typeof value !== 'string') fail(where, `the example must be a string, got ${show(value)}`);
    return make({ 'pact:generator:type': 'RandomString', 'pact:matcher:type': 'type', size, value });
  },
  /** A boolean (type rule) with a RandomBoolean generator. */
  randomBoolean(example = true): Matcher<boolean> {
    if (typeof example !== 'boolean')
      fail(
        callText('generators.randomBoolean', [example]),
        `the example must be true or false, got ${show(example)}`,
      );
    return make({ 'pact:generator:type': 'RandomBoolean', 'pact:matcher:type': 'type', value: example });
  },
  /** A string matching `pattern`, with a Regex generator that writes new matching strings. */
  fromRegex(pattern: RegExp | string, example: string): Matcher<string> {
    const m = regex(pattern, example) as unknown as Raw;
    return make({ ...m, 'pact:generator:type': 'Regex' });
  },
  /** A UUID with a Uuid generator in the given format (default lower-case-hyphenated). */
  uuid(format?: UuidFormat): Matcher<string> {
    const formats: Record<UuidFormat, [string, string]> = {
      simple: ['[0-9a-f]{32}', 'e2490de55bd343d5b7c4526e33f71304'],
      'lower-case-hyphenated': [uuidPattern, 'e2490de5-5bd3-43d5-b7c4-526e33f71304'],
      'upper-case-hyphenated': [
        '[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}',
        'E2490DE5-5BD3-43D5-B7C4-526E33F71304',
      ],
      URN: [`urn:uuid:${uuidPattern}`, 'urn:uuid:e2490de5-5bd3-43d5-b7c4-526e33f71304'],
    };
    if (format === undefined) return uuid();
    const entry = Object.hasOwn(formats, format)
      ? formats[format]
      : fail(
          callText('generators.uuid', [format]),
          `${show(format)} is not a UUID format; use one of ${Object.keys(formats).join(', ')}`,
        );
    return make({
      'pact:matcher:type': 'regex',
      regex: entry[0],
      'pact:generator:type': 'Uuid',
      format,
      value: entry[1],
    });
  },
  /**
   * A date-time in `format`, generated at run time, optionally shifted by an expression such as `+ 1 day`.
   */
  datetime(format: string, expression?: string): Matcher<string> {
    return withExpression(datetime(format), expression);
  },
  /** A date in `format`, generated at run time, optionally shifted by an expression such as `tomorrow`. */
  date(format: string, expression?: string): Matcher<string> {
    return withExpression(date(format), expression);
  },
  /** A time in `format`, generated at run time, optionally shifted by an expression such as `+ 1 hour`. */
  time(format: string, expression?: string): Matcher<string> {
    return withExpression(time(format), expression);
  },
  /** Pact JS's fromProviderState: a value the provider fills in from its provider state. */
  providerState<T extends JsonValue>(expression: string, example: T): Matcher<Widen<T>> {
    return fromProviderState(expression, example);
  },
  /** A URL on the mock server (MockServerURL generator); Pact JS's url(). */
  mockServerUrl(fragments: UrlFragment[]): Matcher<string> {
    return url(fragments);
  },
} as const;

function withExpression(m: Matcher<string>, expression: string | undefined): Matcher<string> {
  if (expression === undefined) return m;
  if (typeof expression !== 'string' || expression.trim() === '')
    fail(
      'generators',
      `the date expression must be a non-empty string such as '+ 1 day', got ${show(expression)}`,
    );
  return make({ ...(m as unknown as Raw), expression });
}

/**
 * True for a matcher object (Treaty's or Pact JS's): an object with a string `pact:matcher:type`.
 * @example isMatcher(like(1)) // true
 */
export function isMatcher(value: unknown): value is Matcher<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Raw)['pact:matcher:type'] === 'string'
  );
}
