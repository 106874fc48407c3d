import { TreatyError, checkJsonTextDepth } from '@treaty/core';
import { LIMITS } from '../limits.js';
import { atRoot } from './root.js';

/** Largest accepted request body in bytes: the option given, or 10 MiB. */
export function bodyLimit(options: { bodyLimit?: number }): number {
  return options.bodyLimit ?? 10 * 1024 * 1024;
}

const bad = (message: string): TreatyError => new TreatyError('TREATY_BROKER_BAD_REQUEST', message);

/** Refuses keys that would reach an object's prototype when code copies the parsed value. */
function noPrototypeKeys(key: string, value: unknown): unknown {
  if (
    key === '__proto__' ||
    (key === 'constructor' &&
      typeof value === 'object' &&
      value !== null &&
      Object.hasOwn(value, 'prototype'))
  )
    throw bad(`The request body has a '${key}' key, which the broker does not accept.`);
  return value;
}

/**
 * Parses a JSON request body: refuses nesting deeper than LIMITS.jsonDepth and `__proto__` /
 * `constructor.prototype` keys (the reviver, slower, runs only when the text could hold one).
 */
function parseJsonBody(text: string): unknown {
  if (text === '') return undefined;
  checkJsonTextDepth(text, LIMITS.jsonDepth);
  try {
    return /__proto__|constructor|\\u/.test(text) ? JSON.parse(text, noPrototypeKeys) : JSON.parse(text);
  } catch (error) {
    if (error instanceof TreatyError) throw error;
    throw bad(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
}

/**
 * The body of a request that takes a JSON object: an absent body is `{}`; JSON `null`, an array, a
 * string or a number is refused with TREATY_BROKER_BAD_REQUEST.
 * @example const body = objectBody(req.body, '{ "success": true, "providerApplicationVersion": "1.0" }')
 */
export function objectBody(body: unknown, expected: string): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad(`Send a JSON object: ${expected}.`);
  return body as Record<string, unknown>;
}

/**
 * A field sent as strict Base64 (standard alphabet, padded), decoded as UTF-8; anything else is
 * refused with TREATY_BROKER_BAD_REQUEST naming the field.
 * @example const text = decodeBase64(contract.content, 'contract.content', 'the OpenAPI document')
 */
export function decodeBase64(value: unknown, what: string, of = 'the content'): string {
  if (typeof value !== 'string' || value === '') throw bad(`${what} must be ${of} in Base64.`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
    throw bad(`${what} must be strict Base64 of ${of}.`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/** Pact clients send JSON as application/json, HAL, or merge-patch; nothing else is read. */
export const body = atRoot(async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/hal+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (_req, text, done) => {
      try {
        done(null, parseJsonBody(text as string));
      } catch (error) {
        done(error as TreatyError, undefined);
      }
    },
  );
});
