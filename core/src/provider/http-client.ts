import { type IncomingHttpHeaders, maxHeaderSize } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import { TreatyError } from '../errors.js';
import { Redactor } from './redact.js';

/** What came back from the provider. */
export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Header lines as sent (names and values alternating), to keep repeated headers apart. */
  rawHeaders: string[];
  body: Uint8Array;
}

/** The default deadline of one whole exchange, and the default limit of an answer's body. */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
/** setTimeout fires at once for longer delays, so no deadline may be longer. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Options of {@link send}. */
export interface SendOptions {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  /** The deadline of the whole exchange: connect, send, headers and the whole body. */
  timeoutMs: number;
  /** The most body bytes read; past it the connection is dropped and the request fails. */
  maxBytes?: number;
  /** What the limits are called where the user sets them, for the messages (e.g. `--request-timeout`). */
  timeoutSetting?: string;
  maxBytesSetting?: string;
}

/** A {@link ClientResponse} before its headers object is made (what verification reads of an answer). */
export type RawClientResponse = Omit<ClientResponse, 'headers'>;

/** The limits of {@link SendOptions}. */
export type SendLimits = Pick<SendOptions, 'timeoutMs' | 'maxBytes' | 'timeoutSetting' | 'maxBytesSetting'>;

/**
 * The limits a request is sent with, the defaults filled in; `what` names the byte limit's setting in
 * messages (`max-response-bytes` says `--max-response-bytes / maxResponseBytes`).
 */
export function limitsOf(
  given: { timeoutMs?: number | undefined; maxBytes?: number | undefined },
  what: 'max-response-bytes' | 'max-pact-bytes',
): SendLimits {
  return {
    timeoutMs: given.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: given.maxBytes ?? DEFAULT_MAX_BYTES,
    timeoutSetting: '--request-timeout / timeoutMs',
    maxBytesSetting: `--${what} / ${what.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())}`,
  };
}

/*
 * A small HTTP/1.1 client of its own, not node:http's: a verification is thousands of short
 * exchanges one after another, and node:http's client machinery (agent bookkeeping, streams, events
 * per request) cost more than the rest of Treaty's work on each. This one writes each request in one
 * go, parses the answer from the socket's chunks and keeps connections alive between requests. It
 * sends what node:http sent (the same header names, order and values, Host and `Connection:
 * keep-alive` added) and reads what it read: Content-Length, chunked and close-delimited bodies,
 * informational (1xx) answers skipped, no body for HEAD, 204 and 304, headers over node's
 * --max-http-header-size refused. It follows no redirect.
 */

/** One connection: the exchange it serves now, if any, and whether it may serve another. */
interface Connection {
  socket: Socket;
  origin: string;
  /** The exchange reading this connection's bytes; undefined while it waits in the pool. */
  exchange: Exchange | undefined;
  /** Set once the connection has answered a request: a reused one may have been closed meanwhile. */
  reused: boolean;
  /**
   * When the exchange it serves must be over (performance.now() time), and one timer per
   * connection that checks it: the timer is set again only when it would fire after a deadline
   * (cheaper than a timer, or a timer's refresh, per request). It is unref'd: an exchange in
   * flight keeps the process alive through its socket, and a timer that fires with no exchange
   * late does nothing.
   */
  deadlineAt: number;
  timer: { handle: NodeJS.Timeout; at: number } | undefined;
}

// Idle keep-alive connections per origin, and how many serve a request now: a new connection per
// interaction would cost more than the interaction itself. At most 8 per origin, as the agent had.
const MAX_CONNECTIONS = 8;
const idle = new Map<string, Connection[]>();
const busy = new Map<string, number>();
const waiting = new Map<string, Array<() => void>>();

// TLS loads with the first https URL: most verifications never need it.
let tls: typeof import('node:tls').connect | undefined;

const plainUrl = new Redactor();

/** What a request needs of its URL, parsed once per URL (verification asks one state URL again and again). */
interface Target {
  protocol: 'http:' | 'https:';
  /** Host and port as the Host header writes them (`[::1]:8080`; no port when it is the default). */
  host: string;
  /** The host name to connect to, without the brackets of an IPv6 address. */
  hostname: string;
  port: number;
  /** Path and query, as the request line writes them. */
  path: string;
  origin: string;
}
const targets = new Map<string, Target>();
// The targets of origins (`http://127.0.0.1:8080`), for URLs whose path needs no parsing.
const origins = new Map<string, Target>();

// A path and query the URL parser leaves as they are: no dot segments, percent signs, spaces,
// quotes, backslashes, fragments or other characters it would encode or resolve (an empty query
// it drops is refused beside this).
const plainPath = /^\/(?:[\w\-~!$&()*+,;=:@/?]|\.(?![./?]|$))*$/;

/**
 * The target of a URL. A provider's URLs differ only in their paths, so the origin is parsed once
 * and a plain path (see `plainPath`) is taken as written, as the URL parser would take it.
 */
function targetOf(url: string): Target {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  if (slash > 0) {
    const path = url.slice(slash);
    if (plainPath.test(path) && !path.endsWith('?')) {
      const origin = url.slice(0, slash);
      let base = origins.get(origin);
      if (base === undefined && /^https?:\/\/[\w.\-:[\]]+$/i.test(origin)) {
        base = parseTarget(`${origin}/`);
        if (origins.size >= 256) origins.clear();
        origins.set(origin, base);
      }
      if (base !== undefined) return { ...base, path };
    }
  }
  let target = targets.get(url);
  if (target !== undefined) return target;
  target = parseTarget(url);
  if (targets.size >= 256) targets.clear();
  targets.set(url, target);
  return target;
}

function parseTarget(url: string): Target {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`${u.protocol} URLs are not supported; use http:// or https://`);
  return {
    protocol: u.protocol,
    host: u.host,
    hostname: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80),
    path: `${u.pathname}${u.search}`,
    origin: `${u.protocol}//${u.host}`,
  };
}

/**
 * True for an absolute http(s) URL that parses and has no whitespace or control characters in it.
 * @example isHttpUrl('http://127.0.0.1:8080') // true
 */
export function isHttpUrl(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^https?:\/\/\S+$/i.test(value) &&
    ![...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) &&
    URL.canParse(value)
  );
}

const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const badValue = /[^\t\x20-\x7e\x80-\xff]/;
// Methods whose requests carry no body unless given one (node:http sends `Content-Length: 0` for
// the others), and which may be sent again when a kept-alive connection turns out closed.
const bodyless = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);
const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

// Header names and methods already found to be tokens: a verification sends the same few again and again.
const tokens = new Set<string>();

function isToken(name: string): boolean {
  if (tokens.has(name)) return true;
  if (!token.test(name)) return false;
  if (tokens.size < 1000) tokens.add(name);
  return true;
}

/**
 * The request's bytes, head and body in one buffer, as node:http wrote them, and whether it asks for
 * the connection to close; throws a TypeError as node:http did.
 */
function requestBytes(u: Target, options: SendOptions): { bytes: Buffer | string; close: boolean } {
  const method = options.method;
  if (!isToken(method)) throw new TypeError(`Method must be a valid HTTP token ["${method}"]`);
  const path = u.path;
  if (/[^\u0021-\u00ff]/.test(path)) throw new TypeError('Request path contains unescaped characters');
  // One header per name whatever its case, as node:http's setHeader kept them: the last value under
  // the first spelling's place and the last spelling.
  const names: string[] = [];
  const lower: string[] = [];
  const values: string[] = [];
  const set = (name: string, value: string): void => {
    if (!isToken(name)) throw new TypeError(`Header name must be a valid HTTP token ["${name}"]`);
    if (badValue.test(value)) throw new TypeError(`Invalid character in header content ["${name}"]`);
    const key = name.toLowerCase();
    const at = lower.indexOf(key);
    if (at === -1) {
      names.push(name);
      lower.push(key);
      values.push(value);
    } else {
      names[at] = name;
      values[at] = value;
    }
  };
  const headerOf = (key: string): string | undefined => {
    const at = lower.indexOf(key);
    return at === -1 ? undefined : values[at];
  };
  for (const name of Object.keys(options.headers)) set(name, String(options.headers[name]));
  let body: Uint8Array | string | undefined = options.body;
  const te = headerOf('transfer-encoding');
  const chunked = te !== undefined && /(?:^|,)\s*chunked\s*$/i.test(te);
  if (chunked) {
    // Asked for chunked: the body goes as one chunk, and no length is declared beside it.
    const size = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    body =
      size === 0
        ? '0\r\n\r\n'
        : Buffer.concat([
            Buffer.from(`${size.toString(16)}\r\n`),
            Buffer.from(body as Uint8Array | string),
            Buffer.from('\r\n0\r\n\r\n'),
          ]);
  }
  const size = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (body !== undefined && !chunked) set('content-length', String(size));
  if (headerOf('host') === undefined) set('Host', u.host);
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < names.length; i++) head += `${names[i]}: ${values[i]}\r\n`;
  const connection = headerOf('connection');
  if (connection === undefined) head += 'Connection: keep-alive\r\n';
  if (
    body === undefined &&
    te === undefined &&
    headerOf('content-length') === undefined &&
    !bodyless.has(method)
  )
    head += 'Content-Length: 0\r\n';
  head += '\r\n';
  const close = connection !== undefined && /\bclose\b/i.test(connection);
  // One write: the head and the body go to the kernel together. A body of ASCII text (as long in
  // UTF-8 as in characters) goes with the head as one latin1 string, which the socket writes
  // without a buffer of ours; other bodies go in one buffer.
  if (body === undefined) return { bytes: head, close };
  if (typeof body === 'string' && size === body.length) return { bytes: head + body, close };
  const bytes = Buffer.allocUnsafe(head.length + size);
  bytes.write(head, 0, 'latin1');
  if (typeof body === 'string') bytes.write(body, head.length, 'utf8');
  else bytes.set(body, head.length);
  return { bytes, close };
}

/**
 * Takes a turn on the origin: at once (undefined) while it has fewer than MAX_CONNECTIONS requests
 * in flight, else a promise that settles when one of them is over.
 */
function turn(origin: string): Promise<void> | undefined {
  const n = busy.get(origin) ?? 0;
  if (n < MAX_CONNECTIONS) {
    busy.set(origin, n + 1);
    return undefined;
  }
  return new Promise<void>((resolve) => {
    const queue = waiting.get(origin) ?? [];
    queue.push(() => {
      busy.set(origin, (busy.get(origin) ?? 0) + 1);
      resolve();
    });
    waiting.set(origin, queue);
  });
}

function release(origin: string): void {
  busy.set(origin, (busy.get(origin) ?? 1) - 1);
  waiting.get(origin)?.shift()?.();
}

/**
 * A pooled connection to the origin that is still open, or a new one (a promise only while TLS,
 * loaded with the first https URL, is still loading).
 */
function connection(u: Target, fresh: boolean): Connection | Promise<Connection> {
  const origin = u.origin;
  const pool = idle.get(origin);
  while (!fresh && pool !== undefined && pool.length > 0) {
    const conn = pool.pop() as Connection;
    if (conn.socket.destroyed || conn.socket.readyState !== 'open') continue;
    conn.socket.ref();
    return conn;
  }
  const host = u.hostname;
  const port = u.port;
  if (u.protocol === 'http:') {
    let conn: Connection | undefined;
    const onread = {
      buffer: readBuffer,
      callback: (n: number): boolean => {
        if (conn !== undefined) read(conn, readBuffer.subarray(0, n));
        return true;
      },
    };
    conn = opened(connect({ host, port, onread }), origin);
    return conn;
  }
  if (tls === undefined) {
    return import('node:tls').then((m) => {
      tls = m.connect;
      return connection(u, fresh);
    });
  }
  // A certificate names a host, never an address: no server name for an IP, as node:https does.
  const conn = opened(tls({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}) }), origin);
  conn.socket.on('data', (chunk: Buffer) => read(conn, chunk));
  return conn;
}

/** The bytes of a read go to the exchange the connection serves. */
function read(conn: Connection, bytes: Buffer): void {
  if (conn.exchange !== undefined) conn.exchange.data(bytes);
  // Bytes no request asked for: the connection is out of step, so it is not used again.
  else conn.socket.destroy();
}

/*
 * Every plain connection reads into this one buffer, through the socket's onread option rather
 * than its stream of 'data' chunks (which cost a buffer and a stream's bookkeeping per read; TLS
 * sockets keep them). Reads are handed over one at a time, and an exchange copies what it keeps
 * before the next one comes.
 */
const readBuffer = Buffer.allocUnsafeSlow(64 * 1024);

/** A new connection: its socket's events go to the exchange it serves. */
function opened(socket: Socket, origin: string): Connection {
  socket.setNoDelay(true);
  const conn: Connection = {
    socket,
    origin,
    exchange: undefined,
    reused: false,
    deadlineAt: 0,
    timer: undefined,
  };
  socket.on('end', () => conn.exchange?.end());
  socket.on('error', (error: NodeJS.ErrnoException) =>
    conn.exchange?.fail(new Error(error.code ?? error.message)),
  );
  socket.on('close', () => {
    if (conn.timer !== undefined) clearTimeout(conn.timer.handle);
    conn.exchange?.closed();
    const list = idle.get(origin);
    const at = list?.indexOf(conn) ?? -1;
    if (at !== -1) list?.splice(at, 1);
  });
  return conn;
}

/** Puts a connection that answered completely back in the pool, where it keeps no process alive. */
function park(conn: Connection): void {
  conn.exchange = undefined;
  conn.reused = true;
  const list = idle.get(conn.origin) ?? [];
  if (list.length >= MAX_CONNECTIONS || conn.socket.destroyed) {
    conn.socket.destroy();
    return;
  }
  conn.socket.unref();
  list.push(conn);
  idle.set(conn.origin, list);
}

/** The headers as node:http's IncomingMessage gave them: lower-case names, repeats joined or first-wins. */
function headersOf(rawHeaders: readonly string[]): IncomingHttpHeaders {
  const headers: Record<string, string | string[] | undefined> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const had = headers[key];
    if (key === 'set-cookie') {
      if (Array.isArray(had)) had.push(value);
      else headers[key] = [value];
    } else if (had === undefined) headers[key] = value;
    else if (!firstWins.has(key)) headers[key] = `${had as string}${key === 'cookie' ? '; ' : ', '}${value}`;
  }
  return headers as IncomingHttpHeaders;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}
const firstWins = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** What went wrong reading an answer; `bytes` says whether any of it had come. */
class ExchangeError extends Error {
  constructor(
    message: string,
    readonly bytes: boolean,
  ) {
    super(message);
  }
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** One request as sent, with what its errors say. */
interface Sent {
  url: string;
  options: SendOptions;
  maxBytes: number;
  /** The request asked for the connection to close after the answer. */
  close: boolean;
}

/**
 * Reads one answer from a connection's reads and settles once it is whole, failed or late. A read
 * is lent for the call only (the connections share one buffer): what is kept is copied.
 */
class Exchange {
  /** The start of a head or chunk-size line that has not all come yet (a copy). */
  #buffer: Buffer | undefined;
  #gotBytes = false;
  #status = 0;
  #rawHeaders: string[] = [];
  /** 'head' until the headers are read; then how the body ends. */
  #mode: 'head' | 'length' | 'chunked' | 'close' = 'head';
  #remaining = 0;
  /** Chunked bodies: reading a size line, chunk data, the CRLF after it, or the trailers. */
  #chunkState: 'size' | 'data' | 'crlf' | 'trailers' = 'size';
  /** The body's bytes so far, each piece a copy. */
  #chunks: Uint8Array[] = [];
  #size = 0;
  #reusable = true;
  #settled = false;
  readonly head: boolean;
  readonly maxBytes: number;

  constructor(
    readonly conn: Connection,
    readonly sent: Sent,
    readonly resolve: (response: RawClientResponse) => void,
    readonly reject: (error: Error) => void,
  ) {
    this.head = sent.options.method === 'HEAD';
    this.maxBytes = sent.maxBytes;
  }

  tooLarge(): TreatyError {
    const { options } = this.sent;
    return new TreatyError(
      'TREATY_VERIFY_TOO_LARGE',
      `The answer to ${shown(this.sent)} is larger than ${this.maxBytes} bytes${options.maxBytesSetting === undefined ? '' : ` (${options.maxBytesSetting})`}; reading stopped there. Raise the limit if it is meant to be that large.`,
    );
  }

  /** The answer is whole (and the connection may serve another), or reading it failed. */
  done(error: Error | undefined, response?: RawClientResponse, reusable?: boolean): void {
    const conn = this.conn;
    conn.exchange = undefined;
    if (error !== undefined || response === undefined) {
      // A connection left half-read must not go back to the pool.
      conn.socket.destroy();
      this.reject(error ?? new Error('no answer'));
      return;
    }
    if (reusable === true && !this.sent.close) park(conn);
    else conn.socket.destroy();
    this.resolve(response);
  }

  data(chunk: Buffer): void {
    if (this.#settled) return;
    this.#gotBytes = true;
    let buf = this.#buffer === undefined ? chunk : Buffer.concat([this.#buffer, chunk]);
    this.#buffer = undefined;
    try {
      while (buf.length > 0 && !this.#settled) {
        if (this.#mode === 'head') {
          const end = buf.indexOf(CRLF2);
          if (end === -1) {
            // Lines end with CRLF; an answer with bare LFs would otherwise wait here for its deadline.
            const lf = buf.indexOf(10);
            if (lf !== -1 && buf[lf - 1] !== 13) throw new Error('HPE_CR_EXPECTED');
            if (buf.length > maxHeaderSize) throw new Error('HPE_HEADER_OVERFLOW');
            this.#buffer = Buffer.from(buf);
            return;
          }
          if (end > maxHeaderSize) throw new Error('HPE_HEADER_OVERFLOW');
          this.#readHead(buf.toString('latin1', 0, end));
          buf = buf.subarray(end + 4);
          if (this.#empty()) this.#finish(buf.length > 0);
          continue;
        }
        if (this.#mode === 'close') {
          this.#take(buf);
          return;
        }
        if (this.#mode === 'length') {
          const n = Math.min(this.#remaining, buf.length);
          this.#take(buf.subarray(0, n));
          this.#remaining -= n;
          if (this.#remaining === 0) this.#finish(buf.length > n);
          return;
        }
        buf = this.#chunked(buf);
      }
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** True when the headers said there is no body to read. */
  #empty(): boolean {
    return this.#mode === 'length' && this.#remaining === 0;
  }

  /** The status line and headers; decides how the body ends. */
  #readHead(text: string): void {
    // Every line ends with CRLF, as node:http's parser demanded: no lone CR or LF inside one.
    if (/\r(?!\n)|(?<!\r)\n/.test(text)) throw new Error('HPE_CR_EXPECTED');
    let eol = text.indexOf('\r\n');
    if (eol === -1) eol = text.length;
    const status = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/.exec(text.slice(0, eol));
    if (status === null) throw new Error('HPE_INVALID_CONSTANT');
    const code = Number(status[2]);
    const rawHeaders: string[] = [];
    // Only what decides how the answer ends is looked at here; the headers object is made on demand.
    let lengths: string[] | undefined;
    let connection = '';
    let te: string | undefined;
    for (let at = eol + 2; at < text.length; ) {
      let end = text.indexOf('\r\n', at);
      if (end === -1) end = text.length;
      const colon = text.indexOf(':', at);
      if (colon <= at || colon > end) throw new Error('HPE_INVALID_HEADER_TOKEN');
      const name = text.slice(at, colon);
      if (!isToken(name)) throw new Error('HPE_INVALID_HEADER_TOKEN');
      // Spaces and tabs around the value are not part of it (RFC 9110 5.5); other bytes are kept.
      let from = colon + 1;
      let to = end;
      while (from < to && isBlank(text.charCodeAt(from))) from++;
      while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
      const value = text.slice(from, to);
      rawHeaders.push(name, value);
      if (name.length === 14 && name.toLowerCase() === 'content-length')
        lengths = [...(lengths ?? []), value];
      else if (name.length === 10 && name.toLowerCase() === 'connection')
        connection += `,${value.toLowerCase()}`;
      else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding')
        te = te === undefined ? value : `${te}, ${value}`;
      at = end + 2;
    }
    // An informational answer (100 Continue, 103 Early Hints) comes before the real one.
    if (code >= 100 && code < 200 && code !== 101) return;
    this.#status = code;
    this.#rawHeaders = rawHeaders;
    if (status[1] === '0' ? !/\bkeep-alive\b/.test(connection) : /\bclose\b/.test(connection))
      this.#reusable = false;
    if (this.head || code === 101 || code === 204 || code === 304) {
      this.#mode = 'length';
      this.#remaining = 0;
      if (code === 101) this.#reusable = false;
    } else if (te !== undefined) {
      // Chunked when it is the last coding; anything else lasts until the connection closes.
      if (/(?:^|,)\s*chunked\s*$/i.test(te)) this.#mode = 'chunked';
      else this.#mode = 'close';
      // Both a length and a coding: the coding wins (RFC 9112 6.3), and the connection is not trusted again.
      if (lengths !== undefined) this.#reusable = false;
    } else if (lengths !== undefined) {
      const declared = lengths[0] as string;
      if (lengths.some((l) => l !== declared) || !/^\d+$/.test(declared))
        throw new Error('HPE_UNEXPECTED_CONTENT_LENGTH');
      this.#mode = 'length';
      this.#remaining = Number(declared);
      if (this.#remaining > this.maxBytes) throw this.tooLarge();
    } else this.#mode = 'close';
    if (this.#mode === 'close') this.#reusable = false;
  }

  /** Reads what it can of a chunked body from `buf`; returns what is left for later. */
  #chunked(buf: Buffer): Buffer {
    let rest = buf;
    while (rest.length > 0 && !this.#settled) {
      if (this.#chunkState === 'data') {
        const n = Math.min(this.#remaining, rest.length);
        this.#take(rest.subarray(0, n));
        this.#remaining -= n;
        rest = rest.subarray(n);
        if (this.#remaining === 0) this.#chunkState = 'crlf';
        continue;
      }
      const eol = rest.indexOf('\r\n');
      if (eol === -1) {
        if (rest.length > maxHeaderSize) throw new Error('HPE_CHUNK_EXTENSIONS_OVERFLOW');
        this.#buffer = Buffer.from(rest);
        return Buffer.alloc(0);
      }
      const line = rest.toString('latin1', 0, eol);
      rest = rest.subarray(eol + 2);
      if (this.#chunkState === 'crlf') {
        if (line !== '') throw new Error('HPE_STRICT');
        this.#chunkState = 'size';
      } else if (this.#chunkState === 'size') {
        const size = /^([0-9a-fA-F]{1,15})[ \t]*(?:;.*)?$/.exec(line);
        if (size === null) throw new Error('HPE_INVALID_CHUNK_SIZE');
        this.#remaining = Number.parseInt(size[1] as string, 16);
        this.#chunkState = this.#remaining === 0 ? 'trailers' : 'data';
      } else if (line === '') {
        // The empty line after the trailers (which node:http kept apart from the headers too).
        this.#finish(rest.length > 0);
        return Buffer.alloc(0);
      }
    }
    return rest;
  }

  #take(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#size += bytes.length;
    if (this.#size > this.maxBytes) {
      this.#chunks = [];
      throw this.tooLarge();
    }
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    this.#chunks.push(copy);
  }

  /** The answer is whole; `extra` bytes after it leave the connection out of step. */
  #finish(extra: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    // Most bodies come in one read, and their copy is the body.
    let body = this.#chunks.length === 1 ? (this.#chunks[0] as Uint8Array) : undefined;
    if (body === undefined) {
      body = new Uint8Array(this.#size);
      let at = 0;
      for (const c of this.#chunks) {
        body.set(c, at);
        at += c.length;
      }
    }
    this.done(
      undefined,
      { status: this.#status, rawHeaders: this.#rawHeaders, body },
      this.#reusable && !extra,
    );
  }

  /** The server closed its side: the end of a close-delimited body, or too early. */
  end(): void {
    if (this.#mode === 'close') this.#finish(true);
    else this.closed();
  }

  closed(): void {
    if (this.#settled) return;
    this.fail(
      new ExchangeError(
        this.#gotBytes
          ? 'the connection closed before the whole answer came'
          : 'the connection closed before any answer came (ECONNRESET)',
        this.#gotBytes,
      ),
    );
  }

  fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.done(
      error instanceof ExchangeError || isTreatyError(error)
        ? error
        : new ExchangeError(error.message, this.#gotBytes),
    );
  }
}

function isTreatyError(error: Error): boolean {
  return error instanceof TreatyError;
}

/** The method and URL of a request as messages show them, without a password in the URL. */
function shown(sent: Sent): string {
  return `${sent.options.method} ${plainUrl.text(sent.url)}`;
}

function timeoutError(sent: Sent): TreatyError {
  const { options } = sent;
  return new TreatyError(
    'TREATY_VERIFY_TIMEOUT',
    `${shown(sent)} did not complete within ${options.timeoutMs} ms${options.timeoutSetting === undefined ? '' : ` (${options.timeoutSetting})`}. Make it answer faster, or raise the timeout.`,
  );
}

/** Starts the deadline of the exchange a connection now serves: `ms` after `now`. */
function arm(conn: Connection, now: number, ms: number): void {
  const at = now + ms;
  conn.deadlineAt = at;
  // A timer that fires by then checks (and sets itself again for what is left): it need not move.
  if (conn.timer !== undefined && conn.timer.at <= at) return;
  if (conn.timer !== undefined) clearTimeout(conn.timer.handle);
  schedule(conn, at);
}

function schedule(conn: Connection, at: number): void {
  const handle = setTimeout(
    () => {
      conn.timer = undefined;
      const exchange = conn.exchange;
      if (exchange === undefined) return;
      // The deadline of a later exchange than the one it was set for: wait for what is left of it.
      if (performance.now() < conn.deadlineAt) schedule(conn, conn.deadlineAt);
      else exchange.fail(timeoutError(exchange.sent));
    },
    Math.max(0, Math.ceil(at - performance.now())),
  );
  handle.unref();
  conn.timer = { handle, at };
}

/**
 * Sends one HTTP request over a kept-alive connection and reads the whole answer, within a deadline
 * for the whole exchange and a limit on the body. A deadline that passes throws
 * TREATY_VERIFY_TIMEOUT, a body over the limit TREATY_VERIFY_TOO_LARGE (reading stops there); a
 * connection that fails throws a plain Error whose message is the reason (e.g. ECONNREFUSED).
 * @example await send('http://127.0.0.1:8080/orders/1', { method: 'GET', headers: {}, timeoutMs: 30000 })
 */
export async function send(url: string, options: SendOptions): Promise<ClientResponse> {
  const { status, rawHeaders, body } = await sendRaw(url, options);
  return { status, headers: headersOf(rawHeaders), rawHeaders, body };
}

/**
 * {@link send} without the headers object (the raw header lines are there): verification reads
 * none of it from the provider's answers or the state change URL's, and making it cost more than
 * the rest of reading a small answer.
 * @example (await sendRaw('http://127.0.0.1:8080/', { method: 'GET', headers: {}, timeoutMs: 30000 })).status
 */
export async function sendRaw(url: string, options: SendOptions): Promise<RawClientResponse> {
  const target = targetOf(url);
  const { bytes, close } = requestBytes(target, options);
  const sent: Sent = { url, options, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, close };
  const origin = target.origin;
  // One deadline for the whole exchange: a socket timeout would only catch a silent connection,
  // not one that trickles a byte at a time. It counts from here; a request that waited for a turn
  // has that much less left.
  const timeoutMs = Math.min(options.timeoutMs, MAX_TIMEOUT_MS);
  const started = performance.now();
  const left = (): number => Math.ceil(timeoutMs - (performance.now() - started));
  const wait = turn(origin);
  if (wait !== undefined) await wait;
  try {
    for (let attempt = 0; ; attempt++) {
      // The first attempt without a wait has the whole deadline; the rest what is left of it.
      const ms = attempt === 0 && wait === undefined ? timeoutMs : left();
      if (ms <= 0) throw timeoutError(sent);
      const got = connection(target, attempt > 0);
      const conn = got instanceof Promise ? await got : got;
      try {
        return await new Promise<RawClientResponse>((resolve, reject) => {
          conn.exchange = new Exchange(conn, sent, resolve, reject);
          arm(conn, performance.now(), ms);
          conn.socket.write(bytes, 'latin1');
        });
      } catch (error) {
        // Settled exchanges leave their connection; one still there failed outside of reading.
        if (conn.exchange !== undefined) {
          conn.exchange = undefined;
          conn.socket.destroy();
        }
        // A kept-alive connection the server closed while it waited in the pool: the request never
        // reached it, so an idempotent one is sent again once, on a new connection.
        if (
          error instanceof ExchangeError &&
          !error.bytes &&
          conn.reused &&
          attempt === 0 &&
          idempotent.has(options.method)
        )
          continue;
        throw error instanceof ExchangeError ? new Error(error.message) : error;
      }
    }
  } finally {
    release(origin);
  }
}
