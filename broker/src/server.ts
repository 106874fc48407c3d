import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { AuthOptions, Credential } from './http/auth.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';

/** Settings of a running broker; the CLI fills them from flags and the environment. */
export interface BrokerSettings {
  port: number;
  host: string;
  database: string;
  logger?: boolean;
  auth?: AuthOptions;
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

/** Reads the broker's settings from the environment, with the documented defaults. */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): BrokerSettings {
  const readWrite = credentials(env, 'TREATY_BROKER_');
  const readOnly = credentials(env, 'TREATY_BROKER_READ_ONLY_');
  return {
    port: Number(env.TREATY_BROKER_PORT ?? 9292),
    host: env.TREATY_BROKER_HOST ?? '127.0.0.1',
    database: env.TREATY_BROKER_DATABASE ?? './treaty-broker.sqlite',
    ...(readWrite.length + readOnly.length > 0 ? { auth: { readWrite, readOnly } } : {}),
  };
}

/** A listening broker. */
export interface RunningBroker {
  url: string;
  app: FastifyInstance;
  /** Stops accepting connections, lets in-flight requests finish, and closes the database. */
  close: () => Promise<void>;
}

/**
 * Opens the database (creating and migrating it) and listens.
 * @example const broker = await startBroker({ port: 0, host: '127.0.0.1', database: './broker.sqlite' })
 */
export async function startBroker(settings: BrokerSettings): Promise<RunningBroker> {
  const store = SqliteStore.open(settings.database);
  const app = await buildApp({
    store,
    logger: settings.logger ?? false,
    ...(settings.auth === undefined ? {} : { auth: settings.auth }),
  });
  app.addHook('onClose', async () => store.close());
  try {
    await app.listen({ port: settings.port, host: settings.host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return { url: `http://${host}:${port}`, app, close: () => app.close() };
}
