import { WEBHOOK_EVENT_NAMES } from '../domain/webhooks.js';
import { LIMITS, checkName, checkText } from '../limits.js';
import type {
  Store,
  Webhook,
  WebhookEventName,
  WebhookPacticipant,
  WebhookRequestTemplate,
} from '../store/types.js';
import { targetProblems } from './deliver.js';
import type { WebhookSettings } from './settings.js';
import { SECRET_PREFIX, secretsNamed } from './template.js';

/** A webhook as a client sends it, checked: everything but its uuid and timestamps. */
export type WebhookDefinition = Omit<Webhook, 'uuid' | 'createdAt' | 'updatedAt'>;

/** What is wrong with a webhook body, by field (Pact's `errors`), and whether it is only the allow-lists. */
export interface DefinitionErrors {
  errors: Record<string, string[]>;
  /** True when every problem is a target the broker does not allow (TREATY_BROKER_WEBHOOK_NOT_ALLOWED). */
  notAllowed: boolean;
}

/** A client-chosen webhook uuid: 16 to 255 letters, digits, `_` or `-` (the Pact Broker: 16 or more). */
export const WEBHOOK_UUID = /^[A-Za-z0-9_-]{16,255}$/;

/** An HTTP header name (an RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers the broker sets itself: a webhook setting them could frame the request otherwise than sent. */
const RESERVED_HEADER =
  /^(host|content-length|transfer-encoding|connection|keep-alive|upgrade|te|trailer|proxy-.*)$/i;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null;

/**
 * Reads a webhook body as the Pact Broker's contract does, and the broker's safety rules: `request` with a
 * method and an absolute URL the allow-lists take (no template parameter in the host, no private address),
 * `headers` of strings, any JSON `body`, `username`/`password`; `consumer`/`provider` by name (which must
 * exist) or label, not both; `events` from the six names (default `contract_content_changed`); `enabled`
 * (default true); `${env.NAME}` only for TREATY_WEBHOOK_SECRET_* names.
 */
export async function readWebhookDefinition(
  body: unknown,
  settings: WebhookSettings,
  store: Store,
): Promise<WebhookDefinition | DefinitionErrors> {
  const errors: Record<string, string[]> = {};
  let allowListOnly = true;
  /** Records a problem with a field; returns nothing, so that `return problem(…)` gives up on a field. */
  const problem = (field: string, message: string, notAllowed = false): undefined => {
    const list = errors[field] ?? [];
    list.push(message);
    errors[field] = list;
    if (!notAllowed) allowListOnly = false;
    return undefined;
  };
  const text = (field: string, value: unknown, max: number): string | undefined => {
    try {
      return checkText(field, value, max);
    } catch (error) {
      problem(field, (error as Error).message);
      return undefined;
    }
  };
  if (!isObject(body)) {
    problem(
      'body',
      'Send the webhook as a JSON object: { "request": { "method": "POST", "url": "https://…" }, "events": [{ "name": "contract_content_changed" }] }.',
    );
    return { errors, notAllowed: false };
  }
  if (JSON.stringify(body).length > LIMITS.webhook)
    problem('body', `is larger than the ${LIMITS.webhook} characters a webhook may have.`);

  const description = absent(body.description) ? undefined : text('description', body.description, 1024);

  const party = async (field: 'consumer' | 'provider'): Promise<WebhookPacticipant | undefined> => {
    const value = body[field];
    if (absent(value)) return undefined;
    if (!isObject(value)) return problem(field, 'must be { "name": "…" } or { "label": "…" }.');
    const name = absent(value.name) || value.name === '' ? undefined : value.name;
    const label = absent(value.label) || value.label === '' ? undefined : value.label;
    if (name === undefined && label === undefined) return problem(field, 'needs a name or a label.');
    if (name !== undefined && label !== undefined)
      return problem(`${field}.label`, 'cannot be given with a name: give a name or a label.');
    const given = (name ?? label) as unknown;
    const key = name === undefined ? 'label' : 'name';
    try {
      checkName(`${field} ${key}`, given);
    } catch (error) {
      return problem(`${field}.${key}`, (error as Error).message);
    }
    if (name === undefined) return { label: given as string };
    if ((await store.getPacticipant(given as string)) === undefined)
      return problem(
        `${field}.name`,
        `No pacticipant named '${given as string}' exists; publish a pact or create it first.`,
      );
    return { name: given as string };
  };
  const consumer = await party('consumer');
  const provider = await party('provider');

  let events: WebhookEventName[] = ['contract_content_changed'];
  if (!absent(body.events)) {
    if (!Array.isArray(body.events) || body.events.length === 0)
      problem('events', 'must be a list of at least one { "name": "…" }.');
    else {
      const names = body.events.map((e: unknown, i: number) => {
        const name = isObject(e) ? e.name : undefined;
        if (typeof name === 'string' && (WEBHOOK_EVENT_NAMES as readonly string[]).includes(name))
          return name as WebhookEventName;
        problem('events', `name must be one of ${WEBHOOK_EVENT_NAMES.join(', ')} (at index ${i}).`);
        return undefined;
      });
      events = [...new Set(names.filter((n): n is WebhookEventName => n !== undefined))];
    }
  }

  const enabled = absent(body.enabled) ? true : body.enabled;
  if (typeof enabled !== 'boolean') problem('enabled', 'must be true or false.');

  const request = readRequest(body.request, settings, problem);
  if (Object.keys(errors).length > 0) return { errors, notAllowed: allowListOnly };
  return {
    ...(description === undefined ? {} : { description }),
    ...(consumer === undefined ? {} : { consumer }),
    ...(provider === undefined ? {} : { provider }),
    events,
    request: request as WebhookRequestTemplate,
    enabled: enabled as boolean,
  };
}

function readRequest(
  value: unknown,
  settings: WebhookSettings,
  problem: (field: string, message: string, notAllowed?: boolean) => undefined,
): WebhookRequestTemplate | undefined {
  if (!isObject(value)) {
    problem(
      'request',
      'is missing: give { "method": "POST", "url": "https://…", "headers": {…}, "body": … }.',
    );
    return undefined;
  }
  const { method, url } = value;
  if (typeof method !== 'string' || method === '') problem('request.method', 'is missing.');
  if (typeof url !== 'string' || url === '') problem('request.url', 'is missing.');
  else if (url.length > LIMITS.url) problem('request.url', `is longer than ${LIMITS.url} characters.`);
  if (
    typeof method === 'string' &&
    method !== '' &&
    typeof url === 'string' &&
    url !== '' &&
    url.length <= LIMITS.url
  )
    for (const p of targetProblems(method, url, settings)) problem(p.field, p.message, p.notAllowed);
  const headers: Record<string, string> = {};
  if (!absent(value.headers)) {
    if (!isObject(value.headers)) problem('request.headers', 'must be an object of header names and values.');
    else
      for (const [name, v] of Object.entries(value.headers)) {
        if (!HEADER_NAME.test(name)) problem('request.headers', `'${name}' is not a header name.`);
        else if (RESERVED_HEADER.test(name))
          problem(
            'request.headers',
            `'${name}' is set by the broker when it sends the request; leave it out.`,
          );
        // biome-ignore lint/suspicious/noControlCharactersInRegex: a header value may not break its line.
        else if (typeof v !== 'string' || /[\u0000-\u0008\u000a-\u001f\u007f]/.test(v))
          problem('request.headers', `the value of '${name}' must be text on one line.`);
        else headers[name] = v;
      }
  }
  const credential = (key: 'username' | 'password'): string | undefined => {
    const v = value[key];
    if (absent(v)) return undefined;
    if (typeof v !== 'string') return problem(`request.${key}`, 'must be a string.');
    return v;
  };
  const username = credential('username');
  const password = credential('password');
  const request: WebhookRequestTemplate = {
    method: typeof method === 'string' ? method.toUpperCase() : '',
    url: typeof url === 'string' ? url : '',
    headers,
    ...(absent(value.body) ? {} : { body: value.body }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
  const foreign = secretsNamed(request).filter((n) => !n.startsWith(SECRET_PREFIX));
  if (foreign.length > 0)
    problem(
      'request',
      `names the environment variable${foreign.length === 1 ? '' : 's'} ${foreign.join(', ')}: a webhook may only name secrets whose names start with ${SECRET_PREFIX} (\${env.${SECRET_PREFIX}…}).`,
    );
  return request;
}
