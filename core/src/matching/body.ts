import type { Body, Headers, JsonValue, MatchingRules, RuleList } from '../contract/model.js';
import { parseJson } from '../contract/json.js';
import { headerValue, parseQueryString } from '../contract/fragments.js';
import type { Mismatch, MismatchPart } from './mismatch.js';
import {
  classifyContentType,
  detectContentType,
  mediaType,
  sniffBody,
  type BodyClass,
} from '../contract/content-type.js';
import { compareJson } from './json-body.js';
import { compareXml, parseXml } from './xml.js';
import { compareValues } from './values.js';
import { compareMultipart, parseMultipart } from './multipart.js';
import { checkRuleList, findRule, show } from './rules.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function bodyText(body: Body): string {
  if (body.kind === 'text') return body.text;
  if (body.kind === 'binary') return decoder.decode(body.bytes);
  return body.value === null ? '' : JSON.stringify(body.value);
}

function bodyBytes(body: Body): Uint8Array {
  return body.kind === 'binary' ? body.bytes : encoder.encode(bodyText(body));
}

function isEmpty(body: Body | undefined): boolean {
  if (body === undefined) return true;
  if (body.kind === 'text') return body.text === '';
  if (body.kind === 'binary') return body.bytes.length === 0;
  return body.value === null;
}

type Parsed = { ok: true; value: JsonValue } | { ok: false; reason: string };

/** Bodies read ahead of their comparison (see {@link readBodyAhead}), with what reading them gave. */
const readAhead = new WeakMap<Body, Parsed>();

/** The JSON document of a body, or why it has none. */
function bodyJson(body: Body): Parsed {
  if (body.kind === 'json') return { ok: true, value: body.value };
  const read = readAhead.get(body);
  if (read !== undefined) return read;
  try {
    return { ok: true, value: parseJson(bodyText(body)) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Parses a text body that names a JSON content type now, so that its comparison later finds it
 * parsed: a verifier does this while it waits for the provider (the teardown of the states) and
 * compares while it waits again. What the comparison finds is the same either way: the body's text
 * read as JSON, or why it could not be. The body must not change after this.
 */
export function readBodyAhead(body: Body | undefined): void {
  if (body?.kind !== 'text' || classifyContentType(body.contentType) !== 'json' || readAhead.has(body))
    return;
  readAhead.set(body, bodyJson(body));
}

/** The content type of Confluent's schema registry for JSON Schema payloads. */
const SCHEMA_REGISTRY_JSON = 'application/vnd.schemaregistry.v1+json';

/**
 * Confluent's schema-registry serializers write a magic byte (0) and a 4-byte schema ID before the
 * JSON (their wire format); pact-jvm's KafkaJsonSchemaContentMatcher skips those 5 bytes of the
 * actual message, and so does Treaty.
 */
function withoutWireFormat(body: Body, declared: string | undefined): Body {
  if (declared === undefined || mediaType(declared) !== SCHEMA_REGISTRY_JSON) return body;
  const bytes = bodyBytes(body);
  if (bytes.length <= 5 || bytes[0] !== 0) return body;
  return { kind: 'binary', bytes: bytes.slice(5), contentType: declared };
}

/** Everything a body comparison needs to know about where it happens. */
export interface BodyContext {
  part: MismatchPart;
  prefix: string;
  allowUnexpected: boolean;
  expectedHeaders: Headers | undefined;
  actualHeaders: Headers | undefined;
  /** Declared content type of message contents (from metadata). */
  expectedContentType?: string | undefined;
  actualContentType?: string | undefined;
  rules: MatchingRules;
}

function headerOf(headers: Headers | undefined): string | undefined {
  return headers === undefined ? undefined : headerValue(headers, 'content-type');
}

function classify(expected: Body, actual: Body, ctx: BodyContext): BodyClass {
  const declared =
    expected.contentType ??
    ctx.expectedContentType ??
    (ctx.expectedHeaders === undefined ? undefined : headerValue(ctx.expectedHeaders, 'content-type')) ??
    actual.contentType ??
    ctx.actualContentType ??
    (ctx.actualHeaders === undefined ? undefined : headerValue(ctx.actualHeaders, 'content-type'));
  const byType = classifyContentType(declared);
  if (byType === 'binary' && expected.kind !== 'binary' && expected.contentTypeHint !== 'BINARY') {
    // A vendor type with a JSON or text body (e.g. application/vnd.api) is compared by its content.
    const sniffed = sniffBody(expected);
    if (sniffed !== 'binary') return sniffed;
  }
  return byType ?? sniffBody(expected);
}

/** Compares a body (request, response or message contents). */
export function compareBody(
  expected: Body | undefined,
  actual: Body | undefined,
  ctx: BodyContext,
): Mismatch[] {
  if (expected === undefined) return [];
  const add = (rule: string, exp: unknown, act: unknown, message: string): Mismatch[] => [
    {
      part: ctx.part,
      path: ctx.prefix,
      expected: exp,
      actual: act,
      rule,
      message: `${ctx.prefix}: ${message}`,
    },
  ];
  const rootRules: RuleList | undefined = ctx.rules.body?.$;
  if (isEmpty(expected)) {
    if (isEmpty(actual) || (actual?.kind === 'json' && actual.value === null)) return [];
    const contentTypeRule = findRule(rootRules, 'contentType');
    if (contentTypeRule === undefined && rootRules === undefined) {
      return add(
        'equality',
        bodyText(expected),
        actual === undefined ? undefined : bodyText(actual),
        `expected an empty body but got ${show(bodyText(actual as Body))}`,
      );
    }
  }
  if (actual === undefined)
    return add(
      'presence',
      expected.kind === 'json' ? expected.value : bodyText(expected),
      undefined,
      'expected a body but there was none',
    );

  const contentTypeRule = findRule(rootRules, 'contentType');
  if (contentTypeRule !== undefined) {
    const detected = detectContentType(bodyBytes(actual));
    return mediaType(detected) === mediaType(contentTypeRule.value)
      ? []
      : add(
          'contentType',
          contentTypeRule.value,
          detected,
          `expected content of type ${contentTypeRule.value} but it looks like ${detected}`,
        );
  }

  // As Pact does: a body declared as another kind of content (XML where JSON was expected) is a body of
  // the wrong type, and says so, rather than a JSON document that failed to parse (or XML that parsed).
  const expectedType = expected.contentType ?? ctx.expectedContentType ?? headerOf(ctx.expectedHeaders);
  const actualType = actual.contentType ?? ctx.actualContentType ?? headerOf(ctx.actualHeaders);
  const expectedClass = classifyContentType(expectedType);
  const actualClass = classifyContentType(actualType);
  if (
    expectedType !== undefined &&
    actualType !== undefined &&
    expectedClass !== actualClass &&
    expectedClass !== 'binary' &&
    actualClass !== 'binary'
  )
    return add(
      'contentType',
      mediaType(expectedType),
      mediaType(actualType),
      `expected a body of type ${mediaType(expectedType)} but the content type was ${mediaType(actualType)}`,
    );

  const kind = classify(expected, actual, ctx);
  switch (kind) {
    case 'json': {
      const exp = bodyJson(expected);
      const act = bodyJson(
        withoutWireFormat(
          actual,
          actual.contentType ??
            ctx.actualContentType ??
            headerOf(ctx.actualHeaders) ??
            ctx.expectedContentType,
        ),
      );
      if (!exp.ok) return compareText(bodyText(expected), bodyText(actual), rootRules, add);
      if (!act.ok) {
        const text = bodyText(actual);
        return add(
          'json',
          exp.value,
          text,
          text.trim() === ''
            ? `expected a JSON body like ${show(exp.value)} but the body is empty`
            : `expected a JSON body but it could not be parsed (${act.reason})`,
        );
      }
      return compareJson(exp.value, act.value, {
        allowUnexpectedKeys: ctx.allowUnexpected,
        rules: ctx.rules.body,
        part: ctx.part,
        prefix: ctx.prefix,
      });
    }
    case 'xml': {
      const exp = parseXml(bodyText(expected));
      if (typeof exp === 'string') return compareText(bodyText(expected), bodyText(actual), rootRules, add);
      const act = parseXml(bodyText(actual));
      if (typeof act === 'string')
        return add(
          'xml',
          bodyText(expected),
          bodyText(actual),
          `expected an XML body but it is not well-formed: ${act}`,
        );
      return compareXml(exp, act, {
        allowUnexpected: ctx.allowUnexpected,
        rules: ctx.rules.body,
        part: ctx.part,
        prefix: ctx.prefix,
      });
    }
    case 'form': {
      const exp = parseQueryString(bodyText(expected));
      const act = parseQueryString(bodyText(actual));
      const rules: Record<string, RuleList> = {};
      for (const [k, v] of Object.entries(ctx.rules.body ?? {}))
        rules[k.replace(/^\$\.?/, '').replace(/^\['(.*)'\]$/, '$1')] = v;
      return compareValues(exp, act, {
        part: ctx.part,
        prefix: ctx.prefix,
        rules,
        allowUnexpected: ctx.allowUnexpected,
        caseInsensitive: false,
        what: 'form field',
      });
    }
    case 'multipart': {
      const exp = parseMultipart(
        bodyBytes(expected),
        expected.contentType ?? ctx.expectedContentType ?? headerOf(ctx.expectedHeaders),
      );
      if (typeof exp === 'string') return compareText(bodyText(expected), bodyText(actual), rootRules, add);
      const act = parseMultipart(
        bodyBytes(actual),
        actual.contentType ?? ctx.actualContentType ?? headerOf(ctx.actualHeaders),
      );
      if (typeof act === 'string')
        return add(
          'multipart',
          `${exp.length} part(s)`,
          bodyText(actual),
          `expected a multipart body but it cannot be read: ${act}`,
        );
      return compareMultipart(exp, act, { part: ctx.part, prefix: ctx.prefix, rules: ctx.rules.body });
    }
    case 'binary': {
      const e = bodyBytes(expected);
      const a = bodyBytes(actual);
      if (rootRules !== undefined)
        return checkRuleList(rootRules, bodyText(expected), bodyText(actual), {
          coerceStrings: false,
          actualIsFloat: false,
        }).flatMap((f) => add(f.rule.match, bodyText(expected), bodyText(actual), f.reason));
      return e.length === a.length && e.every((b, i) => b === a[i])
        ? []
        : add(
            'equality',
            `${e.length} bytes`,
            `${a.length} bytes`,
            `expected the binary body (${e.length} bytes) but got different content (${a.length} bytes)`,
          );
    }
    default:
      return compareText(bodyText(expected), bodyText(actual), rootRules, add);
  }
}

function compareText(
  expected: string,
  actual: string,
  rules: RuleList | undefined,
  add: (rule: string, e: unknown, a: unknown, m: string) => Mismatch[],
): Mismatch[] {
  if (rules !== undefined) {
    return checkRuleList(rules, expected, actual, { coerceStrings: false, actualIsFloat: false }).flatMap(
      (f) => add(f.rule.match, expected, actual, f.reason),
    );
  }
  return expected === actual
    ? []
    : add('equality', expected, actual, `expected the body ${show(expected)} but got ${show(actual)}`);
}
