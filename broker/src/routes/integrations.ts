import type { FastifyPluginAsync } from 'fastify';
import { base, send, type RouteOptions } from '../http/hal.js';

const enc = encodeURIComponent;

/** `/integrations`: every consumer and provider pair with a pact. */
export const integrationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  app.get('/integrations', async (req, reply) => {
    const b = base(req);
    const integrations = [];
    for (const provider of await store.listPacticipants()) {
      for (const consumer of await store.consumersOf(provider.name)) {
        integrations.push({
          consumer: { name: consumer, _links: { self: { href: `${b}/pacticipants/${enc(consumer)}` } } },
          provider: {
            name: provider.name,
            _links: { self: { href: `${b}/pacticipants/${enc(provider.name)}` } },
          },
          _links: {
            'pb:latest-pact': {
              href: `${b}/pacts/provider/${enc(provider.name)}/consumer/${enc(consumer)}/latest`,
            },
          },
        });
      }
    }
    integrations.sort(
      (x, y) =>
        x.consumer.name.localeCompare(y.consumer.name) || x.provider.name.localeCompare(y.provider.name),
    );
    return send(reply, 200, { _embedded: { integrations }, _links: { self: { href: `${b}/integrations` } } });
  });
};
