import type { FastifyPluginAsync } from 'fastify';
import { atRoot } from '../http/root.js';
import type { Store } from '../store/types.js';
import { type WebhookOptions, type WebhookSettings, webhookSettings } from './settings.js';
import { WebhookWorker } from './worker.js';

/** The store methods whose commit writes an outbox event: after each, the worker looks for work. */
const COMMITS: ReadonlySet<PropertyKey> = new Set(['publishPact', 'publishContracts', 'recordVerification']);

declare module 'fastify' {
  interface FastifyInstance {
    /** The broker's webhook delivery (see {@link Webhooks}). */
    treatyWebhooks: Webhooks;
  }
}

/**
 * Webhooks in one broker process: the settings (allow-lists, retry schedule, secrets) and the worker that
 * delivers from the outbox. Built from the app's options; the worker starts when the app is ready and stops
 * when it closes.
 * @example const webhooks = new Webhooks({ store, webhooks: { schemes: ['https'] } })
 */
export class Webhooks {
  readonly settings: WebhookSettings;
  private readonly worker: WebhookWorker;
  private log: (error: unknown, message: string) => void = () => {};

  constructor(options: { store: Store; webhooks?: WebhookOptions; publicUrl?: string }) {
    this.settings = webhookSettings(options.webhooks);
    this.worker = new WebhookWorker(
      options.store,
      this.settings,
      options.publicUrl?.replace(/\/+$/, ''),
      (e, m) => this.log(e, m),
    );
  }

  /** The store as the routes use it: a publication or a verification wakes the worker once committed. */
  watch(store: Store): Store {
    return new Proxy(store, {
      get: (target, key) => {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== 'function' || !COMMITS.has(key)) return value;
        return async (...args: unknown[]): Promise<unknown> => {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          this.worker.wake();
          return result;
        };
      },
    });
  }

  /** Resolves once nothing is being delivered and nothing is due now. */
  settled(): Promise<void> {
    return this.worker.settled();
  }

  /** Runs the worker with the app's lifecycle, and makes this object `app.treatyWebhooks`. */
  readonly plugin: FastifyPluginAsync = atRoot(async (app) => {
    const self: Webhooks = this;
    app.decorate('treatyWebhooks', self);
    this.log = (error, message) => app.log.error({ err: error }, message);
    app.addHook('onReady', async () => this.worker.start());
    app.addHook('onClose', async () => this.worker.stop());
  });
}
