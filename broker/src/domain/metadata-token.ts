import { TreatyError } from '@treaty/core';
import { LIMITS } from '../limits.js';

/**
 * Encodes what a for-verification entry stands for into the pact URL, so results can be traced back:
 * base64url of `{ p: pending, cv: consumer versions, w?: wip, n?: how many versions there were }`.
 * It stays within LIMITS.token characters (so the router takes it): the consumer versions are listed
 * newest first for as long as they fit, and `n` then says how many there were in all.
 */
export function encodeToken(value: { pending: boolean; versions: string[]; wip?: boolean }): string {
  const encode = (versions: string[]): string =>
    Buffer.from(
      JSON.stringify({
        p: value.pending,
        cv: versions,
        ...(value.wip === true ? { w: true } : {}),
        ...(versions.length < value.versions.length ? { n: value.versions.length } : {}),
      }),
    ).toString('base64url');
  const newestFirst = [...value.versions].reverse();
  let kept = newestFirst.length;
  let token = encode(newestFirst);
  while (token.length > LIMITS.token && kept > 0) token = encode(newestFirst.slice(0, --kept));
  return token;
}

/**
 * Reads a token back. Only the broker makes them, so anything else (not base64url of the shape above,
 * or longer than any token it issues) is refused with TREATY_BROKER_BAD_REQUEST.
 */
export function decodeToken(token: string): { pending: boolean; versions: string[]; wip: boolean } {
  const refuse = (): never => {
    throw new TreatyError(
      'TREATY_BROKER_BAD_REQUEST',
      'The metadata in this pact link is not one the broker issued; use the links from for-verification as given.',
    );
  };
  if (token.length > LIMITS.token || !/^[A-Za-z0-9_-]+$/.test(token)) refuse();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return refuse();
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return refuse();
  const { p, cv, w } = v as { p?: unknown; cv?: unknown; w?: unknown };
  if (typeof p !== 'boolean' || !Array.isArray(cv) || !cv.every((x) => typeof x === 'string')) refuse();
  return { pending: p === true, versions: cv as string[], wip: w === true };
}
