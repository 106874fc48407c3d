import type { FastifyPluginAsync } from 'fastify';
import { send } from '../http/hal.js';

/** `/diagnostic/status/heartbeat`: answers without credentials, for load balancers and health checks. */
export const heartbeatRoutes: FastifyPluginAsync = async (app) => {
  app.get('/diagnostic/status/heartbeat', { config: { access: 'public' } }, async (_req, reply) =>
    send(reply, 200, { ok: true, _links: {} }),
  );
};
