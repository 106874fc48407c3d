import { TreatyError } from '../errors.js';
import type {
  ArrayContainsVariant,
  Generator,
  JsonValue,
  MatchingRule,
  RuleList,
  StatusClass,
  UuidFormat,
} from '../contract/model.js';
import { child } from '../contract/shape.js';
import { isMatcher, type Reify } from './matchers.js';

type Raw = Record<string, unknown>;

/**
 * Where a template is used: decides how rule keys are written.
 * @example const where: MatcherCategory = 'header'
 */
export type MatcherCategory = 'body' | 'header' | 'query' | 'path' | 'metadata';

/**
 * Options of {@link extractMatching}.
 * @example extractMatching({ page: integer(1) }, { category: 'query' } satisfies ExtractOptions)
 */
export interface ExtractOptions {
  /**
   * `body` (default): keys are body paths (`$`, `$.items[*].sku`, `$['odd key']`).
   * `header`, `query`, `metadata`: the template is an object of names; keys are the plain names.
   * `path`: the template is the request path; its one rule is keyed `$`.
   */
  category?: MatcherCategory;
}

/**
 * What a template means for a contract: the example, and the rules and generators by key.
 * @example const { example, rules, generators }: ExtractedMatching = extractMatching(template)
 */
export interface ExtractedMatching {
  example: JsonValue;
  /**
   * Rules keyed by body path (`$`, `$.items[*].sku`, `$['odd key']`), or by name for headers, queries and
   * metadata.
   */
  rules: Record<string, RuleList>;
  generators: Record<string, Generator>;
}

function fail(message: string, path?: string): never {
  throw new TreatyError('TREATY_MATCHER_INVALID', message, path === undefined ? {} : { path });
}

const num = (raw: Raw, key: string): Record<string, number> =>
  typeof raw[key] === 'number' ? { [key]: raw[key] as number } : {};
const str = (raw: Raw, key: string): Record<string, string> =>
  typeof raw[key] === 'string' ? { [key]: raw[key] as string } : {};

function requireString(raw: Raw, key: string, where: string): string {
  const value = raw[key];
  if (typeof value !== 'string')
    fail(
      `${where}: a '${String(raw['pact:matcher:type'])}' matcher needs a string '${key}', got ${JSON.stringify(value) ?? 'nothing'}`,
      where,
    );
  return value;
}

/** The matching rule a matcher object stands for (its example and generator aside). */
function matcherRule(matcher: object, where = '$'): MatchingRule {
  const raw = matcher as Raw;
  const type = raw['pact:matcher:type'];
  switch (type) {
    case 'type':
      return { match: 'type', ...num(raw, 'min'), ...num(raw, 'max') };
    case 'regex':
      return { match: 'regex', regex: requireString(raw, 'regex', where) };
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
    case 'real':
      return { match: 'decimal' };
    case 'include':
      return { match: 'include', value: requireString(raw, 'value', where) };
    case 'timestamp':
    case 'datetime':
      return { match: 'datetime', ...str(raw, 'format') };
    case 'date':
    case 'time':
      return { match: type, ...str(raw, 'format') };
    case 'contentType':
      return { match: 'contentType', value: requireString(raw, 'value', where) };
    case 'statusCode': {
      const status = raw.status === 'information' ? 'info' : raw.status;
      if (
        !(typeof status === 'string' || (Array.isArray(status) && status.every((s) => typeof s === 'number')))
      )
        fail(`${where}: a statusCode matcher needs a status class or a list of codes`, where);
      return { match: 'statusCode', status: status as StatusClass | number[] };
    }
    case 'eachKey':
    case 'eachValue': {
      const list = Array.isArray(raw.rules) ? raw.rules : [];
      const rules = list.map((r, i) =>
        isMatcher(r) ? matcherRule(r, where) : fail(`${where}: rule ${i} of ${type} is not a matcher`, where),
      );
      return {
        match: type,
        rules,
        ...(raw.value === undefined ? {} : { value: reifyValue(raw.value, where) }),
      };
    }
    case 'arrayContains':
      return { match: 'arrayContains', variants: variantsOf(raw, where) };
    default:
      return fail(
        `${where}: unknown matcher type ${JSON.stringify(type)}; Treaty knows the V2–V4 rules (type, regex, integer, …)`,
        where,
      );
  }
}

function variantsOf(raw: Raw, where: string): ArrayContainsVariant[] {
  if (!Array.isArray(raw.variants) || raw.variants.length === 0)
    fail(`${where}: an arrayContains matcher needs a non-empty 'variants' list`, where);
  return raw.variants.map((v, index) => {
    // Each variant's rules are relative to the element it stands for: `$` is the element itself.
    const inner = extractMatching(v);
    const variant: ArrayContainsVariant = { index, rules: inner.rules };
    if (Object.keys(inner.generators).length > 0) variant.generators = inner.generators;
    return variant;
  });
}

/** The generator a matcher object carries, if any, with the defaults Pact's core writes filled in. */
function matcherGenerator(matcher: object, where = '$'): Generator | undefined {
  const raw = matcher as Raw;
  const type = raw['pact:generator:type'];
  if (type === undefined) return undefined;
  if (typeof type !== 'string')
    return fail(`${where}: 'pact:generator:type' must be a generator name`, where);
  switch (type) {
    case 'RandomInt':
      return { type, min: 0, max: 10, ...num(raw, 'min'), ...num(raw, 'max') };
    case 'RandomDecimal':
    case 'RandomHexadecimal':
      return { type, digits: 10, ...num(raw, 'digits') };
    case 'RandomString':
      return { type, size: 10, ...num(raw, 'size') };
    case 'Regex':
      return { type, regex: requireString(raw, 'regex', where) };
    case 'Uuid':
      return { type, ...(typeof raw.format === 'string' ? { format: raw.format as UuidFormat } : {}) };
    case 'Date':
    case 'Time':
    case 'DateTime':
      return { type, ...str(raw, 'format'), ...str(raw, 'expression') };
    case 'RandomBoolean':
      return { type };
    case 'ProviderState':
      return { type, expression: requireString(raw, 'expression', where), ...str(raw, 'dataType') };
    case 'MockServerURL':
      return { type, example: String(raw.example ?? raw.value), regex: requireString(raw, 'regex', where) };
    default:
      return fail(`${where}: unknown generator type ${JSON.stringify(type)}`, where);
  }
}

function reifyValue(value: unknown, where: string): JsonValue {
  if (isMatcher(value)) {
    const raw = value as unknown as Raw;
    const type = raw['pact:matcher:type'];
    if (type === 'arrayContains')
      return (Array.isArray(raw.variants) ? raw.variants : []).map((v, i) => reifyValue(v, child(where, i)));
    if (type === 'contentType' && typeof raw.example === 'string') return raw.example;
    return reifyValue(raw.value, where);
  }
  if (Array.isArray(value)) return value.map((v, i) => reifyValue(v, child(where, i)));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = reifyValue(v, child(where, k));
    return out;
  }
  return leaf(value, where);
}

function leaf(value: unknown, where: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return fail(
    `${where}: ${typeof value === 'number' ? String(value) : typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`} is not a JSON value; give a JSON example there`,
    where,
  );
}

/**
 * The example value of a template: every matcher replaced by its example.
 * @example reify(like({ id: integer(1) })) // { id: 1 }
 */
export function reify<T>(template: T): Reify<T> {
  return reifyValue(template, '$') as Reify<T>;
}

interface Sink {
  rules: Record<string, RuleList>;
  generators: Record<string, Generator>;
}

function addRule(sink: Sink, path: string, rule: MatchingRule): void {
  const list = sink.rules[path] ?? { combine: 'AND', rules: [] };
  sink.rules[path] = list;
  // Pact's core repeats a rule once per array element written; one copy means the same.
  const text = JSON.stringify(rule);
  if (!list.rules.some((r) => JSON.stringify(r) === text)) list.rules.push(rule);
}

/*
 * Walks a template the way Pact's core reads integration JSON: a matcher's rule goes at its path
 * (after the rules found inside its example); the elements of a matcher's array example go under
 * `[*]`; the values of an eachValue/values example under `.*`; plain arrays and objects keep their
 * indices and keys.
 */
function walk(value: unknown, path: string, sink: Sink): JsonValue {
  if (isMatcher(value)) {
    const raw = value as unknown as Raw;
    const type = raw['pact:matcher:type'];
    let example: JsonValue;
    if (type === 'arrayContains') {
      example = reifyValue(value, path);
    } else if (type === 'contentType' && typeof raw.example === 'string') {
      example = raw.example;
    } else if (
      (type === 'eachValue' || type === 'values') &&
      typeof raw.value === 'object' &&
      raw.value !== null &&
      !Array.isArray(raw.value)
    ) {
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(raw.value)) out[k] = walk(v, `${path}.*`, sink);
      example = out;
    } else if (Array.isArray(raw.value)) {
      example = raw.value.map((v: unknown) => walk(v, `${path}[*]`, sink));
    } else {
      if (raw.value === undefined && type !== 'null')
        fail(`${path}: the ${String(type)} matcher has no example 'value'`, path);
      example = walk(raw.value === undefined ? null : raw.value, path, sink);
    }
    addRule(sink, path, matcherRule(raw, path));
    const generator = matcherGenerator(raw, path);
    if (generator !== undefined && sink.generators[path] === undefined) sink.generators[path] = generator;
    return example;
  }
  if (Array.isArray(value)) return value.map((v, i) => walk(v, child(path, i), sink));
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null)
      fail(
        `${path}: a ${(value as object).constructor?.name ?? 'class instance'} is not plain JSON; convert it first`,
        path,
      );
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, child(path, k), sink);
    return out;
  }
  return leaf(value, path);
}

// Header, query and path values travel as text, as Pact's core writes them.
const asText = (value: JsonValue): JsonValue =>
  typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : Array.isArray(value)
      ? value.map(asText)
      : value;

/**
 * Splits a template into its example and the matching rules and generators a Pact file holds for
 * it: body paths in the V3/V4 form (`$.items[*].sku`), or plain names for headers, queries and metadata.
 * @example
 * extractMatching({ id: integer(1) }).rules // { '$.id': { combine: 'AND', rules: [{ match: 'integer' }] } }
 */
export function extractMatching(template: unknown, options: ExtractOptions = {}): ExtractedMatching {
  const category = options.category ?? 'body';
  const sink: Sink = { rules: {}, generators: {} };
  switch (category) {
    case 'body':
      return { example: walk(template, '$', sink), ...sink };
    case 'path': {
      const example = walk(template, '$', sink);
      if (typeof example !== 'string')
        fail(`path: the path template must give a string example, got ${JSON.stringify(example)}`, '$');
      if (Object.keys(sink.rules).some((k) => k !== '$'))
        fail('path: a path template is one string or one matcher', '$');
      return { example, ...sink };
    }
    case 'header':
    case 'query':
    case 'metadata': {
      if (
        typeof template !== 'object' ||
        template === null ||
        Array.isArray(template) ||
        isMatcher(template)
      ) {
        fail(
          `${category}: the template must be an object of names to values, got ${isMatcher(template) ? 'a matcher' : (JSON.stringify(template) ?? typeof template)}`,
        );
      }
      const example: Record<string, JsonValue> = {};
      for (const [name, value] of Object.entries(template)) {
        if (category !== 'metadata' && Array.isArray(value)) {
          // Several values under one name share the name's rules; the first value that has any sets them, as
          // in Pact's core.
          example[name] = value.map((v: unknown) => {
            const own: Sink = { rules: {}, generators: {} };
            const out = walk(v, name, own);
            for (const [k, list] of Object.entries(own.rules)) sink.rules[k] ??= list;
            for (const [k, g] of Object.entries(own.generators)) sink.generators[k] ??= g;
            return asText(out);
          });
        } else {
          const out = walk(value, name, sink);
          example[name] = category === 'metadata' ? out : asText(out);
        }
      }
      return { example, ...sink };
    }
    default:
      return fail(
        `extractMatching: unknown category ${JSON.stringify(category)}; use body, header, query, path or metadata`,
      );
  }
}
