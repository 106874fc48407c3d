import { expect } from 'vitest';

/** One mismatch as the consumer test's failure report gives it: `$.query.b: expected …`. */
interface ReportedMismatch {
  part: string;
  path: string;
  message: string;
}

/** A consumer test's failure report (the message of TREATY_CONSUMER_TEST_FAILED), as data. */
export interface ConsumerReport {
  unexpected: Array<{
    method: string;
    path: string;
    query: Record<string, string[]>;
    mismatches: ReportedMismatch[];
  }>;
  missing: Array<{ description: string; method: string; path: string }>;
}

/**
 * Reads the report: each unexpected request with the differences of its closest interaction
 * (the first one listed, as the mock server ranks them), and each interaction never received.
 */
export function parseConsumerReport(text: string): ConsumerReport {
  const report: ConsumerReport = { unexpected: [], missing: [] };
  let closest = 0;
  for (const line of text.split('\n')) {
    const u = /^Unexpected request: (\S+) (\S+)(?: (\{.*\}))?$/.exec(line);
    if (u !== null) {
      const query = u[3] === undefined ? {} : (JSON.parse(u[3]) as Record<string, string[]>);
      report.unexpected.push({ method: u[1] ?? '', path: u[2] ?? '', query, mismatches: [] });
      closest = 0;
      continue;
    }
    if (/^ {2}closest interaction /.test(line)) {
      closest++;
      continue;
    }
    const m = /^ {4}- (.*)$/.exec(line);
    if (m !== null && closest === 1) {
      const message = m[1] ?? '';
      const path = /^(\$[^:]*): /.exec(message)?.[1] ?? '';
      const part = /^\$\.(\w+)/.exec(path)?.[1] ?? '';
      report.unexpected.at(-1)?.mismatches.push({ part, path, message });
      continue;
    }
    const x = /^Expected but not received: '(.*)' \((\S+) (\S+)\)$/.exec(line);
    if (x !== null) report.missing.push({ description: x[1] ?? '', method: x[2] ?? '', path: x[3] ?? '' });
  }
  return report;
}

/** What an expected error of the reference implementation means: a part, where, and what it names. */
interface Meaning {
  /** Treaty's part (`query`, `header`, `body`); empty: the part the step names. */
  part: string;
  /** Acceptable paths (any of them); undefined: anywhere in the part. */
  paths?: string[];
  /** Text the message must contain (values and names), compared case-insensitively. */
  mentions: string[];
}

const q = (s: string | undefined): string => s ?? '';

/*
 * The reference implementation's mismatch texts differ from Treaty's wording (Treaty writes
 * `$.query.b: expected query parameter 'b' …`), so each expected text is read for its meaning — the
 * kind of mismatch, where it is, and the values or names it is about — and that is what is compared.
 */
const meanings: Array<[RegExp, (m: RegExpExecArray, path: string | undefined) => Meaning]> = [
  [
    /^Expected query parameter '(.+)' but was missing$/,
    (m) => ({ part: 'query', paths: [`$.query.${q(m[1])}`], mentions: [] }),
  ],
  [
    /^Unexpected query parameter '(.+)' received$/,
    (m) => ({ part: 'query', paths: [`$.query.${q(m[1])}`], mentions: [] }),
  ],
  [
    /^Expected a header '(.+)' but was missing$/,
    (m) => ({
      part: 'header',
      paths: [`$.header.${q(m[1]).toLowerCase()}`, `$.header.${q(m[1])}`],
      mentions: [],
    }),
  ],
  // "Expected 'c' (String) to be equal to 'b' (String)": the actual value and the expected one.
  [
    /^Expected '(.*)' \(\w+\) to be equal to '(.*)' \(\w+\)$/,
    (m, path) => ({ part: 'body', ...paths(path), mentions: [q(m[1]), q(m[2])] }),
  ],
  [
    /^Expected a body of '(.+)' but the actual content type was '(.+)'$/,
    (m) => ({ part: 'body', mentions: [q(m[1]), q(m[2])] }),
  ],
  // Plain text bodies are compared whole: a mismatch of the body itself.
  [
    /^Expected body '(.*)' to match '(.*)' using equality/,
    (m) => ({ part: 'body', paths: ['$.body'], mentions: [q(m[2])] }),
  ],
  // A missing key is reported where it is missing, `$.body.two`, rather than as keys of the map at `$`.
  [
    /^Expected a Map with keys \[(.*)\] but received one with keys \[(.*)\]$/,
    (m) => {
      const got = q(m[2]).split(', ');
      const lost = q(m[1])
        .split(', ')
        .filter((k) => !got.includes(k));
      return { part: 'body', paths: lost.map((k) => `$.body.${k}`), mentions: [] };
    },
  ],
  [/^Expected child <(\w+)\/> but was missing$/, (m) => ({ part: 'body', mentions: [q(m[1])] })],
  // Binary content is compared whole: the body at `$.body`, or the part of a multipart body it is in.
  [
    /^Actual body \[(.+?), \d+ bytes.*\] is not equal to the expected body/,
    () => ({ part: 'body', mentions: [] }),
  ],
  [
    /^Expected form post parameter '(.+)' with value '(.*)' but was '(.*)'$/,
    (m) => ({ part: 'body', paths: [`$.body.${q(m[1])}`], mentions: [q(m[2]), q(m[3])] }),
  ],
  [
    /^Expected '(.*)' to match '(.*)'$/,
    (m, path) => ({ part: '', ...paths(path), mentions: [q(m[1]), q(m[2])] }),
  ],
  [
    /^Expected (.*) \(\w+\) to be the same type as (.*) \(\w+\)$/,
    (m, path) => ({ part: '', ...paths(path), mentions: [q(m[1]).replace(/^'(.*)'$/, '$1'), 'type'] }),
  ],
];

function paths(path: string | undefined): { paths?: string[] } {
  if (path === undefined) return {};
  return { paths: [path.replace(/^\$/, '$.body')] };
}

/** Fails unless the report holds a mismatch with the meaning of the reference's kind, path and error. */
export function expectMismatch(
  report: ConsumerReport,
  kind: string,
  path: string | undefined,
  error: string,
): void {
  const text = error.replace(/\\\\/g, '\\');
  const found = meanings.find(([re]) => re.test(text));
  if (found === undefined) throw new Error(`no reading of the expected error: ${error}`);
  const [re, read] = found;
  const meaning = read(re.exec(text) as RegExpExecArray, path);
  const part = kind === 'body-content-type' ? 'body' : kind;
  const all = report.unexpected.flatMap((u) => u.mismatches);
  const hit = all.find(
    (m) =>
      m.part === part &&
      (meaning.part === '' || meaning.part === part) &&
      (meaning.paths === undefined || meaning.paths.includes(m.path)) &&
      meaning.mentions.every((x) => m.message.toLowerCase().includes(x.toLowerCase())),
  );
  expect(
    hit,
    `a ${kind} mismatch meaning "${error}" among:\n${all.map((m) => m.message).join('\n')}`,
  ).toBeDefined();
}
