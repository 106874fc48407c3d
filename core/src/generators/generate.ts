import type { Generator, Generators, JsonValue } from '../contract/model.js';
import { parsePathExpression, type PathToken } from '../contract/path-expr.js';
import { formatInstant } from '../matchers/date-example.js';

function formatDate(d: Date, pattern: string): string {
  return formatInstant(d, pattern) ?? d.toISOString();
}

/** What generators may draw on when producing values. */
export interface GeneratorContext {
  /** The running mock server's base URL, for MockServerURL. */
  mockServerUrl?: string;
  /** Values returned by provider-state setup, for ProviderState expressions. */
  providerState?: Record<string, unknown>;
  now?: Date;
}

const hex = '0123456789abcdef';
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
      const digits = Math.max(g.digits ?? 6, 2);
      const text = `${1 + Math.floor(Math.random() * 9)}${randomFrom('0123456789', digits - 2)}`;
      const point = 1 + Math.floor(Math.random() * (digits - 1));
      return Number(`${text.slice(0, point)}.${text.slice(point)}1`.slice(0, digits + 1));
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
      if (ctx.mockServerUrl === undefined) return example;
      const m = new RegExp(g.regex).exec(g.example);
      return m?.[1] === undefined ? example : `${ctx.mockServerUrl}${m[1]}`;
    }
    case 'ProviderState': {
      if (ctx.providerState === undefined) return example;
      const state = ctx.providerState;
      const whole = /^\$\{([^}]+)\}$/.exec(g.expression);
      if (whole?.[1] !== undefined && state[whole[1]] !== undefined) return state[whole[1]] as JsonValue;
      return g.expression.replace(/\$\{([^}]+)\}/g, (_, k: string) => String(state[k] ?? ''));
    }
    case 'Regex':
      return example;
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
