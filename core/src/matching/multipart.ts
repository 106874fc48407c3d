import type { RuleList } from '../contract/model.js';
import { type Mismatch, type MismatchPart, mismatch } from './mismatch.js';
import { detectContentType, mediaType } from '../contract/content-type.js';
import { checkRuleList, findRule, show } from './rules.js';

/** One part of a multipart body, its content kept as bytes. */
export interface MultipartPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  bytes: Uint8Array;
}

const utf8 = new TextDecoder();

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  outer: for (
    let i = haystack.indexOf(first as number, from);
    i >= 0 && i <= haystack.length - needle.length;
    i = haystack.indexOf(first as number, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${name}\\*?=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header);
  return m === null ? undefined : (m[1] ?? m[2]);
}

/**
 * Splits a multipart body into its parts. The boundary comes from the Content-Type parameter, or
 * from the body's first line when the type does not name one. Returns a reason when it cannot.
 */
export function parseMultipart(bytes: Uint8Array, contentType: string | undefined): MultipartPart[] | string {
  let boundary = contentType === undefined ? undefined : param(contentType, 'boundary');
  if (boundary === undefined) {
    const head = utf8.decode(bytes.subarray(0, 200));
    boundary = /^--([^\r\n]+)/.exec(head)?.[1];
  }
  if (boundary === undefined || boundary === '') return 'no multipart boundary';
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = indexOf(bytes, delimiter, 0);
  if (at < 0) return `the boundary '${boundary}' does not occur in the body`;
  for (;;) {
    let start = at + delimiter.length;
    if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) break; // closing delimiter
    if (bytes[start] === 0x0d) start++;
    if (bytes[start] === 0x0a) start++;
    const next = indexOf(bytes, delimiter, start);
    if (next < 0) return 'a part without a closing boundary';
    let end = next;
    if (bytes[end - 1] === 0x0a) end--;
    if (bytes[end - 1] === 0x0d) end--;
    const part = bytes.subarray(start, end);
    // Headers end at the first blank line (CRLF CRLF, or LF LF from hand-written bodies).
    let split = indexOf(part, new Uint8Array([0x0d, 0x0a, 0x0d, 0x0a]), 0);
    let skip = 4;
    if (split < 0) {
      split = indexOf(part, new Uint8Array([0x0a, 0x0a]), 0);
      skip = 2;
    }
    const headerText = split < 0 ? '' : utf8.decode(part.subarray(0, split));
    const headers = new Map<string, string>();
    for (const line of headerText.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    parts.push({
      name: param(disposition, 'name') ?? '',
      filename: param(disposition, 'filename'),
      contentType: headers.get('content-type'),
      bytes: split < 0 ? part : part.subarray(split + skip),
    });
    at = next;
  }
  return parts;
}

/** How multipart bodies are compared. */
export interface MultipartCompareOptions {
  part: MismatchPart;
  prefix: string;
  /** Body rules; a rule at `$.<part name>` applies to that part's content. */
  rules: Record<string, RuleList> | undefined;
}

function ruleFor(rules: Record<string, RuleList> | undefined, name: string): RuleList | undefined {
  if (rules === undefined) return undefined;
  return rules[`$.${name}`] ?? rules[`$['${name}']`] ?? rules[`$["${name}"]`];
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Compares multipart bodies part by part, by name: every expected part must be there; a field's
 * text is compared by equality or its rule, a file's bytes by equality or a `contentType` rule
 * (sniffed from the bytes), and a part's declared media type must agree. Extra parts are fine.
 */
export function compareMultipart(
  expected: MultipartPart[],
  actual: MultipartPart[],
  options: MultipartCompareOptions,
): Mismatch[] {
  const out: Mismatch[] = [];
  // Parts without a name (multipart/mixed) are matched by their place among the unnamed parts.
  const unnamed = actual.filter((p) => p.name === '');
  let nextUnnamed = 0;
  for (const [index, e] of expected.entries()) {
    const label = e.name === '' ? `#${index + 1}` : e.name;
    const add = (rule: string, exp: unknown, act: unknown, message: string): void => {
      const path = e.name === '' ? `${options.prefix}[${index}]` : `${options.prefix}.${e.name}`;
      out.push(mismatch(options.part, path, rule, exp, act, message));
    };
    const a = e.name === '' ? unnamed[nextUnnamed++] : actual.find((p) => p.name === e.name);
    if (a === undefined) {
      add(
        'presence',
        e.filename ?? utf8.decode(e.bytes),
        undefined,
        `expected a part named '${label}' but there is none`,
      );
      continue;
    }
    const rules = ruleFor(options.rules, e.name);
    const typeRule = findRule(rules, 'contentType');
    if (typeRule !== undefined) {
      const detected = detectContentType(a.bytes);
      if (mediaType(detected) !== mediaType(typeRule.value))
        add(
          'contentType',
          typeRule.value,
          detected,
          `expected part '${label}' to hold ${typeRule.value} but it looks like ${detected}`,
        );
      continue;
    }
    if (
      e.contentType !== undefined &&
      a.contentType !== undefined &&
      mediaType(e.contentType) !== mediaType(a.contentType)
    ) {
      add(
        'contentType',
        e.contentType,
        a.contentType,
        `expected part '${label}' of type ${e.contentType} but got ${a.contentType}`,
      );
      continue;
    }
    if (rules?.rules.some((r) => r.match !== 'equality')) {
      const et = utf8.decode(e.bytes);
      const at = utf8.decode(a.bytes);
      for (const f of checkRuleList(rules, et, at, { coerceStrings: true, actualIsFloat: false }))
        add(f.rule.match, et, at, `part '${label}': ${f.reason}`);
      continue;
    }
    if (!sameBytes(e.bytes, a.bytes)) {
      const binary = e.filename !== undefined;
      const exp = binary ? `${e.bytes.length} bytes` : utf8.decode(e.bytes);
      const act = binary ? `${a.bytes.length} bytes` : utf8.decode(a.bytes);
      add(
        'equality',
        exp,
        act,
        binary
          ? `expected the file in part '${label}' (${exp}) but got different content (${act})`
          : `expected part '${label}' to be ${show(exp)} but got ${show(act)}`,
      );
    }
  }
  return out;
}
