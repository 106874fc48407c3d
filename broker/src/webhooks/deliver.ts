import { lookup } from 'node:dns/promises';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { TreatyError, isTreatyError } from '@treaty/core';
import { LIMITS } from '../limits.js';
import type { WebhookAttempt } from '../store/types.js';
import { bareHost, hostAllowed, loopbackName, refusedAddress } from './addresses.js';
import type { WebhookSettings } from './settings.js';
import { MASK, type RenderedRequest, maskSecrets, secretHeader, urlWithPlaceholders } from './template.js';

/** A fault in a webhook's target, for its field; `notAllowed` when an allow-list or address rule says no. */
export interface TargetProblem {
  field: 'request.method' | 'request.url';
  message: string;
  notAllowed: boolean;
}

const ASK =
  'ask the broker operator to put it on the host allow-list (--webhook-host-whitelist, PACT_BROKER_WEBHOOK_HOST_WHITELIST)';

/**
 * What is wrong with a webhook's method and URL, as the broker checks them when the webhook is saved: a
 * method and scheme on the allow-lists, an absolute URL without a template parameter in its host, a host on
 * the host allow-list when there is one, and no private, loopback or link-local IP address (or `localhost`)
 * unless the host is allow-listed. Host names are checked again after DNS at every delivery.
 */
export function targetProblems(method: string, url: string, settings: WebhookSettings): TargetProblem[] {
  const problems: TargetProblem[] = [];
  if (!/^[A-Za-z]+$/.test(method))
    problems.push({
      field: 'request.method',
      message: `'${method}' is not an HTTP method.`,
      notAllowed: false,
    });
  else if (!settings.methods.includes(method.toUpperCase()))
    problems.push({
      field: 'request.method',
      message: `must be ${settings.methods.join(' or ')}: the broker allows no other method for webhooks (--webhook-http-method-whitelist, PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST).`,
      notAllowed: true,
    });
  let parsed: URL | undefined;
  try {
    parsed = new URL(urlWithPlaceholders(url));
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.host === '') {
    problems.push({ field: 'request.url', message: `'${url}' is not an absolute URL.`, notAllowed: false });
    return problems;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    problems.push({
      field: 'request.url',
      message:
        'cannot carry credentials (user:password@): give them as request.username and request.password, which the broker never shows.',
      notAllowed: false,
    });
    return problems;
  }
  if (parsed.hostname !== new URL(urlWithPlaceholders(url, 'otherplaceholder')).hostname) {
    problems.push({
      field: 'request.url',
      message:
        'cannot have a template parameter or secret in its host: the host must be known when the webhook is saved.',
      notAllowed: false,
    });
    return problems;
  }
  const refusal = hostRefusal(parsed, settings, true);
  if (refusal !== undefined) problems.push({ field: 'request.url', message: refusal, notAllowed: true });
  return problems;
}

/**
 * Why the broker refuses a URL without asking DNS (scheme, host allow-list, IP literal, and `localhost` by
 * name when `byName`: at delivery DNS answers for it), if it does.
 */
function hostRefusal(url: URL, settings: WebhookSettings, byName: boolean): string | undefined {
  const scheme = url.protocol.replace(/:$/, '');
  if (!settings.schemes.includes(scheme))
    return `scheme must be ${settings.schemes.join(' or ')}, not ${scheme} (--webhook-scheme-whitelist, PACT_BROKER_WEBHOOK_SCHEME_WHITELIST).`;
  const host = bareHost(url.hostname);
  if (hostAllowed(host, settings.hosts)) return undefined;
  if (settings.hosts.entries.length > 0)
    return `host ${host} is not on the broker's webhook host allow-list (${settings.hosts.entries.join(', ')}); ${ASK}.`;
  const why =
    isIP(host) !== 0 ? refusedAddress(host) : byName && loopbackName(host) ? 'a loopback address' : undefined;
  return why === undefined
    ? undefined
    : `host ${host} is ${why}, which webhooks may not reach (so that they cannot probe the broker's own network); use a public address, or ${ASK}.`;
}

/** Where to connect: the address checked, never another the name might resolve to later. */
interface Destination {
  url: URL;
  host: string;
  address: string;
  family: 4 | 6;
}

const notAllowed = (message: string): TreatyError =>
  new TreatyError('TREATY_BROKER_WEBHOOK_NOT_ALLOWED', message);
const failed = (message: string): TreatyError =>
  new TreatyError('TREATY_BROKER_WEBHOOK_DELIVERY_FAILED', message);

/** Resolves a name before the deadline; the OS resolver takes no signal, so the wait is raced. */
async function resolveBefore(
  host: string,
  deadline: number,
): Promise<Array<{ address: string; family: number }>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(failed(`Resolving ${host} took longer than the webhook timeout.`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([lookup(host, { all: true, verbatim: true }), late]);
  } catch (error) {
    if (isTreatyError(error)) throw error;
    throw failed(
      `The host name ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks a rendered request's target again at delivery and picks the address to connect to: the method,
 * scheme and host allow-lists, then every address the host resolves to (unless the host is allow-listed) —
 * one private, loopback or link-local address refuses it.
 */
async function destination(
  method: string,
  url: string,
  settings: WebhookSettings,
  deadline: number,
  log: (line: string) => void,
): Promise<Destination> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TreatyError(
      'TREATY_BROKER_WEBHOOK_INVALID',
      `The webhook's URL is not a URL once filled in: ${url}.`,
    );
  }
  if (!settings.methods.includes(method))
    throw notAllowed(
      `The method ${method} is not allowed for webhooks: the broker allows ${settings.methods.join(', ')}.`,
    );
  const refusal = hostRefusal(parsed, settings, false);
  if (refusal !== undefined) throw notAllowed(`The URL's ${refusal}`);
  const host = bareHost(parsed.hostname);
  const literal = isIP(host);
  if (literal !== 0) return { url: parsed, host, address: host, family: literal as 4 | 6 };
  // IPv4 first, as Node orders them by default: the same address whatever order the resolver answers in.
  const addresses = (await resolveBefore(host, deadline)).sort((a, b) => a.family - b.family);
  const first = addresses[0];
  if (first === undefined) throw failed(`The host name ${host} has no address.`);
  log(`${host} resolves to ${addresses.map((a) => a.address).join(', ')}`);
  if (!hostAllowed(host, settings.hosts))
    for (const a of addresses) {
      const why = refusedAddress(a.address);
      if (why !== undefined)
        throw notAllowed(
          `The host ${host} resolves to ${a.address}, ${why}, which webhooks may not reach; nothing was sent. Use a public address, or ${ASK}.`,
        );
    }
  return { url: parsed, host, address: first.address, family: first.family === 6 ? 6 : 4 };
}

interface Answer {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
}

/**
 * Sends the request to the checked address (the name pinned to it, so DNS cannot answer differently at
 * connect time), follows no redirect, reads at most LIMITS.webhookResponse bytes of the answer and gives up
 * at the deadline.
 */
function exchange(
  to: Destination,
  request: RenderedRequest,
  deadline: number,
  timeoutSeconds: number,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const pinned: LookupFunction = (_host, options, callback) => {
      if (options.all === true) callback(null, [{ address: to.address, family: to.family }]);
      else callback(null, to.address, to.family);
    };
    const secure = to.url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    let timer: NodeJS.Timeout | undefined;
    const req = send(
      {
        protocol: to.url.protocol,
        hostname: to.host,
        port: to.url.port === '' ? (secure ? 443 : 80) : Number(to.url.port),
        path: `${to.url.pathname}${to.url.search}`,
        method: request.method,
        headers: { 'User-Agent': 'Treaty broker', ...request.headers },
        agent: false,
        lookup: pinned,
        ...(signal === undefined ? {} : { signal }),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const done = (): void => {
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            httpVersion: res.httpVersion,
            headers,
            body: Buffer.concat(chunks).toString('utf8'),
            truncated,
          });
        };
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = LIMITS.webhookResponse - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          if (chunk.length >= room) {
            // The rest is not read: a receiver that streams forever costs the broker nothing more.
            truncated = true;
            res.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', (error) => {
          clearTimeout(timer);
          if (!truncated) reject(error);
        });
      },
    );
    timer = setTimeout(
      () =>
        req.destroy(failed(`The receiver did not answer within ${timeoutSeconds} s (the webhook timeout).`)),
      Math.max(0, deadline - Date.now()),
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(request.body);
  });
}

/** A network error in words (connection refused, reset, TLS). */
function networkFault(error: unknown, to: string): TreatyError {
  if (isTreatyError(error)) return error;
  const e = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'refused the connection (is the receiver running?)',
    ECONNRESET: 'closed the connection without answering',
    EHOSTUNREACH: 'cannot be reached',
    ENETUNREACH: 'cannot be reached (no route)',
    EPIPE: 'closed the connection while the request was sent',
  };
  const reason = reasons[e.code ?? ''] ?? `could not be reached: ${e.message}`;
  return failed(`${to} ${reason}.`);
}

/** A timestamp as the Pact Broker writes them in logs. */
const stamp = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * One delivery attempt: checks the target (again), sends, and logs it all with secrets masked and the
 * answer bounded. Succeeds on 200–206, as the Pact Broker does. Receivers' answers (headers and body) are
 * kept only when a host allow-list is configured, as in the Pact Broker, so that a webhook cannot be used to
 * read what a host answers. A stop (`signal`) rejects instead of logging.
 */
export async function attemptDelivery(
  request: RenderedRequest,
  settings: WebhookSettings,
  signal?: AbortSignal,
): Promise<Omit<WebhookAttempt, 'number'>> {
  const startedAt = new Date();
  const deadline = startedAt.getTime() + settings.timeoutMs;
  const lines: string[] = [];
  const log = (level: string, text: string): void => {
    lines.push(`[${stamp()}] ${level}: ${text}`);
  };
  const mask = (text: string): string => maskSecrets(text, request.secrets);
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([n, v]) => [n, secretHeader(n) ? MASK : mask(v)]),
  );
  log('INFO', `HTTP/1.1 ${request.method} ${request.url}`);
  for (const [n, v] of Object.entries(headers)) log('INFO', `${n}: ${v}`);
  if (request.body !== undefined) log('INFO', request.body);
  const showResponse = settings.hosts.entries.length > 0;
  let answer: Answer | undefined;
  let error: { code: string; message: string } | undefined;
  try {
    const to = await destination(request.method, request.url, settings, deadline, (l) => log('DEBUG', l));
    try {
      answer = await exchange(to, request, deadline, settings.timeoutMs / 1000, signal);
    } catch (e) {
      if (signal?.aborted === true) throw e;
      throw networkFault(
        e,
        `${to.host}:${to.url.port === '' ? (to.url.protocol === 'https:' ? 443 : 80) : to.url.port}`,
      );
    }
    log('INFO', `HTTP/${answer.httpVersion} ${answer.status} ${answer.statusText}`);
    if (showResponse) {
      for (const [n, v] of Object.entries(answer.headers)) log('INFO', `${n}: ${v}`);
      if (answer.body !== '')
        log('INFO', `${answer.body}${answer.truncated ? ` … (cut at ${LIMITS.webhookResponse} bytes)` : ''}`);
    } else
      log(
        'INFO',
        "The answer's headers and body are not kept: a webhook host allow-list (--webhook-host-whitelist) shows them.",
      );
    if (answer.status < 200 || answer.status > 206)
      error = {
        code: 'TREATY_BROKER_WEBHOOK_DELIVERY_FAILED',
        message: `The receiver answered ${answer.status}; a webhook succeeds with 200–206${answer.status >= 300 && answer.status < 400 ? ' (redirects are not followed)' : ''}.`,
      };
  } catch (e) {
    if (signal?.aborted === true) throw e;
    const fault = isTreatyError(e) ? e : networkFault(e, 'The receiver');
    error = { code: fault.code, message: fault.message };
    log('ERROR', `${fault.message} (${fault.code})`);
  }
  return {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    success: error === undefined,
    request: {
      method: request.method,
      url: mask(request.url),
      headers,
      ...(request.body === undefined ? {} : { body: mask(request.body) }),
    },
    ...(answer === undefined
      ? {}
      : {
          response: showResponse
            ? {
                status: answer.status,
                headers: answer.headers,
                body: mask(answer.body),
                truncated: answer.truncated,
              }
            : { status: answer.status },
        }),
    ...(error === undefined ? {} : { error: { code: error.code, message: mask(error.message) } }),
    logs: mask(lines.join('\n')),
  };
}
