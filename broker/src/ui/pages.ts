import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  isTreatyError,
  verifyCommand,
  parseContract,
  type Body,
  type Contract,
  type Generators,
  type Interaction,
  type MatchingRules,
  type Message,
} from '@treaty/core';
import type { PactPublication, Store } from '../store/types.js';
import { base, type RouteOptions } from '../http/hal.js';
import type { Decision, MatrixRow, MatrixSelector } from '../domain/matrix.js';
import { evaluateMatrix } from '../loaders/matrix.js';
import { pagePolicy } from '../http/security.js';
import { fail } from '../http/errors.js';
import { pactDiff } from '../routes/pacts.js';
import type { ContractDiff, InteractionName } from '../domain/contract-diff.js';
import { CSS, ago, href, html, page, raw, type Html } from './html.js';
import { networkSvg, type Edge } from './network.js';
import { providerContractHref, providerContractPage } from './provider-contract-page.js';
import { webhookPage, webhooksPage } from './webhook-page.js';
import { documentName } from '../domain/document-comparison.js';
import { generatorInWords, rulesInWords } from './rules-in-words.js';
import { interactionId, readTestResults, type ReportedInteraction } from '../domain/test-results.js';

const enc = encodeURIComponent;

function status(v: { success: boolean; id?: number } | null | undefined): Html {
  if (v === null || v === undefined) return html`<span class="status unknown">not verified</span>`;
  const label = v.success
    ? html`<span class="status ok">✔ verified</span>`
    : html`<span class="status bad">✘ failed</span>`;
  // A result links to its page: for a failure, that page says why.
  return v.id === undefined ? label : html`<a href="${verificationHref(v.id)}">${label}</a>`;
}

const verificationHref = (id: number) => `/ui/verifications/${id}`;

const contractHref = (provider: string, consumer: string, version?: string) =>
  `/ui/contracts/provider/${enc(provider)}/consumer/${enc(consumer)}${version === undefined ? '' : `/version/${enc(version)}`}`;

async function indexPage(store: Store, now: number): Promise<string> {
  const rows = await store.integrationSummaries();
  const verified = rows.filter((r) => r.verification?.success === true).length;
  const failed = rows.filter((r) => r.verification?.success === false).length;
  const body = html`<h1>Integrations</h1>
<p class="muted">${rows.length} contract${rows.length === 1 ? '' : 's'} between consumers and providers: ${verified} verified, ${failed} failed, ${rows.length - verified - failed} not verified yet. See them as a <a href="/ui/network">network</a>.</p>
${
  rows.length === 0
    ? html`<p>No contracts yet. Publish one with <code>treaty publish ./pacts --consumer-app-version 1.0.0 --branch main --broker-base-url …</code>.</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted left">Each consumer → provider pair, its latest contract and the latest verification of that contract</caption>
<thead><tr><th scope="col">Consumer</th><th scope="col">Provider</th><th scope="col">Latest contract</th><th scope="col">Latest verification</th></tr></thead>
<tbody>${rows.map((r) => {
        const contract = contractHref(r.provider, r.consumer, r.latest.consumerVersion);
        const published = html`<span class="muted">published ${ago(r.latest.createdAt, now)}</span>`;
        const v = r.verification;
        const by =
          v === undefined
            ? ''
            : html`<br><span class="muted">by ${r.provider} ${v.providerVersion}, ${ago(v.createdAt, now)}</span>`;
        return html`<tr>
<td><a href="${href('/ui/matrix', { pacticipant: r.consumer })}">${r.consumer}</a></td>
<td><a href="${href('/ui/matrix', { pacticipant: r.provider })}">${r.provider}</a></td>
<td><a href="${contract}">version ${r.latest.consumerVersion}</a><br>${published}</td>
<td>${status(v)}${by}</td>
</tr>`;
      })}</tbody></table></div>`
}`;
  return page('Integrations', '/', body);
}

async function networkPage(store: Store): Promise<string> {
  const rows = await store.integrationSummaries();
  const nodes = [...new Set(rows.flatMap((r) => [r.consumer, r.provider]))];
  const edges: Edge[] = rows.map((r) => ({
    consumer: r.consumer,
    provider: r.provider,
    status: r.verification === undefined ? 'unknown' : r.verification.success ? 'ok' : 'bad',
  }));
  const body = html`<h1>Network</h1>
<p class="muted">Every service and the contracts between them: an arrow goes from a consumer to the provider it depends on. Select a service to see its matrix.</p>
<ul class="legend" aria-label="Legend"><li><span class="status ok">━ verified</span></li><li><span class="status bad">━ failed</span></li><li><span class="status unknown">┅ not verified</span></li></ul>
${nodes.length === 0 ? html`<p>No contracts yet.</p>` : raw(networkSvg(nodes, edges))}
${
  rows.length === 0
    ? ''
    : html`<h2>Contracts</h2><ul>${rows.map((r) => html`<li><a href="${contractHref(r.provider, r.consumer)}">${r.consumer} → ${r.provider}</a> ${status(r.verification)}</li>`)}</ul>`
}`;
  return page('Network', '/ui/network', body);
}

function bodyBlock(b: Body | undefined): Html {
  if (b === undefined) return html`<p class="muted">No body.</p>`;
  const type = b.contentType === undefined ? '' : html` <span class="muted">(${b.contentType})</span>`;
  if (b.kind === 'json')
    return html`<p>Body${type}:</p><pre><code>${JSON.stringify(b.value, null, 2)}</code></pre>`;
  if (b.kind === 'text') return html`<p>Body${type}:</p><pre><code>${b.text}</code></pre>`;
  return html`<p>Body${type}: ${b.bytes.length} bytes of binary content.</p>`;
}

function headersBlock(headers: Record<string, string[]>): Html {
  const entries = Object.entries(headers);
  if (entries.length === 0) return html``;
  return html`<dl class="meta">${entries.map(([k, v]) => html`<dt>${k}</dt><dd><code>${v.join(', ')}</code></dd>`)}</dl>`;
}

function rulesBlock(rules: MatchingRules, generators: Generators): Html {
  const words = rulesInWords(rules);
  const gens: Array<{ where: string; what: string }> = [];
  for (const [category, entries] of Object.entries(generators)) {
    if (entries === undefined) continue;
    if ('type' in entries)
      gens.push({
        where: category,
        what: generatorInWords(entries as Parameters<typeof generatorInWords>[0]),
      });
    else
      for (const [path, g] of Object.entries(entries))
        gens.push({
          where: `${category} ${path}`,
          what: generatorInWords(g as Parameters<typeof generatorInWords>[0]),
        });
  }
  if (words.length === 0 && gens.length === 0)
    return html`<p class="muted">Everything must equal the example.</p>`;
  return html`<p>Matched by:</p><ul class="rules">${words.map((w) => html`<li><code>${w.where}</code>: ${w.what}</li>`)}${gens.map((g) => html`<li><code>${g.where}</code>: the provider is sent ${g.what}</li>`)}</ul>`;
}

function messageBlock(title: string, m: Message): Html {
  const metadata =
    Object.keys(m.metadata).length === 0
      ? ''
      : html`<p>Metadata:</p><pre><code>${JSON.stringify(m.metadata, null, 2)}</code></pre>`;
  return html`<section><h4>${title}</h4>${bodyBlock(m.contents)}${metadata}${rulesBlock(m.matchingRules, m.generators)}</section>`;
}

function interactionBlock(i: Interaction, n: number): Html {
  const states =
    i.providerStates.length === 0
      ? html``
      : html`<p>Given ${i.providerStates.map((s, k) => {
          const params = s.params === undefined ? '' : html` <code>${JSON.stringify(s.params)}</code>`;
          return html`${k === 0 ? '' : ' and '}<strong>${s.name}</strong>${params}`;
        })}</p>`;
  let detail: Html;
  if (i.type === 'Synchronous/HTTP') {
    const q = Object.entries(i.request.query).flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`));
    const { request: req, response: res } = i;
    const target = `${req.method} ${req.path}${q.length === 0 ? '' : `?${q.join('&')}`}`;
    detail = html`<div class="columns">
<section><h4>Request</h4><p><code>${target}</code></p>${headersBlock(req.headers)}${bodyBlock(req.body)}${rulesBlock(req.matchingRules, req.generators)}</section>
<section><h4>Response</h4><p>Status <code>${res.status}</code></p>${headersBlock(res.headers)}${bodyBlock(res.body)}${rulesBlock(res.matchingRules, res.generators)}</section>
</div>`;
  } else if (i.type === 'Asynchronous/Messages') {
    detail = html`<div class="columns">${messageBlock('Message', i.message)}</div>`;
  } else {
    const responses = i.response.map((r, k) =>
      messageBlock(i.response.length === 1 ? 'Response message' : `Response message ${k + 1}`, r),
    );
    detail = html`<div class="columns">${messageBlock('Request message', i.request)}${responses}</div>`;
  }
  const kind =
    i.type === 'Synchronous/HTTP'
      ? 'HTTP'
      : i.type === 'Asynchronous/Messages'
        ? 'message'
        : 'synchronous message';
  return html`<article class="interaction" id="interaction-${n}" aria-labelledby="interaction-${n}-title"><h3 id="interaction-${n}-title">${i.description} <span class="muted">(${kind}${i.pending ? ', pending' : ''})</span></h3>${states}${detail}</article>`;
}

function changesBlock(
  diff: ContractDiff | undefined,
  previous: PactPublication | undefined,
  self: string,
): Html {
  if (previous === undefined)
    return html`<p class="muted">This is the first version of this contract (no earlier version has different content).</p>`;
  const was = contractHref(previous.provider, previous.consumer, previous.consumerVersion);
  const since = html`since <a href="${was}">version ${previous.consumerVersion}</a>`;
  if (diff === undefined)
    return html`<p class="muted">The changes ${since} cannot be shown: one version is not a pact Treaty can read.</p>`;
  const name = (i: InteractionName) =>
    html`${i.description}${i.providerStates.length === 0 ? '' : html` <span class="muted">given ${i.providerStates.join(' and ')}</span>`}`;
  const items = [
    ...diff.added.map((i) => html`<li><span class="status ok">+ added</span> ${name(i)}</li>`),
    ...diff.removed.map((i) => html`<li><span class="status bad">− removed</span> ${name(i)}</li>`),
    ...diff.changed.map(
      (i) =>
        html`<li><span class="status unknown">~ changed</span> ${name(i)}: ${i.fields.map((f, k) => html`${k === 0 ? '' : ', '}<code>${f}</code>`)}</li>`,
    ),
  ];
  return html`<p>Changes ${since} (<a href="${self}/diff/previous-distinct">as text</a>):</p>
${items.length === 0 ? html`<p class="muted">No interaction changed.</p>` : html`<ul class="changes">${items}</ul>`}
<p class="muted">${diff.unchanged} interaction${diff.unchanged === 1 ? '' : 's'} unchanged.</p>`;
}

async function contractPage(
  store: Store,
  provider: string,
  consumer: string,
  version: string | undefined,
  now: number,
): Promise<{ status: number; html: string }> {
  const pub =
    version === undefined
      ? await store.latestPact(consumer, provider)
      : await store.getPact(consumer, version, provider);
  if (pub === undefined)
    return {
      status: 404,
      html: page(
        'Not found',
        '',
        html`<h1>No such contract</h1><p role="alert">There is no contract between ${consumer}${version === undefined ? '' : ` ${version}`} and ${provider}.</p><p><a href="/">All integrations</a></p>`,
      ),
    };
  let contract: Contract;
  try {
    contract = parseContract(JSON.parse(pub.content) as unknown);
  } catch (error) {
    const why = isTreatyError(error) ? error.message : String(error);
    return {
      status: 200,
      html: page(
        `${consumer} → ${provider}`,
        '',
        html`<h1>${consumer} → ${provider}</h1><p role="alert">This contract cannot be shown: ${why}</p>`,
      ),
    };
  }
  const [latest] = await store.verificationsFor(consumer, provider, pub.sha);
  const previous = await store.previousDistinctPact(consumer, provider, pub.consumerVersion);
  const pactPath = `/pacts/provider/${enc(provider)}/consumer/${enc(consumer)}/version/${enc(pub.consumerVersion)}`;
  const latestBy =
    latest === undefined
      ? ''
      : html` by ${provider} ${latest.providerVersion}, ${ago(latest.createdAt, now)}`;
  const body = html`<h1>${consumer} → ${provider}</h1>
<dl class="meta">
<dt>Consumer version</dt><dd>${pub.consumerVersion}</dd>
<dt>Published</dt><dd>${ago(pub.createdAt, now)}</dd>
<dt>Pact specification</dt><dd>${contract.specVersion}</dd>
<dt>Latest verification</dt><dd>${status(latest)}${latestBy}</dd>
<dt>Content</dt><dd><a href="${pactPath}">the pact as JSON</a> <span class="muted">(sha ${pub.sha.slice(0, 12)})</span></dd>
</dl>
<h2>What changed</h2>
${changesBlock(previous === undefined ? undefined : pactDiff(previous, pub), previous, pactPath)}
<h2>Interactions</h2>
<nav aria-label="Interactions"><ol>${contract.interactions.map((i, n) => html`<li><a href="#interaction-${n}">${i.description}</a></li>`)}</ol></nav>
${contract.interactions.map((i, n) => interactionBlock(i, n))}`;
  return { status: 200, html: page(`${consumer} → ${provider}`, '', body) };
}

/** A value a verifier reported, as short text. */
function reported(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'nothing');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function failedInteraction(r: ReportedInteraction, anchor: string | undefined): Html {
  const title = r.description ?? r.interactionId ?? 'An interaction the verifier did not name';
  const mismatches =
    r.mismatches.length === 0
      ? ''
      : html`<div class="table-wrap"><table>
<caption class="muted left">What did not match, by path</caption>
<thead><tr><th scope="col">Path</th><th scope="col">What went wrong</th><th scope="col">Expected</th><th scope="col">Actual</th></tr></thead>
<tbody>${r.mismatches.map(
          (m) =>
            html`<tr><td><code>${m.path}</code></td><td>${m.message}</td><td>${'expected' in m ? html`<code>${reported(m.expected)}</code>` : ''}</td><td>${'actual' in m ? html`<code>${reported(m.actual)}</code>` : ''}</td></tr>`,
        )}</tbody></table></div>`;
  const exceptions =
    r.exceptions.length === 0
      ? ''
      : html`<p>It could not be verified:</p><ul>${r.exceptions.map((e) => html`<li>${e}</li>`)}</ul>`;
  const link = anchor === undefined ? '' : html` <a href="${anchor}">see the interaction</a>`;
  return html`<article class="interaction"><h3><span class="status bad">✘</span> ${title}</h3><p class="muted">${r.interactionId === undefined ? '' : html`id <code>${r.interactionId}</code>`}${link}</p>${mismatches}${exceptions}</article>`;
}

/** The line of a verification page that says the result is a comparison with a document. */
const evidenceRow = (provider: string, version: string) =>
  html`<dt>Evidence</dt><dd>compared with <a href="${providerContractHref(provider, version)}">${documentName(
    provider,
    version,
  )}</a> (no provider was run)</dd>`;

async function verificationPage(
  store: Store,
  id: number,
  now: number,
): Promise<{ status: number; html: string }> {
  const found = await store.getVerification(id);
  if (found === undefined)
    return {
      status: 404,
      html: page(
        'Not found',
        '',
        html`<h1>No such verification</h1><p role="alert">There is no verification result ${String(id)}.</p><p><a href="/">All integrations</a></p>`,
      ),
    };
  const { verification: v, report } = found;
  const pact = await store.getPactBySha(v.consumer, v.provider, v.sha);
  const results = readTestResults(
    report.testResults === undefined ? undefined : JSON.parse(report.testResults),
  );
  // Results name interactions by the broker's _id (pact-verifier), the V4 key (Treaty) or description.
  const anchors = new Map<string, string>();
  if (pact !== undefined) {
    const doc = JSON.parse(pact.content) as { interactions?: unknown; messages?: unknown };
    const raw = [doc.interactions, doc.messages].flatMap((l) => (Array.isArray(l) ? l : []));
    raw.forEach((i: unknown, n) => {
      const at = `${contractHref(v.provider, v.consumer, pact.consumerVersion)}#interaction-${n}`;
      const o = (typeof i === 'object' && i !== null ? i : {}) as Record<string, unknown>;
      for (const k of [interactionId(i), o.key, o.description])
        if (typeof k === 'string' && !anchors.has(k)) anchors.set(k, at);
    });
  }
  const anchorOf = (r: ReportedInteraction) =>
    (r.interactionId === undefined ? undefined : anchors.get(r.interactionId)) ??
    (r.description === undefined ? undefined : anchors.get(r.description));
  const failed = results.filter((r) => !r.success);
  const passed = results.filter((r) => r.success);
  let by = '';
  if (report.verifiedBy !== undefined) {
    const vb = JSON.parse(report.verifiedBy) as { implementation?: unknown; version?: unknown };
    by = [vb.implementation, vb.version].filter((x) => typeof x === 'string').join(' ');
  }
  const title = `${v.consumer} → ${v.provider}: verification ${v.id}`;
  const counts =
    failed.length === 0
      ? 'The verifier did not say which interactions failed.'
      : `${failed.length} interaction${failed.length === 1 ? '' : 's'} failed${passed.length === 0 ? '' : `, ${passed.length} passed`}.`;
  const contract =
    pact === undefined
      ? v.sha.slice(0, 12)
      : html`<a href="${contractHref(v.provider, v.consumer, pact.consumerVersion)}">${v.consumer} version ${pact.consumerVersion}</a>`;
  const body = html`<h1>${v.consumer} → ${v.provider}</h1>
<section class="verdict ${v.success ? 'ok' : 'bad'}"><h2>${v.success ? `✔ ${v.provider} ${v.providerVersion} verified the pact of ${v.consumer}` : `✘ ${v.provider} ${v.providerVersion} failed to verify the pact of ${v.consumer}`}</h2>
${v.success ? '' : html`<p>${counts}</p>`}</section>
<dl class="meta">
<dt>Contract</dt><dd>${contract} <span class="muted">(sha ${v.sha.slice(0, 12)})</span></dd>
<dt>Provider version</dt><dd>${v.providerVersion}</dd>
<dt>Verified</dt><dd>${ago(v.createdAt, now)}${by === '' ? '' : ` by ${by}`}</dd>
${v.evidence === 'openapi' ? evidenceRow(v.provider, v.providerVersion) : ''}
${v.buildUrl === undefined ? '' : html`<dt>Build</dt><dd>${v.buildUrl}</dd>`}
<dt>As JSON</dt><dd><a href="/pacts/provider/${enc(v.provider)}/consumer/${enc(v.consumer)}/pact-version/${v.sha}/verification-results/${v.id}">the verification result</a></dd>
</dl>
${report.truncated ? html`<p role="note" class="muted">The verifier sent more results than the broker keeps (TREATY_BROKER_RESULTS_TRUNCATED): each interaction shows its first mismatches only.</p>` : ''}
${failed.length === 0 ? '' : html`<h2>Failing interactions</h2>${failed.map((r) => failedInteraction(r, anchorOf(r)))}`}
${passed.length === 0 ? '' : html`<h2>Passing interactions</h2><ul>${passed.map((r) => html`<li><span class="status ok">✔</span> ${r.description ?? r.interactionId ?? 'unnamed'}</li>`)}</ul>`}`;
  return { status: 200, html: page(title, '', body) };
}

/** The form that picks a pacticipant's version (and where), as the matrix and can-i-deploy pages use it. */
async function versionForm(
  store: Store,
  q: Record<string, string | undefined>,
  o: {
    action: string;
    label: string;
    anyVersion: string;
    branch: boolean;
    anyEnvironment: string;
    button: string;
  },
): Promise<{ pacticipants: string[]; environments: string[]; p: string | undefined; form: Html }> {
  const pacticipants = (await store.listPacticipants()).map((x) => x.name);
  const environments = (await store.listEnvironments()).map((e) => e.name);
  const p = q.pacticipant === '' ? undefined : q.pacticipant;
  const form = html`<form class="filters" method="get" action="${o.action}" aria-label="${o.label}">
${select('pacticipant', 'Pacticipant', pacticipants, p, 'choose…')}
<label>Version<input name="version" value="${q.version ?? ''}" placeholder="${o.anyVersion}" size="12"></label>
${o.branch ? html`<label>Branch<input name="branch" value="${q.branch ?? ''}" placeholder="any" size="12"></label>` : ''}
${select('environment', 'Environment', environments, q.environment, o.anyEnvironment)}
<button type="submit">${o.button}</button></form>`;
  return { pacticipants, environments, p, form };
}

function select(
  name: string,
  label: string,
  values: string[],
  selected: string | undefined,
  empty: string,
): Html {
  return html`<label>${label}<select name="${name}"><option value="">${empty}</option>${values.map((v) => html`<option${raw(v === selected ? ' selected' : '')}>${v}</option>`)}</select></label>`;
}

function rowsTable(rows: MatrixRow[], now: number): Html {
  if (rows.length === 0) return html`<p>No rows: nothing to check here.</p>`;
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Consumer</th><th scope="col">Version</th><th scope="col">Provider</th><th scope="col">Version</th><th scope="col">Result</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr>
<td>${r.consumer}</td><td><a href="${contractHref(r.provider, r.consumer, r.consumerVersion)}">${r.consumerVersion}</a></td>
<td>${r.provider}</td><td>${r.providerVersion ?? html`<span class="muted">none</span>`}</td>
<td>${status(r.verification)}${r.verification === null ? '' : html` <span class="muted">${ago(r.verification.createdAt, now)}</span>`}${r.ignored ? html` <span class="muted">(ignored)</span>` : ''}</td>
</tr>`,
  )}</tbody></table></div>`;
}

/** The command that would verify a provider version, as the matrix suggests it: pasteable as shown. */
const hintFor = (brokerUrl: string) => (provider: string, providerVersion: string) =>
  verifyCommand(provider, providerVersion, brokerUrl);

async function matrixPage(
  store: Store,
  q: Record<string, string | undefined>,
  now: number,
  brokerUrl: string,
): Promise<{ status: number; html: string }> {
  const { pacticipants, p, form } = await versionForm(store, q, {
    action: '/ui/matrix',
    label: 'Filter the matrix',
    anyVersion: 'any',
    branch: true,
    anyEnvironment: 'any',
    button: 'Show',
  });
  let result: Html = html`<p>Choose a pacticipant to see which of its versions were verified with which.</p>`;
  let code = 200;
  if (p !== undefined) {
    if (!pacticipants.includes(p)) {
      code = 404;
      result = html`<p role="alert">There is no pacticipant named ${p}.</p>`;
    } else {
      const selector: MatrixSelector = {
        pacticipant: p,
        ...(q.version ? { version: q.version } : {}),
        ...(q.branch ? { branch: q.branch } : {}),
        ...(q.environment ? { environment: q.environment } : {}),
      };
      const d = await evaluateMatrix(store, { selectors: [selector], limit: 20 }, hintFor(brokerUrl));
      result = html`<h2>${p}${q.version ? ` ${q.version}` : ''}${q.branch ? ` on ${q.branch}` : ''}${q.environment ? ` in ${q.environment}` : ''}</h2>
<p class="muted">${d.rows.length} row${d.rows.length === 1 ? '' : 's'}${q.version || q.environment ? '' : ' (the 20 newest versions)'}.</p>${rowsTable(d.rows, now)}`;
    }
  }
  return { status: code, html: page('Matrix', '/ui/matrix', html`<h1>Matrix</h1>${form}${result}`) };
}

function verdict(d: Decision, who: string, where: string): Html {
  const cls = d.deployable === true ? 'ok' : d.deployable === false ? 'bad' : 'unknown';
  const text =
    d.deployable === true
      ? `Yes: ${who} can be deployed to ${where}.`
      : d.deployable === false
        ? `No: ${who} cannot be deployed to ${where}.`
        : `Not yet: results are missing, so ${who} cannot be deployed to ${where}.`;
  const why = (r: Decision['reasons'][number]) =>
    r.failure === undefined
      ? ''
      : html` <a href="${verificationHref(r.failure.verification.id)}">See why it failed</a>.`;
  return html`<section class="verdict ${cls}" aria-live="polite"><h2>${text}</h2>${d.reasons.map((r) => html`<p>${r.type === 'error' ? '✘ ' : r.type === 'warning' ? '⚠ ' : r.type === 'success' ? '✔ ' : ''}${r.text}${why(r)}</p>`)}</section>`;
}

async function canIDeployPage(
  store: Store,
  q: Record<string, string | undefined>,
  now: number,
  brokerUrl: string,
): Promise<{ status: number; html: string }> {
  const { pacticipants, environments, p, form } = await versionForm(store, q, {
    action: '/ui/can-i-deploy',
    label: 'Ask whether a version can be deployed',
    anyVersion: 'latest',
    branch: false,
    anyEnvironment: 'choose…',
    button: 'Ask',
  });
  let result: Html = html`<p>Pick a version and the environment it would go to; the answer lists every integration it needs and what is missing.</p>`;
  let code = 200;
  if (p !== undefined) {
    if (!pacticipants.includes(p)) {
      code = 404;
      result = html`<p role="alert">There is no pacticipant named ${p}.</p>`;
    } else if (q.environment === undefined || q.environment === '') {
      code = 400;
      result = html`<p role="alert">Choose the environment to deploy to.</p>`;
    } else if (!environments.includes(q.environment)) {
      code = 404;
      result = html`<p role="alert">There is no environment named ${q.environment}.</p>`;
    } else {
      const version = q.version || (await store.latestVersion(p))?.number;
      if (version === undefined) {
        result = html`<p role="alert">${p} has no versions yet.</p>`;
      } else {
        const d = await evaluateMatrix(
          store,
          {
            selectors: [{ pacticipant: p, version }],
            target: { environment: q.environment },
            latestby: 'cvpv',
          },
          hintFor(brokerUrl),
        );
        result = html`${verdict(d, `${p} ${version}`, q.environment)}${rowsTable(d.rows, now)}`;
      }
    }
  }
  return {
    status: code,
    html: page('Can I deploy?', '/ui/can-i-deploy', html`<h1>Can I deploy?</h1>${form}${result}`),
  };
}

async function environmentsPage(store: Store, now: number): Promise<string> {
  const envs = await store.listEnvironments();
  const sections = await Promise.all(
    envs.map(async (e) => {
      const deployed = await store.currentlyDeployed(e.uuid);
      const released = await store.currentlySupported(e.uuid);
      const row = (pacticipant: string, version: string, how: string, since: string): Html => {
        const link = href('/ui/matrix', { pacticipant, environment: e.name });
        return html`<tr><td><a href="${link}">${pacticipant}</a></td><td>${version}</td><td>${how}</td><td>${ago(since, now)}</td></tr>`;
      };
      return html`<section aria-labelledby="env-${e.uuid}"><h2 id="env-${e.uuid}">${e.displayName}${e.production ? html` <span class="muted">(production)</span>` : ''}</h2>
${
  deployed.length === 0 && released.length === 0
    ? html`<p class="muted">Nothing is deployed or released here.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th scope="col">Application</th><th scope="col">Version</th><th scope="col">How</th><th scope="col">Since</th></tr></thead><tbody>
${deployed.map((d) => {
  const instance = d.applicationInstance === undefined ? '' : ` (instance ${d.applicationInstance})`;
  return row(d.pacticipant, d.version, `deployed${instance}`, d.createdAt);
})}
${released.map((r) => row(r.pacticipant, r.version, 'released, supported', r.createdAt))}
</tbody></table></div>`
}</section>`;
    }),
  );
  const body = html`<h1>Environments</h1>${envs.length === 0 ? html`<p>No environments yet. Create one with <code>treaty create-environment --name production --production</code>.</p>` : sections}`;
  return page('Environments', '/ui/environments', body);
}

/** True when the client asked for a page (a browser) rather than HAL+JSON (a Pact client). */
export function wantsHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

// The pages run no script and carry one inline style sheet, allowed by its hash.
const policy = pagePolicy([CSS]);
const sendPage = (reply: FastifyReply, status: number, body: string) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Content-Security-Policy', policy)
    .send(body);

/** The index page for people; `/` serves it to a browser. */
export async function sendIndexPage(reply: FastifyReply, store: Store): Promise<FastifyReply> {
  return sendPage(reply, 200, await indexPage(store, Date.now()));
}

/** The broker's pages for people: readable without JavaScript, one `main` per page. */
export const uiPages: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  type Q = { Querystring: Record<string, string | undefined> };
  app.get('/ui/network', async (_req, reply) => sendPage(reply, 200, await networkPage(store)));
  app.get<{ Params: { provider: string; consumer: string } }>(
    '/ui/contracts/provider/:provider/consumer/:consumer',
    async (req, reply) => {
      const r = await contractPage(store, req.params.provider, req.params.consumer, undefined, Date.now());
      return sendPage(reply, r.status, r.html);
    },
  );
  app.get<{ Params: { provider: string; consumer: string; version: string } }>(
    '/ui/contracts/provider/:provider/consumer/:consumer/version/:version',
    async (req, reply) => {
      const r = await contractPage(
        store,
        req.params.provider,
        req.params.consumer,
        req.params.version,
        Date.now(),
      );
      return sendPage(reply, r.status, r.html);
    },
  );
  app.get<{ Params: { id: string } }>('/ui/verifications/:id', async (req, reply) => {
    if (!/^\d{1,15}$/.test(req.params.id))
      fail('TREATY_BROKER_NOT_FOUND', 'A verification is named by its number: /ui/verifications/<number>.');
    const r = await verificationPage(store, Number(req.params.id), Date.now());
    return sendPage(reply, r.status, r.html);
  });
  app.get<{ Params: { provider: string; version: string } }>(
    '/ui/provider-contracts/provider/:provider/version/:version',
    async (req, reply) => {
      const { provider, version } = req.params;
      const r = await providerContractPage(store, provider, version, Date.now());
      return sendPage(reply, r.status, r.html);
    },
  );
  app.get<Q>('/ui/matrix', async (req, reply) => {
    const r = await matrixPage(store, req.query, Date.now(), base(req));
    return sendPage(reply, r.status, r.html);
  });
  app.get<Q>('/ui/can-i-deploy', async (req, reply) => {
    const r = await canIDeployPage(store, req.query, Date.now(), base(req));
    return sendPage(reply, r.status, r.html);
  });
  app.get('/ui/environments', async (_req, reply) =>
    sendPage(reply, 200, await environmentsPage(store, Date.now())),
  );
  app.get('/ui/webhooks', async (_req, reply) => sendPage(reply, 200, await webhooksPage(store)));
  app.get<{ Params: { uuid: string } }>('/ui/webhooks/:uuid', async (req, reply) => {
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(req.params.uuid))
      fail('TREATY_BROKER_NOT_FOUND', 'A webhook is named by its uuid: /ui/webhooks/<uuid>.');
    const r = await webhookPage(store, req.params.uuid, Date.now());
    return sendPage(reply, r.status, r.html);
  });
  app.get('/ui', async (_req, reply) => reply.redirect('/'));
};
