import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TreatyError } from '../errors.js';
import type { Body, Headers, HttpInteraction, HttpRequest } from '../contract/model.js';
import { parseQueryString, headerValue } from '../contract/fragments.js';
import { setOwn } from '../contract/own.js';
import { stringifyJson } from '../contract/json.js';
import { matchRequest } from '../matching/match.js';
import type { Mismatch } from '../matching/mismatch.js';
import { classifyContentType } from '../contract/content-type.js';
import { generateBody, generateValue } from '../generators/generate.js';

/** Where and how the mock server listens. */
export interface MockServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port chosen by the system. */
  port?: number;
  /** Answer CORS preflight requests and allow any origin (for browser tests). */
  cors?: boolean;
  /**
   * The largest request body the mock server reads, in bytes (default 10 MiB). A larger one is
   * answered 413 without being buffered, and fails the test.
   */
  maxRequestBytes?: number;
}

/** The default request body limit of the mock server: 10 MiB. */
const DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** A request that matched no interaction, with the closest interactions and why each did not match. */
export interface ReceivedRequest {
  request: HttpRequest;
  closest: Array<{ description: string; mismatches: Mismatch[] }>;
  /** Why the request was refused before it was matched (a body over the limit), when it was. */
  refused?: string;
}

/**
 * The request body limit a caller asked for (the default when none), checked.
 * @example checkMaxRequestBytes(undefined) // 10485760
 */
export function checkMaxRequestBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_REQUEST_BYTES;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TreatyError(
      'TREATY_DSL_INVALID',
      `maxRequestBytes must be a whole number of bytes (0 or more), got ${JSON.stringify(value)}.`,
    );
  return value;
}

function describeBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function toRequest(req: IncomingMessage, body: Buffer): HttpRequest {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const headers: Headers = {};
  // Repeated header lines are several values (rules apply to each); Node's joined view is cheaper,
  // so the distinct view is read only when some name repeats.
  const joined = Object.entries(req.headers);
  if (joined.length * 2 === req.rawHeaders.length) {
    for (const [name, value] of joined)
      if (value !== undefined) setOwn(headers, name, Array.isArray(value) ? value : [value]);
  } else {
    for (const [name, values] of Object.entries(req.headersDistinct))
      if (values !== undefined) setOwn(headers, name, values);
  }
  let path = q < 0 ? raw : raw.slice(0, q);
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the raw path when it is not valid percent-encoding
  }
  const request: HttpRequest = {
    method: req.method ?? 'GET',
    path,
    query: q < 0 ? {} : parseQueryString(raw.slice(q + 1)),
    headers,
    matchingRules: {},
    generators: {},
  };
  if (body.length > 0) {
    const contentType = headerValue(headers, 'content-type');
    const kind = classifyContentType(contentType);
    const parsed: Body =
      kind === 'binary' || kind === 'multipart'
        ? {
            kind: 'binary',
            bytes: new Uint8Array(body),
            ...(contentType === undefined ? {} : { contentType }),
          }
        : {
            kind: 'text',
            text: body.toString('utf8'),
            ...(contentType === undefined ? {} : { contentType }),
          };
    request.body = parsed;
  }
  return request;
}

/**
 * A real HTTP server that answers a consumer test's requests from its interactions.
 * @example const server = await MockServer.start(interactions); … await server.close()
 */
export class MockServer {
  /**
   * Requests that matched no interaction, with the closest interactions (matched ones are counted in `hits`).
   */
  private readonly unmatchedRequests: ReceivedRequest[] = [];
  private readonly hits: number[];

  private constructor(
    private readonly server: Server,
    readonly interactions: readonly HttpInteraction[],
    readonly host: string,
    readonly port: number,
    private readonly cors: boolean,
  ) {
    this.hits = interactions.map(() => 0);
    interactions.forEach((i, n) => {
      if (i.request.matchingRules.path !== undefined) this.pathRuled.push(n);
      else {
        const key = `${i.request.method.toUpperCase()} ${i.request.path}`;
        this.byRoute.set(key, [...(this.byRoute.get(key) ?? []), n]);
      }
    });
  }

  /** Interactions by exact method and path, and those whose path is a rule: the candidates for a request. */
  private readonly byRoute = new Map<string, number[]>();
  private readonly pathRuled: number[] = [];

  /** The base URL, e.g. `http://127.0.0.1:54321`. */
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Starts a server for these interactions. */
  static async start(
    interactions: readonly HttpInteraction[],
    options: MockServerOptions = {},
  ): Promise<MockServer> {
    const host = options.host ?? '127.0.0.1';
    const limit = checkMaxRequestBytes(options.maxRequestBytes);
    let mock: MockServer | undefined;
    const server = createServer((req, res) => {
      // A client that goes away mid-body has nobody to answer; without a listener the error would throw.
      req.on('error', () => undefined);
      const chunks: Buffer[] = [];
      let size = 0;
      const refuse = (): void => {
        chunks.length = 0;
        req.removeListener('data', onData);
        req.removeListener('end', onEnd);
        // Read the rest and drop it, so the connection stays usable and nothing more is held.
        req.resume();
        mock?.refuseTooLarge(req, res, limit);
      };
      const onData = (c: Buffer): void => {
        size += c.length;
        if (size > limit) refuse();
        else chunks.push(c);
      };
      const onEnd = (): void => mock?.handle(req, res, Buffer.concat(chunks));
      if (Number(req.headers['content-length']) > limit) return refuse();
      req.on('data', onData);
      req.on('end', onEnd);
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new TreatyError(
            'TREATY_MOCK_SERVER_START',
            `The mock server could not listen on ${host}:${options.port ?? 0} (${error.code ?? error.message}). Use port 0 to let the system pick a free port.`,
            { cause: error },
          ),
        ),
      );
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    mock = new MockServer(server, interactions, host, port, options.cors === true);
    return mock;
  }

  private corsHeaders(req: IncomingMessage): Record<string, string> {
    if (!this.cors) return {};
    return {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      'access-control-expose-headers': '*',
    };
  }

  /** Answers a request whose body is over the limit with 413, and records it so the test fails. */
  private refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
    const request = toRequest(req, Buffer.alloc(0));
    const error = new TreatyError(
      'TREATY_MOCK_REQUEST_TOO_LARGE',
      `The request body is larger than ${describeBytes(limit)} (maxRequestBytes); the mock server did not read it. ` +
        'Send a smaller body, or raise maxRequestBytes in the ConsumerContract options.',
    );
    this.unmatchedRequests.push({ request, closest: [], refused: error.message });
    this.answerError(req, res, error);
  }

  private answerError(req: IncomingMessage, res: ServerResponse, error: TreatyError): void {
    if (res.headersSent) return;
    res.writeHead(error.status, {
      'content-type': 'application/json',
      'x-treaty-mismatch': 'true',
      ...this.corsHeaders(req),
    });
    res.end(JSON.stringify(error.toJSON()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    try {
      this.answer(req, res, body);
    } catch (cause) {
      // A bug must fail the consumer test, not end the process that runs it.
      const error = new TreatyError(
        'TREATY_INTERNAL',
        `The mock server failed on ${req.method} ${req.url}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        query: {},
        headers: {},
        matchingRules: {},
        generators: {},
      };
      this.unmatchedRequests.push({ request, closest: [], refused: error.message });
      this.answerError(req, res, error);
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (this.cors && req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.writeHead(204, this.corsHeaders(req));
      res.end();
      return;
    }
    const request = toRequest(req, body);
    // Cheap first: only interactions whose method and path can match are matched in full.
    const method = request.method.toUpperCase();
    const exact = this.byRoute.get(`${method} ${request.path}`) ?? [];
    const candidates =
      this.pathRuled.length === 0
        ? exact
        : [
            ...exact,
            ...this.pathRuled.filter((n) => this.interactions[n]?.request.method.toUpperCase() === method),
          ].sort((a, b) => a - b);
    let index = -1;
    let fallback = -1;
    for (const n of candidates) {
      if (matchRequest((this.interactions[n] as HttpInteraction).request, request).length > 0) continue;
      // Prefer an interaction not yet used, so two identical requests can meet two interactions.
      if (this.hits[n] === 0) {
        index = n;
        break;
      }
      if (fallback < 0) fallback = n;
    }
    if (index < 0) index = fallback;
    if (index < 0) {
      const results = this.interactions.map((i) => matchRequest(i.request, request));
      const closest = results
        .map((mismatches, i) => ({ description: this.interactions[i]?.description ?? '', mismatches }))
        .sort((a, b) => a.mismatches.length - b.mismatches.length)
        .slice(0, 3);
      this.unmatchedRequests.push({ request, closest });
      res.writeHead(500, {
        'content-type': 'application/json',
        'x-treaty-mismatch': 'true',
        ...this.corsHeaders(req),
      });
      res.end(
        JSON.stringify({
          error: `No interaction matches ${request.method} ${request.path}`,
          closest: closest.map((c) => ({
            description: c.description,
            mismatches: c.mismatches.map((m) => m.message),
          })),
        }),
      );
      return;
    }
    this.hits[index] = (this.hits[index] ?? 0) + 1;
    this.respond(this.interactions[index] as HttpInteraction, req, res);
  }

  private readonly prepared = new Map<
    HttpInteraction,
    { headers: Record<string, string[]>; payload: string | Uint8Array | undefined }
  >();

  private respond(interaction: HttpInteraction, req: IncomingMessage, res: ServerResponse): void {
    const response = interaction.response;
    const g = response.generators;
    const fixed = g.body === undefined && g.header === undefined;
    const cached = fixed ? this.prepared.get(interaction) : undefined;
    if (cached !== undefined) {
      res.writeHead(
        response.status,
        this.cors ? { ...this.corsHeaders(req), ...cached.headers } : cached.headers,
      );
      res.end(cached.payload);
      return;
    }
    const ctx = { mockServerUrl: this.url };
    const headers: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(response.headers)) {
      const g = response.generators.header?.[name];
      headers[name] = g === undefined ? values : [String(generateValue(g, values[0], ctx) ?? values[0])];
    }
    let payload: string | Uint8Array | undefined;
    const b = response.body;
    if (b !== undefined) {
      if (b.kind === 'json')
        payload =
          response.generators.body === undefined
            ? stringifyJson(b.value)
            : JSON.stringify(generateBody(b.value, response.generators.body, ctx));
      else if (b.kind === 'text') payload = b.text;
      else payload = b.bytes;
      if (headerValue(headers, 'content-type') === undefined && b.contentType !== undefined)
        headers['Content-Type'] = [b.contentType];
    }
    // An explicit length lets Node send headers and body in one write instead of chunks.
    if (payload !== undefined)
      headers['Content-Length'] = [
        String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length),
      ];
    // A response without generators is the same every time: build it once.
    if (fixed) this.prepared.set(interaction, { headers, payload });
    res.writeHead(response.status, { ...this.corsHeaders(req), ...headers });
    res.end(payload);
  }

  /** Interactions never received. */
  missing(): HttpInteraction[] {
    return this.interactions.filter((_, i) => this.hits[i] === 0);
  }

  /** Requests that matched no interaction. */
  unmatched(): ReceivedRequest[] {
    return this.unmatchedRequests;
  }

  /** Stops listening and closes idle keep-alive connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
