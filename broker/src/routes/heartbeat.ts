import type { FastifyPluginAsync } from 'fastify';
import { send } from '../http/hal.js';
import type { Store } from '../store/types.js';

/**
 * `/diagnostic/status/heartbeat`: answers without credentials, for load balancers and health checks.
 * It says ok only when the database answers too; otherwise 503 TREATY_BROKER_DATABASE_UNAVAILABLE, so
 * a load balancer sends requests elsewhere until the database is back.
 */
export const heartbeatRoutes: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  app.get('/diagnostic/status/heartbeat', { config: { access: 'public' } }, async (_req, reply) => {
    await store.ping();
    return send(reply, 200, { ok: true, _links: {} });
  });
};
