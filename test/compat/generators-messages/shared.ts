import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { JsonObject, JsonValue } from '@treaty/core';
import { suite } from './runner.js';

/** A fixture's bytes. */
function fixture(name: string): Buffer {
  return readFileSync(`${suite}fixtures/${name.trim()}`);
}

/** A fixture read as JSON. */
export function fixtureJson(name: string): JsonValue {
  return JSON.parse(fixture(name).toString('utf8')) as JsonValue;
}

/** A table cell that is `JSON: …` or a fixture name, read as JSON. */
export function jsonCell(cell: string): JsonValue {
  return cell.startsWith('JSON:') ? (JSON.parse(cell.slice(5).trim()) as JsonValue) : fixtureJson(cell);
}

/** A metadata value cell: `JSON: …` is JSON, anything else a string. */
export function metadataValue(cell: string): JsonValue {
  return cell.startsWith('JSON:') ? (JSON.parse(cell.slice(5).trim()) as JsonValue) : cell;
}

/** A body as the suite's steps set it up (setup_body): its bytes, content type and, for JSON, value. */
export interface SuiteBody {
  contentType: string;
  bytes: Uint8Array;
  json?: JsonValue;
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.xml')) return 'application/xml';
  if (name.endsWith('.jpg')) return 'image/jpeg';
  if (name.endsWith('.pdf')) return 'application/pdf';
  return 'text/plain';
}

/**
 * `JSON: …`, `XML: …`, `file: x.json` (any fixture), `file: x-body.xml` (a fixture that holds a
 * content type and contents; `encoding="base64"` contents are decoded) or plain text.
 */
export function suiteBody(cell: string): SuiteBody {
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
  if (cell.startsWith('JSON:')) {
    const text = cell.slice(5).trim();
    return { contentType: 'application/json', bytes: utf8(text), json: JSON.parse(text) as JsonValue };
  }
  if (cell.startsWith('XML:')) return { contentType: 'application/xml', bytes: utf8(cell.slice(4).trim()) };
  if (cell.startsWith('file:')) {
    const name = cell.slice(5).trim();
    if (name.endsWith('-body.xml')) {
      const xml = fixture(name).toString('utf8');
      const contentType = /<contentType>([^<]*)<\/contentType>/.exec(xml)?.[1]?.trim() ?? 'text/plain';
      const m = /<contents([^>]*)>\s*(?:<!\[CDATA\[([\s\S]*?)\]\]>)?\s*<\/contents>/.exec(xml);
      const text = (m?.[2] ?? '').trim();
      const bytes = /encoding="base64"/.test(m?.[1] ?? '')
        ? new Uint8Array(Buffer.from(text, 'base64'))
        : utf8(text);
      return { contentType, bytes };
    }
    const bytes = new Uint8Array(fixture(name));
    const contentType = contentTypeOf(name);
    return contentType === 'application/json'
      ? { contentType, bytes, json: JSON.parse(Buffer.from(bytes).toString('utf8')) as JsonValue }
      : { contentType, bytes };
  }
  return { contentType: 'text/plain', bytes: utf8(cell) };
}

/** The value at a simple JSON path (`$.a.b`, `$['a']`, `$[0]`). */
export function valueAt(value: unknown, path: string): unknown {
  const tokens = [...path.replace(/^\$/, '').matchAll(/\.([^.[\]]+)|\[['"]?([^'"\]]+)['"]?\]/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
  let current: unknown = value;
  for (const t of tokens) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[t];
  }
  return current;
}

/** Pact's json_to_string: a string as it is, anything else as JSON. */
export function jsonToString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const uuidHex = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

// The shapes the suite's assert_value_type checks; anchored here, so a value must be only that.
const valueTypes: Record<string, RegExp> = {
  integer: /^-?\d+$/,
  'decimal number': /^-?\d+\.\d+$/,
  'hexadecimal number': /^[a-fA-F0-9]+$/,
  'string from the regex': /^\d{1,8}$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}:\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,9}/,
  UUID: new RegExp(`^${uuidHex}$`, 'i'),
  'simple UUID': /^[0-9a-f]{32}$/,
  'lower-case-hyphenated UUID': new RegExp(`^${uuidHex}$`),
  'upper-case-hyphenated UUID': new RegExp(`^${uuidHex.replaceAll('a-f', 'A-F')}$`),
  'URN UUID': new RegExp(`^urn:uuid:${uuidHex}$`),
  boolean: /^(true|false)$/,
};

/** Asserts a generated value has the named shape (and, for "random string", is a string). */
function expectValueType(type: string, value: unknown): void {
  if (type === 'random string') {
    expect(typeof value, `a random string, got ${JSON.stringify(value)}`).toBe('string');
    return;
  }
  const shape = valueTypes[type];
  if (shape === undefined) throw new Error(`unknown value type '${type}'`);
  if (type === 'string from the regex') expect(typeof value).toBe('string');
  expect(jsonToString(value), `a ${type}`).toMatch(shape);
}

/** Asserts a value was replaced by a generator: different from the original, and of the named shape. */
export function expectReplaced(original: unknown, generated: unknown, type: string): void {
  expect(generated, `the original ${JSON.stringify(original)} should have been replaced`).not.toEqual(
    original,
  );
  expectValueType(type, generated);
}

/** A suite body as a V4 body object: JSON as a value, anything else as base64. */
export function v4Body(body: SuiteBody): JsonObject {
  return body.json === undefined
    ? {
        content: Buffer.from(body.bytes).toString('base64'),
        contentType: body.contentType,
        encoded: 'base64',
      }
    : { content: body.json, contentType: body.contentType, encoded: false };
}
