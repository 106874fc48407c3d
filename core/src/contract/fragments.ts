import { TreatyError, type ErrorCode } from '../errors.js';
import { checkJsonValueDepth, parseJson } from './json.js';
import { ownValue, setOwn } from './own.js';
import type {
  ArrayContainsVariant,
  Body,
  ContentTypeHint,
  Generator,
  Generators,
  Headers,
  HttpRequest,
  HttpResponse,
  JsonObject,
  JsonValue,
  MatchingRule,
  MatchingRules,
  Message,
  ProviderState,
  Query,
  RuleList,
  SpecVersion,
  StatusClass,
  UuidFormat,
} from './model.js';
import {
  child,
  describeValue,
  expectNumber,
  expectObject,
  expectString,
  invalid,
  isObject,
  optionalNumber,
  optionalString,
} from './shape.js';
import { normalizeSpecVersion } from './version.js';
import { parsePathExpression } from './path-expr.js';
import { classifyContentType, detectContentType } from './content-type.js';

/** Options of the fragment parsers. */
export interface FragmentOptions {
  /** JSON path of the fragment in its file, used in error messages (default `$`). */
  path?: string;
  /** Told, with the path, of each part read leniently (a matching rule Pact does not define). */
  onWarning?: (path: string, message: string, code?: ErrorCode) => void;
}

/**
 * What parseContract passes on: when the whole document it read from text nests no deeper than
 * MAX_JSON_DEPTH, no body in it can, and the bodies need no walk of their own.
 */
export interface ContractFragmentOptions extends FragmentOptions {
  bodiesWithinDepth?: boolean;
}

/** True when the caller (parseContract) already knows every body is within the depth limit. */
function bodiesChecked(options: FragmentOptions | undefined): boolean {
  return (options as ContractFragmentOptions | undefined)?.bodiesWithinDepth === true;
}

type RuleWarn = FragmentOptions['onWarning'];

// ---------------------------------------------------------------------------------------------
// Headers, query, bodies

/** Reads headers written as `{ name: 'v' }`, `{ name: ['v1', 'v2'] }` (numbers allowed as values). */
function parseHeaders(value: unknown, path: string): Headers {
  if (value === undefined || value === null) return {};
  const obj = expectObject(value, path, 'an object of header names to values');
  const headers: Headers = {};
  for (const [name, v] of Object.entries(obj)) {
    // Paths are made only for a value that is refused.
    setOwn(
      headers,
      name,
      Array.isArray(v)
        ? v.map((x, i) => (typeof x === 'string' ? x : scalarString(x, child(child(path, name), i))))
        : [typeof v === 'string' ? v : scalarString(v, child(path, name))],
    );
  }
  return headers;
}

function scalarString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return invalid(path, 'a string', value);
}

function decodeComponent(text: string): string {
  const plus = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/**
 * Parses a query string (`a=1&b=2&a=3`) into decoded names and values, in order.
 * @example parseQueryString('a=1&a=2&b') // { a: ['1', '2'], b: [''] }
 */
export function parseQueryString(text: string): Query {
  const query: Query = {};
  for (const part of text.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const val = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    const values = ownValue(query, name);
    if (values === undefined) setOwn(query, name, [val]);
    else values.push(val);
  }
  return query;
}

/** Reads a query written as a string (V1–V2) or a map of names to a value or values (V3+). */
export function parseQuery(value: unknown, path: string): Query {
  if (value === undefined || value === null) return {};
  if (typeof value === 'string') return parseQueryString(value);
  const obj = expectObject(value, path, 'a query string or an object of names to values');
  const query: Query = {};
  for (const [name, v] of Object.entries(obj)) {
    const at = child(path, name);
    setOwn(
      query,
      name,
      Array.isArray(v)
        ? v.map((x, i) => (x === null ? '' : scalarString(x, child(at, i))))
        : [v === null ? '' : scalarString(v, at)],
    );
  }
  return query;
}

/** The value of a header by case-insensitive name, values joined with ', '. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const k of Object.keys(headers))
    if (k.length === lower.length && k.toLowerCase() === lower) return (headers[k] as string[]).join(', ');
  return undefined;
}

function base64ToBytes(text: string, path: string): Uint8Array {
  let raw: string;
  try {
    raw = atob(text.replace(/\s+/g, ''));
  } catch {
    return invalid(path, 'base64 content', text);
  }
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Strict base64 (the standard alphabet, canonical padding), as the Pact core decodes it; else undefined. */
function strictBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    return base64ToBytes(text, '');
  } catch {
    return undefined;
  }
}

/** True for JSON text of a string literal or an object, the two forms the Pact core keeps as written. */
function isJsonStringOrObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value))
    );
  } catch {
    return false;
  }
}

function bodyFromValue(value: JsonValue, contentType: string | undefined): Body {
  // A JSON string is the body text as written; any other JSON value is a JSON document.
  if (typeof value === 'string')
    return { kind: 'text', text: value, ...(contentType === undefined ? {} : { contentType }) };
  return { kind: 'json', value, ...(contentType === undefined ? {} : { contentType }) };
}

/**
 * A V1–V3 HTTP body or message contents written as a string, read as the Pact core reads it. Under
 * a JSON content type a string that is not itself a JSON string literal or object is a JSON string
 * value (`Fulfilling` is sent as `"Fulfilling"`); under a content type that is not text (multipart,
 * octet-stream, images, PDF) the string is base64 of the bytes (pact-jvm and the Rust core write
 * them so), kept as text when it does not decode.
 */
function legacyStringBody(text: string, declaredType: string | undefined): Body {
  const ct = declaredType === undefined ? {} : { contentType: declaredType };
  if (text === '') return { kind: 'text', text, ...ct };
  const kind = classifyContentType(declaredType ?? detectContentType(new TextEncoder().encode(text)));
  if (kind === 'json' && !isJsonStringOrObject(text)) return { kind: 'json', value: text, ...ct };
  if (kind === 'binary' || kind === 'multipart') {
    const bytes = strictBase64(text);
    if (bytes !== undefined) return { kind: 'binary', bytes, ...ct };
  }
  return { kind: 'text', text, ...ct };
}

/**
 * A V4 body object's unencoded content, as the Pact core reads it: under a JSON content type a
 * string is a JSON string value (`"First pact"`), except the empty string, which is an empty body.
 */
function v4PlainBody(content: JsonValue, contentType: string | undefined): Body {
  if (typeof content === 'string' && content !== '' && classifyContentType(contentType) === 'json')
    return { kind: 'json', value: content, ...(contentType === undefined ? {} : { contentType }) };
  return bodyFromValue(content, contentType);
}

function isV4BodyObject(value: unknown): value is JsonObject {
  return (
    isObject(value) &&
    ('content' in value || 'encoded' in value || 'contentType' in value) &&
    Object.keys(value).every((k) => ['content', 'contentType', 'encoded', 'contentTypeHint'].includes(k))
  );
}

/**
 * Reads a body: a V1–V3 raw value, or a V4 body object `{ content, contentType, encoded, contentTypeHint }`.
 * `present` says whether the `body` key was there at all (absent means "don't care"); `legacyStrings`
 * marks an HTTP body or message contents, whose V1–V3 strings follow the Pact core's content-type rules;
 * `depthChecked` says the caller knows the body nests no deeper than MAX_JSON_DEPTH.
 */
export function parseBody(
  value: unknown,
  present: boolean,
  version: SpecVersion,
  declaredType: string | undefined,
  path: string,
  legacyStrings = false,
  depthChecked = false,
): Body | undefined {
  if (!present || value === undefined) return undefined;
  // Bodies are what the engine walks recursively: each may nest MAX_JSON_DEPTH levels, however deep
  // the document holding it (so a body at the limit writes back as V4, one level deeper, and reads).
  if (!depthChecked && typeof value === 'object' && value !== null) {
    try {
      checkJsonValueDepth(version === '4.0' && isV4BodyObject(value) ? value.content : value);
    } catch (error) {
      throw new TreatyError('TREATY_INPUT_TOO_DEEP', `${path}: ${(error as Error).message}`, {
        path,
        cause: error,
      });
    }
  }
  if (version === '4.0' && isV4BodyObject(value)) {
    const contentType =
      (typeof value.contentType === 'string'
        ? value.contentType
        : optionalString(value.contentType, child(path, 'contentType'))) ?? declaredType;
    const hint = value.contentTypeHint;
    if (hint !== undefined && hint !== null && hint !== 'BINARY' && hint !== 'TEXT' && hint !== 'DEFAULT')
      invalid(child(path, 'contentTypeHint'), "'BINARY' or 'TEXT'", hint);
    const extra: { contentTypeHint?: ContentTypeHint } =
      hint === 'BINARY' || hint === 'TEXT' ? { contentTypeHint: hint } : {};
    const ct = contentType === undefined ? {} : { contentType };
    if (!('content' in value)) return undefined;
    const content = value.content as JsonValue;
    const encoded = value.encoded;
    if (encoded === undefined || encoded === false || encoded === null)
      return { ...v4PlainBody(content, contentType), ...extra };
    const at = child(path, 'content');
    if (typeof encoded === 'string' && encoded.toLowerCase() === 'base64')
      return { kind: 'binary', bytes: base64ToBytes(expectString(content, at), at), ...ct, ...extra };
    if (typeof encoded === 'string' && encoded.toLowerCase() === 'json') {
      const text = expectString(content, at);
      return { kind: 'json', value: parseJson(text), ...ct, ...extra };
    }
    if (encoded === true) return { kind: 'text', text: expectString(content, at), ...ct, ...extra };
    return invalid(child(path, 'encoded'), "false, 'base64' or 'JSON'", encoded);
  }
  if (typeof value === 'string' && legacyStrings && version !== '4.0')
    return legacyStringBody(value, declaredType);
  // A V4 body that is not a body object is read as the Pact core reads it: the JSON text of the
  // value, so a bare string is the JSON string it is written as (`""` is two quote characters).
  if (typeof value === 'string' && version === '4.0')
    return { kind: 'json', value, ...(declaredType === undefined ? {} : { contentType: declaredType }) };
  return bodyFromValue(value as JsonValue, declaredType);
}

// ---------------------------------------------------------------------------------------------
// Matching rules

const ruleAliases: Record<string, Exclude<MatchingRule['match'], 'unknown'>> = {
  equality: 'equality',
  regex: 'regex',
  type: 'type',
  'min-type': 'type',
  'max-type': 'type',
  minType: 'type',
  maxType: 'type',
  min: 'type',
  max: 'type',
  include: 'include',
  includes: 'include',
  integer: 'integer',
  decimal: 'decimal',
  real: 'decimal',
  number: 'number',
  datetime: 'datetime',
  timestamp: 'datetime',
  date: 'date',
  time: 'time',
  null: 'null',
  boolean: 'boolean',
  contentType: 'contentType',
  'content-type': 'contentType',
  values: 'values',
  arrayContains: 'arrayContains',
  'array-contains': 'arrayContains',
  statusCode: 'statusCode',
  'status-code': 'statusCode',
  notEmpty: 'notEmpty',
  'not-empty': 'notEmpty',
  semver: 'semver',
  eachKey: 'eachKey',
  'each-key': 'eachKey',
  eachValue: 'eachValue',
  'each-value': 'eachValue',
};

const statusClasses: readonly StatusClass[] = [
  'info',
  'success',
  'redirect',
  'clientError',
  'serverError',
  'nonError',
  'error',
];

function inferRuleName(obj: JsonObject): string | undefined {
  if (typeof obj.match === 'string') return obj.match;
  if (typeof obj.regex === 'string') return 'regex';
  if ('min' in obj || 'max' in obj) return 'type';
  if ('timestamp' in obj) return 'datetime';
  if ('date' in obj) return 'date';
  if ('time' in obj) return 'time';
  return undefined;
}

/** Reads one matching rule in any spelling Pact files use. */
function parseRule(value: unknown, path: string, warn?: RuleWarn): MatchingRule {
  const obj = expectObject(value, path, 'a matching rule object');
  const written = inferRuleName(obj);
  if (written === undefined) return invalid(path, "a matching rule with a 'match' attribute", value);
  const match = Object.hasOwn(ruleAliases, written) ? ruleAliases[written] : undefined;
  if (match === undefined) {
    // As the Pact core does, a rule it does not define is kept (a plugin may define it) and fails
    // each value it applies to when the contract is verified.
    warn?.(
      path,
      `unknown matching rule '${written}': every value it applies to fails to match. Treaty knows ${[...new Set(Object.values(ruleAliases))].join(', ')}.`,
      'TREATY_CONTRACT_UNKNOWN_RULE',
    );
    return { match: 'unknown', name: written, rule: obj as JsonObject };
  }
  const str = (key: string): string => expectString(obj[key], child(path, key));
  const optFormat = (...keys: string[]): { format?: string } => {
    for (const key of keys) {
      const f = optionalString(obj[key], child(path, key));
      if (f !== undefined) return { format: f };
    }
    return {};
  };
  switch (match) {
    case 'regex':
      return { match, regex: typeof obj.regex === 'string' ? obj.regex : str('regex') };
    case 'type': {
      const min = obj.min === undefined ? undefined : optionalNumber(obj.min, child(path, 'min'));
      const max = obj.max === undefined ? undefined : optionalNumber(obj.max, child(path, 'max'));
      if (min === undefined && max === undefined) return { match };
      return { match, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
    }
    case 'include':
      return { match, value: scalarString(obj.value, child(path, 'value')) };
    case 'datetime':
      return { match, ...optFormat('format', 'timestamp', 'datetime') };
    case 'date':
      return { match, ...optFormat('format', 'date') };
    case 'time':
      return { match, ...optFormat('format', 'time') };
    case 'contentType':
      return { match, value: str('value') };
    case 'arrayContains': {
      const at = child(path, 'variants');
      if (!Array.isArray(obj.variants)) return invalid(at, 'an array of variants', obj.variants);
      const variants = obj.variants.map((v, i): ArrayContainsVariant => {
        const vp = child(at, i);
        const vo = expectObject(v, vp);
        const rules = vo.rules === undefined ? {} : parseRuleMap(vo.rules, child(vp, 'rules'), warn);
        const generators =
          vo.generators === undefined ? undefined : parseGeneratorMap(vo.generators, child(vp, 'generators'));
        return {
          index: expectNumber(vo.index, child(vp, 'index')),
          rules,
          ...(generators === undefined ? {} : { generators }),
        };
      });
      return { match, variants };
    }
    case 'statusCode': {
      const status = obj.status;
      const at = child(path, 'status');
      if (typeof status === 'string' && (statusClasses as readonly string[]).includes(status))
        return { match, status: status as StatusClass };
      if (Array.isArray(status))
        return { match, status: status.map((s, i) => expectNumber(s, child(at, i))) };
      return invalid(at, `one of ${statusClasses.join(', ')} or an array of status codes`, status);
    }
    case 'eachKey':
    case 'eachValue': {
      const at = child(path, 'rules');
      const rules =
        obj.rules === undefined
          ? []
          : Array.isArray(obj.rules)
            ? obj.rules.map((r, i) => parseRule(r, child(at, i), warn))
            : invalid(at, 'an array of rules', obj.rules);
      return { match, rules, ...(obj.value === undefined ? {} : { value: obj.value }) };
    }
    default:
      return { match };
  }
}

function parseRuleList(value: unknown, path: string, warn?: RuleWarn): RuleList {
  const obj = expectObject(value, path, 'a rule list { matchers: [...] }');
  if (!('matchers' in obj)) return { combine: 'AND', rules: [parseRule(obj, path, warn)] };
  const at = child(path, 'matchers');
  if (!Array.isArray(obj.matchers)) return invalid(at, 'an array of matching rules', obj.matchers);
  const combine =
    obj.combine === undefined || obj.combine === null ? 'AND' : String(obj.combine).toUpperCase();
  if (combine !== 'AND' && combine !== 'OR')
    return invalid(child(path, 'combine'), "'AND' or 'OR'", obj.combine);
  return { combine, rules: obj.matchers.map((m, i) => parseRule(m, child(at, i), warn)) };
}

function parseRuleMap(value: unknown, path: string, warn?: RuleWarn): Record<string, RuleList> {
  const obj = expectObject(value, path);
  const out: Record<string, RuleList> = {};
  for (const [key, v] of Object.entries(obj)) {
    checkBodyPath(key, child(path, key));
    setOwn(out, key, parseRuleList(v, child(path, key), warn));
  }
  return out;
}

const singleCategories = new Set(['path', 'status', 'method']);
const categoryNames: Record<string, keyof MatchingRules> = {
  body: 'body',
  content: 'body',
  header: 'header',
  headers: 'header',
  query: 'query',
  path: 'path',
  status: 'status',
  method: 'method',
  metadata: 'metadata',
  metaData: 'metadata',
};

/** Body rule paths are checked when read, so a bad one is reported with where it was written. */
function checkBodyPath(key: string, path: string): void {
  try {
    parsePathExpression(key);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TreatyError('TREATY_CONTRACT_INVALID_PATH', `${path}: ${why}`, { path, cause: error });
  }
}

function addRule(
  rules: MatchingRules,
  category: keyof MatchingRules,
  key: string,
  list: RuleList,
  path: string,
): void {
  if (category === 'body') checkBodyPath(key, path);
  if (category === 'path' || category === 'status' || category === 'method') {
    const existing = rules[category];
    rules[category] =
      existing === undefined
        ? list
        : { combine: existing.combine, rules: [...existing.rules, ...list.rules] };
    return;
  }
  const map = rules[category] ?? {};
  rules[category] = map;
  const existing = ownValue(map, key);
  setOwn(
    map,
    key,
    existing === undefined ? list : { combine: existing.combine, rules: [...existing.rules, ...list.rules] },
  );
}

/** Splits a V2 path such as `$.headers.Accept` or `$.body.items[*].id` into a category and key. */
function splitV2Path(key: string, path: string): [keyof MatchingRules, string] | undefined {
  const m = /^\$\.(body|headers?|query|path|status|method|metadata|metaData|content)(.*)$/.exec(key);
  if (m === null) {
    if (key === '$' || key.startsWith('$[') || key.startsWith('$.')) return undefined;
    throw new TreatyError(
      'TREATY_CONTRACT_INVALID_PATH',
      `${path}: '${key}' is not a V2 matching-rule path such as $.body.x, $.headers.Name, $.query.name or $.path.`,
      { path },
    );
  }
  const category = categoryNames[m[1] ?? ''] as keyof MatchingRules;
  const rest = m[2] ?? '';
  // The whole key is a path expression, as Pact reads it (`$.header.$.Authorization` is refused).
  try {
    parsePathExpression(key);
  } catch (error) {
    throw new TreatyError('TREATY_CONTRACT_INVALID_PATH', `${path}: ${(error as Error).message}`, {
      path,
      cause: error,
    });
  }
  if (category === 'body') return [category, `$${rest}`];
  if (singleCategories.has(category)) return [category, ''];
  const name = rest.startsWith('.')
    ? rest.slice(1)
    : rest.replace(/^\['(.*)'\]$/, '$1').replace(/^\["(.*)"\]$/, '$1');
  return [category, name];
}

/**
 * Reads matching rules: the V2 flat form keyed by `$.body…`/`$.header(s).X`/`$.query.X`/`$.path`,
 * or the V3/V4 form by category. For messages, `$.body`-less V2 paths and the `content` category
 * are the contents.
 */
export function parseMatchingRules(value: unknown, path: string, warn?: RuleWarn): MatchingRules {
  if (value === undefined || value === null) return {};
  const obj = expectObject(value, path, 'an object of matching rules');
  const rules: MatchingRules = {};
  for (const [key, v] of Object.entries(obj)) {
    const at = child(path, key);
    if (key.startsWith('$')) {
      const split = splitV2Path(key, at);
      const [category, name] = split ?? ['body', key];
      addRule(rules, category, name, parseRuleList(v, at, warn), at);
      continue;
    }
    const category = ownValue(categoryNames, key);
    if (category === undefined) continue; // unknown categories are ignored, as Pact readers do
    if (singleCategories.has(category)) {
      const entry = expectObject(v, at);
      // V3 files sometimes key the single categories by an empty string or a path.
      if (!('matchers' in entry) && !('match' in entry) && Object.keys(entry).length > 0) {
        for (const [k, inner] of Object.entries(entry))
          addRule(rules, category, '', parseRuleList(inner, child(at, k), warn), at);
      } else if (Object.keys(entry).length > 0) {
        addRule(rules, category, '', parseRuleList(entry, at, warn), at);
      }
      continue;
    }
    for (const [name, list] of Object.entries(expectObject(v, at))) {
      const where = child(at, name);
      addRule(rules, category, name, parseRuleList(list, where, warn), where);
    }
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Generators

const uuidFormats: readonly UuidFormat[] = [
  'simple',
  'lower-case-hyphenated',
  'upper-case-hyphenated',
  'URN',
];

/** Reads one generator object (`{ type: 'RandomInt', min: 0, max: 10 }`). */
function parseGenerator(value: unknown, path: string): Generator {
  const obj = expectObject(value, path, 'a generator object');
  const type = obj.type;
  if (typeof type !== 'string') return invalid(child(path, 'type'), 'a generator type', type);
  const num = (key: string): Record<string, number> => {
    const n = optionalNumber(obj[key], child(path, key));
    return n === undefined ? {} : { [key]: n };
  };
  const str = (key: string): Record<string, string> => {
    const s = optionalString(obj[key], child(path, key));
    return s === undefined ? {} : { [key]: s };
  };
  switch (type) {
    case 'RandomInt':
      return { type, ...num('min'), ...num('max') };
    case 'RandomDecimal':
    case 'RandomHexadecimal':
      return { type, ...num('digits') };
    case 'RandomString':
      return { type, ...num('size') };
    case 'Regex':
      return { type, regex: expectString(obj.regex, child(path, 'regex')) };
    case 'Uuid': {
      const format = obj.format;
      if (format !== undefined && format !== null && !(uuidFormats as readonly unknown[]).includes(format))
        return invalid(child(path, 'format'), uuidFormats.join(', '), format);
      return { type, ...(typeof format === 'string' ? { format: format as UuidFormat } : {}) };
    }
    case 'Date':
    case 'Time':
    case 'DateTime':
      return { type, ...str('format'), ...str('expression') };
    case 'RandomBoolean':
      return { type };
    case 'ProviderState':
      return {
        type,
        expression: expectString(obj.expression, child(path, 'expression')),
        ...str('dataType'),
      };
    case 'MockServerURL':
      return {
        type,
        example: expectString(obj.example, child(path, 'example')),
        regex: expectString(obj.regex, child(path, 'regex')),
      };
    default:
      throw new TreatyError(
        'TREATY_CONTRACT_UNKNOWN_GENERATOR',
        `${path}: unknown generator type '${type}'. Treaty knows RandomInt, RandomDecimal, RandomHexadecimal, RandomString, Regex, Uuid, Date, Time, DateTime, RandomBoolean, ProviderState and MockServerURL.`,
        { path },
      );
  }
}

function parseGeneratorMap(value: unknown, path: string): Record<string, Generator> {
  const out: Record<string, Generator> = {};
  for (const [key, v] of Object.entries(expectObject(value, path)))
    setOwn(out, key, parseGenerator(v, child(path, key)));
  return out;
}

/** Reads generators by category (`path` and `status` hold a generator directly). */
export function parseGenerators(value: unknown, path: string): Generators {
  if (value === undefined || value === null) return {};
  const obj = expectObject(value, path, 'an object of generators by category');
  const generators: Generators = {};
  for (const [key, v] of Object.entries(obj)) {
    const category = ownValue(categoryNames, key);
    if (category === undefined) continue;
    const at = child(path, key);
    if (category === 'path' || category === 'status' || category === 'method') {
      const entry = expectObject(v, at);
      if (typeof entry.type === 'string') generators[category] = parseGenerator(entry, at);
      else {
        const first = Object.entries(entry)[0];
        if (first !== undefined) generators[category] = parseGenerator(first[1], child(at, first[0]));
      }
    } else {
      generators[category] = { ...generators[category], ...parseGeneratorMap(v, at) };
    }
  }
  return generators;
}

// ---------------------------------------------------------------------------------------------
// Provider states

/** Reads V1–V2 `providerState` (also Ruby's `provider_state`) or V3+ `providerStates`. */
export function parseProviderStates(obj: JsonObject, path: string): ProviderState[] {
  if (Array.isArray(obj.providerStates)) {
    // Paths are made only for a state that is refused.
    const at = (i: number): string => child(child(path, 'providerStates'), i);
    return obj.providerStates.map((s, i) => {
      if (typeof s === 'string') return { name: s };
      const so = isObject(s) ? s : expectObject(s, at(i), 'a provider state { name, params }');
      const name = typeof so.name === 'string' ? so.name : expectString(so.name, child(at(i), 'name'));
      if (so.params === undefined || so.params === null) return { name };
      return {
        name,
        params: isObject(so.params) ? so.params : expectObject(so.params, child(at(i), 'params')),
      };
    });
  }
  if (obj.providerStates !== undefined && obj.providerStates !== null)
    invalid(child(path, 'providerStates'), 'an array of provider states', obj.providerStates);
  const legacy = obj.providerState ?? obj.provider_state;
  if (legacy === undefined || legacy === null || legacy === '') return [];
  return [
    {
      name: expectString(
        legacy,
        child(path, obj.providerState === undefined ? 'provider_state' : 'providerState'),
      ),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Requests, responses, messages

/** Undefined or null: a part the parsers read as empty. */
function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** `obj[key]` as a string; its path is made only to refuse it. */
function stringAt(obj: JsonObject, key: string, path: string): string {
  const value = obj[key];
  return typeof value === 'string' ? value : expectString(value, child(path, key));
}

function start(
  value: unknown,
  specVersion: string,
  options: FragmentOptions | undefined,
  what: string,
): [JsonObject, SpecVersion, string] {
  const path = options?.path ?? '$';
  const version = normalizeSpecVersion(specVersion);
  if (!isObject(value)) {
    throw new TreatyError(
      'TREATY_CONTRACT_INVALID',
      `${path}: expected ${what} object, got ${describeValue(value)}.`,
      { path },
    );
  }
  return [value, version, path];
}

/**
 * Reads an HTTP request in the Pact shape of the given version (what a spec case's `expected` holds).
 * @example parseRequest({ method: 'GET', path: '/orders', query: 'page=2' }, '2.0.0')
 */
export function parseRequest(value: unknown, specVersion: string, options?: FragmentOptions): HttpRequest {
  const [obj, version, path] = start(value, specVersion, options, 'a request');
  const headers = parseHeaders(obj.headers, child(path, 'headers'));
  const request: HttpRequest = {
    method: obj.method === undefined ? 'GET' : stringAt(obj, 'method', path),
    path: obj.path === undefined ? '/' : stringAt(obj, 'path', path),
    query: absent(obj.query) ? {} : parseQuery(obj.query, child(path, 'query')),
    headers,
    matchingRules: absent(obj.matchingRules)
      ? {}
      : parseMatchingRules(obj.matchingRules, child(path, 'matchingRules'), options?.onWarning),
    generators: absent(obj.generators) ? {} : parseGenerators(obj.generators, child(path, 'generators')),
  };
  if (version === '1.0.0' && typeof obj.query === 'string') request.rawQuery = obj.query;
  const body = parseBody(
    obj.body,
    'body' in obj,
    version,
    headerValue(headers, 'content-type'),
    child(path, 'body'),
    true,
    bodiesChecked(options),
  );
  if (body !== undefined) request.body = body;
  return request;
}

/**
 * Reads an HTTP response in the Pact shape of the given version.
 * @example parseResponse({ status: 200, body: { id: 1 } }, '3.0.0')
 */
export function parseResponse(value: unknown, specVersion: string, options?: FragmentOptions): HttpResponse {
  const [obj, version, path] = start(value, specVersion, options, 'a response');
  const headers = parseHeaders(obj.headers, child(path, 'headers'));
  const status =
    obj.status === undefined
      ? 200
      : typeof obj.status === 'number' && Number.isFinite(obj.status)
        ? obj.status
        : expectNumber(obj.status, child(path, 'status'));
  if (!Number.isInteger(status) || status < 100 || status > 599)
    invalid(child(path, 'status'), 'an HTTP status from 100 to 599', status);
  const response: HttpResponse = {
    status,
    headers,
    matchingRules: absent(obj.matchingRules)
      ? {}
      : parseMatchingRules(obj.matchingRules, child(path, 'matchingRules'), options?.onWarning),
    generators: absent(obj.generators) ? {} : parseGenerators(obj.generators, child(path, 'generators')),
  };
  const body = parseBody(
    obj.body,
    'body' in obj,
    version,
    headerValue(headers, 'content-type'),
    child(path, 'body'),
    true,
    bodiesChecked(options),
  );
  if (body !== undefined) response.body = body;
  return response;
}

/** The content type a message's metadata declares, if any. */
export function metadataContentType(metadata: JsonObject): string | undefined {
  for (const [k, v] of Object.entries(metadata)) {
    const lower = k.toLowerCase();
    if ((lower === 'contenttype' || lower === 'content-type') && typeof v === 'string') return v;
  }
  return undefined;
}

/**
 * Reads message contents with metadata (V3 `contents` + `metaData`, V4 `contents` body object + `metadata`).
 * @example parseMessage({ contents: { id: 1 }, metaData: { contentType: 'application/json' } }, '3.0.0')
 */
export function parseMessage(value: unknown, specVersion: string, options?: FragmentOptions): Message {
  const [obj, version, path] = start(value, specVersion, options, 'a message');
  const metaKey = 'metadata' in obj ? 'metadata' : 'metaData';
  const raw = obj[metaKey];
  const metadata = raw === undefined || raw === null ? {} : expectObject(raw, child(path, metaKey));
  const message: Message = {
    metadata,
    matchingRules: parseMatchingRules(obj.matchingRules, child(path, 'matchingRules'), options?.onWarning),
    generators: parseGenerators(obj.generators, child(path, 'generators')),
  };
  const key =
    'contents' in obj ? 'contents' : 'content' in obj && !isV4BodyObject(obj) ? 'content' : 'contents';
  const contents = parseBody(
    obj[key],
    key in obj,
    version,
    metadataContentType(metadata),
    child(path, key),
    true,
    bodiesChecked(options),
  );
  if (contents !== undefined) message.contents = contents;
  return message;
}
