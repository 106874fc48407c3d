import type { Store, TriggeredWebhook, Webhook, WebhookPacticipant } from '../store/types.js';
import { displayDescription, maskedRequest } from '../webhooks/template.js';
import { ago, html, page, type Html } from './html.js';

const enc = encodeURIComponent;

/** Where a webhook has its page. */
const webhookHref = (uuid: string): string => `/ui/webhooks/${enc(uuid)}`;

const who = (p: WebhookPacticipant | undefined, any: string): string =>
  p === undefined ? any : 'name' in p ? p.name : `any with label '${p.label}'`;

const STATUS: Record<TriggeredWebhook['status'], Html> = {
  success: html`<span class="status ok">✔ delivered</span>`,
  failure: html`<span class="status bad">✘ failed</span>`,
  retrying: html`<span class="status unknown">↻ retrying</span>`,
  not_run: html`<span class="status unknown">… not sent yet</span>`,
};

/** Every webhook, with whom it is for and what it fires on. */
export async function webhooksPage(store: Store): Promise<string> {
  const list = await store.listWebhooks();
  const rows = list.map((w: Webhook) => {
    const name = html`<a href="${webhookHref(w.uuid)}">${displayDescription(w)}</a>`;
    const off = w.enabled ? '' : html` <span class="muted">(disabled)</span>`;
    const consumer = who(w.consumer, 'any consumer');
    const provider = who(w.provider, 'any provider');
    return html`<tr><td>${name}${off}</td><td>${consumer}</td><td>${provider}</td><td>${w.events.join(', ')}</td></tr>`;
  });
  const body = html`<h1>Webhooks</h1>
${
  list.length === 0
    ? html`<p>No webhooks yet. Create one with <code>pact-broker create-webhook</code> or <code>POST /webhooks</code>.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th scope="col">Webhook</th><th scope="col">Consumer</th><th scope="col">Provider</th><th scope="col">Events</th></tr></thead><tbody>${rows}</tbody></table></div>`
}`;
  return page('Webhooks', '/ui/webhooks', body);
}

/**
 * One webhook: what it sends (secrets masked) and when, and its recent deliveries, each attempt with its
 * log.
 */
export async function webhookPage(
  store: Store,
  uuid: string,
  now: number,
): Promise<{ status: number; html: string }> {
  const w = await store.getWebhook(uuid);
  if (w === undefined)
    return {
      status: 404,
      html: page(
        'Not found',
        '',
        html`<h1>No webhook</h1><p role="alert">There is no webhook ${uuid} on this broker.</p><p><a href="/ui/webhooks">All webhooks</a></p>`,
      ),
    };
  const request = maskedRequest(w.request);
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body, null, 2);
  const deliveries: Html[] = [];
  for (const t of await store.triggeredWebhooks({ webhookUuid: uuid, limit: 20 })) {
    const attempts = (await store.getTriggeredWebhook(t.uuid))?.attempts ?? [];
    // The provider version it is about: the one that must verify, or the one that verified.
    const aboutProvider = t.eventName.startsWith('provider_') || t.eventName.includes('requiring');
    const version = aboutProvider ? t.parameters['pactbroker.providerVersionNumber'] : undefined;
    const about = `${t.consumer} ${t.consumerVersion ?? ''} → ${t.provider}${version ? ` ${version}` : ''}`;
    const attemptsMade = `${t.attempts} attempt${t.attempts === 1 ? '' : 's'}`;
    const nextAt = t.nextAttemptAt;
    const next =
      nextAt === undefined
        ? ''
        : nextAt > new Date(now).toISOString()
          ? html`; next attempt at <time datetime="${nextAt}">${nextAt}</time>`
          : '; next attempt now';
    const summaries = attempts.map((a) => {
      const outcome = a.success ? 'delivered' : (a.error?.message ?? 'failed');
      const http = a.response === undefined ? '' : ` (HTTP ${a.response.status})`;
      return html`<details><summary>Attempt ${a.number}: ${outcome}${http}, ${a.durationMs} ms</summary><pre>${a.logs}</pre></details>`;
    });
    const logs = `/triggered-webhooks/${enc(t.uuid)}/logs`;
    deliveries.push(html`<article class="delivery" aria-labelledby="d-${t.uuid}">
<h3 id="d-${t.uuid}">${t.eventName} <span class="muted">${about}</span></h3>
<p>${STATUS[t.status]} after ${attemptsMade}, triggered ${ago(t.createdAt, now)}${next}. <a href="${logs}">Logs as text</a></p>
${summaries}</article>`);
  }
  const content = html`<h1>${displayDescription(w)}</h1>
<dl class="meta">
<dt>Consumer</dt><dd>${who(w.consumer, 'any')}</dd>
<dt>Provider</dt><dd>${who(w.provider, 'any')}</dd>
<dt>Events</dt><dd>${w.events.join(', ')}</dd>
<dt>Enabled</dt><dd>${w.enabled ? 'yes' : 'no'}</dd>
<dt>Sends</dt><dd><code>${request.method} ${request.url}</code></dd>
${Object.entries(request.headers).map(([n, v]) => html`<dt>Header</dt><dd><code>${n}: ${v}</code></dd>`)}
${request.username === undefined ? '' : html`<dt>Basic auth</dt><dd><code>${request.username}</code> / <code>${request.password ?? ''}</code></dd>`}
<dt>As JSON</dt><dd><a href="/webhooks/${enc(w.uuid)}">the webhook</a></dd>
</dl>
${body === undefined ? '' : html`<details><summary>Body</summary><pre>${body}</pre></details>`}
<h2>Recent deliveries</h2>
${deliveries.length === 0 ? html`<p class="muted">Nothing has triggered this webhook yet.</p>` : deliveries}`;
  return { status: 200, html: page(displayDescription(w), '/ui/webhooks', content) };
}
