import { readFileSync } from 'node:fs';
import { referenceDir } from '../../support/reference.js';

// The interactions of a feature's "the following HTTP interactions have been defined" table, read
// as the reference implementation's shared steps read them (setup_common_interactions, setup_body).

const suite = referenceDir('pact-compatibility-suite');

/** A fixture of the compatibility suite, as bytes. */
export function fixture(name: string): Buffer {
  return readFileSync(`${suite}fixtures/${name}`);
}

/** A body with its content type. */
export interface BodySpec {
  contentType: string;
  bytes: Buffer;
}

/** Rules as the fixtures write them: V2 paths (`$.body.one`, `$.header.x-test`) to a rule object. */
export type RawRules = Record<string, Record<string, unknown>>;

export interface InteractionRow {
  n: number;
  method: string;
  path: string;
  query: string;
  headers: Array<[string, string]>;
  body: BodySpec | undefined;
  rules: RawRules | undefined;
  status: number;
  responseHeaders: Array<[string, string]>;
  responseBody: BodySpec | undefined;
  responseRules: RawRules | undefined;
}

/** `'X-TEST: Compatibility', 'A: 1'` → name/value pairs. */
export function parseHeaderCell(cell: string): Array<[string, string]> {
  if (cell.trim() === '') return [];
  return cell.split(',').map((part) => {
    const text = part.trim().replace(/^'/, '').replace(/'$/, '');
    const i = text.indexOf(':');
    return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
  });
}

function elementText(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml);
  if (m === null) return undefined;
  const inner = (m[2] ?? '').trim();
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(inner);
  const text = (cdata === null ? inner : (cdata[1] ?? '')).trim();
  return /eol="CRLF"/.test(m[1] ?? '') ? text.replace(/\r?\n/g, '\r\n') : text;
}

function typeOfFile(name: string, current: string | undefined): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.xml')) return 'application/xml';
  if (name.endsWith('.jpg')) return 'image/jpeg';
  if (name.endsWith('.pdf')) return 'application/pdf';
  return current ?? 'text/plain';
}

/**
 * A body cell: `JSON: …`, `XML: …`, `file: x-body.xml` (a fixture naming its content type and
 * contents), `file: other` (the fixture's bytes, typed by extension), `EMPTY`, or plain text.
 */
export function parseBodyCell(cell: string, current?: string): BodySpec | undefined {
  if (cell === '') return undefined;
  if (cell.startsWith('JSON:'))
    return { contentType: 'application/json', bytes: Buffer.from(cell.slice(5).trim()) };
  if (cell.startsWith('XML:'))
    return { contentType: 'application/xml', bytes: Buffer.from(cell.slice(4).trim()) };
  if (cell.startsWith('file:')) {
    const name = cell.slice(5).trim();
    if (name.endsWith('-body.xml')) {
      const xml = fixture(name).toString('utf8');
      return {
        contentType: elementText(xml, 'contentType') ?? 'text/plain',
        bytes: Buffer.from(elementText(xml, 'contents') ?? ''),
      };
    }
    return { contentType: typeOfFile(name, current), bytes: fixture(name) };
  }
  return { contentType: current ?? 'text/plain', bytes: Buffer.from(cell === 'EMPTY' ? '' : cell) };
}

function rulesCell(cell: string | undefined): RawRules | undefined {
  if (cell === undefined || cell === '') return undefined;
  const text = cell.startsWith('JSON:') ? cell.slice(5) : fixture(cell).toString('utf8');
  return JSON.parse(text) as RawRules;
}

/** The rows of the interactions table, numbered from 1 as the scenarios name them. */
export function readInteractions(table: Array<Record<string, string>>): InteractionRow[] {
  return table.map((row, i) => ({
    n: Number(row.No ?? i + 1),
    method: row.method || 'GET',
    path: row.path || '/',
    query: row.query ?? '',
    headers: parseHeaderCell(row.headers ?? ''),
    body: parseBodyCell(row.body ?? ''),
    rules: rulesCell(row['matching rules']),
    status: Number(row.response || 200),
    responseHeaders: parseHeaderCell(row['response headers'] ?? ''),
    responseBody: parseBodyCell(row['response body'] ?? ''),
    responseRules: rulesCell(row['response matching rules']),
  }));
}

/** `a=1&b=2&a=3` → `{ a: ['1', '3'], b: ['2'] }`, in order. */
export function parseQuery(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) out[k] = [...(out[k] ?? []), v];
  return out;
}

/** True for content types whose bodies are JSON documents. */
export function isJson(contentType: string): boolean {
  return /^application\/(.+\+)?json/i.test(contentType);
}

/** True for content types whose bodies are text. */
export function isText(contentType: string): boolean {
  return (
    /^text\//i.test(contentType) ||
    isJson(contentType) ||
    /xml|x-www-form-urlencoded|multipart\//i.test(contentType)
  );
}
