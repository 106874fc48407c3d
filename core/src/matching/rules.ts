import type { MatchingRule, RuleList } from '../contract/model.js';
import { matchesDateFormat } from './date-format.js';

/** How a leaf value is being compared. */
export interface LeafContext {
  /** Query and header values are always strings: numeric and boolean rules read them as such. */
  coerceStrings: boolean;
  /** The actual number was written with a fraction or exponent (`100.0`). */
  actualIsFloat: boolean;
}

const regexCache = new Map<string, RegExp | null>();

/**
 * Compiles a Pact regex as a whole-value match. Pact's own engines use Java or Oniguruma syntax, so
 * cheap Java-isms are translated: POSIX `\p{Alpha}`-style classes, `\A`/`\z`, leading inline flags
 * `(?i)`/`(?s)`/`(?m)`, atomic groups `(?>…)` (kept as plain groups) and Unicode `\p{L}` classes.
 * `.` does not match line breaks unless the pattern says `(?s)`, as in Java. Returns null for a
 * pattern neither syntax accepts.
 */
export function compileRegex(pattern: string): RegExp | null {
  const hit = regexCache.get(pattern);
  if (hit !== undefined) return hit;
  let flags = '';
  let body = pattern;
  const inline = /^\(\?([imsux]+)\)/.exec(body);
  if (inline !== null) {
    body = body.slice(inline[0].length);
    for (const f of new Set(inline[1])) if (f === 'i' || f === 's' || f === 'm') flags += f;
  }
  const source = body
    .replace(/\\p\{Alpha\}/g, '[A-Za-z]')
    .replace(/\\p\{Digit\}/g, '\\d')
    .replace(/\\p\{Alnum\}/g, '[A-Za-z0-9]')
    .replace(/\\p\{Upper\}/g, '[A-Z]')
    .replace(/\\p\{Lower\}/g, '[a-z]')
    .replace(/\\p\{Punct\}/g, '[!-\\/:-@\\[-`{-~]')
    .replace(/\\p\{XDigit\}/g, '[0-9A-Fa-f]')
    .replace(/\\p\{Space\}/g, '\\s')
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$')
    .replace(/\(\?>/g, '(?:');
  const anchored = `^(?:${source})$`;
  let re: RegExp | null = null;
  // Unicode property classes (`\p{L}`) only mean something with the u flag; other patterns may be
  // invalid under it (`\-` outside a class), so each is tried the other way round as a fallback.
  const attempts = /\\[pP]\{/.test(source) ? [`${flags}u`, flags] : [flags, `${flags}u`];
  for (const f of attempts) {
    try {
      re = new RegExp(anchored, f);
      break;
    } catch {
      re = null;
    }
  }
  regexCache.set(pattern, re);
  return re;
}

const semverPattern =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** The JSON type name used in messages and type checks (numbers are one type). */
export function jsonType(
  value: unknown,
): 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' | 'undefined' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined') return t;
  return 'object';
}

/** Deep JSON equality (object key order ignored). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Short rendering of a value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return undefined;
}

const integerText = /^[-+]?\d+$/;
const decimalText = /^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?\d+[eE][-+]?\d+$/;
const numberText = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Uint8Array) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/**
 * Checks one rule against a leaf value; returns why it fails, or undefined when it passes.
 * Structural parts of container rules (lengths, variants, keys) are checked by the body comparators.
 */
export function checkRule(
  rule: MatchingRule,
  expected: unknown,
  actual: unknown,
  ctx: LeafContext,
): string | undefined {
  switch (rule.match) {
    case 'equality':
      return jsonEqual(expected, actual) ? undefined : `expected ${show(expected)} but got ${show(actual)}`;
    case 'regex': {
      const re = compileRegex(rule.regex);
      if (re === null) return `the regex /${rule.regex}/ is not valid`;
      const text = asText(actual);
      if (text === undefined)
        return `expected a value matching /${rule.regex}/ but got ${jsonType(actual) === 'array' ? 'an array' : 'an object'}`;
      return re.test(text) ? undefined : `expected a value matching /${rule.regex}/ but got ${show(actual)}`;
    }
    case 'type':
    case 'values': {
      const et = jsonType(expected);
      const at = jsonType(actual);
      if (et === at || et === 'undefined') return undefined;
      return `expected a value of type ${et} (like ${show(expected)}) but got ${at === 'undefined' ? 'nothing' : `the ${at} ${show(actual)}`}`;
    }
    case 'include': {
      const text = asText(actual);
      return text?.includes(rule.value)
        ? undefined
        : `expected a value including ${show(rule.value)} but got ${show(actual)}`;
    }
    case 'integer':
      if (typeof actual === 'number')
        return Number.isInteger(actual) && !ctx.actualIsFloat
          ? undefined
          : `expected an integer but got ${show(actual)}${ctx.actualIsFloat ? ' (written as a decimal)' : ''}`;
      if (ctx.coerceStrings && typeof actual === 'string' && integerText.test(actual)) return undefined;
      return `expected an integer but got ${show(actual)}`;
    case 'decimal':
      if (typeof actual === 'number')
        return !Number.isInteger(actual) || ctx.actualIsFloat
          ? undefined
          : `expected a decimal number but got the integer ${show(actual)}`;
      if (ctx.coerceStrings && typeof actual === 'string' && decimalText.test(actual)) return undefined;
      return `expected a decimal number but got ${show(actual)}`;
    case 'number':
      if (typeof actual === 'number') return undefined;
      if (ctx.coerceStrings && typeof actual === 'string' && numberText.test(actual)) return undefined;
      return `expected a number but got ${show(actual)}`;
    case 'datetime':
    case 'date':
    case 'time': {
      const what = rule.match === 'datetime' ? 'a date-time' : `a ${rule.match}`;
      if (typeof actual !== 'string')
        return `expected ${what}${rule.format === undefined ? '' : ` in the format '${rule.format}'`} but got ${show(actual)}`;
      return matchesDateFormat(rule.match, actual, rule.format)
        ? undefined
        : `expected ${what} in the format '${rule.format ?? 'ISO 8601'}' but got ${show(actual)}`;
    }
    case 'null':
      return actual === null ? undefined : `expected null but got ${show(actual)}`;
    case 'boolean':
      return typeof actual === 'boolean' || actual === 'true' || actual === 'false'
        ? undefined
        : `expected a boolean but got ${show(actual)}`;
    case 'semver':
      return typeof actual === 'string' && semverPattern.test(actual)
        ? undefined
        : `expected a semantic version (like 1.2.3) but got ${show(actual)}`;
    case 'notEmpty': {
      if (isEmptyValue(actual)) return `expected a non-empty value but got ${show(actual)}`;
      const et = jsonType(expected);
      const at = jsonType(actual);
      return et === 'undefined' || et === at
        ? undefined
        : `expected a non-empty ${et} but got the ${at} ${show(actual)}`;
    }
    case 'contentType':
      return undefined; // checked on whole bodies, where the bytes are
    case 'statusCode':
      return undefined; // checked on the status line
    case 'arrayContains':
      return Array.isArray(actual) ? undefined : `expected an array but got ${show(actual)}`;
    case 'eachKey':
      return typeof actual === 'object' && actual !== null && !Array.isArray(actual)
        ? undefined
        : `expected an object but got ${show(actual)}`;
    case 'eachValue':
      return typeof actual === 'object' && actual !== null
        ? undefined
        : `expected an object or an array but got ${show(actual)}`;
    case 'unknown':
      return `could not apply the '${rule.name}' matching rule: it is not one Treaty knows (TREATY_CONTRACT_UNKNOWN_RULE), so no value matches it`;
  }
}

/** One failed rule. */
export interface RuleFailure {
  rule: MatchingRule;
  reason: string;
}

const noFailures: readonly RuleFailure[] = Object.freeze([]);

/** Checks a rule list (AND: every rule; OR: any rule) against a leaf value. */
export function checkRuleList(
  list: RuleList,
  expected: unknown,
  actual: unknown,
  ctx: LeafContext,
): readonly RuleFailure[] {
  // Most values pass: nothing is allocated for them.
  let failures: RuleFailure[] | undefined;
  for (const rule of list.rules) {
    const reason = checkRule(rule, expected, actual, ctx);
    if (reason === undefined) {
      if (list.combine === 'OR') return noFailures;
    } else {
      failures ??= [];
      failures.push({ rule, reason });
    }
  }
  return failures ?? noFailures;
}

/** The first rule of a list with the given name, if any. */
export function findRule<N extends MatchingRule['match']>(
  list: RuleList | undefined,
  name: N,
): Extract<MatchingRule, { match: N }> | undefined {
  if (list === undefined) return undefined;
  for (const r of list.rules) if (r.match === name) return r as Extract<MatchingRule, { match: N }>;
  return undefined;
}
