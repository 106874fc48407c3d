import type { FastifyPluginAsync } from 'fastify';
import { loadOpenApiText } from '@treaty/core';
import { decodeBase64, objectBody } from '../http/body.js';
import { fail } from '../http/errors.js';
import { comparisonNotice, compareNewProviderContract } from '../domain/document-comparison.js';
import { LIMITS, checkName, checkText } from '../limits.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import type { ProviderContract, SelfVerification } from '../store/types.js';
import { providerContractHref } from '../ui/provider-contract-page.js';

const enc = encodeURIComponent;
const SHAPE =
  '{ "pacticipantVersionNumber": "<version>", "contract": { "content": "<Base64 of the OpenAPI document>", "specification": "oas" } }';

/** The optional text fields of a self-verification, each one line within the name limit. */
function optionalText(v: Record<string, unknown>, key: string, where: string): Record<string, string> {
  const value = v[key];
  return value === undefined || value === null
    ? {}
    : { [key]: checkText(`${where}.${key}`, value, LIMITS.name) };
}

/** The self-verification sent with a document (PactFlow's `selfVerificationResults`), checked. */
function readSelfVerification(raw: unknown): SelfVerification | undefined {
  if (raw === undefined || raw === null) return undefined;
  const where = 'contract.selfVerificationResults';
  const v = objectBody(raw, `${where}: { "success": true|false, "content": "<Base64>", "verifier": "…" }`);
  if (typeof v.success !== 'boolean')
    fail('TREATY_BROKER_BAD_REQUEST', `${where}.success must be true or false.`);
  return {
    success: v.success,
    ...(v.content === undefined || v.content === null
      ? {}
      : { content: decodeBase64(v.content, `${where}.content`) }),
    ...optionalText(v, 'contentType', where),
    ...optionalText(v, 'format', where),
    ...optionalText(v, 'verifier', where),
    ...optionalText(v, 'verifierVersion', where),
  };
}

/** What PactFlow's `…/provider-contract` resource answers for a stored document. */
function contractBody(b: string, c: ProviderContract) {
  const self = `${b}/contracts/bi-directional/provider/${enc(c.provider)}/version/${enc(c.providerVersion)}/provider-contract`;
  return {
    providerName: c.provider,
    providerVersionNumber: c.providerVersion,
    content: c.content,
    contentType: c.contentType,
    specification: c.specification,
    sha: c.sha,
    ...(c.selfVerification === undefined ? {} : { selfVerificationResults: c.selfVerification }),
    ...(c.buildUrl === undefined ? {} : { buildUrl: c.buildUrl }),
    createdAt: c.createdAt,
    ...(c.updatedAt === undefined ? {} : { updatedAt: c.updatedAt }),
    _links: {
      self: { href: self },
      'pb:pacticipant-version': {
        href: `${b}/pacticipants/${enc(c.provider)}/versions/${enc(c.providerVersion)}`,
      },
      'treaty:page': {
        title: 'This document and its comparisons, for people',
        href: `${b}${providerContractHref(c.provider, c.providerVersion)}`,
      },
    },
  };
}

/**
 * Provider contracts (PactFlow's bi-directional contract testing): `pactflow publish-provider-contract`
 * POSTs a provider version's OpenAPI document to the index's `pf:publish-provider-contract` link.
 */
export const providerContractRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  app.post<{ Params: { provider: string }; Body: unknown }>(
    '/provider-contracts/provider/:provider/publish',
    async (req, reply) => {
      // Everything is checked (the document read as OpenAPI) before anything is written.
      const provider = checkName('provider name', req.params.provider);
      if (req.body === undefined) fail('TREATY_BROKER_BAD_REQUEST', `Send ${SHAPE} as JSON.`);
      const body = objectBody(req.body, SHAPE);
      const str = (v: unknown, what: string): string => {
        if (typeof v !== 'string') fail('TREATY_BROKER_BAD_REQUEST', `${what} must be a string.`);
        return checkName(what, v);
      };
      const absent = (v: unknown): v is undefined | null => v === undefined || v === null;
      const providerVersion = str(body.pacticipantVersionNumber, 'pacticipantVersionNumber');
      const branch = absent(body.branch) ? undefined : str(body.branch, 'branch');
      const tags = absent(body.tags)
        ? []
        : Array.isArray(body.tags)
          ? body.tags.map((t, i) => str(t, `tags[${i}]`))
          : fail('TREATY_BROKER_BAD_REQUEST', 'tags must be an array of strings.');
      const buildUrl = absent(body.buildUrl) ? undefined : checkText('buildUrl', body.buildUrl, LIMITS.url);
      const contract = objectBody(body.contract ?? null, `contract in ${SHAPE}`);
      const specification = absent(contract.specification) ? 'oas' : contract.specification;
      if (specification !== 'oas')
        fail(
          'TREATY_BROKER_UNSUPPORTED_CONTRACT',
          `contract.specification ${JSON.stringify(specification)} is not one the broker compares; publish an OpenAPI document with "specification": "oas".`,
        );
      const content = decodeBase64(contract.content, 'contract.content').replace(/^\uFEFF/, '');
      // Clients send application/yaml even for JSON (the Rust CLI's default): the text decides.
      const contentType = absent(contract.contentType)
        ? 'application/yaml'
        : checkText('contract.contentType', contract.contentType, LIMITS.name);
      await loadOpenApiText(content, `the OpenAPI document of ${provider} ${providerVersion}`);
      const selfVerification = readSelfVerification(contract.selfVerificationResults);
      const { contract: stored, version } = await store.publishProviderContract({
        provider,
        providerVersion,
        ...(branch === undefined ? {} : { branch }),
        tags,
        ...(buildUrl === undefined ? {} : { buildUrl }),
        content,
        contentType,
        specification,
        ...(selfVerification === undefined ? {} : { selfVerification }),
      });
      const compared = await compareNewProviderContract(store, stored);
      const b = base(req);
      const versionUrl = `${b}/pacticipants/${enc(provider)}/versions/${enc(providerVersion)}`;
      const self = contractBody(b, stored)._links.self.href;
      return send(reply, 200, {
        notices: [
          {
            type: 'success',
            text: `Published provider contract for ${provider} version ${providerVersion}${branch === undefined ? '' : ` (branch ${branch})`}: ${self}`,
          },
          ...(selfVerification === undefined
            ? [
                {
                  type: 'warning',
                  text: 'No self-verification results came with it (send --verification-results and --verifier): the comparisons rest on the document alone.',
                },
              ]
            : []),
          ...compared.map(comparisonNotice),
        ],
        _embedded: { version: { number: version.number, branches: version.branches, tags: version.tags } },
        _links: {
          self: { href: self },
          'pb:pacticipant-version': { href: versionUrl },
          'pb:pacticipant-version-tags': version.tags.map((t) => ({
            name: t,
            href: `${versionUrl}/tags/${enc(t)}`,
          })),
          'pb:branch-version': {
            href:
              branch === undefined
                ? versionUrl
                : `${b}/pacticipants/${enc(provider)}/branches/${enc(branch)}/versions/${enc(providerVersion)}`,
          },
        },
      });
    },
  );

  app.get<{ Params: { provider: string; version: string } }>(
    '/contracts/bi-directional/provider/:provider/version/:version/provider-contract',
    async (req, reply) => {
      const { provider, version } = req.params;
      const found = await store.getProviderContract(provider, version);
      if (found === undefined)
        fail(
          'TREATY_BROKER_NOT_FOUND',
          `${provider} version ${version} has no provider contract; publish one with \`pactflow publish-provider-contract\`.`,
        );
      return send(reply, 200, contractBody(base(req), found));
    },
  );
};
