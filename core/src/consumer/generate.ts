import type { Generator, Generators, JsonValue } from '../contract/model.js';
import { parsePathExpression, type PathToken } from '../matching/path-expr.js';

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

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Formats a UTC instant with a Java DateTimeFormatter-style pattern (the common letters). */
export function formatDate(d: Date, pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      out += end === i + 1 ? "'" : pattern.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (c === '[' || c === ']') {
      i++;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    switch (c) {
      case 'y':
      case 'u':
      case 'Y':
        out += n === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), n);
        break;
      case 'M':
      case 'L':
        out += n >= 4 ? months[d.getUTCMonth()] : n === 3 ? (months[d.getUTCMonth()] as string).slice(0, 3) : pad(d.getUTCMonth() + 1, n);
        break;
      case 'd':
        out += pad(d.getUTCDate(), n);
        break;
      case 'H':
        out += pad(d.getUTCHours(), n);
        break;
      case 'h':
        out += pad(d.getUTCHours() % 12 || 12, n);
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), n);
        break;
      case 's':
        out += pad(d.getUTCSeconds(), n);
        break;
      case 'S':
        out += pad(d.getUTCMilliseconds(), 3).padEnd(n, '0').slice(0, n);
        break;
      case 'a':
        out += d.getUTCHours() < 12 ? 'AM' : 'PM';
        break;
      case 'E':
        out += n >= 4 ? days[d.getUTCDay()] : (days[d.getUTCDay()] as string).slice(0, 3);
        break;
      case 'X':
      case 'Z':
      case 'x':
        out += c === 'X' ? 'Z' : n >= 3 ? '+00:00' : '+0000';
        break;
      case 'z':
        out += 'UTC';
        break;
      default:
        out += c.repeat(n);
    }
  }
  return out;
}

/** Produces a value for one generator; `example` is kept where a generator cannot produce one. */
export function generateValue(g: Generator, example: JsonValue | undefined, ctx: GeneratorContext): JsonValue | undefined {
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
      return g.format === undefined ? (ctx.now ?? new Date()).toISOString() : formatDate(ctx.now ?? new Date(), g.format);
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

function applyAt(value: JsonValue, tokens: PathToken[], depth: number, produce: (current: JsonValue) => JsonValue | undefined): JsonValue {
  if (depth === tokens.length) return produce(value) ?? value;
  const t = tokens[depth] as PathToken;
  if (Array.isArray(value)) {
    return value.map((v, i) => (t.kind === 'star' || (t.kind === 'index' && t.index === i) || (t.kind === 'field' && t.name === String(i)) ? applyAt(v, tokens, depth + 1, produce) : v));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = t.kind === 'star' || (t.kind === 'field' && t.name === k) ? applyAt(v, tokens, depth + 1, produce) : v;
    return out;
  }
  return value;
}

/** Applies body generators to a JSON value, returning a new value. */
export function generateBody(value: JsonValue, generators: Generators['body'], ctx: GeneratorContext): JsonValue {
  let out = value;
  for (const [path, g] of Object.entries(generators ?? {})) out = applyAt(out, parsePathExpression(path), 0, (current) => generateValue(g, current, ctx));
  return out;
}
