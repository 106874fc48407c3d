import type { JsonValue } from '../contract/model.js';
import type { Mismatch } from '../matching/mismatch.js';
import type { Redactor } from './redact.js';
import type { InteractionResult } from './verify.js';

/** At most this many mismatches of one interaction are published; the rest are counted. */
const MAX_MISMATCHES = 20;
/** Longer expected and actual values (as JSON) are cut to this many characters. */
const MAX_VALUE = 1000;

/** A value as published: JSON-safe, secrets removed, long ones cut (a missing value is left out). */
function shown(value: unknown, redactor: Redactor): JsonValue | undefined {
  if (value === undefined) return undefined;
  const clean = redactor.value(value);
  const json = JSON.stringify(clean) ?? 'null';
  if (json.length <= MAX_VALUE) return JSON.parse(json) as JsonValue;
  return `${json.slice(0, MAX_VALUE)}…`;
}

/**
 * One mismatch in Pact's shape (`attribute`, `identifier`, `description`) with Treaty's `path`,
 * `expected` and `actual`. A header mismatch never carries the header's values: they may be
 * credentials, and the broker shows results to anyone who can read it.
 */
function publishedMismatch(m: Mismatch, redactor: Redactor): Record<string, JsonValue> {
  if (m.part === 'header') {
    const message = `${m.path} did not match (${m.rule}); header values are not published.`;
    return { attribute: m.part, identifier: m.path, path: m.path, description: message, message };
  }
  const message = redactor.text(m.message);
  const expected = shown(m.expected, redactor);
  const actual = shown(m.actual, redactor);
  return {
    attribute: m.part,
    identifier: m.path,
    path: m.path,
    description: message,
    message,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
  };
}

/**
 * One entry of the `testResults` a verification result carries, in Pact's shape:
 * `{ interactionId, interactionDescription, success, mismatches?, exceptions? }`.
 * @example testResult(result, 'a1b2…', redactor) // { interactionId: 'a1b2…', success: true, … }
 */
export function testResult(
  r: InteractionResult,
  interactionId: string,
  redactor: Redactor,
): Record<string, JsonValue> {
  const mismatches = r.mismatches.slice(0, MAX_MISMATCHES).map((m) => publishedMismatch(m, redactor));
  const exceptions =
    r.error === undefined
      ? []
      : [{ message: redactor.text(r.error), ...(r.errorCode === undefined ? {} : { code: r.errorCode }) }];
  return {
    interactionId,
    interactionDescription: r.description,
    success: r.status === 'passed',
    ...(mismatches.length === 0 ? {} : { mismatches }),
    ...(r.mismatches.length > MAX_MISMATCHES
      ? { mismatchesOmitted: r.mismatches.length - MAX_MISMATCHES }
      : {}),
    ...(exceptions.length === 0 ? {} : { exceptions }),
  };
}
