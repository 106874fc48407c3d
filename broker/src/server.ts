import type { FastifyInstance } from 'fastify';
import { TreatyError } from '@treaty/core';
import { buildApp } from './app.js';
import type { AuthOptions, Credential } from './http/auth.js';
import { openStore } from './store/open.js';
import type { PoolOptions } from './store/postgres/connection.js';
import { type WebhookOptions, parseRetrySchedule, splitList } from './webhooks/settings.js';
import { SECRET_PREFIX } from './webhooks/template.js';

/** Settings of a running broker; the CLI fills them from flags and the environment. */
export interface BrokerSettings {
  port: number;
  host: string;
  /** A SQLite file path, or a PostgreSQL URL (`postgres://user:password@host:5432/database`). */
  database: string;
  /**
   * PostgreSQL's pool: its size and how long a request waits for a connection (see
   * {@link parseDatabasePool}); unused on SQLite.
   */
  databasePool?: PoolOptions;
  logger?: boolean;
  auth?: AuthOptions;
  /** Trust X-Forwarded-* from these proxies: true (any), or addresses/CIDRs (TREATY_BROKER_TRUST_PROXY). */
  trustProxy?: boolean | string[];
  /** The broker's public base URL, used for every HAL link (TREATY_BROKER_PUBLIC_URL). */
  publicUrl?: string;
  /** Webhook allow-lists, retry schedule and secrets (see {@link webhookSettingsFromEnv}). */
  webhooks?: WebhookOptions;
}

/**
 * Reads a trust-proxy setting: `true`/`1` trusts any proxy, `false`/`0`/empty none, anything else is a
 * comma-separated list of proxy addresses or CIDRs (`10.0.0.0/8,127.0.0.1`).
 * @example parseTrustProxy('127.0.0.1, 10.0.0.0/8') // ['127.0.0.1', '10.0.0.0/8']
 */
export function parseTrustProxy(value: string): boolean | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0' || v === '') return false;
  return value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

/**
 * Checks a public base URL: absolute http(s), no query or fragment; returned without a trailing slash.
 * @example parsePublicUrl('https://broker.example.com/') // 'https://broker.example.com'
 */
export function parsePublicUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^https?:$/.test(url.protocol) || url.search !== '' || url.hash !== '')
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      `The public URL must be an absolute http(s) URL without query or fragment, such as https://broker.example.com; got '${value}'.`,
    );
  return value.replace(/\/+$/, '');
}

/** The largest pool `--database-pool-size` takes, and the longest `--database-connect-timeout` (seconds). */
const POOL_LIMITS = { size: 1000, connectTimeout: 600 };

/**
 * Reads the PostgreSQL pool settings, `--database-pool-size` (TREATY_BROKER_DATABASE_POOL_SIZE: the
 * most connections one broker opens) and `--database-connect-timeout`
 * (TREATY_BROKER_DATABASE_CONNECT_TIMEOUT: seconds a query waits for a connection before the database
 * counts as unavailable). Each is a whole number from 1 to 1000 connections or 600 seconds; anything
 * else is a usage error (TREATY_CLI_USAGE).
 * @example parseDatabasePool({ size: '8', connectTimeout: '5' }) // { max: 8, connectionTimeoutMillis: 5000 }
 */
export function parseDatabasePool(given: { size?: string; connectTimeout?: string }): PoolOptions {
  const whole = (value: string, flag: string, variable: string, max: number, unit: string): number => {
    const n = /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= 1 && n <= max))
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `${flag} (${variable}) must be a whole number of ${unit} from 1 to ${max}; got '${value}'.`,
      );
    return n;
  };
  return {
    ...(given.size === undefined
      ? {}
      : {
          max: whole(
            given.size,
            '--database-pool-size',
            'TREATY_BROKER_DATABASE_POOL_SIZE',
            POOL_LIMITS.size,
            'connections',
          ),
        }),
    ...(given.connectTimeout === undefined
      ? {}
      : {
          connectionTimeoutMillis:
            whole(
              given.connectTimeout,
              '--database-connect-timeout',
              'TREATY_BROKER_DATABASE_CONNECT_TIMEOUT',
              POOL_LIMITS.connectTimeout,
              'seconds',
            ) * 1000,
        }),
  };
}

function credentials(env: Readonly<Record<string, string | undefined>>, prefix: string): Credential[] {
  const out: Credential[] = [];
  const token = env[`${prefix}TOKEN`];
  if (token !== undefined && token !== '') out.push({ token });
  const username = env[`${prefix}USERNAME`];
  if (username !== undefined && username !== '')
    out.push({ username, password: env[`${prefix}PASSWORD`] ?? '' });
  return out;
}

/**
 * Reads the webhook settings from the environment: the Pact Broker's PACT_BROKER_WEBHOOK_SCHEME_WHITELIST,
 * PACT_BROKER_WEBHOOK_HOST_WHITELIST and PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST (space- or
 * comma-separated), TREATY_BROKER_WEBHOOK_RETRY_SCHEDULE (seconds), and every TREATY_WEBHOOK_SECRET_*
 * variable as a secret a webhook may name (`${env.TREATY_WEBHOOK_SECRET_CI_TOKEN}`); nothing else of the
 * environment is ever given to a webhook.
 */
export function webhookSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): WebhookOptions {
  const list = (name: string): string[] | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : splitList(value);
  };
  const schemes = list('PACT_BROKER_WEBHOOK_SCHEME_WHITELIST');
  const hosts = list('PACT_BROKER_WEBHOOK_HOST_WHITELIST');
  const methods = list('PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST');
  const schedule = env.TREATY_BROKER_WEBHOOK_RETRY_SCHEDULE;
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (name.startsWith(SECRET_PREFIX) && value !== undefined && value !== '') secrets[name] = value;
  return {
    ...(schemes === undefined ? {} : { schemes }),
    ...(hosts === undefined ? {} : { hosts }),
    ...(methods === undefined ? {} : { methods }),
    ...(schedule === undefined || schedule.trim() === ''
      ? {}
      : { retrySchedule: parseRetrySchedule(schedule) }),
    secrets,
  };
}

/**
 * Reads the broker's settings from the environment, with the documented defaults. The database is
 * TREATY_BROKER_DATABASE, else DATABASE_URL (as platforms that provide PostgreSQL set it), else the
 * SQLite file ./treaty-broker.sqlite.
 */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): BrokerSettings {
  const readWrite = credentials(env, 'TREATY_BROKER_');
  const readOnly = credentials(env, 'TREATY_BROKER_READ_ONLY_');
  return {
    port: Number(env.TREATY_BROKER_PORT ?? 9292),
    host: env.TREATY_BROKER_HOST ?? '127.0.0.1',
    database: env.TREATY_BROKER_DATABASE || env.DATABASE_URL || './treaty-broker.sqlite',
    ...(env.TREATY_BROKER_TRUST_PROXY === undefined
      ? {}
      : { trustProxy: parseTrustProxy(env.TREATY_BROKER_TRUST_PROXY) }),
    ...(env.TREATY_BROKER_PUBLIC_URL === undefined || env.TREATY_BROKER_PUBLIC_URL === ''
      ? {}
      : { publicUrl: parsePublicUrl(env.TREATY_BROKER_PUBLIC_URL) }),
    ...(readWrite.length + readOnly.length > 0 ? { auth: { readWrite, readOnly } } : {}),
    webhooks: webhookSettingsFromEnv(env),
  };
}

/** A listening broker. */
export interface RunningBroker {
  url: string;
  app: FastifyInstance;
  /**
   * Stops accepting connections, lets in-flight requests finish (those still running after
   * `graceMs` are cut), and closes the database.
   */
  close: () => Promise<void>;
}

/**
 * Opens the database (creating and migrating it) and listens: nothing is served, not even the
 * heartbeat, before the database is ready.
 * @example const broker = await startBroker({ port: 0, host: '127.0.0.1', database: './broker.sqlite' })
 */
export async function startBroker(settings: BrokerSettings, graceMs = 10_000): Promise<RunningBroker> {
  const store = await openStore(settings.database, settings.databasePool);
  const app = await buildApp({
    store,
    logger: settings.logger ?? false,
    ...(settings.auth === undefined ? {} : { auth: settings.auth }),
    ...(settings.trustProxy === undefined ? {} : { trustProxy: settings.trustProxy }),
    ...(settings.publicUrl === undefined ? {} : { publicUrl: settings.publicUrl }),
    ...(settings.webhooks === undefined ? {} : { webhooks: settings.webhooks }),
  });
  // The store closes after the app: its onClose hooks (the webhook worker letting go) still have it.
  // A request that takes longer than the grace period (a client that never finishes sending) is cut,
  // so that stopping never waits on a client.
  const close = async (): Promise<void> => {
    const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
    cut.unref();
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
      await store.close();
    }
  };
  try {
    await app.listen({ port: settings.port, host: settings.host });
  } catch (error) {
    await close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return { url: `http://${host}:${port}`, app, close };
}
