import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TreatyError } from '@treaty/core';
import { objectBody } from '../http/body.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import { checkName } from '../limits.js';
import {
  candidateRequest,
  defaultSelectors,
  pendingContents,
  pendingStatus,
  selectPacts,
  wipCandidates,
} from '../domain/for-verification.js';
import { encodeToken } from '../domain/metadata-token.js';
import { normalizeSelector, type ConsumerVersionSelector } from '../domain/selectors.js';

const enc = encodeURIComponent;

/** The names in a selector follow the rule every name does (they are looked up, never stored). */
function checkSelectorNames(s: ConsumerVersionSelector, index: number): ConsumerVersionSelector {
  for (const key of ['consumer', 'tag', 'fallbackTag', 'branch', 'fallbackBranch', 'environment'] as const) {
    const value = s[key];
    if (typeof value === 'string') checkName(`consumerVersionSelectors[${index}].${key}`, value);
  }
  return s;
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
      const given =
        Array.isArray(rawSelectors) && rawSelectors.length > 0
          ? rawSelectors.map((s, i) => checkSelectorNames(normalizeSelector(s, i, branch), i))
          : undefined;
      // Work in progress: pacts at the head of a consumer branch, published after the given date,
      // that this provider branch has not verified outside WIP mode (and did not inherit).
      const since = body.includeWipPactsSince;
      const wantsWip = typeof since === 'string' && since.trim() !== '' && branch !== undefined;
      // Three store calls in all: the provider (above), the candidates, their successful verifications.
      const candidates = await store.verificationCandidates(
        provider,
        candidateRequest(given, branch, wantsWip),
      );
      const selected = selectPacts(given ?? defaultSelectors(candidates), candidates);
      let wip: ReturnType<typeof wipCandidates> = [];
      if (wantsWip) {
        const sinceTime = Date.parse(since);
        if (Number.isNaN(sinceTime))
          throw new TreatyError(
            'TREATY_BROKER_BAD_REQUEST',
            `includeWipPactsSince '${since}' is not a date such as 2026-01-31.`,
          );
        wip = wipCandidates(candidates, selected, sinceTime);
      }
      const contents = pendingContents(includePending ? selected : [], wip);
      const successes =
        contents.length === 0 ? [] : await store.successfulVerificationsOf(provider, contents);
      const status = pendingStatus(
        selected,
        wip,
        contents,
        successes,
        branch,
        candidates.providerBranchCreatedAt,
      );
      const b = base(req);
      const pacts: Array<{
        shortDescription: string;
        verificationProperties: Record<string, unknown>;
        _links: { self: { href: string; name: string } };
      }> = [];
      for (const [i, e] of selected.entries()) {
        const p = e.publication;
        const pending = includePending && status.pending[i] === true;
        const versions = e.versions;
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
      for (const { pact: p, branch: consumerBranch } of status.wip) {
        pacts.push({
          shortDescription: `latest from branch ${consumerBranch} (work in progress)`,
          verificationProperties: {
            pending: true,
            wip: true,
            notices: [
              {
                when: 'before_verification',
                text: `The pact from ${p.consumer} branch ${consumerBranch} (version ${p.consumerVersion}) is work in progress: it was published after ${since as string} and ${provider} branch ${branch as string} has not verified it yet. A failure will not fail the build.`,
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
      return send(reply, 200, { _embedded: { pacts }, _links: { self: selfLink(req, provider) } });
    },
  );
};
