import type { Store } from '../store/types.js';
import { comparedWith, documentName } from '../domain/document-comparison.js';
import { ago, html, page } from './html.js';

const enc = encodeURIComponent;

/** Where a provider version's document has its page. */
export const providerContractHref = (provider: string, version: string) =>
  `/ui/provider-contracts/provider/${enc(provider)}/version/${enc(version)}`;

/**
 * A provider version's OpenAPI document: what its own tests said of it (the self-verification), each
 * pact it was compared with and how that went, and the document itself.
 */
export async function providerContractPage(
  store: Store,
  provider: string,
  version: string,
  now: number,
): Promise<{ status: number; html: string }> {
  const c = await store.getProviderContract(provider, version);
  if (c === undefined)
    return {
      status: 404,
      html: page(
        'Not found',
        '',
        html`<h1>No provider contract</h1><p role="alert">${provider} version ${version} has no OpenAPI document on this broker. Publish one with <code>pactflow publish-provider-contract</code>.</p><p><a href="/">All integrations</a></p>`,
      ),
    };
  const self = c.selfVerification;
  // Comparisons with the document as it is now; those with content it had before no longer count.
  const current = comparedWith(c);
  const compared = (await store.verificationsByProviderVersion(provider, version)).filter(
    (v) => v.evidence === 'openapi' && v.comparedWith === current,
  );
  const rows = [];
  for (const v of compared) {
    const pact = await store.getPactBySha(v.consumer, v.provider, v.sha);
    rows.push(html`<tr><td>${v.consumer}</td><td>${pact?.consumerVersion ?? v.sha.slice(0, 12)}</td>
<td><a href="/ui/verifications/${String(v.id)}">${v.success ? html`<span class="status ok">✔ compatible</span>` : html`<span class="status bad">✘ incompatible</span>`}</a></td><td>${ago(v.createdAt, now)}</td></tr>`);
  }
  const title = documentName(provider, version);
  const verdict = self?.success
    ? '✔ Its own tests passed'
    : '✘ Its own tests failed: every comparison with this document fails';
  const verifier = [self?.verifier, self?.verifierVersion].filter((x) => x !== undefined).join(' ');
  const by = verifier === '' ? '' : ` (${verifier})`;
  const selfSection =
    self === undefined
      ? html`<p class="muted">No self-verification came with the document: the comparisons rest on the document alone.</p>`
      : html`<section class="verdict ${self.success ? 'ok' : 'bad'}"><h2>${verdict}${by}</h2>
${self.content === undefined ? '' : html`<pre>${self.content}</pre>`}</section>`;
  const body = html`<h1>${title}</h1>
<dl class="meta">
<dt>Provider version</dt><dd>${version}</dd>
<dt>Published</dt><dd>${ago(c.updatedAt ?? c.createdAt, now)}</dd>
<dt>Content type</dt><dd>${c.contentType} <span class="muted">(sha ${c.sha.slice(0, 12)})</span></dd>
<dt>As JSON</dt><dd><a href="/contracts/bi-directional/provider/${enc(provider)}/version/${enc(version)}/provider-contract">the provider contract</a></dd>
</dl>
<h2>Self-verification</h2>
${selfSection}
<h2>Compared with pacts</h2>
${rows.length === 0 ? html`<p class="muted">No pact has been compared with this document yet.</p>` : html`<table><thead><tr><th>Consumer</th><th>Version</th><th>Result</th><th>When</th></tr></thead><tbody>${rows}</tbody></table>`}
<details><summary>The document</summary><pre>${c.content}</pre></details>`;
  return { status: 200, html: page(title, '', body) };
}
