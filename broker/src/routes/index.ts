import type { FastifyPluginAsync } from 'fastify';
import { base, send, type RouteOptions } from '../http/hal.js';
import { sendIndexPage, wantsHtml } from '../ui/pages.js';

/** `/`: the HAL index of the API, or the index page for a browser. */
export const indexRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  // A browser gets the pages; Pact clients (Accept: application/hal+json) get the HAL index.
  app.get('/', async (req, reply) => {
    if (wantsHtml(req)) return sendIndexPage(reply, store);
    const b = base(req);
    return send(reply, 200, {
      _links: {
        self: { href: b, title: 'Index' },
        'pb:publish-contracts': { href: `${b}/contracts/publish`, title: 'Publish contracts' },
        'pb:publish-pact': {
          href: `${b}/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}`,
          title: 'Publish a pact',
          templated: true,
        },
        'pb:pacticipants': { href: `${b}/pacticipants`, title: 'Pacticipants' },
        'pb:environments': { href: `${b}/environments`, title: 'Environments' },
        'pb:integrations': { href: `${b}/integrations`, title: 'Integrations' },
        'pb:environment': { href: `${b}/environments/{uuid}`, title: 'Environment', templated: true },
        'pb:pacticipant-version': {
          href: `${b}/pacticipants/{pacticipant}/versions/{version}`,
          title: 'Pacticipant version',
          templated: true,
        },
        'pb:pacticipant': {
          href: `${b}/pacticipants/{pacticipant}`,
          title: 'Fetch pacticipant by name',
          templated: true,
        },
        'pb:provider-pacts-for-verification': {
          href: `${b}/pacts/provider/{provider}/for-verification`,
          title: 'Pact versions to be verified for the specified provider',
          templated: true,
        },
        'pb:latest-provider-pacts': {
          href: `${b}/pacts/provider/{provider}/latest`,
          title: 'Latest pacts by provider',
          templated: true,
        },
        'pb:latest-version': {
          href: `${b}/pacticipants/{pacticipant}/latest-version`,
          title: 'Latest pacticipant version',
          templated: true,
        },
        'pb:latest-tagged-version': {
          href: `${b}/pacticipants/{pacticipant}/latest-version/{tag}`,
          title: 'Latest pacticipant version with the specified tag',
          templated: true,
        },
        'pb:pacticipant-version-tag': {
          href: `${b}/pacticipants/{pacticipant}/versions/{version}/tags/{tag}`,
          title: 'Pacticipant version tag',
          templated: true,
        },
        'pb:pacticipant-branch': {
          href: `${b}/pacticipants/{pacticipant}/branches/{branch}`,
          title: 'Pacticipant branch',
          templated: true,
        },
        'pb:pacticipant-branch-version': {
          href: `${b}/pacticipants/{pacticipant}/branches/{branch}/versions/{version}`,
          title: 'Pacticipant branch version',
          templated: true,
        },
        'pb:can-i-deploy-pacticipant-version-to-environment': {
          href: `${b}/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}`,
          title: 'Can I deploy a version to an environment?',
          templated: true,
        },
        'pb:can-i-deploy-pacticipant-version-to-tag': {
          href: `${b}/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}`,
          title: 'Can I deploy a version to a tag?',
          templated: true,
        },
        'pb:matrix': { href: `${b}/matrix`, title: 'The matrix of verifications' },
        'pb:webhooks': { href: `${b}/webhooks`, title: 'Webhooks' },
        'pb:webhook': { href: `${b}/webhooks/{uuid}`, title: 'Webhook', templated: true },
        'pf:publish-provider-contract': {
          href: `${b}/provider-contracts/provider/{provider}/publish`,
          title: "Publish a provider's contract (an OpenAPI document)",
          templated: true,
        },
      },
    });
  });
};
