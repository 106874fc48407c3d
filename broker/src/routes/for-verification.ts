import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TreatyError } from '@treaty/core';
import { objectBody } from '../http/body.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import { checkName } from '../limits.js';
import type { PactPublication, Store } from '../store/types.js';
import { isPending } from '../domain/pending.js';
import { encodeToken } from '../domain/metadata-token.js';
import { normalizeSelector, selectorLabel, type ConsumerVersionSelector } from '../domain/selectors.js';

interface Selected {
  publication: PactPublication;
  labels: string[];
}

const enc = encodeURIComponent;

async function resolveSelector(
  store: Store,
  provider: string,
  consumers: string[],
  s: ConsumerVersionSelector,
): Promise<Selected[]> {
  const out: Selected[] = [];
  const targets = s.consumer === undefined ? consumers : consumers.filter((c) => c === s.consumer);
  for (const consumer of targets) {
    if (s.mainBranch === true) {
      const main = (await store.getPacticipant(consumer))?.mainBranch;
      const p = main === undefined ? undefined : await store.latestPact(consumer, provider, { branch: main });
      if (p !== undefined) out.push({ publication: p, labels: [selectorLabel(s)] });
    } else if (typeof s.branch === 'string') {
      const p = await store.latestPact(consumer, provider, { branch: s.branch });
      if (p !== undefined) out.push({ publication: p, labels: [selectorLabel(s)] });
    } else if (s.tag !== undefined) {
      if (s.latest === true) {
        const p = await store.latestPact(consumer, provider, { tag: s.tag });
        if (p !== undefined) out.push({ publication: p, labels: [selectorLabel(s)] });
      } else {
        for (const p of await store.pactsWithTag(consumer, provider, s.tag))
          out.push({ publication: p, labels: [selectorLabel(s)] });
      }
    } else if (s.latest === true) {
      const p = await store.latestPact(consumer, provider);
      if (p !== undefined) out.push({ publication: p, labels: [selectorLabel(s)] });
    } else {
      // deployed / released / deployedOrReleased / environment: the consumer versions live there.
      const environments =
        s.environment === undefined
          ? await store.listEnvironments()
          : [await store.findEnvironment(s.environment)].filter((e) => e !== undefined);
      if (s.environment !== undefined && environments.length === 0)
        throw new TreatyError(
          'TREATY_BROKER_BAD_REQUEST',
          `There is no environment named '${s.environment}'.`,
        );
      for (const env of environments) {
        const wantDeployed = s.released !== true;
        const wantReleased = s.deployed !== true;
        const versions = [
          ...(wantDeployed
            ? (await store.currentlyDeployed(env.uuid, { pacticipant: consumer })).map((d) => ({
                version: d.version,
                label: `deployed to ${env.name}`,
              }))
            : []),
          ...(wantReleased
            ? (await store.currentlySupported(env.uuid, { pacticipant: consumer })).map((r) => ({
                version: r.version,
                label: `released in ${env.name}`,
              }))
            : []),
        ];
        for (const v of versions) {
          const p = await store.getPact(consumer, v.version, provider);
          if (p !== undefined) out.push({ publication: p, labels: [v.label] });
        }
      }
    }
  }
  if (out.length === 0 && s.fallbackTag !== undefined) {
    for (const consumer of targets) {
      const p = await store.latestPact(consumer, provider, { tag: s.fallbackTag });
      if (p !== undefined) out.push({ publication: p, labels: [selectorLabel(s, true)] });
    }
  }
  return out;
}

/** The names in a selector follow the rule every name does (they are looked up, never stored). */
function checkSelectorNames(s: ConsumerVersionSelector, index: number): ConsumerVersionSelector {
  for (const key of ['consumer', 'tag', 'fallbackTag', 'branch', 'fallbackBranch', 'environment'] as const) {
    const value = s[key];
    if (typeof value === 'string') checkName(`consumerVersionSelectors[${index}].${key}`, value);
  }
  return s;
}

/**
 * Default selectors: each consumer's main branch head where it has one, else its latest pact; plus what is
 * deployed or released.
 */
async function defaults(store: Store, consumers: string[]): Promise<ConsumerVersionSelector[]> {
  const out: ConsumerVersionSelector[] = [];
  for (const consumer of consumers) {
    const main = (await store.getPacticipant(consumer))?.mainBranch;
    out.push(
      main !== undefined && (await store.latestVersion(consumer, { branch: main })) !== undefined
        ? { mainBranch: true, consumer }
        : { latest: true, consumer },
    );
  }
  out.push({ deployed: true }, { released: true });
  return out;
}

/**
 * `/pacts/provider/{provider}/for-verification`: which pacts a provider build must verify, and whether each
 * is pending.
 */
export const forVerificationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  const selfLink = (req: FastifyRequest, provider: string) => ({
    href: `${base(req)}/pacts/provider/${enc(provider)}/for-verification`,
    title: 'Pacts to be verified',
  });

  // The verifier GETs this first only to read the link it then POSTs to.
  app.get<{ Params: { provider: string } }>(
    '/pacts/provider/:provider/for-verification',
    async (req, reply) => {
      const { provider } = req.params;
      if ((await store.getPacticipant(provider)) === undefined)
        throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No provider named '${provider}'.`);
      return send(reply, 200, { _embedded: { pacts: [] }, _links: { self: selfLink(req, provider) } });
    },
  );

  // A read, though a POST: read-only credentials may ask for it, as with the Pact Broker.
  app.post<{ Params: { provider: string }; Body: unknown }>(
    '/pacts/provider/:provider/for-verification',
    { config: { access: 'read' } },
    async (req, reply) => {
      const { provider } = req.params;
      if ((await store.getPacticipant(provider)) === undefined)
        throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No provider named '${provider}'.`);
      const body = objectBody(
        req.body,
        '{ "consumerVersionSelectors": [...], "providerVersionBranch": "main" }',
      );
      const branch =
        typeof body.providerVersionBranch === 'string' && body.providerVersionBranch.trim() !== ''
          ? checkName('providerVersionBranch', body.providerVersionBranch)
          : undefined;
      // Treaty computes pending status unless asked not to (Pact's own docs disagree on the default).
      const includePending = body.includePendingStatus !== false;
      const rawSelectors = body.consumerVersionSelectors;
      if (rawSelectors !== undefined && rawSelectors !== null && !Array.isArray(rawSelectors))
        throw new TreatyError('TREATY_BROKER_BAD_REQUEST', 'consumerVersionSelectors must be an array.');
      const consumers = await store.consumersOf(provider);
      const selectors =
        Array.isArray(rawSelectors) && rawSelectors.length > 0
          ? rawSelectors.map((s, i) => checkSelectorNames(normalizeSelector(s, i, branch), i))
          : await defaults(store, consumers);

      // One entry per distinct content per consumer, shown as its newest consumer version.
      const merged = new Map<
        string,
        { publication: PactPublication; labels: string[]; versions: Set<string> }
      >();
      for (const s of selectors) {
        for (const hit of await resolveSelector(store, provider, consumers, s)) {
          const key = `${hit.publication.consumer}\u0000${hit.publication.sha}`;
          const entry = merged.get(key);
          if (entry === undefined)
            merged.set(key, {
              publication: hit.publication,
              labels: [...hit.labels],
              versions: new Set([hit.publication.consumerVersion]),
            });
          else {
            for (const l of hit.labels) if (!entry.labels.includes(l)) entry.labels.push(l);
            entry.versions.add(hit.publication.consumerVersion);
            if (hit.publication.createdAt > entry.publication.createdAt) entry.publication = hit.publication;
          }
        }
      }
      const b = base(req);
      const pacts: Array<{
        shortDescription: string;
        verificationProperties: Record<string, unknown>;
        _links: { self: { href: string; name: string } };
      }> = [];
      const entries = [...merged.values()].sort(
        (x, y) =>
          x.publication.consumer.toLowerCase().localeCompare(y.publication.consumer.toLowerCase()) ||
          x.publication.createdAt.localeCompare(y.publication.createdAt),
      );
      for (const e of entries) {
        const p = e.publication;
        const pending = includePending
          ? isPending(
              await store.successfulVerifications(p.consumer, provider, p.sha),
              branch,
              branch === undefined ? undefined : await store.branchCreatedAt(provider, branch),
            )
          : false;
        const versions = [...e.versions];
        const notices = [
          {
            when: 'before_verification',
            text: `The pact at ${b}/pacts/provider/${enc(provider)}/consumer/${enc(p.consumer)}/pact-version/${p.sha} is being verified because it matches: ${e.labels.join(', ')} (consumer version${versions.length > 1 ? 's' : ''} ${versions.join(', ')}).`,
          },
        ];
        if (includePending) {
          notices.push({
            when: 'before_verification',
            text: pending
              ? `This pact is in pending state for this version of ${provider} because no successful verification result from ${branch === undefined ? 'any provider version' : `branch ${branch}`} exists yet. A failure will not fail the build.`
              : `This pact has been verified successfully before${branch === undefined ? '' : ` for branch ${branch}`}, so a failure will fail the build.`,
          });
        }
        pacts.push({
          shortDescription: e.labels.join(', '),
          verificationProperties: { ...(includePending ? { pending } : {}), notices },
          _links: {
            self: {
              href: `${b}/pacts/provider/${enc(provider)}/consumer/${enc(p.consumer)}/pact-version/${p.sha}/metadata/${encodeToken({ pending, versions })}`,
              name: `Pact between ${p.consumer} (${p.consumerVersion}) and ${provider}`,
            },
          },
        });
      }
      // Work in progress: pacts at the head of a consumer branch, published after the given date,
      // that this provider branch has not verified outside WIP mode (and did not inherit).
      const since = body.includeWipPactsSince;
      if (typeof since === 'string' && since.trim() !== '' && branch !== undefined) {
        const sinceTime = Date.parse(since);
        if (Number.isNaN(sinceTime))
          throw new TreatyError(
            'TREATY_BROKER_BAD_REQUEST',
            `includeWipPactsSince '${since}' is not a date such as 2026-01-31.`,
          );
        const created = await store.branchCreatedAt(provider, branch);
        for (const consumer of consumers) {
          for (const consumerBranch of await store.branchesOf(consumer)) {
            const p = await store.latestPact(consumer, provider, { branch: consumerBranch });
            if (p === undefined || Date.parse(p.createdAt) <= sinceTime) continue;
            if (
              [...merged.values()].some(
                (e) => e.publication.consumer === p.consumer && e.publication.sha === p.sha,
              )
            )
              continue;
            if (
              pacts.some((x) =>
                x._links.self.href.includes(`/consumer/${enc(p.consumer)}/pact-version/${p.sha}/`),
              )
            )
              continue;
            if (
              !isPending(
                await store.successfulVerifications(p.consumer, provider, p.sha, { excludeWip: true }),
                branch,
                created,
              )
            )
              continue;
            pacts.push({
              shortDescription: `latest from branch ${consumerBranch} (work in progress)`,
              verificationProperties: {
                pending: true,
                wip: true,
                notices: [
                  {
                    when: 'before_verification',
                    text: `The pact from ${p.consumer} branch ${consumerBranch} (version ${p.consumerVersion}) is work in progress: it was published after ${since} and ${provider} branch ${branch} has not verified it yet. A failure will not fail the build.`,
                  },
                ],
              },
              _links: {
                self: {
                  href:
                    `${b}/pacts/provider/${enc(provider)}/consumer/${enc(p.consumer)}/pact-version/${p.sha}` +
                    `/metadata/${encodeToken({ pending: true, versions: [p.consumerVersion], wip: true })}`,
                  name: `Pact between ${p.consumer} (${p.consumerVersion}) and ${provider}`,
                },
              },
            });
          }
        }
      }
      return send(reply, 200, { _embedded: { pacts }, _links: { self: selfLink(req, provider) } });
    },
  );
};
