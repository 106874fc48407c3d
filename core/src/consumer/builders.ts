import type { HttpInteraction, ProviderState } from '../contract/model.js';
import { TreatyError } from '../errors.js';
import type { Matcher } from '../matchers/matchers.js';
import {
  addHeaders,
  emptyPart,
  jsonObject,
  setFormBody,
  setJsonBody,
  setRawBody,
  requireName,
  type PartState,
} from './parts.js';
import {
  extractMulti,
  extractValue,
  isNumber,
  isString,
  type MultiTemplate,
  type StringTemplate,
} from './template.js';

/**
 * Builds the request of an interaction.
 * @example req.query({ page: '2' }).headers({ Accept: 'application/json' }).jsonBody({ sku: like('A-1') })
 */
export class RequestBuilder {
  /** @internal */
  constructor(private readonly part: PartState) {}

  /** Query parameters; values may be matchers or lists. */
  query(query: MultiTemplate): this {
    const { values, rules, generators } = extractMulti(query, 'query');
    Object.assign(this.part.query, values);
    if (Object.keys(rules).length > 0)
      this.part.matchingRules.query = { ...this.part.matchingRules.query, ...rules };
    if (Object.keys(generators).length > 0)
      this.part.generators.query = { ...this.part.generators.query, ...generators };
    return this;
  }

  /** Headers; values may be matchers or lists. */
  headers(headers: MultiTemplate): this {
    addHeaders(this.part, headers, 'request header');
    return this;
  }

  /** A JSON body; matchers anywhere. Sets Content-Type: application/json unless a header says otherwise. */
  jsonBody(template: unknown, contentType?: string): this {
    setJsonBody(this.part, template, contentType);
    return this;
  }

  /** A body as given (text or bytes) with its content type. */
  body(contentType: string, data: string | Uint8Array): this {
    setRawBody(this.part, contentType, data, 'request body');
    return this;
  }

  /** A form-urlencoded body. */
  formBody(fields: Record<string, string | string[]>): this {
    setFormBody(this.part, fields, 'request form body');
    return this;
  }
}

/**
 * Builds the response of an interaction.
 * @example res.headers({ 'Content-Type': 'application/json' }).jsonBody(like({ id: integer(1) }))
 */
export class ResponseBuilder {
  /** @internal */
  constructor(private readonly part: PartState) {}

  /** Headers; values may be matchers or lists. */
  headers(headers: MultiTemplate): this {
    addHeaders(this.part, headers, 'response header');
    return this;
  }

  /** A JSON body; matchers anywhere. */
  jsonBody(template: unknown, contentType?: string): this {
    setJsonBody(this.part, template, contentType);
    return this;
  }

  /** A body as given (text or bytes) with its content type. */
  body(contentType: string, data: string | Uint8Array): this {
    setRawBody(this.part, contentType, data, 'response body');
    return this;
  }
}

const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Registers an interaction with its contract when complete and runs tests. */
export interface InteractionSink {
  register(interaction: HttpInteraction): void;
  executeTest<R>(fn: (mock: MockServerInfo) => Promise<R> | R): Promise<R>;
}

/** What a test callback gets: the mock server's address. */
export interface MockServerInfo {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  port: number;
  host: string;
}

/**
 * The fluent builder behind `contract.addInteraction()`.
 * @example
 * contract
 *   .addInteraction()
 *   .given('order 1 exists', { id: 1 })
 *   .uponReceiving('a request for order 1')
 *   .withRequest('GET', '/orders/1')
 *   .willRespondWith(200)
 */
export class HttpInteractionBuilder {
  private readonly states: ProviderState[] = [];
  private description: string | undefined;
  private request: PartState | undefined;
  private method = 'GET';
  private path = '/';
  private registered = false;
  private readonly interaction: Partial<Pick<HttpInteraction, 'pending' | 'comments' | 'key'>> = {};

  /** @internal */
  constructor(private readonly sink: InteractionSink) {}

  /** A provider state this interaction needs, with optional parameters. */
  given(state: string, params?: Record<string, unknown>): this {
    requireName(state, 'given', 'provider state');
    this.states.push(
      params === undefined
        ? { name: state }
        : { name: state, params: jsonObject(params, `given('${state}') params`) },
    );
    return this;
  }

  /** The description of the interaction, unique within the contract. */
  uponReceiving(description: string): this {
    requireName(description, 'uponReceiving', 'description');
    this.description = description;
    return this;
  }

  /** Marks the interaction pending: a provider failing it does not fail verification. */
  pending(pending = true): this {
    this.interaction.pending = pending;
    return this;
  }

  /** The V4 key that identifies the interaction in its contract (else computed from its content). */
  key(key: string): this {
    requireName(key, 'key', 'interaction key');
    this.interaction.key = key;
    return this;
  }

  /** Adds a free-text comment (V4). */
  comment(text: string): this {
    const comments = this.interaction.comments ?? {};
    comments.text = [...(comments.text ?? []), text];
    this.interaction.comments = comments;
    return this;
  }

  /** Records the name of the test that defines the interaction (V4 comments.testname). */
  testName(name: string): this {
    this.interaction.comments = { ...this.interaction.comments, testname: name };
    return this;
  }

  /** The request the consumer sends; `path` may be a matcher such as `regex('/orders/\\d+', '/orders/1')`. */
  withRequest(method: string, path: StringTemplate, build?: (req: RequestBuilder) => unknown): this {
    const m = typeof method === 'string' ? method.toUpperCase() : '';
    if (!methods.has(m))
      throw new TreatyError(
        'TREATY_DSL_INVALID',
        `withRequest: '${String(method)}' is not an HTTP method; use one of ${[...methods].join(', ')}.`,
      );
    const part = emptyPart();
    const p = extractValue(path, 'withRequest path', isString);
    if (!p.example.startsWith('/'))
      throw new TreatyError(
        'TREATY_DSL_INVALID',
        `withRequest: the path must start with '/', got ${JSON.stringify(p.example)}.`,
      );
    if (p.rules !== undefined) part.matchingRules.path = p.rules;
    if (p.generator !== undefined) part.generators.path = p.generator;
    build?.(new RequestBuilder(part));
    this.method = m;
    this.path = p.example;
    this.request = part;
    return this;
  }

  /** The response the consumer needs; `status` may be `statusCode('success')`. Completes the interaction. */
  willRespondWith(status: number | Matcher<number>, build?: (res: ResponseBuilder) => unknown): this {
    if (this.description === undefined)
      throw new TreatyError(
        'TREATY_DSL_INCOMPLETE',
        'willRespondWith: call uponReceiving(description) first; every interaction needs a description.',
      );
    if (this.request === undefined)
      throw new TreatyError(
        'TREATY_DSL_INCOMPLETE',
        `willRespondWith: '${this.description}' has no request; call withRequest(method, path) first.`,
      );
    const s = extractValue(status, 'willRespondWith status', isNumber);
    if (!Number.isInteger(s.example) || s.example < 100 || s.example > 599)
      throw new TreatyError(
        'TREATY_DSL_INVALID',
        `willRespondWith: ${s.example} is not an HTTP status (100–599).`,
      );
    const part = emptyPart();
    if (s.rules !== undefined) part.matchingRules.status = s.rules;
    build?.(new ResponseBuilder(part));
    const request = this.request;
    const interaction: HttpInteraction = {
      type: 'Synchronous/HTTP',
      description: this.description,
      providerStates: this.states,
      pending: this.interaction.pending ?? false,
      request: {
        method: this.method,
        path: this.path,
        query: request.query,
        headers: request.headers,
        matchingRules: request.matchingRules,
        generators: request.generators,
        ...(request.body === undefined ? {} : { body: request.body }),
      },
      response: {
        status: s.example,
        headers: part.headers,
        matchingRules: part.matchingRules,
        generators: part.generators,
        ...(part.body === undefined ? {} : { body: part.body }),
      },
      ...(this.interaction.comments === undefined ? {} : { comments: this.interaction.comments }),
      ...(this.interaction.key === undefined ? {} : { key: this.interaction.key }),
    };
    if (this.registered)
      throw new TreatyError(
        'TREATY_DSL_INVALID',
        `willRespondWith: '${this.description}' already has a response; start a new interaction with addInteraction().`,
      );
    this.registered = true;
    this.sink.register(interaction);
    return this;
  }

  /**
   * Starts a mock server for every interaction registered on the contract so far, runs `fn`, checks
   * that each interaction was received as expected, and writes the contract file.
   */
  executeTest<R>(fn: (mock: MockServerInfo) => Promise<R> | R): Promise<R> {
    if (!this.registered) {
      throw new TreatyError(
        'TREATY_DSL_INCOMPLETE',
        `executeTest: '${this.description ?? 'this interaction'}' has no response; call willRespondWith(status) first.`,
      );
    }
    return this.sink.executeTest(fn);
  }
}
