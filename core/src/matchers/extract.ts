import { TreatyError } from '../errors.js';
import type { ArrayContainsVariant, Generator, JsonValue, MatchingRule, RuleList, StatusClass, UuidFormat } from '../contract/model.js';
import { child } from '../contract/shape.js';
import { isMatcher, type Reify } from './matchers.js';

type Raw = Record<string, unknown>;

/** What a template means for a contract: the example, and the rules and generators by path. */
export interface ExtractedMatching {
  example: JsonValue;
  /** Rules keyed by body path (`$`, `$.items[*].sku`, `$['odd key']`). */
  rules: Record<string, RuleList>;
  generators: Record<string, Generator>;
}

function fail(message: string): never {
  throw new TreatyError('TREATY_MATCHER_INVALID', message);
}

const num = (raw: Raw, key: string): Record<string, number> => (typeof raw[key] === 'number' ? { [key]: raw[key] as number } : {});
const str = (raw: Raw, key: string): Record<string, string> => (typeof raw[key] === 'string' ? { [key]: raw[key] as string } : {});

/** The matching rule a matcher object stands for (its example and generator aside). */
export function matcherRule(raw: Raw, where = '$'): MatchingRule {
  const type = raw['pact:matcher:type'] as string;
  switch (type) {
    case 'type':
      return { match: 'type', ...num(raw, 'min'), ...num(raw, 'max') };
    case 'regex':
      return { match: 'regex', regex: String(raw.regex) };
    case 'integer':
    case 'decimal':
    case 'number':
    case 'boolean':
    case 'null':
    case 'equality':
    case 'values':
    case 'notEmpty':
    case 'semver':
      return { match: type };
    case 'include':
      return { match: 'include', value: String(raw.value) };
    case 'timestamp':
    case 'datetime':
      return { match: 'datetime', ...str(raw, 'format') };
    case 'date':
    case 'time':
      return { match: type, ...str(raw, 'format') };
    case 'contentType':
      return { match: 'contentType', value: String(raw.value) };
    case 'statusCode':
      return { match: 'statusCode', status: raw.status as StatusClass | number[] };
    case 'eachKey':
    case 'eachValue': {
      const rules = (Array.isArray(raw.rules) ? raw.rules : []).map((r, i) => {
        if (!isMatcher(r)) fail(`${where}: rule ${i} of ${type} is not a matcher`);
        return matcherRule(r as unknown as Raw, where);
      });
      return { match: type, rules, ...(raw.value === undefined ? {} : { value: reifyValue(raw.value) }) };
    }
    case 'arrayContains':
      return { match: 'arrayContains', variants: variantsOf(raw, where) };
    default:
      return fail(`${where}: unknown matcher type '${type}'`);
  }
}

function variantsOf(raw: Raw, where: string): ArrayContainsVariant[] {
  const variants = Array.isArray(raw.variants) ? raw.variants : [];
  return variants.map((v, index) => {
    const inner = extractMatching(v);
    const variant: ArrayContainsVariant = { index, rules: inner.rules };
    if (Object.keys(inner.generators).length > 0) variant.generators = inner.generators;
    return variant;
  }).map((v) => (v.rules === undefined ? fail(`${where}: bad arrayContains variant`) : v));
}

/** The generator a matcher object carries, if any. */
export function matcherGenerator(raw: Raw): Generator | undefined {
  const type = raw['pact:generator:type'];
  if (typeof type !== 'string') return undefined;
  switch (type) {
    case 'RandomInt':
      return { type, ...num(raw, 'min'), ...num(raw, 'max') };
    case 'RandomDecimal':
    case 'RandomHexadecimal':
      return { type, ...num(raw, 'digits') };
    case 'RandomString':
      return { type, ...num(raw, 'size') };
    case 'Regex':
      return { type, regex: String(raw.regex) };
    case 'Uuid':
      return { type, ...(typeof raw.format === 'string' ? { format: raw.format as UuidFormat } : {}) };
    case 'Date':
    case 'Time':
    case 'DateTime':
      return { type, ...str(raw, 'format'), ...str(raw, 'expression') };
    case 'RandomBoolean':
      return { type };
    case 'ProviderState':
      return { type, expression: String(raw.expression), ...str(raw, 'dataType') };
    case 'MockServerURL':
      return { type, example: String(raw.example ?? raw.value), regex: String(raw.regex) };
    default:
      return fail(`unknown generator type '${type}'`);
  }
}

function reifyValue(value: unknown): JsonValue {
  if (isMatcher(value)) {
    const raw = value as unknown as Raw;
    if (raw['pact:matcher:type'] === 'arrayContains') return (Array.isArray(raw.variants) ? raw.variants : []).map(reifyValue);
    return reifyValue(raw.value);
  }
  if (Array.isArray(value)) return value.map(reifyValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = reifyValue(v);
    return out;
  }
  return value as JsonValue;
}

/**
 * The example value of a template: every matcher replaced by its example.
 * @example reify(like({ id: integer(1) })) // { id: 1 }
 */
export function reify<T>(template: T): Reify<T> {
  return reifyValue(template) as Reify<T>;
}

/**
 * Splits a template into its example and the matching rules and generators Pact files hold, with
 * body paths in the V3/V4 form (`$.items[*].sku`).
 * @example extractMatching({ id: integer(1) }).rules // { '$.id': { combine: 'AND', rules: [{ match: 'integer' }] } }
 */
export function extractMatching(template: unknown): ExtractedMatching {
  const rules: Record<string, RuleList> = {};
  const generators: Record<string, Generator> = {};
  const seen = new Set<object>();
  const walk = (value: unknown, path: string): JsonValue => {
    if (isMatcher(value)) {
      const raw = value as unknown as Raw;
      rules[path] = { combine: 'AND', rules: [matcherRule(raw, path)] };
      const generator = matcherGenerator(raw);
      if (generator !== undefined) generators[path] = generator;
      const type = raw['pact:matcher:type'];
      if (type === 'arrayContains') return reifyValue(value);
      if (type === 'eachKey' || type === 'eachValue' || type === 'values') return reifyValue(raw.value);
      const inner = raw.value;
      if (type === 'type' && Array.isArray(inner) && ('min' in raw || 'max' in raw)) {
        // eachLike and friends: one element template, its rules under [*].
        const first = inner.length > 0 ? walk(inner[0], `${path}[*]`) : undefined;
        return inner.map((_, i) => (i === 0 ? first : reifyValue(inner[i]))) as JsonValue;
      }
      return walk(inner, path);
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, child(path, i)));
    if (typeof value === 'object' && value !== null) {
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return fail(`${path}: a ${(value as object).constructor?.name ?? 'class instance'} is not plain JSON; convert it first (e.g. toISOString())`);
      if (seen.has(value)) return fail(`${path}: the value refers to itself; a body must be a tree`);
      seen.add(value);
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, child(path, k));
      seen.delete(value);
      return out;
    }
    if (value === undefined) return fail(`${path}: undefined is not a JSON value`);
    if (typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol') return fail(`${path}: a ${typeof value} is not a JSON value`);
    if (typeof value === 'number' && !Number.isFinite(value)) return fail(`${path}: ${value} is not a JSON value`);
    return value as JsonValue;
  };
  const example = walk(template, '$');
  return { example, rules, generators };
}
