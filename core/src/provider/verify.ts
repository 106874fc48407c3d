import { performance } from 'node:perf_hooks';
import { TreatyError, isTreatyError, type ErrorCode } from '../errors.js';
import type {
  Body,
  Headers,
  HttpInteraction,
  HttpRequest,
  HttpResponse,
  Interaction,
  InteractionComments,
  JsonObject,
  JsonValue,
  Message,
  ProviderState,
} from '../contract/model.js';
import { headerValue } from '../contract/fragments.js';
import { stringifyJson } from '../contract/json.js';
import { readBodyAhead } from '../matching/body.js';
import { matchMessage, matchResponse } from '../matching/match.js';
import type { Mismatch } from '../matching/mismatch.js';
import { classifyContentType } from '../contract/content-type.js';
import { generateBody, generateValue, type GeneratorContext } from '../generators/generate.js';
import { loadContracts, type LoadedContract } from './sources.js';
import { pactsFromBroker, publishResult, type BrokerOptions } from './broker-source.js';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
  isHttpUrl,
  limitsOf,
  send,
  sendRaw,
  type RawClientResponse,
  type SendLimits,
} from './http-client.js';
import { Redactor, isSecretHeader, REDACTED } from './redact.js';
import { testResult } from './test-results.js';
import { interactionKey } from '../contract/serialize.js';
import type { OpenApiChecker } from '../openapi/check.js';
import type { OpenApiSource } from '../openapi/load.js';
import type { OpenApiFinding } from '../openapi/findings.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A request about to be sent to the provider; filters may change it. */
export interface ProviderRequest {
  method: string;
  /** Path and query, e.g. `/orders/1?expand=items`. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/**
 * A provider state handler, as Pact JS takes them: a function sets the state up (it is not called
 * for teardown); the `{ setup, teardown }` form also cleans up after the interaction. Setup may
 * return values that `fromProviderState` expressions use.
 */
export type StateHandler =
  | ((params: JsonObject) => unknown)
  | { setup?: (params: JsonObject) => unknown; teardown?: (params: JsonObject) => unknown };

/** Produces the message for an asynchronous message interaction (its contents, and optionally metadata). */
export type MessageProducer = (states: ProviderState[]) => unknown;

/** Options of {@link verifyProvider}. */
export interface VerifyOptions {
  /**
   * The running provider, e.g. `http://127.0.0.1:8080`. Needed for HTTP interactions and for
   * messages without a producer in `messageProviders`; a message-only verification can leave it out.
   */
  providerBaseUrl?: string;
  /**
   * Check the contracts against this OpenAPI document (a file, a URL or the parsed document)
   * instead of a running provider: no request is sent, no provider state set up.
   */
  openapi?: OpenApiSource;
  /** With `openapi`: the warning codes not to report, e.g. `['response.status.default']`. */
  ignoreWarnings?: string[];
  /** Contract files, folders or URLs. */
  pacts?: string[];
  /** Contracts already loaded (for tests and tools). */
  contracts?: LoadedContract[];
  /** Fetch the pacts to verify from a broker (needs `provider`). */
  broker?: BrokerOptions;
  /** Publish each contract's result to the broker it came from (needs `providerVersion`). */
  publishVerificationResults?: boolean;
  /** The provider version being verified, e.g. a git sha. */
  providerVersion?: string;
  /** The branch of that provider version. */
  providerVersionBranch?: string;
  /** A link to the CI build, published with the results. */
  buildUrl?: string;
  /** Only verify contracts for this provider name. */
  provider?: string;
  /** State changes by URL: POST `{ state, params, action }` for setup and teardown. */
  providerStatesSetupUrl?: string;
  /** State changes in code. */
  stateHandlers?: Record<string, StateHandler>;
  /** Message producers by description, for message interactions verified in code. */
  messageProviders?: Record<string, MessageProducer>;
  /** Extra headers on every request (e.g. Authorization). */
  customHeaders?: Record<string, string>;
  /** Rewrites each request before it is sent (e.g. a fresh auth token). */
  requestFilter?: (request: ProviderRequest) => ProviderRequest | Promise<ProviderRequest>;
  /**
   * The deadline of each request in ms (default 30,000), for the whole exchange: connect, send, and the
   * whole answer. It applies to the provider, the state change URL, the broker and pacts fetched by URL.
   */
  timeoutMs?: number;
  /** The most bytes read of an answer from the provider or the state change URL (default 50 MiB). */
  maxResponseBytes?: number;
  /** The most bytes read of a pact: a file, a URL, or from the broker (default 50 MiB). */
  maxPactBytes?: number;
  /** Filters: consumer name, interaction description, provider state (regexes or exact names). */
  filterConsumer?: string[];
  filterDescription?: string;
  filterState?: string;
  filterNoState?: boolean;
  /** Called once the contracts are read, with the number of interactions to verify. */
  onStart?: (total: number) => void;
  /** Called after each interaction, for progress output. */
  onResult?: (result: InteractionResult, contract: ContractResult) => void;
  cwd?: string;
}

/** How one interaction went. */
export interface InteractionResult {
  description: string;
  type: Interaction['type'];
  providerStates: ProviderState[];
  /**
   * `passed`; `failed`; `pending` (failed, but pending so it does not fail the run); `error` (could not be
   * verified).
   */
  status: 'passed' | 'failed' | 'pending' | 'error';
  mismatches: Mismatch[];
  /**
   * Why it could not be verified (unreachable provider, failing state change, timeout). Credentials
   * (secret headers, broker token) never appear in it, nor anywhere else in the result.
   */
  error?: string;
  /** The code of that error: TREATY_VERIFY_TIMEOUT, TREATY_VERIFY_TOO_LARGE, TREATY_VERIFY_INTERACTION, … */
  errorCode?: ErrorCode;
  /**
   * What did not stop the verification but may explain a failure: a generator that kept its example,
   * a provider state that nothing is configured to set up.
   */
  warnings?: string[];
  /** The interaction's V4 comments (free text, the original test name), for reports to print. */
  comments?: InteractionComments;
  durationMs: number;
  /** The request that was sent, for failure reports; credential-bearing headers show as `[redacted]`. */
  request?: ProviderRequest;
  /** With `openapi`: what the check found, errors and warnings, each with its code and JSON pointer. */
  findings?: OpenApiFinding[];
}

/** How one contract went. */
export interface ContractResult {
  consumer: string;
  provider: string;
  source: string;
  interactions: InteractionResult[];
  /** Why the contract could not be read; the rest of the run goes on. */
  error?: { code: string; message: string };
  /** True when the whole contract is pending (the broker says so): its failures do not fail the run. */
  pending?: boolean;
  /** Why the broker selected this pact. */
  notices?: string[];
  /** What was read leniently in the contract, as the Pact tools read it. */
  warnings?: string[];
  /** Whether the result was published to the broker, or why not. */
  published?: boolean;
  publishError?: string;
}

/** The whole verification. */
export interface VerificationResult {
  /** True when every non-pending interaction passed. */
  passed: boolean;
  contracts: ContractResult[];
  summary: { passed: number; failed: number; pending: number; errors: number; durationMs: number };
}

/** A limit given in code must be a positive number no larger than `max`. */
function checkLimit(value: number | undefined, name: string, max: number): void {
  if (value !== undefined && !(typeof value === 'number' && value > 0 && value <= max))
    throw new TreatyError(
      'TREATY_VERIFY_CONFIG',
      `${name} must be a positive number no larger than ${max}, got ${String(value)}.`,
    );
}

function isRegex(filter: string): boolean {
  try {
    new RegExp(filter);
    return true;
  } catch {
    return false;
  }
}

function matches(filter: string | undefined, value: string): boolean {
  if (filter === undefined || filter === '') return true;
  if (filter === value) return true;
  try {
    return new RegExp(`^(?:${filter})$`).test(value);
  } catch {
    return false;
  }
}

const limitsByOptions = new WeakMap<VerifyOptions, SendLimits>();

/** The limits every request to the provider or its state change URL is sent with (worked out once a run). */
function providerLimits(options: VerifyOptions): SendLimits {
  let limits = limitsByOptions.get(options);
  if (limits === undefined) {
    limits = limitsOf(
      { timeoutMs: options.timeoutMs, maxBytes: options.maxResponseBytes },
      'max-response-bytes',
    );
    limitsByOptions.set(options, limits);
  }
  return limits;
}

/** The error with what was being done in front of its message, keeping its code when it has one. */
function inContext(error: unknown, context: string): Error {
  const message = `${context}: ${error instanceof Error ? error.message : String(error)}`;
  return isTreatyError(error) ? new TreatyError(error.code, message, { cause: error }) : new Error(message);
}

async function changeStates(
  interactionStates: ProviderState[],
  action: 'setup' | 'teardown',
  options: VerifyOptions,
  warn: (text: string) => void = () => undefined,
): Promise<Record<string, unknown>> {
  // ProviderState generators draw on every state's params, with what setup returned laid over them
  // (as pact_verifier builds its provider-states context).
  const values: Record<string, unknown> = {};
  // As pact-verifier does: an interaction without states still calls the state change URL, with an
  // empty state, so that a provider can reset its data before every interaction.
  const states: ProviderState[] =
    interactionStates.length === 0 && options.providerStatesSetupUrl !== undefined
      ? [{ name: '' }]
      : interactionStates;
  if (action === 'setup') for (const state of states) Object.assign(values, state.params);
  for (const state of states) {
    const params = state.params ?? {};
    const handler = options.stateHandlers?.[state.name];
    if (handler !== undefined) {
      const step =
        typeof handler === 'function' ? (action === 'setup' ? handler : undefined) : handler[action];
      const result = await step?.(params);
      if (action === 'setup' && typeof result === 'object' && result !== null) Object.assign(values, result);
      continue;
    }
    if (options.providerStatesSetupUrl !== undefined) {
      let res: RawClientResponse;
      try {
        res = await sendRaw(options.providerStatesSetupUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...options.customHeaders },
          body: JSON.stringify({ state: state.name, params, action }),
          ...providerLimits(options),
        });
      } catch (error) {
        throw inContext(
          error,
          `the state change URL ${options.providerStatesSetupUrl} failed for '${state.name}' (${action})`,
        );
      }
      if (res.status < 200 || res.status > 299)
        throw new Error(`the state change URL answered ${res.status} for '${state.name}' (${action})`);
      // What setup answers may hold values for ProviderState generators; teardown's is not read.
      const text = action === 'setup' ? decoder.decode(res.body) : '';
      if (text.trim().startsWith('{')) {
        try {
          Object.assign(values, JSON.parse(text) as Record<string, unknown>);
        } catch {
          // a non-JSON answer carries no values
        }
      }
      continue;
    }
    if (action === 'setup' && options.stateHandlers !== undefined) {
      throw new Error(`no handler for the provider state '${state.name}'; add it to stateHandlers`);
    }
    if (action === 'setup')
      warn(
        `the provider state '${state.name}' was not set up: no stateHandlers and no state change URL are configured`,
      );
  }
  return values;
}

function bodyBytes(
  body: Body,
  generators: HttpRequest['generators']['body'],
  ctx: GeneratorContext,
): Uint8Array {
  if (body.kind === 'json')
    return encoder.encode(
      generators === undefined
        ? stringifyJson(body.value)
        : JSON.stringify(generateBody(body.value, generators, ctx)),
    );
  if (body.kind === 'text') return encoder.encode(body.text);
  return body.bytes;
}

function buildRequest(
  expected: HttpRequest,
  ctx: GeneratorContext,
  custom: Record<string, string>,
): ProviderRequest {
  const g = expected.generators;
  const path =
    g.path === undefined ? expected.path : String(generateValue(g.path, expected.path, ctx) ?? expected.path);
  let qs = '';
  const names = Object.keys(expected.query);
  if (names.length > 0) {
    const params = new URLSearchParams();
    for (const name of names) {
      const gen = g.query?.[name];
      for (const v of expected.query[name] as string[])
        params.append(name, gen === undefined ? v : String(generateValue(gen, v, ctx) ?? v));
    }
    qs = params.toString();
  }
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(expected.headers)) {
    const gen = g.header?.[name];
    headers[name] =
      gen === undefined ? values.join(', ') : String(generateValue(gen, values[0], ctx) ?? values.join(', '));
  }
  const body = expected.body === undefined ? undefined : bodyBytes(expected.body, g.body, ctx);
  if (expected.body?.contentType !== undefined && headerValue(expected.headers, 'content-type') === undefined)
    headers['Content-Type'] = expected.body.contentType;
  Object.assign(headers, custom);
  return {
    method: expected.method.toUpperCase(),
    path: qs === '' ? path : `${path}?${qs}`,
    headers,
    ...(body === undefined ? {} : { body }),
  };
}

function toResponse(res: RawClientResponse): HttpResponse {
  const headers: Headers = {};
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = (res.rawHeaders[i] as string).toLowerCase();
    const value = res.rawHeaders[i + 1] as string;
    const values = headers[name];
    if (values === undefined) headers[name] = [value];
    else values.push(value);
  }
  const bytes = res.body;
  const response: HttpResponse = { status: res.status, headers, matchingRules: {}, generators: {} };
  if (bytes.length > 0) {
    // The first Content-Type line, as node:http's headers object kept it.
    const contentType = headers['content-type']?.[0];
    const kind = classifyContentType(contentType);
    response.body =
      kind === 'binary' || kind === 'multipart'
        ? { kind: 'binary', bytes, ...(contentType === undefined ? {} : { contentType }) }
        : {
            kind: 'text',
            text: decoder.decode(bytes),
            ...(contentType === undefined ? {} : { contentType }),
          };
  }
  return response;
}

async function verifyHttp(
  interaction: HttpInteraction,
  options: VerifyOptions,
  stateValues: Record<string, unknown>,
  warnings: string[],
): Promise<{ raw: RawClientResponse; request: ProviderRequest }> {
  const base = requireBaseUrl(options, () => `the HTTP interaction '${interaction.description}'`);
  let request = buildRequest(
    interaction.request,
    { mode: 'provider', providerState: stateValues, onWarning: (w) => warnings.push(w) },
    options.customHeaders ?? {},
  );
  if (options.requestFilter !== undefined) request = await options.requestFilter(request);
  let res: RawClientResponse;
  try {
    res = await sendRaw(`${base}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...providerLimits(options),
    });
  } catch (error) {
    throw Object.assign(
      isTreatyError(error)
        ? error
        : new Error(
            `the provider at ${base} could not be reached for ${request.method} ${request.path} (${(error as Error).message})`,
          ),
      { request },
    );
  }
  return { raw: res, request };
}

function messageFrom(value: unknown, metadata: Record<string, unknown> = {}): Message {
  const contents: Body | undefined =
    value === undefined
      ? undefined
      : typeof value === 'string'
        ? { kind: 'text', text: value }
        : value instanceof Uint8Array
          ? { kind: 'binary', bytes: value }
          : { kind: 'json', value: value as JsonValue };
  // A producer that returns a JSON value sends JSON: say so, as the consumer's contract records it.
  const withType =
    contents?.kind === 'json' &&
    !Object.keys(metadata).some(
      (k) => k.toLowerCase() === 'contenttype' || k.toLowerCase() === 'content-type',
    )
      ? { ...metadata, contentType: 'application/json' }
      : metadata;
  return {
    ...(contents === undefined ? {} : { contents }),
    metadata: withType as JsonObject,
    matchingRules: {},
    generators: {},
  };
}

function requireBaseUrl(options: VerifyOptions, what: () => string): string {
  const url = options.providerBaseUrl;
  if (url === undefined)
    throw new Error(
      `${what()} needs the running provider, but no providerBaseUrl (--provider-base-url) was given`,
    );
  return url.endsWith('/') ? url.replace(/\/+$/, '') : url;
}

async function produceMessage(
  interaction: Interaction,
  options: VerifyOptions,
  warn: (text: string) => void,
): Promise<Message> {
  const producer = options.messageProviders?.[interaction.description];
  if (producer !== undefined) {
    const produced = await producer(interaction.providerStates);
    // { contents, metadata? } and nothing else is a message with metadata; any other value is the contents.
    if (
      typeof produced === 'object' &&
      produced !== null &&
      !Array.isArray(produced) &&
      'contents' in produced &&
      Object.keys(produced).every((k) => k === 'contents' || k === 'metadata')
    ) {
      const p = produced as { contents: unknown; metadata?: Record<string, unknown> };
      return messageFrom(p.contents, p.metadata);
    }
    return messageFrom(produced);
  }
  // As pact-verifier does it: POST { description, providerStates } to the provider (providerStates
  // left out when there are none); the body is the message and its metadata comes base64-encoded
  // JSON in Pact-Message-Metadata.
  const base = requireBaseUrl(
    options,
    () => `the message '${interaction.description}' has no producer in messageProviders, so it`,
  );
  const res = await send(base, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...options.customHeaders },
    body: JSON.stringify({
      description: interaction.description,
      ...(interaction.providerStates.length === 0 ? {} : { providerStates: interaction.providerStates }),
    }),
    ...providerLimits(options),
  }).catch((error: unknown) => {
    if (isTreatyError(error)) throw error;
    throw new Error(
      `the provider at ${base} could not be reached for message '${interaction.description}' (${(error as Error).message}); add a producer for it to messageProviders, or serve it there`,
    );
  });
  // As pact-verifier does, the answer's body is the message whatever the status; a status that is
  // not 2xx is said, since it usually explains a mismatch in the contents.
  if (res.status < 200 || res.status > 299)
    warn(
      `the provider answered ${res.status} when asked for message '${interaction.description}'; its body was checked as the message`,
    );
  const raw = res.headers['pact-message-metadata'];
  const header = typeof raw === 'string' ? raw : null;
  let metadata: Record<string, unknown> = {};
  if (header !== null) {
    try {
      metadata = JSON.parse(decoder.decode(Uint8Array.from(atob(header), (c) => c.charCodeAt(0)))) as Record<
        string,
        unknown
      >;
    } catch {
      throw new Error(
        `the Pact-Message-Metadata header of message '${interaction.description}' is not base64-encoded JSON`,
      );
    }
  }
  const response = toResponse(res);
  const ct = res.headers['content-type'];
  const contentType = typeof ct === 'string' ? ct : undefined;
  if (contentType !== undefined && metadata.contentType === undefined) metadata.contentType = contentType;
  return {
    ...(response.body === undefined ? {} : { contents: response.body }),
    metadata: metadata as JsonObject,
    matchingRules: {},
    generators: {},
  };
}

/** An interaction's result before anything is checked: passed, no mismatches yet. */
function freshResult(interaction: Interaction): InteractionResult {
  return {
    description: interaction.description,
    type: interaction.type,
    providerStates: interaction.providerStates,
    status: 'passed',
    mismatches: [],
    durationMs: 0,
    ...(interaction.comments === undefined ? {} : { comments: interaction.comments }),
  };
}

/**
 * Replays one interaction: sets its states up, sends its request, tears its states down. What it
 * resolves to finishes the result: the provider's answer is compared with the contract then, so a
 * caller can do that while the provider works on the next interaction's setup (the answer's body is
 * parsed while the provider tears this one's states down). The provider still sees setup, request
 * and teardown of one interaction after another, each after the previous answer.
 */
async function verifyInteraction(
  interaction: Interaction,
  options: VerifyOptions,
  contractPending: boolean,
  redactor: Redactor,
): Promise<() => InteractionResult> {
  const started = performance.now();
  const result = freshResult(interaction);
  const warn = (text: string): void => {
    result.warnings = [...(result.warnings ?? []), text];
  };
  const failed = (error: unknown): void => {
    result.status = 'error';
    result.error = error instanceof Error ? error.message : String(error);
    result.errorCode = isTreatyError(error) ? error.code : 'TREATY_VERIFY_INTERACTION';
  };
  let setUp = false;
  let teardown: Promise<unknown> | undefined;
  const tearDown = (): Promise<unknown> =>
    changeStates(interaction.providerStates, 'teardown', options).catch((error: unknown) => {
      result.status = 'error';
      result.error = `teardown failed: ${(error as Error).message}`;
      result.errorCode = isTreatyError(error) ? error.code : 'TREATY_VERIFY_INTERACTION';
    });
  // The comparison still to make, once the states are torn down.
  let compare: (() => Mismatch[]) | undefined;
  try {
    const values = await changeStates(interaction.providerStates, 'setup', options, warn);
    setUp = true;
    if (interaction.type === 'Synchronous/HTTP') {
      const warnings: string[] = [];
      const { raw, request } = await verifyHttp(interaction, options, values, warnings);
      // The provider tears the states down while the answer is read and parsed.
      if (interaction.providerStates.length > 0 || options.providerStatesSetupUrl !== undefined)
        teardown = tearDown();
      for (const w of warnings) warn(w);
      result.request = request;
      const response = toResponse(raw);
      readBodyAhead(response.body);
      compare = () => matchResponse(interaction.response, response);
    } else if (interaction.type === 'Asynchronous/Messages') {
      result.mismatches = matchMessage(interaction.message, await produceMessage(interaction, options, warn));
    } else {
      const produced = await produceMessage(interaction, options, warn);
      const expected = interaction.response[0];
      result.mismatches = expected === undefined ? [] : matchMessage(expected, produced);
    }
  } catch (error) {
    failed(error);
    const request = (error as { request?: ProviderRequest }).request;
    if (request !== undefined) result.request = request;
  } finally {
    if (teardown !== undefined) await teardown;
    else if (setUp) await tearDown();
  }
  const replayed = performance.now() - started;
  return () => {
    const judged = performance.now();
    if (compare !== undefined) {
      try {
        result.mismatches = compare();
      } catch (error) {
        failed(error);
      }
    }
    if (result.status === 'passed' && result.mismatches.length > 0) result.status = 'failed';
    if ((result.status === 'failed' || result.status === 'error') && (interaction.pending || contractPending))
      result.status = 'pending';
    const shown = redactResult(result, redactor);
    shown.durationMs = replayed + (performance.now() - judged);
    return shown;
  };
}

/** The result as it may be shown: no credential in its request, error, warnings or mismatches. */
function redactResult(result: InteractionResult, redactor: Redactor): InteractionResult {
  const r = result.request === undefined ? redactor : redactor.with(result.request.headers);
  return {
    ...result,
    ...(result.request === undefined
      ? {}
      : {
          request: {
            ...result.request,
            path: r.text(result.request.path),
            headers: r.headers(result.request.headers),
          },
        }),
    ...(result.error === undefined ? {} : { error: r.text(result.error) }),
    ...(result.warnings === undefined ? {} : { warnings: result.warnings.map((w) => r.text(w)) }),
    mismatches: result.mismatches.map((m) => {
      // A credential-bearing header the provider answered with (Set-Cookie) is hidden whole.
      const secret =
        m.part === 'header' && isSecretHeader(/^\$\.header(?:\.|\[')?([^'\]]*)/.exec(m.path)?.[1] ?? '');
      return {
        ...m,
        expected: secret && m.expected !== undefined ? REDACTED : r.value(m.expected),
        actual: secret && m.actual !== undefined ? REDACTED : r.value(m.actual),
        message: secret
          ? `${m.path}: the credential-bearing header differs from the contract (${REDACTED} values)`
          : r.text(m.message),
      };
    }),
  };
}

/** One interaction checked against an OpenAPI document: errors are its mismatches, warnings its warnings. */
function checkedResult(
  checker: OpenApiChecker,
  interaction: Interaction,
  index: number,
  options: VerifyOptions,
  contractPending: boolean,
): InteractionResult {
  const started = performance.now();
  const result = freshResult(interaction);
  if (interaction.type !== 'Synchronous/HTTP') {
    result.warnings = ['not checked: an OpenAPI document describes HTTP interactions, not messages'];
  } else {
    const { findings } = checker.checkInteraction(interaction, index, {
      ...(options.ignoreWarnings === undefined ? {} : { ignoreWarnings: options.ignoreWarnings }),
    });
    result.findings = findings;
    const part = (code: string): Mismatch['part'] =>
      code.startsWith('request.path')
        ? 'path'
        : code.startsWith('response.status')
          ? 'status'
          : /\.(query)\./.test(code)
            ? 'query'
            : /\.body\./.test(code)
              ? 'body'
              : 'header';
    result.mismatches = findings
      .filter((f) => f.level === 'error')
      .map((f) => ({
        part: part(f.code),
        path: f.path,
        expected: undefined,
        actual: undefined,
        rule: f.code,
        message: `${f.message} [${f.code}, ${f.pointer || '/'}]`,
      }));
    const warnings = findings.filter((f) => f.level === 'warning').map((f) => `${f.code}: ${f.message}`);
    if (warnings.length > 0) result.warnings = warnings;
    if (result.mismatches.length > 0)
      result.status = interaction.pending || contractPending ? 'pending' : 'failed';
  }
  result.durationMs = performance.now() - started;
  return result;
}

/**
 * Verifies a running provider against contracts: for each interaction, sets up its provider states,
 * sends the request (or asks for the message), matches what comes back and tears the states down.
 * Never calls process.exit; the result says what passed.
 * @example
 * const result = await verifyProvider({ providerBaseUrl: 'http://127.0.0.1:8080', pacts: ['./pacts'] })
 */
export async function verifyProvider(options: VerifyOptions): Promise<VerificationResult> {
  for (const [name, value] of [
    ['providerBaseUrl (--provider-base-url)', options.providerBaseUrl],
    ['providerStatesSetupUrl (--provider-states-setup-url)', options.providerStatesSetupUrl],
    ['the broker URL (--broker-base-url)', options.broker?.baseUrl],
  ] as const) {
    if (value !== undefined && !isHttpUrl(value))
      throw new TreatyError(
        'TREATY_VERIFY_CONFIG',
        `${name} must be an http(s) URL such as http://127.0.0.1:8080, got ${JSON.stringify(new Redactor().text(String(value)))}.`,
      );
  }
  if (
    (options.pacts?.length ?? 0) === 0 &&
    (options.contracts?.length ?? 0) === 0 &&
    options.broker === undefined
  ) {
    throw new TreatyError(
      'TREATY_VERIFY_CONFIG',
      'Name at least one contract to verify (pacts: files, folders or URLs), or a broker to fetch them from.',
    );
  }
  if (options.broker !== undefined && (options.provider === undefined || options.provider === '')) {
    throw new TreatyError(
      'TREATY_VERIFY_CONFIG',
      'Verifying from a broker needs the provider name (--provider).',
    );
  }
  if (
    options.publishVerificationResults === true &&
    (options.providerVersion === undefined || options.providerVersion === '')
  ) {
    throw new TreatyError(
      'TREATY_VERIFY_CONFIG',
      'Publishing verification results needs the provider version (--provider-app-version).',
    );
  }
  if (options.openapi !== undefined && options.publishVerificationResults === true)
    throw new TreatyError(
      'TREATY_VERIFY_CONFIG',
      'Results of a check against an OpenAPI document are not published as a verification; leave out publishVerificationResults (--publish).',
    );
  checkLimit(options.timeoutMs, 'timeoutMs', MAX_TIMEOUT_MS);
  checkLimit(options.maxResponseBytes, 'maxResponseBytes', Number.MAX_SAFE_INTEGER);
  checkLimit(options.maxPactBytes, 'maxPactBytes', Number.MAX_SAFE_INTEGER);
  const redactor = new Redactor({
    secrets: [
      options.broker?.token,
      options.broker?.password,
      ...(options.broker?.username === undefined
        ? []
        : [
            `Basic ${Buffer.from(`${options.broker.username}:${options.broker.password ?? ''}`).toString('base64')}`,
          ]),
    ],
    headers: options.customHeaders ?? {},
  });
  const limits = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: options.maxPactBytes ?? DEFAULT_MAX_BYTES,
  };
  const started = performance.now();
  // The document is read and its schemas compiled once, for every contract; the OpenAPI side of
  // core is loaded only then, so that a replay does not wait for it.
  let checker: OpenApiChecker | undefined;
  if (options.openapi !== undefined) {
    const [{ OpenApiChecker }, { loadOpenApi }] = await Promise.all([
      import('../openapi/check.js'),
      import('../openapi/load.js'),
    ]);
    checker = new OpenApiChecker(
      await loadOpenApi(options.openapi, {
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...limits,
      }),
    );
  }
  const contracts: ContractResult[] = [];
  const loaded: LoadedContract[] = [...(options.contracts ?? [])];
  // A source that cannot be read is reported, and the other contracts are still verified.
  const unreadable = (source: string, provider: string, error: unknown): void => {
    if (!isTreatyError(error)) throw error;
    contracts.push({
      consumer: '?',
      provider,
      source: redactor.text(source),
      interactions: [],
      error: { code: error.code, message: redactor.text(error.message) },
    });
  };
  for (const source of options.pacts ?? []) {
    try {
      loaded.push(
        ...(await loadContracts([source], {
          ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
          ...limits,
        })),
      );
    } catch (error) {
      unreadable(source, '?', error);
    }
  }
  if (options.broker !== undefined) {
    try {
      loaded.push(
        ...(await pactsFromBroker(options.provider as string, {
          ...options.broker,
          ...(options.providerVersionBranch === undefined ||
          options.broker.providerVersionBranch !== undefined
            ? {}
            : { providerVersionBranch: options.providerVersionBranch }),
          ...limits,
        })),
      );
    } catch (error) {
      unreadable(options.broker.baseUrl, options.provider ?? '?', error);
    }
  }
  const env = process.env;
  const description = options.filterDescription ?? env.PACT_DESCRIPTION;
  const state = options.filterState ?? env.PACT_PROVIDER_STATE;
  const noState = options.filterNoState ?? env.PACT_PROVIDER_NO_STATE === 'true';
  const jobs: Array<{
    result: ContractResult;
    interactions: Interaction[];
    pending: boolean;
    loaded: LoadedContract;
  }> = [];
  for (const item of loaded) {
    const { source, contract } = item;
    if (options.provider !== undefined && contract.provider.name !== options.provider) continue;
    if (
      options.filterConsumer !== undefined &&
      options.filterConsumer.length > 0 &&
      !options.filterConsumer.some((c) => matches(c, contract.consumer.name))
    )
      continue;
    const result: ContractResult = {
      consumer: contract.consumer.name,
      provider: contract.provider.name,
      source: redactor.text(source),
      interactions: [],
      ...(item.broker?.pending === true ? { pending: true } : {}),
      ...(item.broker !== undefined && item.broker.notices.length > 0
        ? { notices: item.broker.notices }
        : {}),
      ...(item.warnings === undefined ? {} : { warnings: item.warnings }),
    };
    contracts.push(result);
    const interactions = contract.interactions.filter(
      (i) =>
        matches(description, i.description) &&
        (state === undefined || state === '' || i.providerStates.some((s) => matches(state, s.name))) &&
        !(noState && i.providerStates.length > 0),
    );
    jobs.push({ result, interactions, pending: item.broker?.pending === true, loaded: item });
  }
  // A filter that is not a regex can still name a description or state exactly; one that does
  // neither would select nothing and let the run pass on no evidence, so it is refused.
  for (const [filter, flag, names] of [
    [description, '--filter-description (PACT_DESCRIPTION)', (i: Interaction) => [i.description]],
    [state, '--filter-state (PACT_PROVIDER_STATE)', (i: Interaction) => i.providerStates.map((s) => s.name)],
  ] as const) {
    if (filter === undefined || filter === '' || isRegex(filter)) continue;
    if (!loaded.some((l) => l.contract.interactions.some((i) => names(i).includes(filter))))
      throw new TreatyError(
        'TREATY_VERIFY_CONFIG',
        `${flag} '${filter}' is not a valid regular expression and names no interaction exactly; fix the pattern, or give the exact name.`,
      );
  }
  options.onStart?.(jobs.reduce((n, j) => n + j.interactions.length, 0));
  for (const job of jobs) {
    const take = (result: InteractionResult): void => {
      job.result.interactions.push(result);
      options.onResult?.(result, job.result);
    };
    // The previous interaction's result, finished while the provider sets up the next one's states;
    // when code of the caller's runs between interactions (state handlers, a request filter, message
    // producers), each result is finished before it, as it always was.
    const overlap =
      options.stateHandlers === undefined &&
      options.requestFilter === undefined &&
      options.messageProviders === undefined;
    let previous: (() => InteractionResult) | undefined;
    for (const interaction of job.interactions) {
      if (checker !== undefined) {
        take(
          checkedResult(
            checker,
            interaction,
            job.loaded.contract.interactions.indexOf(interaction),
            options,
            job.pending,
          ),
        );
        continue;
      }
      const next = verifyInteraction(interaction, options, job.pending, redactor);
      if (previous !== undefined) take(previous());
      previous = await next;
      if (!overlap) {
        take(previous());
        previous = undefined;
      }
    }
    if (previous !== undefined) take(previous());
    if (
      options.publishVerificationResults === true &&
      job.loaded.broker !== undefined &&
      job.interactions.length > 0
    ) {
      // The published result is the truth about this version, pending or not.
      const success = job.result.interactions.every((r) => r.status === 'passed');
      // Each result names its interaction as the broker knows it: its `_id`, else its V4 key.
      const ids = job.loaded.broker.interactionIds;
      const testResults = job.interactions.map((interaction, n) => {
        const at = job.loaded.contract.interactions.indexOf(interaction);
        const id = ids?.[at] ?? interactionKey(interaction);
        return testResult(job.result.interactions[n] as InteractionResult, id, redactor);
      });
      try {
        await publishResult(
          job.loaded,
          {
            success,
            providerVersion: options.providerVersion as string,
            ...(options.providerVersionBranch === undefined
              ? {}
              : { providerBranch: options.providerVersionBranch }),
            ...(options.buildUrl === undefined ? {} : { buildUrl: options.buildUrl }),
            testResults,
          },
          { ...(options.broker as BrokerOptions), ...limits },
        );
        job.result.published = true;
      } catch (error) {
        job.result.published = false;
        job.result.publishError = redactor.text(error instanceof Error ? error.message : String(error));
      }
    }
  }
  const all = contracts.flatMap((c) => c.interactions);
  const count = (s: InteractionResult['status']): number => all.filter((r) => r.status === s).length;
  const unread = contracts.filter((c) => c.error !== undefined).length;
  const summary = {
    passed: count('passed'),
    failed: count('failed'),
    pending: count('pending'),
    errors: count('error') + unread,
    durationMs: performance.now() - started,
  };
  return { passed: summary.failed === 0 && summary.errors === 0, contracts, summary };
}
