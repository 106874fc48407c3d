import { CONTRACT_ENVELOPE_DEPTH, MAX_JSON_DEPTH, TreatyError } from '@treaty/core';

/**
 * The broker's limits, decided once: every name the broker stores fits them, and the router accepts
 * every link built from values within them (see {@link MAX_PARAM_LENGTH}).
 * @example LIMITS.name // 255
 */
export const LIMITS = {
  /**
   * Pacticipant names, version numbers, branches, tags, environment names, display names, application
   * instances: at most this many characters (Unicode code points). Pact clients send 40-character git
   * SHAs, semver with build metadata and long branch names; 255 holds them all.
   */
  name: 255,
  /** URLs the broker stores as given (a repository URL, a build URL). */
  url: 2048,
  /** The for-verification metadata token in a pact link, in characters (see for-verification.ts). */
  token: 1024,
  /** How deep a JSON request body may nest: a contract's depth (its bodies' limit and its envelope). */
  jsonDepth: MAX_JSON_DEPTH + CONTRACT_ENVELOPE_DEPTH,
  /** Pages of versions: the largest page size, and the largest page number. */
  pageSize: 1000,
  pageNumber: 1_000_000,
  /**
   * The most characters of a verification result's `testResults` kept (256 Ki); beyond it they are cut
   * down to each interaction's first mismatches (TREATY_BROKER_RESULTS_TRUNCATED).
   */
  testResults: 256 * 1024,
  /** The most characters of a verification result's `verifiedBy` kept; a larger one is not kept. */
  verifiedBy: 4096,
  /** The most matrix rows one query may ask for (`limit`). */
  matrixRows: 100_000,
  /**
   * The most pacts one matrix or can-i-deploy request compares with provider versions' OpenAPI
   * documents on demand (pairs not compared when either was published); the rows beyond stay unknown
   * until asked again. Each comparison is recorded, so asking again goes on with the next ones.
   */
  comparisonsPerRequest: 20,
  /** The largest webhook definition, as JSON characters (its request body included). */
  webhook: 64 * 1024,
  /** The most characters of a webhook receiver's answer kept in an attempt's log (the rest is not read). */
  webhookResponse: 16 * 1024,
} as const;

/**
 * The longest path parameter the router accepts, in UTF-16 code units after decoding: a name of
 * LIMITS.name code points is at most twice as many units (astral characters), and a metadata token is
 * at most LIMITS.token. A longer parameter is answered 400 TREATY_BROKER_INVALID_NAME, never 414.
 */
export const MAX_PARAM_LENGTH = Math.max(2 * LIMITS.name, LIMITS.token);

function refuse(what: string, reason: string, value: string): never {
  const shown = value.length > 60 ? `${JSON.stringify(value.slice(0, 60))}…` : JSON.stringify(value);
  throw new TreatyError('TREATY_BROKER_INVALID_NAME', `The ${what} ${shown} ${reason}.`);
}

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Well-formed UTF-16: no lone surrogate (String.prototype.isWellFormed, Node 20, not yet in ES2023 lib). */
function wellFormed(value: string): boolean {
  return (value as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Checks text the broker stores and answers with: a string of well-formed Unicode, on one line, without
 * control characters, not only spaces, within `max` characters. Throws TREATY_BROKER_INVALID_NAME (400).
 * @example checkText('build URL', body.buildUrl, LIMITS.url)
 */
export function checkText(what: string, value: unknown, max: number): string {
  if (typeof value !== 'string')
    throw new TreatyError('TREATY_BROKER_INVALID_NAME', `The ${what} must be a string.`);
  if (!wellFormed(value)) refuse(what, 'is not well-formed Unicode (it has a lone surrogate)', value);
  if (CONTROL.test(value))
    refuse(what, 'must be one line without control characters (NUL, CR, LF, tab…)', value);
  if (value.trim() === '') refuse(what, 'must not be empty or only spaces', value);
  // Counted in code points, so an emoji counts once; a quick length check spares the count for most.
  if (value.length > max && [...value].length > max)
    refuse(what, `is longer than the ${max} characters the broker accepts`, value);
  return value;
}

/**
 * Checks a name that appears in links (a pacticipant, version, branch, tag or environment name): text
 * within LIMITS.name, and not `.` or `..`, which clients remove from URLs before sending them. Every
 * entry point (path, query and body) uses it, before anything is written.
 * @example checkName('pacticipant name', 'shop-web')
 */
export function checkName(what: string, value: unknown): string {
  const name = checkText(what, value, LIMITS.name);
  if (name === '.' || name === '..')
    refuse(what, "cannot be '.' or '..' (clients drop them from URLs)", name);
  return name;
}

/**
 * A whole number from a query string: decimal digits only (no `1e17`, `0x10`, `-1`, `1.5` or spaces),
 * from `min` to `max`; `fallback` when absent or empty. Throws TREATY_BROKER_BAD_REQUEST otherwise.
 * @example wholeNumber(req.query.pageSize, 100, 1, LIMITS.pageSize, 'pageSize')
 */
export function wholeNumber(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  what: string,
): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new TreatyError(
      'TREATY_BROKER_BAD_REQUEST',
      `${what} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`,
    );
  return n;
}
