/**
 * The one internal model of a contract. Spec versions exist only in parse (V1–V4 → model) and
 * serialize (model → V4/V3); everything else — the engine, the DSL, the mock server, the verifier —
 * works on these types.
 */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Pact Specification versions as Pact files write them in `metadata.pactSpecification.version`. */
export type SpecVersion = '1.0.0' | '1.1.0' | '2.0.0' | '3.0.0' | '4.0';

/** A named participant of a contract. */
export interface Pacticipant {
  name: string;
}

/** A provider state with optional parameters, e.g. `{ name: 'order 1 exists', params: { id: 1 } }`. */
export interface ProviderState {
  name: string;
  params?: JsonObject;
}

// ---------------------------------------------------------------------------------------------
// Matching rules

/** Status classes a V4 `statusCode` rule may name. */
export type StatusClass =
  | 'info'
  | 'success'
  | 'redirect'
  | 'clientError'
  | 'serverError'
  | 'nonError'
  | 'error';

/** One variant of an `arrayContains` rule: an example element with its own rules. */
export interface ArrayContainsVariant {
  /** Index of the example element in the expected array. */
  index: number;
  /** Rules for that element, keyed by body path relative to the element (`$`, `$.id`, …). */
  rules: Record<string, RuleList>;
  generators?: Record<string, Generator>;
}

/**
 * One matching rule, normalised from every spelling Pact files use (`min-type`, `timestamp`,
 * `real`, V2 rules without `match`, …) to one discriminated union on `match`.
 */
export type MatchingRule =
  | { match: 'equality' }
  | { match: 'regex'; regex: string }
  | { match: 'type'; min?: number; max?: number }
  | { match: 'include'; value: string }
  | { match: 'integer' }
  | { match: 'decimal' }
  | { match: 'number' }
  | { match: 'datetime'; format?: string }
  | { match: 'date'; format?: string }
  | { match: 'time'; format?: string }
  | { match: 'null' }
  | { match: 'boolean' }
  | { match: 'contentType'; value: string }
  | { match: 'values' }
  | { match: 'arrayContains'; variants: ArrayContainsVariant[] }
  | { match: 'statusCode'; status: StatusClass | number[] }
  | { match: 'notEmpty' }
  | { match: 'semver' }
  | { match: 'eachKey'; rules: MatchingRule[]; value?: JsonValue }
  | { match: 'eachValue'; rules: MatchingRule[]; value?: JsonValue }
  /**
   * A rule Pact does not define (perhaps a plugin's), kept as written: `name` is its `match`, `rule`
   * the whole object. Every value it applies to fails to match, as in the Pact core.
   */
  | { match: 'unknown'; name: string; rule: JsonObject };

/** The `match` names of every rule. */
export type RuleName = MatchingRule['match'];

/** Rules that apply at one place, combined with AND (all must pass) or OR (one must pass). */
export interface RuleList {
  combine: 'AND' | 'OR';
  rules: MatchingRule[];
}

/**
 * Matching rules of one request, response or message, by category.
 * `body` keys are body path expressions without the `$.body` prefix (`$`, `$.items[*].id`,
 * `$['odd key']`); `header`, `query` and `metadata` keys are plain names (header names keep the
 * case they were written in and apply case-insensitively). Message contents use `body`.
 */
export interface MatchingRules {
  path?: RuleList;
  status?: RuleList;
  method?: RuleList;
  query?: Record<string, RuleList>;
  header?: Record<string, RuleList>;
  body?: Record<string, RuleList>;
  metadata?: Record<string, RuleList>;
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Formats of the `Uuid` generator. */
export type UuidFormat = 'simple' | 'lower-case-hyphenated' | 'upper-case-hyphenated' | 'URN';

/** One generator: how a provider or mock server produces a value instead of the example. */
export type Generator =
  | { type: 'RandomInt'; min?: number; max?: number }
  | { type: 'RandomDecimal'; digits?: number }
  | { type: 'RandomHexadecimal'; digits?: number }
  | { type: 'RandomString'; size?: number }
  | { type: 'Regex'; regex: string }
  | { type: 'Uuid'; format?: UuidFormat }
  | { type: 'Date'; format?: string; expression?: string }
  | { type: 'Time'; format?: string; expression?: string }
  | { type: 'DateTime'; format?: string; expression?: string }
  | { type: 'RandomBoolean' }
  | { type: 'ProviderState'; expression: string; dataType?: string }
  | { type: 'MockServerURL'; example: string; regex: string };

/** The `type` names of every generator. */
export type GeneratorName = Generator['type'];

/** Generators of one request, response or message, by category (keys as in {@link MatchingRules}). */
export interface Generators {
  path?: Generator;
  status?: Generator;
  method?: Generator;
  query?: Record<string, Generator>;
  header?: Record<string, Generator>;
  body?: Record<string, Generator>;
  metadata?: Record<string, Generator>;
}

// ---------------------------------------------------------------------------------------------
// Bodies

/**
 * A body. `undefined` where a body is used means "absent" (don't care in an expectation); an
 * empty text body means "must be empty".
 *
 * - `json`: a JSON document (`value` may be `null`: the JSON `null` document).
 * - `text`: text as written (plain text, XML, form-urlencoded, or JSON text not yet parsed).
 * - `binary`: raw bytes.
 */
export type Body =
  | { kind: 'json'; value: JsonValue; contentType?: string; contentTypeHint?: ContentTypeHint }
  | { kind: 'text'; text: string; contentType?: string; contentTypeHint?: ContentTypeHint }
  | { kind: 'binary'; bytes: Uint8Array; contentType?: string; contentTypeHint?: ContentTypeHint };

/** V4's hint for how a body of an unknown content type is to be treated. */
export type ContentTypeHint = 'BINARY' | 'TEXT';

/** Header values by name, in the case they were written. Several values per name are allowed. */
export type Headers = Record<string, string[]>;

/** Query parameters by decoded name, each with its decoded values in order. */
export type Query = Record<string, string[]>;

// ---------------------------------------------------------------------------------------------
// Requests, responses, messages

/** An HTTP request as expected by a contract or as received on the wire. */
export interface HttpRequest {
  method: string;
  path: string;
  query: Query;
  /**
   * The query string exactly as a V1 contract wrote it. V1 compares query strings literally
   * (after URL-decoding), so order and a trailing `&` matter there; later versions compare `query`.
   */
  rawQuery?: string;
  headers: Headers;
  body?: Body;
  matchingRules: MatchingRules;
  generators: Generators;
}

/** An HTTP response as expected by a contract or as received on the wire. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body?: Body;
  matchingRules: MatchingRules;
  generators: Generators;
}

/**
 * The contents of a message with its metadata (an asynchronous message, or one half of a synchronous one).
 */
export interface Message {
  contents?: Body;
  metadata: JsonObject;
  matchingRules: MatchingRules;
  generators: Generators;
}

// ---------------------------------------------------------------------------------------------
// Interactions and contracts

/** V4 interaction markup. */
export interface InteractionMarkup {
  markup: string;
  markupType: 'COMMON_MARK' | 'HTML';
}

/** V4 comments: free text lines, the name of the test that recorded the interaction, and anything else. */
export interface InteractionComments {
  text?: string[];
  testname?: string;
  [key: string]: JsonValue | undefined;
}

/** What every kind of interaction has. */
export interface InteractionBase {
  description: string;
  /** V4 key; unique in its contract. Computed when absent (see serialize). */
  key?: string;
  providerStates: ProviderState[];
  pending: boolean;
  comments?: InteractionComments;
  pluginConfiguration?: JsonObject;
  interactionMarkup?: InteractionMarkup;
}

/** A synchronous HTTP request/response interaction (V4 `Synchronous/HTTP`). */
export interface HttpInteraction extends InteractionBase {
  type: 'Synchronous/HTTP';
  request: HttpRequest;
  response: HttpResponse;
}

/** An asynchronous message the consumer receives (V4 `Asynchronous/Messages`, V3 message pacts). */
export interface AsyncMessageInteraction extends InteractionBase {
  type: 'Asynchronous/Messages';
  message: Message;
}

/** A request message answered by one or more response messages (V4 `Synchronous/Messages`). */
export interface SyncMessageInteraction extends InteractionBase {
  type: 'Synchronous/Messages';
  request: Message;
  response: Message[];
}

/** Any interaction. */
export type Interaction = HttpInteraction | AsyncMessageInteraction | SyncMessageInteraction;

/** The interaction type names used by V4 files. */
export type InteractionType = Interaction['type'];

/** A contract between one consumer and one provider. */
export interface Contract {
  consumer: Pacticipant;
  provider: Pacticipant;
  interactions: Interaction[];
  /**
   * File metadata other than `pactSpecification` (e.g. `pactJs`, `pactRust`, `plugins`), kept so
   * nothing is lost on a round trip.
   */
  metadata: JsonObject;
  /** The spec version the contract was read as; `'4.0'` for a contract built in memory. */
  specVersion: SpecVersion;
}
