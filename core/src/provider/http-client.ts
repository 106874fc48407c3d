import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
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

// One keep-alive pool per protocol for the whole verification: a new connection per interaction
// would cost more than the interaction itself. TLS is loaded only when an https URL needs it.
const httpAgent = new Agent({ keepAlive: true, maxSockets: 8 });
type Requester = (options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;
let https: Promise<{ request: Requester; agent: Agent }> | undefined;

function loadHttps(): Promise<{ request: Requester; agent: Agent }> {
  https ??= import('node:https').then((m) => ({
    request: m.request,
    agent: new m.Agent({ keepAlive: true, maxSockets: 8 }),
  }));
  return https;
}

const plainUrl = new Redactor();

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

/**
 * Sends one HTTP request over a kept-alive connection and reads the whole answer, within a deadline
 * for the whole exchange and a limit on the body. A deadline that passes throws
 * TREATY_VERIFY_TIMEOUT, a body over the limit TREATY_VERIFY_TOO_LARGE (reading stops there); a
 * connection that fails throws a plain Error whose message is the reason (e.g. ECONNREFUSED).
 * @example await send('http://127.0.0.1:8080/orders/1', { method: 'GET', headers: {}, timeoutMs: 30000 })
 */
export async function send(url: string, options: SendOptions): Promise<ClientResponse> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`${u.protocol} URLs are not supported; use http:// or https://`);
  const tls = u.protocol === 'https:' ? await loadHttps() : undefined;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const shown = `${options.method} ${plainUrl.text(url)}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      // A connection left half-read must not go back to the pool.
      req.destroy();
      reject(error);
    };
    const req = (tls?.request ?? httpRequest)(
      {
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: options.method,
        headers:
          options.body === undefined
            ? options.headers
            : {
                ...options.headers,
                'content-length': String(
                  typeof options.body === 'string' ? Buffer.byteLength(options.body) : options.body.length,
                ),
              },
        agent: tls?.agent ?? httpAgent,
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        const tooLarge = (): TreatyError =>
          new TreatyError(
            'TREATY_VERIFY_TOO_LARGE',
            `The answer to ${shown} is larger than ${maxBytes} bytes${options.maxBytesSetting === undefined ? '' : ` (${options.maxBytesSetting})`}; reading stopped there. Raise the limit if it is meant to be that large.`,
          );
        if (Number.isFinite(declared) && declared > maxBytes) {
          fail(tooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            chunks.length = 0;
            fail(tooLarge());
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: new Uint8Array(Buffer.concat(chunks)),
          });
        });
        res.on('error', (error) => fail(new Error(error.message)));
        res.on('aborted', () => fail(new Error('the connection closed before the whole answer came')));
      },
    );
    // One deadline for the whole exchange: a socket timeout would only catch a silent connection,
    // not one that trickles a byte at a time.
    const deadline = setTimeout(
      () => {
        fail(
          new TreatyError(
            'TREATY_VERIFY_TIMEOUT',
            `${shown} did not complete within ${options.timeoutMs} ms${options.timeoutSetting === undefined ? '' : ` (${options.timeoutSetting})`}. Make it answer faster, or raise the timeout.`,
          ),
        );
      },
      Math.min(options.timeoutMs, MAX_TIMEOUT_MS),
    );
    req.on('error', (error: NodeJS.ErrnoException) => fail(new Error(error.code ?? error.message)));
    req.end(options.body);
  });
}
