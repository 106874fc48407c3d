import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { OpenAPIV3, OpenAPIV3_1 } from 'openapi-types';
import type { Document } from 'yaml';
import { TreatyError, isTreatyError } from '../errors.js';
import type { JsonObject, JsonValue } from '../contract/model.js';
import { checkJsonValueDepth } from '../contract/json.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, send } from '../provider/http-client.js';
import { pointerSegment } from './findings.js';

/** An OpenAPI document: a file path, an http(s) URL, or the parsed document. */
export type OpenApiSource = string | OpenAPIV3.Document | OpenAPIV3_1.Document;

/** Options of {@link loadOpenApi}. */
export interface LoadOpenApiOptions {
  /** Where relative file paths start (default: the current directory). */
  cwd?: string;
  /** The deadline of fetching a document by URL (default 30,000 ms). */
  timeoutMs?: number;
  /** The most bytes read of a document (default 50 MiB). */
  maxBytes?: number;
}

/** A loaded document, bundled (file-relative `$ref`s brought in), checked, with where it came from. */
export interface LoadedOpenApi {
  document: JsonObject;
  version: '3.0' | '3.1';
  /** The file, URL or `(document)` it was read from, for messages. */
  source: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** True for a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a local JSON pointer (`#/components/schemas/Pet` or `/components/…`), or undefined. */
export function atPointer(document: JsonValue, ref: string): JsonValue | undefined {
  const body = ref.startsWith('#') ? ref.slice(1) : ref;
  if (body === '') return document;
  let at: JsonValue | undefined = document;
  for (const raw of body.slice(1).split('/')) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) at = at[Number(seg)];
    else if (isObject(at) && Object.hasOwn(at, seg)) at = at[seg];
    else return undefined;
  }
  return at;
}

/** Reads the text, from a file or a URL, within the limits. */
async function readSource(
  source: string,
  options: LoadOpenApiOptions,
): Promise<{ text: string; at: string }> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (/^https?:\/\//i.test(source)) {
    let res: Awaited<ReturnType<typeof send>>;
    try {
      res = await send(source, {
        method: 'GET',
        headers: { Accept: 'application/yaml, application/json;q=0.9, */*;q=0.5' },
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBytes,
      });
    } catch (error) {
      throw new TreatyError(
        isTreatyError(error) ? error.code : 'TREATY_VERIFY_SOURCE',
        `Cannot fetch the OpenAPI document at ${source}: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    if (res.status < 200 || res.status > 299)
      throw new TreatyError(
        'TREATY_VERIFY_SOURCE',
        `Fetching the OpenAPI document at ${source} answered ${res.status}; check the URL.`,
      );
    return { text: new TextDecoder().decode(res.body), at: source };
  }
  const file = resolve(options.cwd ?? process.cwd(), source);
  const info = await stat(file).catch((error: unknown) => {
    throw new TreatyError(
      'TREATY_VERIFY_SOURCE',
      `Cannot read the OpenAPI document '${source}': no such file.`,
      { cause: error },
    );
  });
  if (!info.isFile())
    throw new TreatyError('TREATY_VERIFY_SOURCE', `The OpenAPI document '${source}' is not a file.`);
  if (info.size > maxBytes)
    throw new TreatyError(
      'TREATY_VERIFY_TOO_LARGE',
      `The OpenAPI document ${file} is ${info.size} bytes, more than the limit of ${maxBytes}.`,
    );
  return { text: await readFile(file, 'utf8'), at: file };
}

/** Where a JSON pointer is in the YAML or JSON text, as ` (line 12, column 5)`, when known. */
type Locator = (segments: string[]) => string;

// The YAML parser loads with the first document read, not with @treaty/core: most programs that
// import core never read one.
let yaml: Promise<typeof import('yaml')> | undefined;

async function parseText(text: string, source: string): Promise<{ value: JsonValue; locate: Locator }> {
  yaml ??= import('yaml');
  const { LineCounter, parseDocument } = await yaml;
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: true });
  } catch (error) {
    throw new TreatyError(
      'TREATY_OPENAPI_INVALID',
      `${source} is not YAML or JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    throw new TreatyError(
      'TREATY_OPENAPI_INVALID',
      `${source}${pos === undefined ? '' : ` (line ${pos.line}, column ${pos.col})`} is not YAML or JSON: ${yamlReason(first.message)}`,
    );
  }
  let value: JsonValue;
  try {
    value = doc.toJS({ maxAliasCount: 1000 }) as JsonValue;
  } catch (error) {
    throw new TreatyError('TREATY_OPENAPI_INVALID', `${source} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const locate: Locator = (segments) => {
    const node = doc.getIn(segments, true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    if (start === undefined) return '';
    const pos = lines.linePos(start);
    return ` (line ${pos.line}, column ${pos.col})`;
  };
  return { value, locate };
}

/** The first line of a YAML error, without the position it repeats. */
function yamlReason(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

function hasExternalRef(value: JsonValue): boolean {
  const stack: JsonValue[] = [value];
  while (stack.length > 0) {
    const v = stack.pop() as JsonValue;
    if (Array.isArray(v)) stack.push(...v);
    else if (isObject(v)) {
      if (typeof v.$ref === 'string' && !v.$ref.startsWith('#')) return true;
      stack.push(...Object.values(v));
    }
  }
  return false;
}

/**
 * Reads an OpenAPI 3.0 or 3.1 document (YAML or JSON; a file, an http(s) URL or a parsed object),
 * brings in the file-relative `$ref`s, and checks that it is OpenAPI in the parts a check reads.
 * Throws TREATY_OPENAPI_INVALID naming the location of the first fault.
 * @example const { document } = await loadOpenApi('./openapi.yaml')
 */
export async function loadOpenApi(
  source: OpenApiSource,
  options: LoadOpenApiOptions = {},
): Promise<LoadedOpenApi> {
  let value: JsonValue;
  let at: string;
  let locate: Locator = () => '';
  if (typeof source === 'string') {
    const read = await readSource(source, options);
    at = read.at;
    ({ value, locate } = await parseText(read.text, at));
  } else {
    at = '(document)';
    // A copy: the caller's object is not changed, and what is not JSON is dropped.
    value = JSON.parse(JSON.stringify(source)) as JsonValue;
  }
  return finishLoading(value, at, locate, /^https?:\/\//i.test(at), options);
}

/**
 * Reads an OpenAPI document given as text (YAML or JSON), e.g. one a broker stores; `name` says
 * where it came from in messages. `$ref`s to other files are refused: nothing is read from disk.
 * @example const { document } = await loadOpenApiText(yamlText, 'orders 1.2.0')
 */
export async function loadOpenApiText(text: string, name: string): Promise<LoadedOpenApi> {
  const { value, locate } = await parseText(text, name);
  return finishLoading(value, name, locate, true, {});
}

async function finishLoading(
  parsed: JsonValue,
  at: string,
  locate: Locator,
  singleFile: boolean,
  options: LoadOpenApiOptions,
): Promise<LoadedOpenApi> {
  let value = parsed;
  try {
    checkJsonValueDepth(value);
  } catch (error) {
    throw new TreatyError('TREATY_OPENAPI_INVALID', `${at}: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(value))
    throw new TreatyError('TREATY_OPENAPI_INVALID', `${at} is not an OpenAPI document: it is not an object.`);
  if (hasExternalRef(value)) {
    if (singleFile)
      throw new TreatyError(
        'TREATY_OPENAPI_INVALID',
        `${at} has $refs to other files; a document fetched by URL or stored by a broker must be bundled into one file (e.g. with \`redocly bundle\`).`,
      );
    try {
      const base = at === '(document)' ? resolve(options.cwd ?? process.cwd(), 'openapi.json') : at;
      const { $RefParser } = await import('@apidevtools/json-schema-ref-parser');
      value = (await new $RefParser().bundle(base, value, {
        resolve: { external: true, http: false },
      })) as unknown as JsonValue;
    } catch (error) {
      throw new TreatyError(
        'TREATY_OPENAPI_INVALID',
        `${at}: a $ref cannot be resolved: ${(error as Error).message.split('\n')[0] ?? ''}. Refs may name local parts (#/…) and files beside the document.`,
        { cause: error },
      );
    }
  }
  const version = checkDocument(value as JsonObject, (segments, why) => {
    const where = segments.length === 0 ? '' : ` at ${segments.map((s) => `/${pointerSegment(s)}`).join('')}`;
    return new TreatyError(
      'TREATY_OPENAPI_INVALID',
      `${at}${where}${locate(segments)}: ${why}`,
      segments.length === 0 ? {} : { path: segments.map((s) => `/${pointerSegment(s)}`).join('') },
    );
  });
  return { document: value as JsonObject, version, source: at };
}

type Fail = (segments: string[], why: string) => TreatyError;

/** Checks the parts a check reads; returns the version. */
function checkDocument(doc: JsonObject, fail: Fail): '3.0' | '3.1' {
  if (doc.swagger !== undefined)
    throw fail(
      ['swagger'],
      `Swagger ${String(doc.swagger)} is not read; convert the document to OpenAPI 3 (e.g. with swagger2openapi).`,
    );
  const v = doc.openapi;
  if (typeof v !== 'string' || !/^3\.[01]\.\d+/.test(v))
    throw fail(
      v === undefined ? [] : ['openapi'],
      v === undefined
        ? 'this is not an OpenAPI document: it has no `openapi` version field.'
        : `OpenAPI ${JSON.stringify(v)} is not read; Treaty reads OpenAPI 3.0 and 3.1.`,
    );
  const version = v.startsWith('3.0') ? '3.0' : '3.1';
  if (!isObject(doc.info)) throw fail(['info'], 'an OpenAPI document needs an `info` object.');
  const paths = doc.paths;
  if (paths === undefined && version === '3.0') throw fail([], 'an OpenAPI 3.0 document needs `paths`.');
  if (paths !== undefined && !isObject(paths)) throw fail(['paths'], '`paths` must be an object.');
  for (const [template, item] of Object.entries(paths ?? {})) {
    if (!template.startsWith('/')) throw fail(['paths', template], 'a path must start with `/`.');
    if (!isObject(item)) throw fail(['paths', template], 'a path item must be an object.');
    checkParameters(doc, item.parameters, ['paths', template, 'parameters'], fail);
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const at = ['paths', template, method];
      if (!isObject(op)) throw fail(at, 'an operation must be an object.');
      checkParameters(doc, op.parameters, [...at, 'parameters'], fail);
      if (op.responses === undefined && version === '3.0') throw fail(at, 'an operation needs `responses`.');
      if (op.responses !== undefined && !isObject(op.responses))
        throw fail([...at, 'responses'], '`responses` must be an object.');
      for (const [status, response] of Object.entries(op.responses ?? {}))
        if (!/^([1-5](\d\d|XX)|default)$/i.test(status))
          throw fail(
            [...at, 'responses', status],
            'a response key is a status (200), a range (2XX) or `default`.',
          );
        else if (!isObject(response))
          throw fail([...at, 'responses', status], 'a response must be an object.');
    }
  }
  checkRefs(doc, fail);
  return version;
}

function checkParameters(doc: JsonObject, value: JsonValue | undefined, at: string[], fail: Fail): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw fail(at, '`parameters` must be an array.');
  value.forEach((p, i) => {
    const here = [...at, String(i)];
    const param = isObject(p) && typeof p.$ref === 'string' ? atPointer(doc, p.$ref) : p;
    if (param === undefined) return; // an unresolvable $ref is named by checkRefs
    if (!isObject(param)) throw fail(here, 'a parameter must be an object.');
    if (typeof param.name !== 'string') throw fail(here, 'a parameter needs a `name`.');
    if (!['path', 'query', 'header', 'cookie'].includes(String(param.in)))
      throw fail(here, 'a parameter is `in` path, query, header or cookie.');
  });
}

function checkRefs(doc: JsonObject, fail: Fail): void {
  const stack: Array<[JsonValue, string[]]> = [[doc, []]];
  while (stack.length > 0) {
    const [v, at] = stack.pop() as [JsonValue, string[]];
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) stack.push([x, [...at, String(i)]]);
    } else if (isObject(v)) {
      // `examples` and `example` values are data, not schema: a `$ref` key there is just a key.
      if (at.at(-1) === 'example' || at.at(-2) === 'examples') continue;
      if (typeof v.$ref === 'string' && at.at(-1) !== 'properties') {
        if (!v.$ref.startsWith('#'))
          throw fail([...at, '$ref'], `the $ref ${JSON.stringify(v.$ref)} could not be brought in.`);
        if (atPointer(doc, v.$ref) === undefined)
          throw fail(
            [...at, '$ref'],
            `the $ref ${JSON.stringify(v.$ref)} points at nothing in the document.`,
          );
      }
      for (const [k, x] of Object.entries(v)) stack.push([x, [...at, k]]);
    }
  }
}

/** The HTTP methods an OpenAPI path item may hold. */
export const HTTP_METHODS: readonly string[] = METHODS;
