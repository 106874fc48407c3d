import { TreatyError } from '../errors.js';
import type { JsonObject } from './model.js';

/** How an unexpected value is described in an error: `42`, `a string`, `an array`, … */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > 40
        ? `the string ${JSON.stringify(value.slice(0, 40))}…`
        : `the string ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** Throws TREATY_CONTRACT_INVALID for `path`: "<path>: expected <what>, got <value>". */
export function invalid(path: string, what: string, value: unknown): never {
  throw new TreatyError(
    'TREATY_CONTRACT_INVALID',
    `${path}: expected ${what}, got ${describeValue(value)}.`,
    { path },
  );
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string, what = 'an object'): JsonObject {
  if (!isObject(value)) invalid(path, what, value);
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') invalid(path, 'a string', value);
  return value;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : expectString(value, path);
}

export function expectNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(path, 'a number', value);
  return value;
}

export function optionalNumber(value: unknown, path: string): number | undefined {
  return value === undefined || value === null ? undefined : expectNumber(value, path);
}

/**
 * `path` + `.key`, `[index]`, or `['key']` when the key is not a plain identifier — the JSON path
 * form Pact uses for rule paths, and Treaty for error and mismatch locations.
 */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
    ? `${path}.${key}`
    : `${path}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}
