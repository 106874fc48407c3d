import type { AuthOptions } from './http/auth.js';
import type { HeavyRequestOptions } from './http/heavy-requests.js';
import type { Store } from './store/types.js';
import type { WebhookOptions } from './webhooks/settings.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  store: Store;
  /** Require credentials: read-only ones may read, read-write ones may also write. */
  auth?: AuthOptions;
  /** Largest accepted request body in bytes (default 10 MiB). */
  bodyLimit?: number;
  /** Log with pino (fastify's logger); off by default for tests. */
  logger?: boolean;
  /**
   * Trust X-Forwarded-* from these proxies (fastify's `trustProxy`: true, or addresses and
   * CIDRs); off by default, so a client cannot point the HAL links at another host.
   */
  trustProxy?: boolean | string | string[];
  /** The broker's public base URL (e.g. https://broker.example.com); HAL links start with it. */
  publicUrl?: string;
  /** How many heavy requests (matrix, can-i-deploy, pacts for verification) run and wait at once. */
  heavyRequests?: HeavyRequestOptions;
  /** Webhook delivery: allow-lists, retry schedule, timeout, secrets (Pact Broker defaults). */
  webhooks?: WebhookOptions;
}
