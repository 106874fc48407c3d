/**
 * What checking a contract against an OpenAPI document finds. Findings are data (as mismatches
 * are): each names the interaction, where in the contract, where in the document, a code and why.
 * The codes are PactFlow's comparator's (swagger-mock-validator / openapi-pact-comparator), so
 * their users recognise them; the few it has no code for are Treaty's and say so in their name.
 * The comparator does not check cookies: `request.cookie.*` follow its header and query codes.
 */

/** Whether a finding fails the check (`error`) or is only shown (`warning`, silenced by code). */
export type FindingLevel = 'error' | 'warning';

/**
 * Every finding code with its level. The comparator's codes keep the comparator's level, except
 * `response.body.unknown`, which Treaty reports only when the response declares no content at all.
 */
export const FINDING_CODES = {
  'request.path-or-method.unknown': 'error',
  'request.authorization.missing': 'error',
  'request.body.incompatible': 'error',
  'request.body.unknown': 'warning',
  'request.body.unvalidatable': 'warning',
  'request.body.read-only': 'warning',
  'request.body.matcher-wider': 'warning',
  'request.content-type.incompatible': 'error',
  'request.content-type.missing': 'warning',
  'request.content-type.unknown': 'warning',
  'request.header.incompatible': 'error',
  'request.header.unknown': 'warning',
  'request.cookie.incompatible': 'error',
  'request.cookie.unknown': 'warning',
  'request.query.incompatible': 'error',
  'request.query.unknown': 'warning',
  'response.status.unknown': 'error',
  'response.status.default': 'warning',
  'response.body.incompatible': 'error',
  'response.body.unknown': 'error',
  'response.body.unvalidatable': 'warning',
  'response.body.required-ignored': 'warning',
  'response.body.matcher-narrower': 'warning',
  'response.content-type.incompatible': 'error',
  'response.content-type.unknown': 'warning',
  'response.header.incompatible': 'error',
  'response.header.unknown': 'error',
  'response.header.undefined': 'warning',
} as const satisfies Record<string, FindingLevel>;

/** A finding code, e.g. `response.body.incompatible`. */
export type FindingCode = keyof typeof FINDING_CODES;

/**
 * One finding.
 * @example
 * { code: 'response.status.unknown', level: 'error', interaction: 'a request for pet 1',
 *   interactionIndex: 0, path: '$.interactions[0].response.status',
 *   pointer: '/paths/~1pet~1{petId}/get/responses',
 *   message: 'the status 418 is not documented for GET /pet/{petId}, and it has no default response' }
 */
export interface OpenApiFinding {
  code: FindingCode;
  level: FindingLevel;
  /** The interaction's description. */
  interaction: string;
  /** Its index in the contract's interactions. */
  interactionIndex: number;
  /** Where in the contract: `$.interactions[2].response.body.items[0].id`. */
  path: string;
  /** Where in the document, as a JSON pointer: `/components/schemas/Pet/properties/id/type`. */
  pointer: string;
  /** Why, in one sentence. */
  message: string;
}

/** Escapes one JSON pointer segment. */
export function pointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A JSON pointer built from segments: `pointer('paths', '/pets', 'get')` is `/paths/~1pets/get`. */
export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => `/${pointerSegment(s)}`).join('');
}
