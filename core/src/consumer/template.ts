import { TreatyError } from '../errors.js';
import type { Generator, JsonObject, JsonValue, RuleList } from '../contract/model.js';
import { extractMatching } from '../matchers/extract.js';
import type { Matcher } from '../matchers/matchers.js';

/** A string, or a matcher whose example is a string (path, header and query values). */
export type StringTemplate = string | Matcher<string>;

/** What one single value of a template means: the example, and its rule and generator if any. */
export interface ExtractedValue<T> {
  example: T;
  rules?: RuleList;
  generator?: Generator;
}

/** Extracts a value that sits in one place (a path, a header value, a status). */
export function extractValue<T extends JsonValue>(
  template: unknown,
  what: string,
  check: (v: JsonValue) => v is T,
): ExtractedValue<T> {
  const { example, rules, generators } = extractMatching(template);
  if (!check(example)) {
    throw new TreatyError(
      'TREATY_DSL_INVALID',
      `${what}: expected ${check.name.replace(/^is/, 'a ').toLowerCase()}, got ${JSON.stringify(example)}.`,
    );
  }
  const out: ExtractedValue<T> = { example };
  const list = rules.$;
  if (list !== undefined) out.rules = list;
  const generator = generators.$;
  if (generator !== undefined) out.generator = generator;
  return out;
}

export function isString(v: JsonValue): v is string {
  return typeof v === 'string';
}

export function isNumber(v: JsonValue): v is number {
  return typeof v === 'number';
}

/** Values by name, each a template or a list of templates (query parameters, headers). */
export type MultiTemplate = Record<string, StringTemplate | StringTemplate[]>;

/** Extracts name → values maps: the examples, with rules and generators keyed by name. */
export function extractMulti(
  template: MultiTemplate,
  what: string,
): {
  values: Record<string, string[]>;
  rules: Record<string, RuleList>;
  generators: Record<string, Generator>;
} {
  const values: Record<string, string[]> = {};
  const rules: Record<string, RuleList> = {};
  const generators: Record<string, Generator> = {};
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new TreatyError(
      'TREATY_DSL_INVALID',
      `${what}: expected an object of names to values, got ${JSON.stringify(template)}.`,
    );
  }
  for (const [name, raw] of Object.entries(template)) {
    const list = Array.isArray(raw) ? raw : [raw];
    values[name] = list.map((item, i) => {
      const x = extractValue(item, `${what} '${name}'`, isString);
      // One rule per name: Pact applies it to every value of that name.
      if (x.rules !== undefined && i === 0) rules[name] = x.rules;
      if (x.generator !== undefined && i === 0) generators[name] = x.generator;
      return x.example;
    });
  }
  return { values, rules, generators };
}

/** Extracts a metadata object (message metadata): examples, with rules and generators by key. */
export function extractMetadata(template: Record<string, unknown>): {
  metadata: JsonObject;
  rules: Record<string, RuleList>;
  generators: Record<string, Generator>;
} {
  const metadata: JsonObject = {};
  const rules: Record<string, RuleList> = {};
  const generators: Record<string, Generator> = {};
  for (const [key, raw] of Object.entries(template)) {
    const { example, rules: r, generators: g } = extractMatching(raw);
    metadata[key] = example;
    if (r.$ !== undefined) rules[key] = r.$;
    if (g.$ !== undefined) generators[key] = g.$;
  }
  return { metadata, rules, generators };
}
