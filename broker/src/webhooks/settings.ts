import { TreatyError } from '@treaty/core';
import { type HostAllowList, parseHostAllowList } from './addresses.js';

/**
 * How the broker delivers webhooks (`buildApp({ webhooks })`). The allow-lists default to the Pact
 * Broker's: POST only, https only, any public host.
 */
export interface WebhookOptions {
  /** Schemes a webhook URL may use (default `['https']`; PACT_BROKER_WEBHOOK_SCHEME_WHITELIST). */
  schemes?: string[];
  /**
   * Hosts a webhook may call (default: any public host). Host names, `*.example.com`, `/regex/`, IP
   * addresses and CIDR ranges; a host on the list may be private (PACT_BROKER_WEBHOOK_HOST_WHITELIST).
   */
  hosts?: string[];
  /** HTTP methods a webhook may use (default `['POST']`; PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST). */
  methods?: string[];
  /** Seconds to wait before each retry (default 10, 60, 120, 300, 600, 1200: seven attempts in all). */
  retrySchedule?: number[];
  /** Seconds one attempt may take: resolving, connecting, sending and reading the answer (default 15). */
  timeoutSeconds?: number;
  /** Deliveries in flight at once (default 10). */
  concurrency?: number;
  /**
   * Seconds between looks at the outbox for work this process was not told of: events written by
   * another broker on the same database, deliveries left by a crash (default 2).
   */
  pollSeconds?: number;
  /** Secrets a webhook may name as `${env.NAME}`: the TREATY_WEBHOOK_SECRET_* environment variables. */
  secrets?: Readonly<Record<string, string>>;
  /** Deliver at all (default true); with false, events wait in the outbox. */
  deliver?: boolean;
}

/** The options with their defaults, checked. */
export interface WebhookSettings {
  schemes: string[];
  hosts: HostAllowList;
  methods: string[];
  retrySchedule: number[];
  timeoutMs: number;
  concurrency: number;
  pollMs: number;
  secrets: Readonly<Record<string, string>>;
  deliver: boolean;
}

/** The Pact Broker's retry schedule, in seconds. */
const RETRY_SCHEDULE = [10, 60, 120, 300, 600, 1200];

const usage = (message: string): TreatyError => new TreatyError('TREATY_CLI_USAGE', message);

/**
 * Splits list settings given as flags, repeated or not, or as one variable: items separated by spaces or
 * commas (`https http`, `POST,PUT`); a `/regex/` is one item whatever commas it holds.
 * @example splitList(['POST,PUT', 'PATCH']) // ['POST', 'PUT', 'PATCH']
 */
export function splitList(values: string | readonly string[] | undefined): string[] {
  const all = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  return all
    .flatMap((v) => v.split(/\s+/))
    .flatMap((v) => (v.length > 2 && v.startsWith('/') && v.endsWith('/') ? [v] : v.split(',')))
    .filter((v) => v !== '');
}

/**
 * Reads a retry schedule: seconds (fractions allowed), separated by commas or spaces.
 * @example parseRetrySchedule('10,60,120') // [10, 60, 120]
 */
export function parseRetrySchedule(value: string | readonly string[]): number[] {
  const items = splitList(value);
  const seconds = items.map(Number);
  if (items.length === 0 || seconds.some((s, i) => !/^\d+(\.\d+)?$/.test(items[i] ?? '') || !(s <= 86_400)))
    throw usage(
      `The webhook retry schedule must be seconds between attempts, each at most 86400, such as 10,60,120,300,600,1200; got '${splitList(value).join(',')}'.`,
    );
  return seconds;
}

/** Checks the options and fills in the defaults; a bad allow-list entry is TREATY_CLI_USAGE. */
export function webhookSettings(options: WebhookOptions = {}): WebhookSettings {
  const schemes = (options.schemes ?? ['https']).map((s) => s.toLowerCase().replace(/:$/, ''));
  const methods = (options.methods ?? ['POST']).map((m) => m.toUpperCase());
  const badScheme = schemes.find((s) => !/^[a-z][a-z0-9+.-]*$/.test(s));
  if (badScheme !== undefined)
    throw usage(`'${badScheme}' is not a URL scheme; give schemes such as https http.`);
  const badMethod = methods.find((m) => !/^[A-Z]+$/.test(m));
  if (badMethod !== undefined)
    throw usage(`'${badMethod}' is not an HTTP method; give methods such as POST PUT.`);
  const [hosts, bad] = parseHostAllowList(options.hosts ?? []);
  if (bad.length > 0)
    throw usage(
      `Cannot read the webhook host allow-list entries ${bad.map((b) => `'${b}'`).join(', ')}: give host names, *.example.com, /regex/, IP addresses or CIDR ranges such as 10.0.0.0/8.`,
    );
  const positive = (value: number | undefined, fallback: number, what: string): number => {
    const v = value ?? fallback;
    if (!(v > 0)) throw usage(`The webhook ${what} must be more than 0, not ${v}.`);
    return v;
  };
  const schedule = options.retrySchedule ?? RETRY_SCHEDULE;
  if (schedule.some((s) => !(s >= 0)))
    throw usage(`The webhook retry schedule must be seconds (0 or more), not ${schedule.join(',')}.`);
  return {
    schemes,
    hosts,
    methods,
    retrySchedule: [...schedule],
    timeoutMs: positive(options.timeoutSeconds, 15, 'timeout') * 1000,
    concurrency: Math.max(1, Math.floor(positive(options.concurrency, 10, 'concurrency'))),
    pollMs: positive(options.pollSeconds, 2, 'poll interval') * 1000,
    secrets: { ...(options.secrets ?? {}) },
    deliver: options.deliver ?? true,
  };
}
