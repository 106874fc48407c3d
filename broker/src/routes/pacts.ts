import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { checkContractRegexes, isTreatyError, parseContract, type Contract } from '@treaty/core';
import type { PactPublication } from '../store/types.js';
import { fail } from '../http/errors.js';
import { compareNewPact } from '../domain/document-comparison.js';
import { base, pactUrl, send, type RouteOptions } from '../http/hal.js';
import { decodeToken } from '../domain/metadata-token.js';
import { withInteractionIds } from '../domain/test-results.js';
import { diffContracts, diffInWords, type ContractDiff } from '../domain/contract-diff.js';

const enc = encodeURIComponent;

function pactBody(b: string, p: PactPublication): Record<string, unknown> {
  // As the Pact Broker does, every interaction carries an `_id`: verifiers send it back with each result.
  const content = withInteractionIds(JSON.parse(p.content) as Record<string, unknown>);
  const shaUrl = `${b}/pacts/provider/${enc(p.provider)}/consumer/${enc(p.consumer)}/pact-version/${p.sha}`;
  return {
    ...content,
    createdAt: p.createdAt,
    _links: {
      self: {
        title: 'Pact',
        name: `Pact between ${p.consumer} (${p.consumerVersion}) and ${p.provider}`,
        href: pactUrl(b, p),
      },
      'pb:consumer': { title: 'Consumer', name: p.consumer, href: `${b}/pacticipants/${enc(p.consumer)}` },
      'pb:provider': { title: 'Provider', name: p.provider, href: `${b}/pacticipants/${enc(p.provider)}` },
      'pb:consumer-version': {
        title: 'Consumer version',
        name: p.consumerVersion,
        href: `${b}/pacticipants/${enc(p.consumer)}/versions/${enc(p.consumerVersion)}`,
      },
      'pb:pact-version': { title: 'Pact content version', name: p.sha, href: shaUrl },
      'pb:diff-previous-distinct': {
        title: 'Diff with previous distinct version of this pact',
        href: `${pactUrl(b, p)}/diff/previous-distinct`,
      },
      'pb:diff': {
        title: 'Diff with another version of this pact',
        href: `${pactUrl(b, p)}/diff/version/{version}`,
        templated: true,
      },
      'pb:publish-verification-results': {
        title: 'Publish verification results',
        href: `${shaUrl}/verification-results`,
      },
      'pb:pact-webhooks': {
        title: 'Webhooks for the pact between this consumer and provider',
        href: `${b}/pacts/provider/${enc(p.provider)}/consumer/${enc(p.consumer)}/webhooks`,
      },
      'pb:pact-webhooks-status': {
        title: "How this pair's webhooks went",
        href: `${b}/pacts/provider/${enc(p.provider)}/consumer/${enc(p.consumer)}/webhooks/status`,
      },
      'pb:consumer-webhooks': {
        title: 'Webhooks for all pacts with this consumer',
        href: `${b}/webhooks/consumer/${enc(p.consumer)}`,
      },
      'pb:triggered-webhooks': {
        title: 'Webhooks triggered by the publication of this pact',
        href: `${pactUrl(b, p)}/triggered-webhooks`,
      },
    },
  };
}

/**
 * A pact Treaty can read, with no regex that could never match (TREATY_CONTRACT_INVALID_REGEX);
 * anything else Treaty cannot read is TREATY_BROKER_BAD_REQUEST naming `where`.
 */
export function readContract(value: unknown, where: string): Contract {
  let contract: Contract;
  try {
    contract = parseContract(value);
  } catch (error) {
    if (isTreatyError(error))
      fail('TREATY_BROKER_BAD_REQUEST', `${where} is not a pact Treaty can read: ${error.message}`);
    throw error;
  }
  checkContractRegexes(contract);
  return contract;
}

/** A pact from a request body, checked: Treaty can read it and it is between the pacticipants in the URL. */
function readPact(body: unknown, consumer: string, provider: string): Record<string, unknown> {
  if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body))
    fail('TREATY_BROKER_BAD_REQUEST', 'Send the pact as the JSON body.');
  const contract = readContract(body, 'The body');
  if (contract.consumer.name !== consumer || contract.provider.name !== provider) {
    fail(
      'TREATY_BROKER_BAD_REQUEST',
      `The pact is between ${contract.consumer.name} and ${contract.provider.name}, but the URL names ${consumer} and ${provider}.`,
    );
  }
  return body as Record<string, unknown>;
}

/**
 * Merges the interactions (and V3 messages) of `incoming` into `existing`, as the Pact Broker does:
 * the same description and provider state(s) replace, others are appended. Replacing with different
 * content is a conflict unless allowed, so a merge never silently changes a published interaction.
 */
function mergePactJson(
  existing: Record<string, unknown>,
  incoming: Record<string, unknown>,
  allowOverwrite: boolean,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...existing };
  for (const key of ['interactions', 'messages'] as const) {
    const added = incoming[key];
    if (!Array.isArray(added)) continue;
    const list = Array.isArray(existing[key]) ? [...(existing[key] as unknown[])] : [];
    const identity = (i: unknown): string => {
      const o = (typeof i === 'object' && i !== null ? i : {}) as Record<string, unknown>;
      return JSON.stringify([
        o.description ?? null,
        o.providerStates ?? o.providerState ?? o.provider_state ?? null,
      ]);
    };
    for (const item of added) {
      const at = list.findIndex((i) => identity(i) === identity(item));
      if (at === -1) list.push(item);
      else if (JSON.stringify(list[at]) !== JSON.stringify(item)) {
        if (!allowOverwrite) {
          const description = String((item as Record<string, unknown>).description ?? '');
          fail(
            'TREATY_BROKER_PACT_CONFLICT',
            `The pact already has an interaction '${description}' with the same provider state and different content. Give it another description or state, or add ?allowOverwrite=true.`,
          );
        }
        list[at] = item;
      }
    }
    merged[key] = list;
  }
  return merged;
}

export type PactParams = { provider: string; consumer: string; version: string };

/** The contract a stored pact holds; undefined for one Treaty cannot read (stored before a rule). */
function storedContract(p: PactPublication): Contract | undefined {
  try {
    return parseContract(JSON.parse(p.content) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * What changed from `previous` to `current`, or undefined when either cannot be read. The diff
 * resources and the contract page both use it.
 */
export function pactDiff(previous: PactPublication, current: PactPublication): ContractDiff | undefined {
  const before = storedContract(previous);
  const after = storedContract(current);
  return before === undefined || after === undefined ? undefined : diffContracts(before, after);
}

/** Pacts: published, merged and fetched by consumer version, tag, branch, content (sha) or latest. */
export const pactRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  app.put<{ Params: PactParams; Querystring: { allowOverwrite?: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version',
    async (req, reply) => {
      const { provider, consumer, version } = req.params;
      readPact(req.body, consumer, provider);
      const existed = (await store.getPact(consumer, version, provider)) !== undefined;
      const outcome = await store.publishPact({
        consumer,
        consumerVersion: version,
        provider,
        content: JSON.stringify(req.body),
        allowOverwrite: req.query.allowOverwrite === 'true',
        event: { baseUrl: base(req) },
      });
      await compareNewPact(store, outcome.publication);
      return send(reply, existed ? 200 : 201, pactBody(base(req), outcome.publication));
    },
  );

  // Adds the body's interactions to the pact (the same description and provider states must mean the same
  // interaction).
  app.patch<{ Params: PactParams; Querystring: { allowOverwrite?: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version',
    async (req, reply) => {
      const { provider, consumer, version } = req.params;
      const incoming = readPact(req.body, consumer, provider);
      const existing = await store.getPact(consumer, version, provider);
      const allowOverwrite = req.query.allowOverwrite === 'true';
      const content =
        existing === undefined
          ? incoming
          : mergePactJson(JSON.parse(existing.content) as Record<string, unknown>, incoming, allowOverwrite);
      const outcome = await store.publishPact({
        consumer,
        consumerVersion: version,
        provider,
        content: JSON.stringify(content),
        allowOverwrite: true,
        event: { baseUrl: base(req) },
      });
      await compareNewPact(store, outcome.publication);
      return send(reply, existing === undefined ? 201 : 200, pactBody(base(req), outcome.publication));
    },
  );

  app.get<{ Params: PactParams }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version',
    async (req, reply) => {
      const { provider, consumer, version } = req.params;
      const p =
        (await store.getPact(consumer, version, provider)) ??
        fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} version ${version} and ${provider}.`);
      return send(reply, 200, pactBody(base(req), p));
    },
  );

  app.get<{ Params: Omit<PactParams, 'version'> }>(
    '/pacts/provider/:provider/consumer/:consumer/latest',
    async (req, reply) => {
      const { provider, consumer } = req.params;
      const p =
        (await store.latestPact(consumer, provider)) ??
        fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} and ${provider} has been published.`);
      reply.header('X-Pact-Consumer-Version', p.consumerVersion);
      return send(reply, 200, pactBody(base(req), p));
    },
  );

  app.get<{ Params: Omit<PactParams, 'version'> & { tag: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/latest/:tag',
    async (req, reply) => {
      const { provider, consumer, tag } = req.params;
      const p =
        (await store.latestPact(consumer, provider, { tag })) ??
        fail(
          'TREATY_BROKER_NOT_FOUND',
          `No pact between ${consumer} and ${provider} has a consumer version tagged '${tag}'.`,
        );
      reply.header('X-Pact-Consumer-Version', p.consumerVersion);
      return send(reply, 200, pactBody(base(req), p));
    },
  );

  app.get<{ Params: Omit<PactParams, 'version'> & { branch: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/branch/:branch/latest',
    async (req, reply) => {
      const { provider, consumer, branch } = req.params;
      const p =
        (await store.latestPact(consumer, provider, { branch })) ??
        fail(
          'TREATY_BROKER_NOT_FOUND',
          `No pact between ${consumer} and ${provider} has a consumer version on branch '${branch}'.`,
        );
      reply.header('X-Pact-Consumer-Version', p.consumerVersion);
      return send(reply, 200, pactBody(base(req), p));
    },
  );

  // The Pact Broker answers its diff resources as text; a client that asks for JSON gets the diff as data.
  const sendDiff = async (
    req: FastifyRequest,
    reply: FastifyReply,
    current: PactPublication,
    previous: PactPublication | undefined,
  ): Promise<FastifyReply> => {
    const b = base(req);
    const diff = previous === undefined ? undefined : pactDiff(previous, current);
    const heading = `Pact between ${current.consumer} (${current.consumerVersion}) and ${current.provider}`;
    if ((req.headers.accept ?? '').includes('json')) {
      return send(reply, 200, {
        consumer: current.consumer,
        provider: current.provider,
        consumerVersion: current.consumerVersion,
        comparedWith:
          previous === undefined ? null : { consumerVersion: previous.consumerVersion, sha: previous.sha },
        ...(diff ?? { added: [], removed: [], changed: [], unchanged: 0 }),
        ...(previous !== undefined && diff === undefined ? { comparable: false } : {}),
        _links: {
          'pb:pact-version': { href: pactUrl(b, current) },
          ...(previous === undefined ? {} : { 'pb:comparison-pact-version': { href: pactUrl(b, previous) } }),
        },
      });
    }
    const text =
      previous === undefined
        ? `# ${heading}\n\nThere is no earlier version of this pact with different content.\n`
        : diff === undefined
          ? `# ${heading}\n\nThe two versions cannot be compared: one of them is not a pact Treaty can read.\n`
          : `# Changes to the ${heading} since version ${previous.consumerVersion}\n\n${diffInWords(diff)}\n\n## Links\n\npact-version:\n  ${pactUrl(b, current)}\ncomparison-pact-version:\n  ${pactUrl(b, previous)}\n`;
    return reply.code(200).type('text/plain; charset=utf-8').send(text);
  };

  app.get<{ Params: PactParams }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version/diff/previous-distinct',
    async (req, reply) => {
      const { provider, consumer, version } = req.params;
      const p =
        (await store.getPact(consumer, version, provider)) ??
        fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} version ${version} and ${provider}.`);
      return sendDiff(req, reply, p, await store.previousDistinctPact(consumer, provider, version));
    },
  );

  app.get<{ Params: PactParams & { other: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version/diff/version/:other',
    async (req, reply) => {
      const { provider, consumer, version, other } = req.params;
      const p =
        (await store.getPact(consumer, version, provider)) ??
        fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} version ${version} and ${provider}.`);
      const o =
        (await store.getPact(consumer, other, provider)) ??
        fail(
          'TREATY_BROKER_NOT_FOUND',
          `No pact between ${consumer} version ${other} and ${provider} to compare with.`,
        );
      return sendDiff(req, reply, p, o);
    },
  );

  const pactBySha = async (
    req: FastifyRequest<{ Params: Omit<PactParams, 'version'> & { sha: string; token?: string } }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const { provider, consumer, sha, token } = req.params;
    const p =
      (await store.getPactBySha(consumer, provider, sha)) ??
      fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} and ${provider} has the content ${sha}.`);
    if (token !== undefined) decodeToken(token);
    const body = pactBody(base(req), p);
    if (token !== undefined) {
      // Results published through a for-verification link carry the same token back.
      const links = body._links as Record<string, { href: string }>;
      links['pb:publish-verification-results'] = {
        ...links['pb:publish-verification-results'],
        href: `${base(req)}/pacts/provider/${enc(provider)}/consumer/${enc(consumer)}/pact-version/${sha}/metadata/${token}/verification-results`,
      };
    }
    return send(reply, 200, body);
  };
  app.get('/pacts/provider/:provider/consumer/:consumer/pact-version/:sha', pactBySha);
  app.get('/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/metadata/:token', pactBySha);
};
