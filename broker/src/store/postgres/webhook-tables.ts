import {
  type OutboxRow,
  type TriggeredRow,
  type WebhookRow,
  toOutboxEvents,
  toTriggered,
  toWebhook,
  triggeredColumns,
  triggeredValues,
  triggeredWebhooksQuery,
} from '../shared.js';
import type {
  DeliveryOutcome,
  Lease,
  NewTriggeredWebhook,
  OutboxEvent,
  Store,
  TriggeredWebhook,
  Webhook,
  WebhookAttempt,
} from '../types.js';
import { NOW, type Query } from './connection.js';

/**
 * The PostgreSQL side of webhooks: their definitions, the outbox of domain events, triggered webhooks
 * and their attempts. A claim is one `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) AND <still
 * free> RETURNING`, so of several brokers on one database exactly one gets each event or delivery (a
 * lease with a token), and the others go on to the next free one instead of waiting.
 */
export class WebhookTables {
  constructor(
    /** Statements on the pool, errors translated. */
    private readonly read: Query,
    /** Runs work in one transaction, errors translated. */
    private readonly tx: <T>(work: (q: Query) => Promise<T>) => Promise<T>,
  ) {}

  /** Appends a domain event; `q` is the transaction that made it happen. */
  async appendEvent(q: Query, payload: object): Promise<void> {
    await q(`INSERT INTO outbox_events (payload, created_at) VALUES ($1, ${NOW})`, [JSON.stringify(payload)]);
  }

  async putWebhook(
    input: Omit<Webhook, 'createdAt' | 'updatedAt'>,
  ): Promise<{ webhook: Webhook; created: boolean }> {
    const { uuid, ...definition } = input;
    // xmax is 0 on a row this statement inserted, and set on one it updated: one statement, no race.
    const [row] = await this.read<WebhookRow & { created: boolean }>(
      `INSERT INTO webhooks (uuid, definition, created_at) VALUES ($1, $2, ${NOW})
       ON CONFLICT (uuid) DO UPDATE SET definition = excluded.definition, updated_at = ${NOW}
       RETURNING *, (xmax = 0) AS created`,
      [uuid, JSON.stringify(definition)],
    );
    const r = row as WebhookRow & { created: boolean };
    return { webhook: toWebhook(r), created: r.created };
  }

  async getWebhook(uuid: string): Promise<Webhook | undefined> {
    const [row] = await this.read<WebhookRow>('SELECT * FROM webhooks WHERE uuid = $1', [uuid]);
    return row === undefined ? undefined : toWebhook(row);
  }

  async listWebhooks(): Promise<Webhook[]> {
    return (await this.read<WebhookRow>('SELECT * FROM webhooks ORDER BY created_at, uuid')).map(toWebhook);
  }

  async deleteWebhook(uuid: string): Promise<boolean> {
    return this.tx(async (q) => {
      await q(
        'DELETE FROM webhook_attempts WHERE triggered_webhook_id IN (SELECT id FROM triggered_webhooks WHERE webhook_uuid = $1)',
        [uuid],
      );
      await q('DELETE FROM triggered_webhooks WHERE webhook_uuid = $1', [uuid]);
      return (await q('DELETE FROM webhooks WHERE uuid = $1 RETURNING uuid', [uuid])).length > 0;
    });
  }

  async claimEvents(lease: Lease, limit: number): Promise<OutboxEvent[]> {
    const free = 'expanded_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $3)';
    return toOutboxEvents(
      await this.read<OutboxRow>(
        // The CTE (a locking one is evaluated once) holds the LIMIT; as an `IN (…)` subquery the
        // planner may join it in a way that reads past its limit.
        `WITH picked AS (SELECT id FROM outbox_events WHERE ${free} ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
         UPDATE outbox_events o SET claimed_until = $1, claim_token = $2
         FROM picked WHERE o.id = picked.id
         RETURNING o.id, o.payload, o.created_at`,
        [lease.until, lease.token, lease.now, limit],
      ),
    );
  }

  async expandEvents(
    expanded: Array<{ eventId: number; triggered: NewTriggeredWebhook[] }>,
    now: string,
  ): Promise<void> {
    if (expanded.length === 0) return;
    const done =
      'UPDATE outbox_events SET expanded_at = $1, claimed_until = NULL, claim_token = NULL WHERE id = ANY($2)';
    const ids = expanded.map((e) => e.eventId);
    // Events that triggered nothing (most, where few webhooks are defined) need no transaction.
    if (expanded.every((e) => e.triggered.length === 0)) {
      await this.read(done, [now, ids]);
      return;
    }
    await this.tx(async (q) => {
      for (const { eventId, triggered } of expanded)
        for (const t of triggered)
          await q(
            `INSERT INTO triggered_webhooks (${triggeredColumns})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'not_run')
             ON CONFLICT (event_id, webhook_uuid, event_name, trigger_key) DO NOTHING`,
            triggeredValues(eventId, t, now),
          );
      await q(done, [now, ids]);
    });
  }

  async claimDelivery(lease: Lease): Promise<TriggeredWebhook | undefined> {
    const due =
      'next_attempt_at IS NOT NULL AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3)';
    const [r] = await this.read<TriggeredRow>(
      `UPDATE triggered_webhooks SET claimed_until = $1, claim_token = $2
       WHERE id = (SELECT id FROM triggered_webhooks WHERE ${due} ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
         AND ${due}
       RETURNING *`,
      [lease.until, lease.token, lease.now],
    );
    return r === undefined ? undefined : toTriggered(r);
  }

  async recordAttempt(
    uuid: string,
    token: string,
    attempt: WebhookAttempt,
    outcome: DeliveryOutcome,
  ): Promise<boolean> {
    return this.tx(async (q) => {
      const [row] = await q<{ id: number }>('SELECT id FROM triggered_webhooks WHERE uuid = $1', [uuid]);
      if (row === undefined) return false;
      await q(
        `INSERT INTO webhook_attempts (triggered_webhook_id, number, success, detail, created_at)
         VALUES ($1, $2, $3, $4, ${NOW})`,
        [row.id, attempt.number, attempt.success, JSON.stringify(attempt)],
      );
      const updated = await q(
        `UPDATE triggered_webhooks SET attempts = attempts + 1, status = $1, next_attempt_at = $2,
           claimed_until = NULL, claim_token = NULL, updated_at = ${NOW}
         WHERE id = $3 AND claim_token = $4 RETURNING id`,
        [outcome.status, outcome.status === 'retrying' ? outcome.nextAttemptAt : null, row.id, token],
      );
      return updated.length > 0;
    });
  }

  async nextWebhookWork(): Promise<string | undefined> {
    // GREATEST skips NULLs: a row without a claim is due at its own time.
    const [r] = await this.read<{ t: string | null }>(
      `SELECT LEAST(
         (SELECT MIN(GREATEST(next_attempt_at, claimed_until)) FROM triggered_webhooks WHERE next_attempt_at IS NOT NULL),
         (SELECT MIN(GREATEST(created_at, claimed_until)) FROM outbox_events WHERE expanded_at IS NULL)
       ) AS t`,
    );
    return r?.t ?? undefined;
  }

  async triggeredWebhooks(filter: Parameters<Store['triggeredWebhooks']>[0]): Promise<TriggeredWebhook[]> {
    const { sql, args } = triggeredWebhooksQuery(filter, (n) => `$${n}`);
    return (await this.read<TriggeredRow>(sql, args)).map(toTriggered);
  }

  async getTriggeredWebhook(
    uuid: string,
  ): Promise<{ triggered: TriggeredWebhook; attempts: WebhookAttempt[] } | undefined> {
    const [r] = await this.read<TriggeredRow>('SELECT * FROM triggered_webhooks WHERE uuid = $1', [uuid]);
    if (r === undefined) return undefined;
    const attempts = (
      await this.read<{ detail: string }>(
        'SELECT detail FROM webhook_attempts WHERE triggered_webhook_id = $1 ORDER BY id',
        [r.id],
      )
    ).map((a) => JSON.parse(a.detail) as WebhookAttempt);
    return { triggered: toTriggered(r), attempts };
  }
}
