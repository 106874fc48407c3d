/**
 * Every error Treaty throws is a TreatyError with a stable code from ERROR_CODES. Each code is
 * listed once here and once in docs/errors.md; a test keeps the two in step.
 */

/**
 * Who must act on an error: the user (fix a test, contract or flag), the operator, anyone by retrying, or us.
 */
export type ErrorKind = 'user' | 'operator' | 'retryable' | 'internal';

interface CodeInfo {
  readonly kind: ErrorKind;
  /** HTTP status where the error reaches an HTTP client. */
  readonly status: number;
  /** One line: what the code means. docs/errors.md says what to do about it. */
  readonly summary: string;
}

/**
 * The registry of error codes.
 * @example ERROR_CODES.TREATY_CONTRACT_INVALID.kind // 'user'
 */
export const ERROR_CODES = {
  TREATY_CONTRACT_NOT_A_CONTRACT: {
    kind: 'user',
    status: 400,
    summary: 'The input is not a Pact contract at all (not JSON, or no consumer/provider/interactions).',
  },
  TREATY_CONTRACT_INVALID: {
    kind: 'user',
    status: 400,
    summary:
      'A contract, request, response or message has a field of the wrong shape; the message names its JSON path.',
  },
  TREATY_CONTRACT_UNSUPPORTED_VERSION: {
    kind: 'user',
    status: 400,
    summary:
      'The Pact Specification version is not one Treaty reads or writes (1.0.0, 1.1.0, 2.0.0, 3.0.0, 4.0).',
  },
  TREATY_CONTRACT_UNKNOWN_RULE: {
    kind: 'user',
    status: 400,
    summary: 'A matching rule names a matcher Treaty does not know.',
  },
  TREATY_CONTRACT_UNKNOWN_GENERATOR: {
    kind: 'user',
    status: 400,
    summary: 'A generator names a generator type Treaty does not know.',
  },
  TREATY_CONTRACT_INVALID_PATH: {
    kind: 'user',
    status: 400,
    summary: 'A matching-rule or generator path expression cannot be parsed.',
  },
  TREATY_CONTRACT_DUPLICATE_INTERACTION: {
    kind: 'user',
    status: 409,
    summary: 'Two interactions share a description and provider states but differ in content.',
  },
  TREATY_CONTRACT_UNSERIALIZABLE: {
    kind: 'user',
    status: 400,
    summary: 'A contract cannot be written in the requested spec version (e.g. messages in V2).',
  },
  TREATY_INPUT_TOO_DEEP: {
    kind: 'user',
    status: 400,
    summary:
      'JSON (a contract, a request or response body) nests arrays and objects more than 256 levels deep.',
  },
  TREATY_CONTRACT_INVALID_REGEX: {
    kind: 'user',
    status: 400,
    summary: "A matching rule's regex is one no regex syntax Treaty reads accepts, so it could never match.",
  },
  TREATY_MATCHER_INVALID: {
    kind: 'user',
    status: 400,
    summary:
      'A matcher was built with bad arguments (a bad regex, min above max, an example that breaks its own rule).',
  },
  TREATY_DSL_INCOMPLETE: {
    kind: 'user',
    status: 400,
    summary: 'An interaction was used before it was complete (no description, request or response).',
  },
  TREATY_DSL_INVALID: {
    kind: 'user',
    status: 400,
    summary:
      'A DSL call got a bad argument (an unknown method, a status outside 100–599, a body that is not JSON).',
  },
  TREATY_CONSUMER_TEST_FAILED: {
    kind: 'user',
    status: 400,
    summary:
      'The consumer test did not make the requests its contract expects, or made others; nothing was written.',
  },
  TREATY_MOCK_SERVER_START: {
    kind: 'operator',
    status: 500,
    summary: 'The mock server could not listen on the requested host and port.',
  },
  TREATY_MOCK_REQUEST_TOO_LARGE: {
    kind: 'user',
    status: 413,
    summary:
      'A request to the mock server has a body larger than its limit (maxRequestBytes, 10 MiB by default).',
  },
  TREATY_PACT_FILE_LOCKED: {
    kind: 'retryable',
    status: 503,
    summary: 'Another process held the contract file lock for too long.',
  },
  TREATY_PACT_FILE_WRITE: {
    kind: 'operator',
    status: 500,
    summary:
      'The contract file could not be read or written (permissions, disk, or a file that is not a contract).',
  },
  TREATY_VERIFY_SOURCE: {
    kind: 'user',
    status: 400,
    summary:
      'A contract source for verification cannot be read (missing file, empty folder, unreachable URL).',
  },
  TREATY_VERIFY_CONFIG: {
    kind: 'user',
    status: 400,
    summary:
      'Verification options are incomplete or contradictory (no provider URL, no contracts, a bad header).',
  },
  TREATY_VERIFY_INTERACTION: {
    kind: 'user',
    status: 502,
    summary:
      'An interaction could not be verified: the provider or its state change URL could not be reached or failed, or a provider state has no handler.',
  },
  TREATY_VERIFY_TIMEOUT: {
    kind: 'retryable',
    status: 504,
    summary:
      'A request made while verifying (to the provider, the state change URL, the broker or a pact URL) did not complete within the request timeout.',
  },
  TREATY_VERIFY_TOO_LARGE: {
    kind: 'user',
    status: 413,
    summary:
      'An answer (a provider response, a pact fetched by URL or from the broker, a pact file) is larger than the limit.',
  },
  TREATY_OPENAPI_INVALID: {
    kind: 'user',
    status: 400,
    summary:
      'An OpenAPI document cannot be read: not YAML or JSON, not OpenAPI 3.0 or 3.1, a malformed part or a $ref that points at nothing; the message names where.',
  },
  TREATY_BROKER_PACT_CONFLICT: {
    kind: 'user',
    status: 409,
    summary: 'A consumer version already has a different pact with this provider.',
  },
  TREATY_BROKER_NOT_FOUND: {
    kind: 'user',
    status: 404,
    summary: 'A pacticipant, version, pact or verification named in the request does not exist.',
  },
  TREATY_BROKER_INVALID_NAME: {
    kind: 'user',
    status: 400,
    summary:
      'A pacticipant, version, branch, tag or environment name is empty, too long, not one line or not well-formed Unicode.',
  },
  TREATY_BROKER_CONFLICT: {
    kind: 'user',
    status: 409,
    summary: 'A broker resource with that name already exists (an environment, for example).',
  },
  TREATY_BROKER_UNPROCESSABLE: {
    kind: 'user',
    status: 422,
    summary:
      'A change the broker cannot make: marking a deployment deployed again, or a release supported again.',
  },
  TREATY_BROKER_BAD_REQUEST: {
    kind: 'user',
    status: 400,
    summary:
      'A broker request body is malformed: not JSON, the wrong content type, too large, or a pact whose names disagree with the URL.',
  },
  TREATY_BROKER_UNSUPPORTED_CONTRACT: {
    kind: 'user',
    status: 400,
    summary: 'A provider contract is not an OpenAPI document (its specification is not "oas").',
  },
  TREATY_BROKER_METHOD_NOT_ALLOWED: {
    kind: 'user',
    status: 405,
    summary: 'The URL names a broker resource that does not take this HTTP method.',
  },
  TREATY_BROKER_BAD_URL: {
    kind: 'user',
    status: 400,
    summary: 'The request URL cannot be read: invalid percent-encoding, or not a path at all.',
  },
  TREATY_BROKER_BODY_TOO_LARGE: {
    kind: 'user',
    status: 413,
    summary: 'The request body is larger than the broker accepts.',
  },
  TREATY_BROKER_RESULTS_TRUNCATED: {
    kind: 'user',
    status: 201,
    summary:
      'A verification result was recorded, but its testResults were larger than the broker keeps and were cut down.',
  },
  TREATY_BROKER_UNSUPPORTED_MEDIA_TYPE: {
    kind: 'user',
    status: 415,
    summary: 'The request body has a content type the broker does not read (it reads JSON).',
  },
  TREATY_BROKER_HEADERS_TOO_LARGE: {
    kind: 'user',
    status: 431,
    summary: 'The request line or headers are larger than the broker accepts.',
  },
  TREATY_BROKER_REQUEST_TIMEOUT: {
    kind: 'retryable',
    status: 408,
    summary: 'The request did not arrive in full in time.',
  },
  TREATY_BROKER_UNAUTHORIZED: {
    kind: 'user',
    status: 401,
    summary: 'The broker needs credentials: a bearer token or a username and password.',
  },
  TREATY_BROKER_FORBIDDEN: {
    kind: 'user',
    status: 403,
    summary: 'The credentials are read-only and the request writes; the message names the role needed.',
  },
  TREATY_BROKER_BUSY: {
    kind: 'retryable',
    status: 503,
    summary: 'Too many heavy requests (matrix, can-i-deploy, pacts for verification) are waiting already.',
  },
  TREATY_BROKER_DATABASE: {
    kind: 'operator',
    status: 500,
    summary: 'The broker database cannot be opened or migrated.',
  },
  TREATY_BROKER_DATABASE_UNAVAILABLE: {
    kind: 'retryable',
    status: 503,
    summary:
      'The broker cannot reach its database just now (PostgreSQL down, restarting or out of connections).',
  },
  TREATY_BROKER_UNREACHABLE: {
    kind: 'operator',
    status: 502,
    summary:
      'The broker could not be reached, or what answered is not a broker (a server error, or not JSON).',
  },
  TREATY_BROKER_WEBHOOK_INVALID: {
    kind: 'user',
    status: 400,
    summary:
      'A webhook definition is not valid: a missing or malformed field, an unknown event, a pacticipant that does not exist; `errors` names each field.',
  },
  TREATY_BROKER_WEBHOOK_NOT_ALLOWED: {
    kind: 'user',
    status: 400,
    summary:
      "A webhook's target is not allowed: its method, scheme or host is not on the broker's allow-lists, or it is (or resolves to) a private, loopback or link-local address.",
  },
  TREATY_BROKER_WEBHOOK_SECRET_MISSING: {
    kind: 'operator',
    status: 500,
    summary:
      'A webhook names a secret (${env.TREATY_WEBHOOK_SECRET_…}) that the broker process does not have in its environment.',
  },
  TREATY_BROKER_WEBHOOK_DELIVERY_FAILED: {
    kind: 'retryable',
    status: 502,
    summary:
      "A webhook's receiver could not be reached, did not answer in time, or answered with a status other than 200–206; the broker tries again on its retry schedule.",
  },
  TREATY_CLI_USAGE: {
    kind: 'user',
    status: 400,
    summary: 'The command line is wrong: an unknown command or flag, or a missing argument.',
  },
  TREATY_CLI_FILE_NOT_FOUND: {
    kind: 'user',
    status: 404,
    summary:
      'A file or directory named on the command line does not exist or cannot be read (or, for --output, written).',
  },
  TREATY_INTERNAL: {
    kind: 'internal',
    status: 500,
    summary: 'A bug in Treaty. Please report it with the message and the input that caused it.',
  },
} as const satisfies Record<string, CodeInfo>;

/** Every stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options of a TreatyError beyond its code and message. */
export interface TreatyErrorOptions {
  /** The JSON path of the fault in the input, when there is one (`interactions[3].request.method`). */
  path?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error type Treaty throws.
 * @example
 * throw new TreatyError('TREATY_CONTRACT_INVALID', 'interactions[0].request.method: expected a string')
 */
export class TreatyError extends Error {
  override readonly name = 'TreatyError';
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly status: number;
  readonly path: string | undefined;

  constructor(code: ErrorCode, message: string, options: TreatyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const info: CodeInfo = ERROR_CODES[code];
    this.code = code;
    this.kind = info.kind;
    this.status = info.status;
    this.path = options.path;
  }

  /** The shape the broker answers with and `--json` output prints. */
  toJSON(): { statusCode: number; code: ErrorCode; error: string; message: string; path?: string } {
    return {
      statusCode: this.status,
      code: this.code,
      error: this.name,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
    };
  }
}

/**
 * True when a value is a TreatyError (also across duplicated package copies).
 * @example if (isTreatyError(e) && e.kind === 'user') console.error(e.message)
 */
export function isTreatyError(value: unknown): value is TreatyError {
  return (
    value instanceof TreatyError ||
    (value instanceof Error && value.name === 'TreatyError' && 'code' in value)
  );
}

/**
 * The code for a broker's refusal: the broker's own TREATY_BROKER_ code when it sent one (a Treaty
 * broker does), otherwise the one its HTTP status means (a Pact Broker sends none).
 * @example brokerRefusalCode(404, { code: 'TREATY_BROKER_NOT_FOUND' }) // 'TREATY_BROKER_NOT_FOUND'
 */
export function brokerRefusalCode(status: number, answer: unknown): ErrorCode {
  const sent =
    typeof answer === 'object' && answer !== null ? (answer as { code?: unknown }).code : undefined;
  if (typeof sent === 'string' && sent.startsWith('TREATY_BROKER_') && Object.hasOwn(ERROR_CODES, sent))
    return sent as ErrorCode;
  if (status === 401) return 'TREATY_BROKER_UNAUTHORIZED';
  if (status === 403) return 'TREATY_BROKER_FORBIDDEN';
  if (status === 404) return 'TREATY_BROKER_NOT_FOUND';
  if (status === 409) return 'TREATY_BROKER_CONFLICT';
  if (status === 503) return 'TREATY_BROKER_BUSY';
  return status >= 500 ? 'TREATY_BROKER_UNREACHABLE' : 'TREATY_BROKER_BAD_REQUEST';
}
