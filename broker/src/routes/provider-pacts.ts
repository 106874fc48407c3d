import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../http/errors.js';
import { base, pactUrl, send, type RouteOptions } from '../http/hal.js';

const enc = encodeURIComponent;

/** `/pacts/provider/{provider}/latest`: the latest pact of each of a provider's consumers. */
export const providerPactsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  app.get<{ Params: { provider: string } }>('/pacts/provider/:provider/latest', async (req, reply) => {
    const { provider } = req.params;
    if ((await store.getPacticipant(provider)) === undefined)
      fail('TREATY_BROKER_NOT_FOUND', `No provider named '${provider}'.`);
    const b = base(req);
    const pacts = [];
    for (const consumer of await store.listPacticipants()) {
      const p = await store.latestPact(consumer.name, provider);
      if (p !== undefined)
        pacts.push({
          href: pactUrl(b, p),
          title: `Pact between ${p.consumer} (${p.consumerVersion}) and ${p.provider}`,
          name: p.consumer,
        });
    }
    return send(reply, 200, {
      _links: {
        self: { href: `${b}/pacts/provider/${enc(provider)}/latest` },
        'pb:provider': { href: `${b}/pacticipants/${enc(provider)}`, name: provider },
        'pb:pacts': pacts,
        pacts,
      },
    });
  });
};
