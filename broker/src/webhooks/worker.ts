import { randomUUID } from 'node:crypto';
import { isTreatyError } from '@treaty/core';
import type { DeliveryOutcome, Store, TriggeredWebhook, WebhookAttempt } from '../store/types.js';
import { attemptDelivery } from './deliver.js';
import { triggeredBy } from './expand.js';
import type { WebhookSettings } from './settings.js';
import { renderRequest } from './template.js';

/** Where the worker reports what goes wrong outside a delivery (a store error): the app's logger. */
export type WorkerLog = (error: unknown, message: string) => void;

/** How long a claim on an event being expanded holds: after a crash, another worker takes it then. */
const EXPAND_LEASE_MS = 60_000;
/**
 * How many outbox events one claim takes: a backlog (a broker that was stopped, a history imported)
 * costs a few statements per hundred events instead of per event, and a batch stays well inside its
 * lease even when every event triggers webhooks whose parameters need several reads.
 */
const EXPAND_BATCH = 100;
/** Beyond the attempt's own timeout, how long a delivery's claim holds (the store write after it). */
const DELIVERY_LEASE_MARGIN_MS = 10_000;

const later = (ms: number): string => new Date(Date.now() + ms).toISOString();

/**
 * Delivers webhooks from the outbox, in the broker process: expands each new event into triggered webhooks,
 * then delivers each due one, at most `concurrency` at once, with the retry schedule. Work is claimed in
 * the store with a lease, so several brokers on one database share it and a crash only delays it. It runs
 * when woken (after a commit in this process) and every `pollMs` (for other processes' work and leases
 * that ran out), or sooner when the store says a retry is due; nothing is queued in memory but what is in
 * flight.
 */
export class WebhookWorker {
  private stopped = true;
  private running = false;
  private again = false;
  /** Counts wakes, so that a sleep computed before a wake does not replace the wake's run. */
  private wakes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly settings: WebhookSettings,
    private readonly publicUrl: string | undefined,
    private readonly log: WorkerLog,
  ) {}

  /** Starts looking for work (now, then on every wake and poll). */
  start(): void {
    if (!this.settings.deliver || !this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  /** Looks for work soon: something was just committed. */
  wake(): void {
    if (this.stopped) return;
    this.wakes++;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), 0);
    this.timer.unref();
  }

  /**
   * Stops: no new work is taken, deliveries in flight are cut off unrecorded (their claims run out and
   * they are tried again: at least once), and it resolves when they have let go.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const { abort } of this.inFlight.values()) abort.abort();
    await Promise.all([...this.inFlight.values()].map((d) => d.done));
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  /** Resolves once nothing is in flight and nothing is due now (for tests and for a clean shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      if (!this.running && this.inFlight.size === 0) {
        const next = await this.store.nextWebhookWork();
        if (next === undefined || next > new Date().toISOString() || this.stopped) return;
        this.wake();
      }
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private async run(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    try {
      await this.expandEvents();
      await this.startDeliveries();
    } catch (error) {
      this.log(error, 'The webhook worker could not read or write the outbox; it tries again.');
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      this.wake();
      return;
    }
    await this.sleep();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Sleeps until the next retry is due, or the poll interval, whichever is sooner. */
  private async sleep(): Promise<void> {
    if (this.stopped) return;
    const wakes = this.wakes;
    let delay = this.settings.pollMs;
    try {
      const next = await this.store.nextWebhookWork();
      if (next !== undefined) delay = Math.min(delay, Math.max(0, Date.parse(next) - Date.now()));
    } catch {
      // The poll interval it is; run() reports store errors.
    }
    // While every slot is busy, a delivery that ends wakes the worker.
    if (this.inFlight.size >= this.settings.concurrency) delay = this.settings.pollMs;
    if (this.stopped || wakes !== this.wakes) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
    this.timer.unref();
  }

  private async expandEvents(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = new Date().toISOString();
      const lease = { now, until: later(EXPAND_LEASE_MS), token: randomUUID() };
      const events = await this.store.claimEvents(lease, EXPAND_BATCH);
      if (events.length === 0) return;
      // The webhooks as they are once the events are claimed, read once for the batch.
      const webhooks = await this.store.listWebhooks();
      const expanded = [];
      for (const event of events)
        expanded.push({
          eventId: event.id,
          triggered: await triggeredBy(this.store, event, webhooks, this.publicUrl),
        });
      await this.store.expandEvents(expanded, new Date().toISOString());
      // A backlog (after a long stop) is expanded between requests, not instead of them.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async startDeliveries(): Promise<void> {
    while (!this.stopped && this.inFlight.size < this.settings.concurrency) {
      const token = randomUUID();
      const lease = {
        now: new Date().toISOString(),
        until: later(this.settings.timeoutMs + DELIVERY_LEASE_MARGIN_MS),
        token,
      };
      const claimed = await this.store.claimDelivery(lease);
      if (claimed === undefined) return;
      const abort = new AbortController();
      const done = this.deliver(claimed, token, abort.signal)
        .catch((error: unknown) => {
          if (!abort.signal.aborted) this.log(error, `Could not record webhook delivery ${claimed.uuid}.`);
        })
        .finally(() => {
          this.inFlight.delete(claimed.uuid);
          this.wake();
        });
      this.inFlight.set(claimed.uuid, { done, abort });
    }
  }

  /** One attempt of one triggered webhook, logged, and what comes after it. */
  private async deliver(t: TriggeredWebhook, token: string, signal: AbortSignal): Promise<void> {
    const number = t.attempts + 1;
    const made = await this.attempt(t, number, signal);
    const schedule = this.settings.retrySchedule;
    const outcome: DeliveryOutcome = made.success
      ? { status: 'success' }
      : number <= schedule.length
        ? { status: 'retrying', nextAttemptAt: later((schedule[number - 1] ?? 0) * 1000) }
        : { status: 'failure' };
    const last =
      outcome.status === 'success'
        ? 'Successfully executed webhook'
        : outcome.status === 'retrying'
          ? `Retrying webhook in ${schedule[number - 1]} seconds`
          : `Webhook execution failed after ${number} attempt${number === 1 ? '' : 's'}`;
    made.logs = `${made.logs}\n[${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}] INFO: ${last}`;
    await this.store.recordAttempt(t.uuid, token, made, outcome);
  }

  private async attempt(t: TriggeredWebhook, number: number, signal: AbortSignal): Promise<WebhookAttempt> {
    const webhook = await this.store.getWebhook(t.webhookUuid);
    // Deleted in between: its triggered webhooks went with it, so this is only logged if the row remains.
    if (webhook === undefined)
      return this.notSent(
        number,
        'TREATY_BROKER_WEBHOOK_INVALID',
        'The webhook was deleted; nothing was sent.',
      );
    let rendered: ReturnType<typeof renderRequest>;
    try {
      rendered = renderRequest(webhook.request, t.parameters, this.settings.secrets);
    } catch (error) {
      if (!isTreatyError(error)) throw error;
      return this.notSent(number, error.code, error.message);
    }
    return { number, ...(await attemptDelivery(rendered, this.settings, signal)) };
  }

  /** An attempt that sent nothing (a missing secret, a deleted webhook), logged as failed. */
  private notSent(number: number, code: string, message: string): WebhookAttempt {
    const at = new Date().toISOString();
    return {
      number,
      startedAt: at,
      durationMs: 0,
      success: false,
      request: { method: '', url: '', headers: {} },
      error: { code, message },
      logs: `[${at.replace(/\.\d{3}Z$/, 'Z')}] ERROR: ${message} (${code})`,
    };
  }
}
