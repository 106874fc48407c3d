import { TreatyError } from '../errors.js';
import type { Body, Generators, Headers, JsonObject, MatchingRules, Query } from '../contract/model.js';
import { extractMatching } from '../matchers/extract.js';
import { extractMulti, type MultiTemplate } from './template.js';

/** What request and response builders fill in. */
export interface PartState {
  headers: Headers;
  query: Query;
  body: Body | undefined;
  matchingRules: MatchingRules;
  generators: Generators;
}

export function emptyPart(): PartState {
  return { headers: {}, query: {}, body: undefined, matchingRules: {}, generators: {} };
}

function hasHeader(headers: Headers, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((k) => k.toLowerCase() === lower);
}

/** Adds headers (templates allowed) to a part. */
export function addHeaders(part: PartState, template: MultiTemplate, what: string): void {
  const { values, rules, generators } = extractMulti(template, what);
  Object.assign(part.headers, values);
  if (Object.keys(rules).length > 0) part.matchingRules.header = { ...part.matchingRules.header, ...rules };
  if (Object.keys(generators).length > 0)
    part.generators.header = { ...part.generators.header, ...generators };
}

/** Sets a JSON body from a template (matchers allowed anywhere). */
export function setJsonBody(part: PartState, template: unknown, contentType = 'application/json'): void {
  const { example, rules, generators } = extractMatching(template);
  part.body = { kind: 'json', value: example, contentType };
  if (Object.keys(rules).length > 0) part.matchingRules.body = rules;
  else delete part.matchingRules.body;
  if (Object.keys(generators).length > 0) part.generators.body = generators;
  else delete part.generators.body;
  if (!hasHeader(part.headers, 'content-type')) part.headers['Content-Type'] = [contentType];
}

/** Sets a text or binary body as given. */
export function setRawBody(
  part: PartState,
  contentType: string,
  data: string | Uint8Array,
  what: string,
): void {
  if (typeof contentType !== 'string' || contentType.trim() === '') {
    throw new TreatyError(
      'TREATY_DSL_INVALID',
      `${what}: give a content type such as 'text/plain', got ${JSON.stringify(contentType)}.`,
    );
  }
  if (typeof data === 'string') part.body = { kind: 'text', text: data, contentType };
  else if (data instanceof Uint8Array)
    part.body = { kind: 'binary', bytes: new Uint8Array(data), contentType };
  else
    throw new TreatyError(
      'TREATY_DSL_INVALID',
      `${what}: the body must be a string or bytes (Uint8Array/Buffer), got ${typeof data}.`,
    );
  if (!hasHeader(part.headers, 'content-type')) part.headers['Content-Type'] = [contentType];
}

/** Sets an application/x-www-form-urlencoded body from fields. */
export function setFormBody(part: PartState, fields: Record<string, string | string[]>, what: string): void {
  const { values } = extractMulti(fields, what);
  const text = Object.entries(values)
    .flatMap(([k, vs]) => vs.map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
    .join('&');
  setRawBody(part, 'application/x-www-form-urlencoded', text, what);
}

/** Checks a DSL call got a non-empty name (a description, a provider state, a key). */
export function requireName(value: unknown, call: string, what: string): void {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TreatyError(
      'TREATY_DSL_INVALID',
      `${call}: the ${what} must be a non-empty string, got ${JSON.stringify(value)}.`,
    );
}

/** Checks a plain value is JSON before it goes into a contract. */
export function jsonObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TreatyError('TREATY_DSL_INVALID', `${what}: expected an object, got ${JSON.stringify(value)}.`);
  }
  const { example } = extractMatching(value);
  return example as JsonObject;
}
