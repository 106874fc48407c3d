/**
 * Mismatches are data: the engine returns every one it finds, and text is rendered elsewhere.
 */

/** The part of a request, response or message a mismatch is in. */
export type MismatchPart = 'method' | 'path' | 'query' | 'header' | 'body' | 'status' | 'metadata';

/**
 * One difference between what was expected and what came.
 * @example
 * { part: 'body', path: '$.body.items[2].id', expected: 1, actual: 'x', rule: 'integer',
 *   message: "expected an integer at $.body.items[2].id, got the string 'x'" }
 */
export interface Mismatch {
  part: MismatchPart;
  /**
   * Where, from the root of the request, response or message: `$.method`, `$.path`,
   * `$.query.page`, `$.header.accept`, `$.status`, `$.body.items[2].id`, `$.metadata.contentType`.
   * Message contents use `$.body`.
   */
  path: string;
  /** The expected value (or the example / rule parameter the rule compared against). */
  expected: unknown;
  /** The actual value, `undefined` when it was missing. */
  actual: unknown;
  /**
   * The rule that applied: a matcher name (`type`, `regex`, …) or `equality`, `presence`, `length`,
   * `unexpected`, `contentType`.
   */
  rule: string;
  /** A readable sentence that names the path, what was expected and what came. */
  message: string;
}

/** A mismatch at `path`, its message prefixed with the path. */
export function mismatch(
  part: MismatchPart,
  path: string,
  rule: string,
  expected: unknown,
  actual: unknown,
  message: string,
): Mismatch {
  return { part, path, expected, actual, rule, message: `${path}: ${message}` };
}

/**
 * A mismatch in one line that opens with its path: the message as it is when it already opens with
 * the path (as the engine writes them), else the path before it.
 * @example mismatchLine('$.body.id', '$.body.id: expected an integer') // '$.body.id: expected an integer'
 */
export function mismatchLine(path: string, message: string): string {
  return message.startsWith(`${path}: `) ? message : `${path}: ${message}`;
}
