import type { FastifyPluginAsync } from 'fastify';
import { base, send, type RouteOptions } from '../http/hal.js';

const enc = encodeURIComponent;

/** `/integrations`: every consumer and provider pair with a pact. */
export const integrationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  app.get('/integrations', async (req, reply) => {
    const b = base(req);
    // The names only, in the order the store gives them (by consumer, then provider).
    const integrations = (await store.integrationSummaries()).map(({ consumer, provider }) => ({
      consumer: { name: consumer, _links: { self: { href: `${b}/pacticipants/${enc(consumer)}` } } },
      provider: { name: provider, _links: { self: { href: `${b}/pacticipants/${enc(provider)}` } } },
      _links: {
        'pb:latest-pact': { href: `${b}/pacts/provider/${enc(provider)}/consumer/${enc(consumer)}/latest` },
      },
    }));
    return send(reply, 200, { _embedded: { integrations }, _links: { self: { href: `${b}/integrations` } } });
  });
};
