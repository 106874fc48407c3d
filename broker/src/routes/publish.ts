import type { FastifyPluginAsync } from 'fastify';
import { isTreatyError } from '@treaty/core';
import { decodeBase64, objectBody } from '../http/body.js';
import { errorBody, fail } from '../http/errors.js';
import { LIMITS, checkName, checkText } from '../limits.js';
import { readContract } from './pacts.js';
import { comparisonNotice, compareNewPact } from '../domain/document-comparison.js';
import type { Verification } from '../store/types.js';
import { base, pactUrl, send, type RouteOptions } from '../http/hal.js';

const enc = encodeURIComponent;

/** `/contracts/publish`: a consumer version with its branch, tags and pacts in one request. */
export const publishRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  app.post<{ Body: unknown }>('/contracts/publish', async (req, reply) => {
    // Every name is checked here, before the one transaction that writes them all.
    const shape = '{ pacticipantName, pacticipantVersionNumber, contracts: [...] }';
    if (req.body === undefined) fail('TREATY_BROKER_BAD_REQUEST', `Send ${shape} as JSON.`);
    const body = objectBody(req.body, shape);
    const str = (v: unknown, what: string): string => {
      if (typeof v !== 'string') fail('TREATY_BROKER_BAD_REQUEST', `${what} must be a string.`);
      return checkName(what, v);
    };
    const consumer = str(body.pacticipantName, 'pacticipantName');
    const version = str(body.pacticipantVersionNumber, 'pacticipantVersionNumber');
    const branch = body.branch === undefined || body.branch === null ? undefined : str(body.branch, 'branch');
    const tags =
      body.tags === undefined || body.tags === null
        ? []
        : Array.isArray(body.tags)
          ? body.tags.map((t, i) => str(t, `tags[${i}]`))
          : fail('TREATY_BROKER_BAD_REQUEST', 'tags must be an array of strings.');
    const buildUrl =
      body.buildUrl === undefined || body.buildUrl === null
        ? undefined
        : checkText('buildUrl', body.buildUrl, LIMITS.url);
    if (!Array.isArray(body.contracts) || body.contracts.length === 0)
      fail('TREATY_BROKER_BAD_REQUEST', 'contracts must be a non-empty array.');
    const contracts = body.contracts.map((raw: unknown, i: number) => {
      const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const where = `contracts[${i}]`;
      const consumerName = str(c.consumerName, `${where}.consumerName`);
      const provider = str(c.providerName, `${where}.providerName`);
      if (consumerName !== consumer)
        fail(
          'TREATY_BROKER_BAD_REQUEST',
          `${where}.consumerName '${consumerName}' must equal pacticipantName '${consumer}'.`,
        );
      if (c.specification !== undefined && c.specification !== 'pact')
        fail('TREATY_BROKER_BAD_REQUEST', `${where}.specification must be "pact".`);
      if (c.contentType !== undefined && c.contentType !== 'application/json')
        fail('TREATY_BROKER_BAD_REQUEST', `${where}.contentType must be "application/json".`);
      const text = decodeBase64(c.content, `${where}.content`, 'the pact JSON');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        fail('TREATY_BROKER_BAD_REQUEST', `${where}.content does not decode to JSON.`);
      }
      const contract = readContract(parsed, `${where}.content`);
      if (contract.consumer.name !== consumer || contract.provider.name !== provider) {
        fail(
          'TREATY_BROKER_BAD_REQUEST',
          `${where}: the pact is between ${contract.consumer.name} and ${contract.provider.name}, not ${consumer} and ${provider}.`,
        );
      }
      return { provider, content: JSON.stringify(parsed) };
    });
    let outcomes;
    try {
      outcomes = await store.publishContracts({
        consumer,
        consumerVersion: version,
        ...(branch === undefined ? {} : { branch }),
        tags,
        contracts,
        // What the publication's webhooks say of it: links from this base URL, the build, the branch.
        event: {
          baseUrl: base(req),
          ...(buildUrl === undefined ? {} : { buildUrl }),
          ...(branch === undefined ? {} : { branch }),
        },
      });
    } catch (error) {
      if (isTreatyError(error) && error.code === 'TREATY_BROKER_PACT_CONFLICT') {
        const notice = { type: 'error', text: error.message };
        return send(reply, 409, {
          ...errorBody(409, error.code, error.message),
          notices: [notice],
          errors: { contracts: [error.message] },
        });
      }
      throw error;
    }
    const compared: Verification[] = [];
    for (const o of outcomes) compared.push(...(await compareNewPact(store, o.publication)));
    const b = base(req);
    const versionUrl = `${b}/pacticipants/${enc(consumer)}/versions/${enc(version)}`;
    const notices = [
      {
        type: 'debug',
        text: `Created ${consumer} version ${version}${branch === undefined ? '' : ` with branch ${branch}`}${tags.length === 0 ? '' : ` and tags ${tags.join(', ')}`}`,
      },
      ...(branch === undefined
        ? [
            {
              type: 'prompt',
              text: 'Next time, give the branch (--branch) so selectors such as mainBranch can find this version.',
            },
          ]
        : []),
      ...outcomes.map((o) => ({
        type: 'success',
        text:
          `${o.unchanged ? 'Pact with the same content already published' : 'Pact published'} for ` +
          `${o.publication.consumer} version ${o.publication.consumerVersion} and provider ${o.publication.provider}` +
          `${o.contentExisted && !o.unchanged ? ' (content already verified where published before)' : ''}.`,
      })),
      ...compared.map(comparisonNotice),
    ];
    return send(reply, 200, {
      notices,
      logs: notices.map((n) => ({
        level: n.type,
        message: n.text,
        deprecationWarning: 'Replaced by notices',
      })),
      _embedded: {
        pacticipant: { name: consumer, _links: { self: { href: `${b}/pacticipants/${enc(consumer)}` } } },
        version: { number: version, _links: { self: { title: 'Version', name: version, href: versionUrl } } },
      },
      _links: {
        'pb:pacticipant': {
          title: 'Pacticipant',
          name: consumer,
          href: `${b}/pacticipants/${enc(consumer)}`,
        },
        'pb:pacticipant-version': { title: 'Pacticipant version', name: version, href: versionUrl },
        'pb:pacticipant-version-tags': tags.map((t) => ({
          title: 'Tag',
          name: t,
          href: `${versionUrl}/tags/${enc(t)}`,
        })),
        'pb:contracts': outcomes.map((o) => ({
          title: 'Pact',
          name: `Pact between ${o.publication.consumer} (${version}) and ${o.publication.provider}`,
          href: pactUrl(b, o.publication),
        })),
      },
    });
  });
};
