import { createHash } from 'node:crypto';
import { mismatchLine } from '@treaty/core';

/**
 * What verifiers report per interaction (`testResults` in a verification result), read from Pact's
 * shape (pact-verifier: `{interactionId, interactionDescription, success, mismatches: [{attribute,
 * identifier, description}], exceptions: [{message}]}`) and Treaty's (mismatches with `path`,
 * `expected`, `actual`, `message`), and kept within a size the broker can store and show.
 */

/** One mismatch as the broker shows it. */
interface ReportedMismatch {
  /** Where, from the root of the request or response: `$.body.quantity`, `$.header.Accept`, `$.status`. */
  path: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
}

/** One interaction's result as a verifier reported it. */
export interface ReportedInteraction {
  interactionId?: string;
  description?: string;
  success: boolean;
  mismatches: ReportedMismatch[];
  /** Why it could not be verified at all (the provider did not answer, a state change failed). */
  exceptions: string[];
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/**
 * The path of a mismatch from the root of the request or response, whichever verifier sent it:
 * pact-verifier names a body path from the body (`$.quantity`) and a header by its name.
 * @example mismatchPath({ attribute: 'body', identifier: '$.quantity' }) // '$.body.quantity'
 */
export function mismatchPath(m: Record<string, unknown>): string {
  const path = text(m.path);
  if (path !== undefined) return path;
  const attribute = text(m.attribute);
  const identifier = text(m.identifier);
  if (attribute === undefined) return identifier ?? '$';
  if (identifier === undefined || identifier === '$') return `$.${attribute}`;
  if (identifier.startsWith(`$.${attribute}`)) return identifier;
  if (identifier.startsWith('$')) return `$.${attribute}${identifier.slice(1)}`;
  return `$.${attribute}.${identifier}`;
}

/**
 * The interactions of a verification result's `testResults`, failed ones first, as the broker shows
 * them; anything that is not a result entry is left out.
 */
export function readTestResults(testResults: unknown): ReportedInteraction[] {
  if (!Array.isArray(testResults)) return [];
  const out: ReportedInteraction[] = [];
  for (const raw of testResults) {
    const entry = record(raw);
    if (entry === undefined) continue;
    const mismatches = (Array.isArray(entry.mismatches) ? entry.mismatches : [])
      .map(record)
      .filter((m): m is Record<string, unknown> => m !== undefined)
      .map((m) => ({
        path: mismatchPath(m),
        message: text(m.message) ?? text(m.description) ?? 'did not match',
        ...('expected' in m ? { expected: m.expected } : {}),
        ...('actual' in m ? { actual: m.actual } : {}),
      }));
    const exceptions = (Array.isArray(entry.exceptions) ? entry.exceptions : [])
      .map((e) => text(record(e)?.message) ?? text(e))
      .filter((e): e is string => e !== undefined);
    const interactionId = text(entry.interactionId);
    const description = text(entry.interactionDescription) ?? text(entry.description);
    out.push({
      ...(interactionId === undefined ? {} : { interactionId }),
      ...(description === undefined ? {} : { description }),
      success: entry.success === true,
      mismatches,
      exceptions,
    });
  }
  return [...out.filter((r) => !r.success), ...out.filter((r) => r.success)];
}

/** What can-i-deploy says about a failed verification: the first failing interaction and why. */
export interface FirstFailure {
  /** The interaction's description, else its id. */
  interaction: string;
  interactionId?: string;
  mismatch?: { path: string; message: string };
  /** Why it could not be verified, when it was not a mismatch. */
  exception?: string;
  /** How many interactions failed in all. */
  failedInteractions: number;
}

/**
 * The first failing interaction of a result's `testResults`, or undefined when the verifier named none.
 * @example firstFailure([{ interactionDescription: 'a', success: false }])?.interaction // 'a'
 */
export function firstFailure(testResults: unknown): FirstFailure | undefined {
  const failed = readTestResults(testResults).filter((r) => !r.success);
  const first = failed[0];
  if (first === undefined) return undefined;
  const m = first.mismatches[0];
  const exception = first.exceptions[0];
  return {
    interaction: first.description ?? first.interactionId ?? 'an interaction',
    ...(first.interactionId === undefined ? {} : { interactionId: first.interactionId }),
    ...(m === undefined ? {} : { mismatch: { path: m.path, message: m.message } }),
    ...(m !== undefined || exception === undefined ? {} : { exception }),
    failedInteractions: failed.length,
  };
}

/** A failure in one line: `'a request for order 1': $.body.quantity: expected an integer…`. */
export function failureInWords(f: FirstFailure): string {
  const why =
    f.mismatch !== undefined
      ? mismatchLine(f.mismatch.path, f.mismatch.message)
      : (f.exception ?? 'no mismatch was reported');
  const more = f.failedInteractions > 1 ? ` (and ${f.failedInteractions - 1} more failing)` : '';
  return `'${f.interaction}' failed at ${why}${more}`;
}

/** How many characters one string field keeps once results are cut down. */
const FIELD = 500;
/** How many mismatches (and exceptions) one interaction keeps once results are cut down. */
const PER_INTERACTION = 5;

function cut(v: unknown): unknown {
  if (typeof v === 'string') return v.length > FIELD ? `${v.slice(0, FIELD)}…` : v;
  if (v === null || typeof v !== 'object') return v;
  const json = JSON.stringify(v);
  return json.length > FIELD ? `${json.slice(0, FIELD)}…` : v;
}

function slim(raw: unknown): Record<string, unknown> | undefined {
  const entry = record(raw);
  if (entry === undefined) return undefined;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const mismatches = list(entry.mismatches);
  const exceptions = list(entry.exceptions);
  const keep = (v: unknown) => {
    const r = record(v);
    return r === undefined ? cut(v) : Object.fromEntries(Object.entries(r).map(([k, x]) => [k, cut(x)]));
  };
  return {
    ...('interactionId' in entry ? { interactionId: cut(entry.interactionId) } : {}),
    ...('interactionDescription' in entry
      ? { interactionDescription: cut(entry.interactionDescription) }
      : {}),
    success: entry.success === true,
    ...(mismatches.length === 0 ? {} : { mismatches: mismatches.slice(0, PER_INTERACTION).map(keep) }),
    ...(exceptions.length === 0 ? {} : { exceptions: exceptions.slice(0, PER_INTERACTION).map(keep) }),
    ...(mismatches.length > PER_INTERACTION
      ? { mismatchesOmitted: mismatches.length - PER_INTERACTION }
      : {}),
  };
}

/**
 * `testResults` as stored: the JSON as sent when it fits in `maxChars`; otherwise (Pact's array) each
 * interaction's id, description, success and first mismatches, long values cut, as many interactions
 * as fit; `dropped` counts the interactions left out. Something too large that is not an array is
 * not kept at all.
 * @example boundTestResults([{ interactionId: 'a', success: true }], 1024).truncated // false
 */
export function boundTestResults(
  value: unknown,
  maxChars: number,
): { json?: string; truncated: boolean; dropped: number } {
  const json = JSON.stringify(value);
  if (json.length <= maxChars) return { json, truncated: false, dropped: 0 };
  if (!Array.isArray(value)) return { truncated: true, dropped: 0 };
  const kept: string[] = [];
  let size = 2;
  for (const raw of value) {
    const s = slim(raw);
    if (s === undefined) continue;
    const piece = JSON.stringify(s);
    if (size + piece.length + 1 > maxChars) break;
    kept.push(piece);
    size += piece.length + 1;
  }
  return { json: `[${kept.join(',')}]`, truncated: true, dropped: value.length - kept.length };
}

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  const r = record(v);
  if (r === undefined) return v;
  return Object.fromEntries(
    Object.keys(r)
      .sort()
      .map((k) => [k, sortedKeys(r[k])]),
  );
}

/**
 * The id the broker gives an interaction, as the Pact Broker does: SHA-1 of the interaction with its
 * keys sorted, without any earlier `_id`. Verifiers send it back as `testResults[].interactionId`.
 * @example interactionId({ description: 'a request' }) // 40 hex digits
 */
export function interactionId(interaction: unknown): string {
  const r = record(interaction);
  const { _id: _ignored, ...rest } = r ?? {};
  return createHash('sha1')
    .update(JSON.stringify(sortedKeys(r === undefined ? interaction : rest)))
    .digest('hex');
}

/** A pact document with an `_id` first in every interaction and message that has none. */
export function withInteractionIds(content: Record<string, unknown>): Record<string, unknown> {
  const out = { ...content };
  for (const key of ['interactions', 'messages'] as const) {
    const list = content[key];
    if (!Array.isArray(list)) continue;
    out[key] = list.map((i) => {
      const r = record(i);
      return r === undefined || typeof r._id === 'string' ? i : { _id: interactionId(r), ...r };
    });
  }
  return out;
}
