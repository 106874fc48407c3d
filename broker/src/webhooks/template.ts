import { TreatyError } from '@treaty/core';
import type { Webhook, WebhookRequestTemplate } from '../store/types.js';

/** `${pactbroker.consumerName}`: a template parameter, filled from the event. */
const PARAMETER = /\$\{(pactbroker\.[A-Za-z]+)\}/g;
/** `${env.TREATY_WEBHOOK_SECRET_CI_TOKEN}`: a secret, read from the broker's environment at delivery. */
const SECRET = /\$\{env\.([A-Za-z0-9_]+)\}/g;

/** The only environment variables a webhook may read (a webhook cannot name DATABASE_URL, or a token). */
export const SECRET_PREFIX = 'TREATY_WEBHOOK_SECRET_';

/** What a secret is shown as, in answers and logs. */
export const MASK = '**********';

/**
 * Header names whose values are secrets: the Pact Broker's two (authorization, token) and the other names
 * credentials go by.
 */
const SECRET_HEADER = /authorization|token|secret|password|passwd|api[-_]?key|cookie|credential/i;

/** Whether a header's value is a secret, by its name. */
export function secretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** A value that only names secrets (`Bearer ${env.TREATY_WEBHOOK_SECRET_X}`) holds none: shown as it is. */
function onlyNamesSecrets(value: string): boolean {
  return /^(?:(?:Bearer|Basic|Token)\s+)?(?:\$\{env\.[A-Za-z0-9_]+\}\s*)+$/i.test(value);
}

/** The secrets (`${env.NAME}`) a text names. */
function secretNames(text: string): string[] {
  return [...text.matchAll(SECRET)].map((m) => m[1] ?? '');
}

/** The body as the text it is sent as: text as it is, any other JSON value as JSON. */
function bodyText(body: unknown): string | undefined {
  return body === undefined || body === null
    ? undefined
    : typeof body === 'string'
      ? body
      : JSON.stringify(body);
}

/** Every secret a request names, in its URL, headers, body, username and password. */
export function secretsNamed(request: WebhookRequestTemplate): string[] {
  const texts = [
    request.url,
    ...Object.values(request.headers),
    bodyText(request.body) ?? '',
    request.username ?? '',
    request.password ?? '',
  ];
  return [...new Set(texts.flatMap(secretNames))];
}

/** Whether the request uses a template parameter (`pactbroker.currentlyDeployedProviderVersionNumber`). */
export function usesParameter(request: WebhookRequestTemplate, name: string): boolean {
  const needle = `\${${name}}`;
  return [request.url, ...Object.values(request.headers), bodyText(request.body) ?? ''].some((t) =>
    t.includes(needle),
  );
}

/** The URL with every placeholder replaced by a word, so that it can be parsed (`https://x/placeholder`). */
export function urlWithPlaceholders(url: string, word = 'placeholder'): string {
  return url.replace(PARAMETER, word).replace(SECRET, word);
}

/**
 * The request as the API shows it: secret headers and the password as `**********`, unless they only
 * name secrets kept in the broker's environment.
 */
export function maskedRequest(request: WebhookRequestTemplate): WebhookRequestTemplate {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      secretHeader(name) && !onlyNamesSecrets(value) ? MASK : value,
    ]),
  );
  return {
    ...request,
    headers,
    ...(request.password === undefined
      ? {}
      : { password: onlyNamesSecrets(request.password) ? request.password : MASK }),
  };
}

/**
 * A request sent back to update a webhook keeps the secrets it shows masked: a password or header value
 * of only asterisks (or a password left out) is the one already stored, as the Pact Broker does it.
 */
export function keepMaskedSecrets(
  incoming: WebhookRequestTemplate,
  stored: WebhookRequestTemplate,
  passwordGiven: boolean,
): WebhookRequestTemplate {
  const starred = (v: string | undefined): boolean => v !== undefined && /^\**$/.test(v);
  const headers = Object.fromEntries(
    Object.entries(incoming.headers).map(([name, value]) => {
      const before = Object.entries(stored.headers).find(([n]) => n.toLowerCase() === name.toLowerCase());
      return [name, starred(value) && before !== undefined ? before[1] : value];
    }),
  );
  const keepPassword = stored.password !== undefined && (!passwordGiven || starred(incoming.password));
  const { password: _password, ...rest } = incoming;
  const password = keepPassword ? stored.password : incoming.password;
  return { ...rest, headers, ...(password === undefined ? {} : { password }) };
}

/** The request a webhook sends for one event: every placeholder filled. */
export interface RenderedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** The secret values in it (passwords, secret headers, `${env.…}` values): masked wherever it is logged. */
  secrets: string[];
}

/** Percent-encodes a parameter for a URL: every character but the unreserved ones. */
function encodeForUrl(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A value as it may stand inside a JSON string: quotes, backslashes and control characters escaped. */
function escapeForJson(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * Fills a webhook's request for one event. Template parameters are percent-encoded in the URL, escaped in
 * a JSON body (so a value cannot break out of its string) and put in as they are in headers and a text
 * body; unknown `${pactbroker.…}` stay as written, as in the Pact Broker. Secrets
 * (`${env.TREATY_WEBHOOK_SECRET_…}`) are read from `secrets`, never from anywhere else; a missing one is
 * TREATY_BROKER_WEBHOOK_SECRET_MISSING. Basic auth (username and password) becomes an Authorization header.
 * @example renderRequest(webhook.request, { 'pactbroker.consumerName': 'web' }, {})
 */
export function renderRequest(
  template: WebhookRequestTemplate,
  parameters: Readonly<Record<string, string>>,
  secrets: Readonly<Record<string, string | undefined>>,
): RenderedRequest {
  const used: string[] = [];
  const fill = (text: string, encode: (value: string) => string, encodeSecrets: boolean): string =>
    text
      .replace(PARAMETER, (whole, name: string) => {
        const value = parameters[name];
        return value === undefined ? whole : encode(value);
      })
      .replace(SECRET, (_whole, name: string) => {
        const value = name.startsWith(SECRET_PREFIX) ? secrets[name] : undefined;
        if (value === undefined || value === '')
          throw new TreatyError(
            'TREATY_BROKER_WEBHOOK_SECRET_MISSING',
            `The webhook names the secret \${env.${name}}, but the broker has no environment variable ${name}${name.startsWith(SECRET_PREFIX) ? '' : ` (only variables starting with ${SECRET_PREFIX} can be named)`}. Set it where the broker runs.`,
          );
        used.push(value);
        return encodeSecrets ? encode(value) : value;
      });
  const asIs = (v: string): string => v;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(template.headers)) {
    const filled = fill(value, asIs, false);
    headers[name] = filled;
    if (secretHeader(name)) used.push(filled);
  }
  const text = bodyText(template.body);
  const body =
    text === undefined
      ? undefined
      : fill(text, typeof template.body === 'string' ? asIs : escapeForJson, true);
  if (template.username !== undefined && template.username !== '') {
    const username = fill(template.username, asIs, false);
    const password = template.password === undefined ? '' : fill(template.password, asIs, false);
    if (password !== '') used.push(password);
    const credentials = Buffer.from(`${username}:${password}`).toString('base64');
    headers.Authorization = `Basic ${credentials}`;
    used.push(headers.Authorization, credentials);
  }
  return {
    method: template.method.toUpperCase(),
    // Secrets go into a URL as given (a receiver's URL may carry its token in the path).
    url: fill(template.url, encodeForUrl, false),
    headers,
    ...(body === undefined ? {} : { body }),
    secrets: [...new Set(used.filter((s) => s.length > 0))],
  };
}

/** Masks every secret value wherever it appears in a text (a log line, a body, a URL). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so that a secret inside a longer one does not leave the rest of the longer one.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
  return out;
}

/** "POST ci.example.com": a webhook's request in words, its description when it has none. */
export function requestDescription(w: Pick<Webhook, 'request'>): string {
  let host = '';
  try {
    host = new URL(urlWithPlaceholders(w.request.url)).hostname;
  } catch {
    host = w.request.url;
  }
  return `${w.request.method.toUpperCase()} ${host}`;
}

/** A webhook's description, or its request in words when it has none. */
export function displayDescription(w: Pick<Webhook, 'request' | 'description'>): string {
  return w.description !== undefined && w.description.trim() !== '' ? w.description : requestDescription(w);
}
