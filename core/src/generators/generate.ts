import type { Generator, Generators, JsonValue } from '../contract/model.js';
import { parsePathExpression, type PathToken } from '../contract/path-expr.js';
import { formatInstant } from '../matchers/date-example.js';
import { convertDataType, evaluateExpression } from './provider-state.js';
import { stringFromRegex } from './regex.js';

function formatDate(d: Date, pattern: string): string {
  return formatInstant(d, pattern) ?? d.toISOString();
}

/** What generators may draw on when producing values. */
export interface GeneratorContext {
  /**
   * Who is generating, as Pact's GeneratorTestMode: ProviderState generators run only for the
   * `provider` (the verifier), MockServerURL only for the `consumer` (the mock server); the others
   * run for both. Left out, each runs when its input (providerState, mockServerUrl) is there.
   */
  mode?: 'consumer' | 'provider';
  /** The running mock server's base URL, for MockServerURL. */
  mockServerUrl?: string;
  /**
   * Provider state values for ProviderState expressions: the states' params with the values their
   * setup returned laid over them.
   */
  providerState?: Record<string, unknown>;
  now?: Date;
  /** Told why a generator kept its example (e.g. a ProviderState key with no value). */
  onWarning?: (message: string) => void;
}

const hex = '0123456789abcdef';
const DIGITS = '0123456789';
const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomFrom(chars: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

function uuid(format: string | undefined): string {
  const h = randomFrom(hex, 32).split('');
  h[12] = '4';
  h[16] = hex[(parseInt(h[16] as string, 16) & 0x3) | 0x8] as string;
  const raw = h.join('');
  const hyphenated = `${raw.slice(0, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}-${raw.slice(16, 20)}-${raw.slice(20)}`;
  switch (format) {
    case 'simple':
      return raw;
    case 'upper-case-hyphenated':
      return hyphenated.toUpperCase();
    case 'URN':
      return `urn:uuid:${hyphenated}`;
    default:
      return hyphenated;
  }
}

/** Produces a value for one generator; `example` is kept where a generator cannot produce one. */
export function generateValue(
  g: Generator,
  example: JsonValue | undefined,
  ctx: GeneratorContext,
): JsonValue | undefined {
  switch (g.type) {
    case 'RandomInt': {
      const min = g.min ?? 0;
      const max = g.max ?? 2147483647;
      return min + Math.floor(Math.random() * (max - min + 1));
    }
    case 'RandomDecimal': {
      // `digits` digits in all, with a point among them; the last digit is never 0, so the number
      // always has a fraction (a whole number would not be a decimal).
      const digits = Math.max(g.digits ?? 6, 2);
      const before = 1 + Math.floor(Math.random() * (digits - 1));
      const whole =
        before === 1
          ? randomFrom(DIGITS, 1)
          : randomFrom(DIGITS.slice(1), 1) + randomFrom(DIGITS, before - 1);
      return Number(`${whole}.${randomFrom(DIGITS, digits - before - 1)}${randomFrom(DIGITS.slice(1), 1)}`);
    }
    case 'RandomHexadecimal':
      return randomFrom(hex, g.digits ?? 10);
    case 'RandomString':
      return randomFrom(alnum, g.size ?? 10);
    case 'RandomBoolean':
      return Math.random() < 0.5;
    case 'Uuid':
      return uuid(g.format);
    case 'Date':
      return formatDate(ctx.now ?? new Date(), g.format ?? 'yyyy-MM-dd');
    case 'Time':
      return formatDate(ctx.now ?? new Date(), g.format ?? 'HH:mm:ss');
    case 'DateTime':
      return g.format === undefined
        ? (ctx.now ?? new Date()).toISOString()
        : formatDate(ctx.now ?? new Date(), g.format);
    case 'MockServerURL': {
      if (ctx.mode === 'provider' || ctx.mockServerUrl === undefined) return example;
      const m = new RegExp(g.regex).exec(g.example);
      return m?.[1] === undefined ? example : `${ctx.mockServerUrl}${m[1]}`;
    }
    case 'ProviderState': {
      if (ctx.mode === 'consumer' || (ctx.mode === undefined && ctx.providerState === undefined))
        return example;
      const evaluated = evaluateExpression(g.expression, ctx.providerState ?? {});
      const converted = evaluated.ok ? convertDataType(evaluated.value, g.dataType) : evaluated;
      if (converted.ok) return converted.value;
      ctx.onWarning?.(
        `ProviderState generator '${g.expression}': ${converted.reason}; the example ${JSON.stringify(example)} is kept`,
      );
      return example;
    }
    case 'Regex': {
      const value = stringFromRegex(g.regex.replace(/^\^/, '').replace(/\$$/, ''));
      if (value !== undefined) return value;
      ctx.onWarning?.(`Regex generator: cannot write a string for /${g.regex}/; the example is kept`);
      return example;
    }
  }
}

function applyAt(
  value: JsonValue,
  tokens: PathToken[],
  depth: number,
  produce: (current: JsonValue) => JsonValue | undefined,
): JsonValue {
  if (depth === tokens.length) return produce(value) ?? value;
  const t = tokens[depth] as PathToken;
  if (Array.isArray(value)) {
    return value.map((v, i) =>
      t.kind === 'star' ||
      (t.kind === 'index' && t.index === i) ||
      (t.kind === 'field' && t.name === String(i))
        ? applyAt(v, tokens, depth + 1, produce)
        : v,
    );
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value))
      out[k] =
        t.kind === 'star' || (t.kind === 'field' && t.name === k)
          ? applyAt(v, tokens, depth + 1, produce)
          : v;
    return out;
  }
  return value;
}

/** Applies body generators to a JSON value, returning a new value. */
export function generateBody(
  value: JsonValue,
  generators: Generators['body'],
  ctx: GeneratorContext,
): JsonValue {
  let out = value;
  for (const [path, g] of Object.entries(generators ?? {}))
    out = applyAt(out, parsePathExpression(path), 0, (current) => generateValue(g, current, ctx));
  return out;
}
