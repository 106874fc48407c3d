import type Database from 'better-sqlite3';
import {
  type OutboxRow,
  type TriggeredRow,
  type WebhookRow,
  toOutboxEvents,
  toTriggered as triggered,
  toWebhook as webhook,
  triggeredColumns,
  triggeredValues,
  triggeredWebhooksQuery,
} from '../shared.js';
import type {
  DeliveryOutcome,
  Lease,
  NewTriggeredWebhook,
  OutboxEvent,
  TriggeredWebhook,
  Webhook,
  WebhookAttempt,
} from '../types.js';

type Prepare = (sql: string) => Database.Statement<unknown[]>;
type Transaction = <T>(fn: () => T) => T;

/**
 * The SQLite side of webhooks: their definitions, the outbox of domain events, triggered webhooks and
 * their attempts. Claims are one conditional UPDATE … RETURNING each (a lease with a token), so that
 * several brokers on one database never deliver the same attempt at once.
 */
export class WebhookTables {
  constructor(
    private readonly prepare: Prepare,
    private readonly transaction: Transaction,
    private readonly now: () => string,
  ) {}

  /** Appends a domain event; the caller holds the transaction that made it happen. */
  appendEvent(payload: object): void {
    this.prepare('INSERT INTO outbox_events (payload, created_at) VALUES (?, ?)').run(
      JSON.stringify(payload),
      this.now(),
    );
  }

  putWebhook(input: Omit<Webhook, 'createdAt' | 'updatedAt'>): { webhook: Webhook; created: boolean } {
    const { uuid, ...definition } = input;
    return this.transaction(() => {
      const created = this.getWebhook(uuid) === undefined;
      const now = this.now();
      this.prepare(
        `INSERT INTO webhooks (uuid, definition, created_at) VALUES (?, ?, ?)
         ON CONFLICT (uuid) DO UPDATE SET definition = excluded.definition, updated_at = ?`,
      ).run(uuid, JSON.stringify(definition), now, now);
      return { webhook: this.getWebhook(uuid) as Webhook, created };
    });
  }

  getWebhook(uuid: string): Webhook | undefined {
    const r = this.prepare('SELECT * FROM webhooks WHERE uuid = ?').get(uuid) as WebhookRow | undefined;
    return r === undefined ? undefined : webhook(r);
  }

  listWebhooks(): Webhook[] {
    return (this.prepare('SELECT * FROM webhooks ORDER BY created_at, uuid').all() as WebhookRow[]).map(
      webhook,
    );
  }

  deleteWebhook(uuid: string): boolean {
    return this.transaction(() => {
      this.prepare(
        'DELETE FROM webhook_attempts WHERE triggered_webhook_id IN (SELECT id FROM triggered_webhooks WHERE webhook_uuid = ?)',
      ).run(uuid);
      this.prepare('DELETE FROM triggered_webhooks WHERE webhook_uuid = ?').run(uuid);
      return this.prepare('DELETE FROM webhooks WHERE uuid = ?').run(uuid).changes > 0;
    });
  }

  claimEvents(lease: Lease, limit: number): OutboxEvent[] {
    const free = 'expanded_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)';
    return toOutboxEvents(
      this.prepare(
        `UPDATE outbox_events SET claimed_until = ?, claim_token = ?
         WHERE id IN (SELECT id FROM outbox_events WHERE ${free} ORDER BY id LIMIT ?) AND ${free}
         RETURNING id, payload, created_at`,
      ).all(lease.until, lease.token, lease.now, limit, lease.now) as OutboxRow[],
    );
  }

  expandEvents(expanded: Array<{ eventId: number; triggered: NewTriggeredWebhook[] }>, now: string): void {
    this.transaction(() => {
      const insert = this.prepare(
        `INSERT INTO triggered_webhooks (${triggeredColumns})
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'not_run')
         ON CONFLICT (event_id, webhook_uuid, event_name, trigger_key) DO NOTHING`,
      );
      const done = this.prepare(
        'UPDATE outbox_events SET expanded_at = ?, claimed_until = NULL, claim_token = NULL WHERE id = ?',
      );
      for (const { eventId, triggered } of expanded) {
        for (const t of triggered) insert.run(...triggeredValues(eventId, t, now));
        done.run(now, eventId);
      }
    });
  }

  claimDelivery(lease: Lease): TriggeredWebhook | undefined {
    const due =
      'next_attempt_at IS NOT NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)';
    const r = this.prepare(
      `UPDATE triggered_webhooks SET claimed_until = ?, claim_token = ?
       WHERE id = (SELECT id FROM triggered_webhooks WHERE ${due} ORDER BY next_attempt_at, id LIMIT 1) AND ${due}
       RETURNING *`,
    ).get(lease.until, lease.token, lease.now, lease.now, lease.now, lease.now) as TriggeredRow | undefined;
    return r === undefined ? undefined : triggered(r);
  }

  recordAttempt(uuid: string, token: string, attempt: WebhookAttempt, outcome: DeliveryOutcome): boolean {
    return this.transaction(() => {
      const row = this.prepare('SELECT id FROM triggered_webhooks WHERE uuid = ?').get(uuid) as
        | { id: number }
        | undefined;
      if (row === undefined) return false;
      const now = this.now();
      this.prepare(
        'INSERT INTO webhook_attempts (triggered_webhook_id, number, success, detail, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(row.id, attempt.number, attempt.success ? 1 : 0, JSON.stringify(attempt), now);
      return (
        this.prepare(
          `UPDATE triggered_webhooks SET attempts = attempts + 1, status = ?, next_attempt_at = ?,
             claimed_until = NULL, claim_token = NULL, updated_at = ?
           WHERE id = ? AND claim_token = ?`,
        ).run(
          outcome.status,
          outcome.status === 'retrying' ? outcome.nextAttemptAt : null,
          now,
          row.id,
          token,
        ).changes > 0
      );
    });
  }

  nextWebhookWork(): string | undefined {
    const r = this.prepare(
      `SELECT MIN(t) AS t FROM (
         SELECT MIN(MAX(next_attempt_at, COALESCE(claimed_until, ''))) AS t FROM triggered_webhooks WHERE next_attempt_at IS NOT NULL
         UNION ALL
         SELECT MIN(MAX(created_at, COALESCE(claimed_until, ''))) AS t FROM outbox_events WHERE expanded_at IS NULL
       )`,
    ).get() as { t: string | null };
    return r.t ?? undefined;
  }

  triggeredWebhooks(filter: {
    webhookUuid?: string;
    consumer?: string;
    provider?: string;
    consumerVersion?: string;
    verificationId?: number;
    limit?: number;
  }): TriggeredWebhook[] {
    const { sql, args } = triggeredWebhooksQuery(filter, () => '?');
    const rows = this.prepare(sql).all(...args) as TriggeredRow[];
    return rows.map(triggered);
  }

  getTriggeredWebhook(uuid: string): { triggered: TriggeredWebhook; attempts: WebhookAttempt[] } | undefined {
    const r = this.prepare('SELECT * FROM triggered_webhooks WHERE uuid = ?').get(uuid) as
      | TriggeredRow
      | undefined;
    if (r === undefined) return undefined;
    const attempts = (
      this.prepare('SELECT detail FROM webhook_attempts WHERE triggered_webhook_id = ? ORDER BY id').all(
        r.id,
      ) as Array<{ detail: string }>
    ).map((a) => JSON.parse(a.detail) as WebhookAttempt);
    return { triggered: triggered(r), attempts };
  }
}
