import type {
  Headers,
  HttpRequest,
  HttpResponse,
  JsonObject,
  Message,
  RuleList,
  StatusClass,
} from '../contract/model.js';
import { metadataContentType } from '../contract/fragments.js';
import { ownValue } from '../contract/own.js';
import { type Mismatch, mismatch } from './mismatch.js';
import { compareBody } from './body.js';
import { mediaType } from '../contract/content-type.js';
import { compareJson } from './json-body.js';
import { checkRuleList, findRule, show } from './rules.js';
import { compareValues } from './values.js';

const leafCtx = { coerceStrings: true, actualIsFloat: false };

function matchRuleOrEqual(
  part: Mismatch['part'],
  path: string,
  rules: RuleList | undefined,
  expected: string,
  actual: string,
  equal: boolean,
  what: string,
): Mismatch[] {
  if (rules?.rules.some((r) => r.match !== 'equality')) {
    return checkRuleList(rules, expected, actual, leafCtx).map((f) =>
      mismatch(part, path, f.rule.match, expected, actual, `${what}: ${f.reason}`),
    );
  }
  return equal
    ? []
    : [
        mismatch(
          part,
          path,
          'equality',
          expected,
          actual,
          `expected ${what} ${show(expected)} but got ${show(actual)}`,
        ),
      ];
}

// ---------------------------------------------------------------------------------------------
// Headers

function splitList(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) for (const part of v.split(',')) out.push(part.trim());
  return out;
}

interface Media {
  type: string;
  params: Map<string, string>;
}

// The same few content types come again and again in a verification: each is read once.
const mediaCache = new Map<string, Media>();

function parseMedia(value: string): Media {
  let media = mediaCache.get(value);
  if (media === undefined) {
    media = readMedia(value);
    if (mediaCache.size >= 256) mediaCache.clear();
    mediaCache.set(value, media);
  }
  return media;
}

function readMedia(value: string): Media {
  const [type = '', ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params.set(
      p.slice(0, eq).trim().toLowerCase(),
      p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/s, '$1'),
    );
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Every expected parameter must be in the actual value, case-insensitively equal; extras are fine. */
function mediaMatches(expected: string, actual: string): boolean {
  const e = parseMedia(expected);
  const a = parseMedia(actual);
  if (e.type !== a.type) return false;
  // A multipart boundary is chosen afresh by every client, so it is never part of the contract.
  const multipart = e.type.startsWith('multipart/');
  for (const [k, v] of e.params) {
    if (multipart && k === 'boundary') continue;
    const av = a.params.get(k);
    if (av === undefined || av.toLowerCase() !== v.toLowerCase()) return false;
  }
  return true;
}

function headerEqual(name: string): (e: string[], a: string[]) => boolean {
  const lower = name.toLowerCase();
  if (lower === 'content-type') {
    return (e, a) =>
      e.join(', ').includes('/') ? mediaMatches(e.join(', '), a.join(', ')) : e.join(', ') === a.join(', ');
  }
  if (lower === 'accept') {
    return (e, a) => {
      const ev = splitList(e);
      const av = splitList(a);
      if (!ev.every((x) => x.includes('/')))
        return ev.length === av.length && ev.every((x, i) => x === av[i]);
      return ev.every((x) => av.some((y) => mediaMatches(x, y)));
    };
  }
  return (e, a) => {
    const ev = splitList(e);
    const av = splitList(a);
    return ev.length === av.length && ev.every((x, i) => x === av[i]);
  };
}

function compareHeaders(
  expected: Headers,
  actual: Headers,
  rules: Record<string, RuleList> | undefined,
  part: 'header' | 'metadata',
): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [name, values] of Object.entries(expected)) {
    out.push(
      ...compareValues({ [name]: values }, actual, {
        part,
        prefix: '$.header',
        rules,
        allowUnexpected: true,
        caseInsensitive: true,
        what: 'header',
        equal: headerEqual(name),
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Status

const statusRanges: Record<StatusClass, (s: number) => boolean> = {
  info: (s) => s >= 100 && s < 200,
  success: (s) => s >= 200 && s < 300,
  redirect: (s) => s >= 300 && s < 400,
  clientError: (s) => s >= 400 && s < 500,
  serverError: (s) => s >= 500 && s < 600,
  nonError: (s) => s < 400,
  error: (s) => s >= 400,
};

function compareStatus(expected: HttpResponse, actual: HttpResponse): Mismatch[] {
  const rule = findRule(expected.matchingRules.status, 'statusCode');
  if (rule !== undefined) {
    const ok = Array.isArray(rule.status)
      ? rule.status.includes(actual.status)
      : statusRanges[rule.status](actual.status);
    return ok
      ? []
      : [
          mismatch(
            'status',
            '$.status',
            'statusCode',
            rule.status,
            actual.status,
            `expected a status ${Array.isArray(rule.status) ? `in ${show(rule.status)}` : `of class ${rule.status}`} but got ${actual.status}`,
          ),
        ];
  }
  return matchRuleOrEqual(
    'status',
    '$.status',
    expected.matchingRules.status,
    String(expected.status),
    String(actual.status),
    expected.status === actual.status,
    'status',
  ).map((m) => ({
    ...m,
    expected: expected.status,
    actual: actual.status,
  }));
}

// ---------------------------------------------------------------------------------------------
// Query

function decodeQuery(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

function compareQuery(expected: HttpRequest, actual: HttpRequest): Mismatch[] {
  if (
    expected.rawQuery !== undefined &&
    actual.rawQuery !== undefined &&
    expected.matchingRules.query === undefined
  ) {
    const e = decodeQuery(expected.rawQuery);
    const a = decodeQuery(actual.rawQuery);
    return e === a
      ? []
      : [
          mismatch(
            'query',
            '$.query',
            'equality',
            expected.rawQuery,
            actual.rawQuery,
            `expected the query string ${show(expected.rawQuery)} but got ${show(actual.rawQuery)}`,
          ),
        ];
  }
  return compareValues(expected.query, actual.query, {
    part: 'query',
    prefix: '$.query',
    rules: expected.matchingRules.query,
    allowUnexpected: false,
    caseInsensitive: false,
    what: 'query parameter',
  });
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Matches an actual HTTP request against an expected one, strictly (unexpected query parameters
 * and body keys fail). Returns every mismatch; an empty array is a match.
 * @example matchRequest(parseRequest(expectedJson, '4.0'), parseRequest(actualJson, '4.0')) // []
 */
export function matchRequest(expected: HttpRequest, actual: HttpRequest): Mismatch[] {
  const out: Mismatch[] = [];
  if (expected.method.toUpperCase() !== actual.method.toUpperCase()) {
    out.push(
      mismatch(
        'method',
        '$.method',
        'equality',
        expected.method,
        actual.method,
        `expected method ${expected.method.toUpperCase()} but got ${actual.method.toUpperCase()}`,
      ),
    );
  }
  out.push(
    ...matchRuleOrEqual(
      'path',
      '$.path',
      expected.matchingRules.path,
      expected.path,
      actual.path,
      expected.path === actual.path,
      'path',
    ),
  );
  out.push(...compareQuery(expected, actual));
  out.push(...compareHeaders(expected.headers, actual.headers, expected.matchingRules.header, 'header'));
  out.push(
    ...compareBody(expected.body, actual.body, {
      part: 'body',
      prefix: '$.body',
      allowUnexpected: false,
      expectedHeaders: expected.headers,
      actualHeaders: actual.headers,
      rules: expected.matchingRules,
    }),
  );
  return out;
}

/**
 * Matches an actual HTTP response against an expected one, leniently (extra headers and body keys
 * are fine). Returns every mismatch; an empty array is a match.
 * @example
 * matchResponse(parseResponse({ status: 200 }, '4.0'), parseResponse({ status: 404 }, '4.0'))
 * // → [{ part: 'status', … }]
 */
export function matchResponse(expected: HttpResponse, actual: HttpResponse): Mismatch[] {
  return [
    ...compareStatus(expected, actual),
    ...compareHeaders(expected.headers, actual.headers, expected.matchingRules.header, 'header'),
    ...compareBody(expected.body, actual.body, {
      part: 'body',
      prefix: '$.body',
      allowUnexpected: true,
      expectedHeaders: expected.headers,
      actualHeaders: actual.headers,
      rules: expected.matchingRules,
    }),
  ];
}

function compareMetadata(
  expected: JsonObject,
  actual: JsonObject,
  rules: Record<string, RuleList> | undefined,
): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [key, exp] of Object.entries(expected)) {
    const path = `$.metadata.${key}`;
    const act = ownValue(actual, key);
    // contentType is a property of the contents; its media type must agree, parameters may vary.
    if (act === undefined) {
      out.push(
        mismatch(
          'metadata',
          path,
          'presence',
          exp,
          undefined,
          `expected metadata '${key}' with ${show(exp)} but it is missing`,
        ),
      );
      continue;
    }
    const list = ownValue(rules, key);
    if (list?.rules.some((r) => r.match !== 'equality')) {
      for (const f of checkRuleList(list, exp, act, leafCtx))
        out.push(mismatch('metadata', path, f.rule.match, exp, act, `metadata '${key}': ${f.reason}`));
      continue;
    }
    if (/^content-?type$/i.test(key) && typeof exp === 'string' && typeof act === 'string') {
      if (mediaType(exp) !== mediaType(act))
        out.push(
          mismatch(
            'metadata',
            path,
            'equality',
            exp,
            act,
            `expected metadata '${key}' ${show(exp)} but got ${show(act)}`,
          ),
        );
      continue;
    }
    out.push(
      ...compareJson(exp, act, {
        allowUnexpectedKeys: true,
        rules: undefined,
        part: 'metadata',
        prefix: path,
      }),
    );
  }
  return out;
}

/**
 * Matches actual message contents and metadata against an expected message, with response-style
 * leniency (unexpected keys are fine). Returns every mismatch; an empty array is a match.
 * @example
 * matchMessage(
 *   parseMessage({ contents: { id: 1 } }, '3'),
 *   parseMessage({ contents: { id: 1, extra: true } }, '3'),
 * )
 * // → []
 */
export function matchMessage(expected: Message, actual: Message): Mismatch[] {
  return [
    ...compareBody(expected.contents, actual.contents, {
      part: 'body',
      prefix: '$.body',
      allowUnexpected: true,
      expectedHeaders: undefined,
      actualHeaders: undefined,
      expectedContentType: metadataContentType(expected.metadata),
      actualContentType: metadataContentType(actual.metadata),
      rules: expected.matchingRules,
    }),
    ...compareMetadata(expected.metadata, actual.metadata, expected.matchingRules.metadata),
  ];
}
