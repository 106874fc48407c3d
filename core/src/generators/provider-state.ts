import type { JsonValue } from '../contract/model.js';

/** The result of a ProviderState expression: a value, or why none could be made (the example then stays). */
export type StateValue = { ok: true; value: JsonValue } | { ok: false; reason: string };

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v ?? null);
}

/**
 * Evaluates a ProviderState generator's expression over the provider state values, as Pact's core
 * does (pact_models generate_value_from_context): an expression with `${key}` placeholders has each
 * replaced (one placeholder alone keeps the value's JSON type); a bare expression is a key lookup.
 * A missing key is a failure, never an empty string.
 */
export function evaluateExpression(expression: string, values: Record<string, unknown>): StateValue {
  if (!expression.includes('${')) {
    return Object.hasOwn(values, expression) && values[expression] !== undefined
      ? { ok: true, value: values[expression] as JsonValue }
      : { ok: false, reason: `no provider state value '${expression}'` };
  }
  const parts: unknown[] = [];
  let rest = expression;
  for (let start = rest.indexOf('${'); start >= 0; start = rest.indexOf('${')) {
    if (start > 0) parts.push(rest.slice(0, start));
    const end = rest.indexOf('}', start);
    if (end < 0) return { ok: false, reason: `missing closing brace in '${expression}'` };
    const key = rest.slice(start + 2, end);
    if (key !== '') {
      if (!Object.hasOwn(values, key) || values[key] === undefined)
        return { ok: false, reason: `no provider state value '${key}' for '${expression}'` };
      parts.push(values[key]);
    }
    rest = rest.slice(end + 1);
  }
  if (rest !== '') parts.push(rest);
  if (parts.length === 1) return { ok: true, value: parts[0] as JsonValue };
  return { ok: true, value: parts.map(text).join('') };
}

/**
 * Converts a value to a generator's `dataType` as Pact's core does (DataValue::as_json): INTEGER,
 * DECIMAL/FLOAT, BOOLEAN, STRING; RAW (or none) keeps the value as it is.
 */
export function convertDataType(value: JsonValue, dataType: string | undefined): StateValue {
  const type = dataType?.toUpperCase();
  const fail = (what: string): StateValue => ({
    ok: false,
    reason: `${what} can not be made from ${JSON.stringify(value)}`,
  });
  switch (type) {
    case 'STRING':
      return { ok: true, value: text(value) };
    case 'INTEGER':
      if (value === null) return { ok: true, value: 0 };
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      if (typeof value === 'number') return { ok: true, value: Math.trunc(value) };
      if (typeof value === 'string' && /^\+?\d+$/.test(value)) return { ok: true, value: Number(value) };
      return fail('an integer');
    case 'DECIMAL':
    case 'FLOAT':
      if (value === null) return { ok: true, value: 0 };
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      if (typeof value === 'number') return { ok: true, value };
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        return { ok: true, value: Number(value) };
      return fail('a decimal number');
    case 'BOOLEAN':
      if (value === null) return { ok: true, value: false };
      if (typeof value === 'boolean') return { ok: true, value };
      if (typeof value === 'number') return { ok: true, value: value > 0 };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return fail('a boolean');
    default:
      return { ok: true, value };
  }
}
