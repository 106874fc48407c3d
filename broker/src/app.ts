import Fastify, { type FastifyInstance } from 'fastify';
import type { AppOptions } from './options.js';
import { auth } from './http/auth.js';
import { body } from './http/body.js';
import { errors } from './http/errors.js';
import { instanceOptions } from './http/instance.js';
import { publicUrl } from './http/hal.js';
import { cooperativeStore, heavyRequests } from './http/heavy-requests.js';
import { names } from './http/names.js';
import { security } from './http/security.js';
import { deploymentRoutes } from './routes/deployments.js';
import { forVerificationRoutes } from './routes/for-verification.js';
import { heartbeatRoutes } from './routes/heartbeat.js';
import { indexRoutes } from './routes/index.js';
import { integrationRoutes } from './routes/integrations.js';
import { matrixRoutes } from './routes/matrix.js';
import { pacticipantRoutes } from './routes/pacticipants.js';
import { pactRoutes } from './routes/pacts.js';
import { providerPactsRoutes } from './routes/provider-pacts.js';
import { providerContractRoutes } from './routes/provider-contracts.js';
import { publishRoutes } from './routes/publish.js';
import { verificationRoutes } from './routes/verifications.js';
import { uiPages } from './ui/pages.js';
import { labelRoutes } from './routes/labels.js';
import { webhookRoutes } from './routes/webhooks.js';
import { Webhooks } from './webhooks/runtime.js';

export type { AppOptions } from './options.js';

/**
 * The broker as a fastify instance with every route registered; it never listens (the server file
 * does), so tests drive it with `app.inject()`.
 * @example const app = await buildApp({ store: SqliteStore.open(':memory:') })
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const webhooks = new Webhooks(options);
  const app = Fastify(instanceOptions(options));
  // On the root instance: headers, body parsing, errors, credentials, names, links, heavy requests.
  await app.register(security);
  await app.register(body);
  await app.register(errors, options);
  await app.register(auth, options);
  await app.register(names);
  await app.register(publicUrl, options);
  await app.register(heavyRequests, options);
  // One plugin per resource; heavy requests let others in between their store calls.
  const routes = { store: cooperativeStore(webhooks.watch(options.store)) };
  await app.register(uiPages, routes);
  await app.register(indexRoutes, routes);
  await app.register(publishRoutes, routes);
  await app.register(integrationRoutes, routes);
  await app.register(heartbeatRoutes, routes);
  await app.register(pacticipantRoutes, routes);
  await app.register(pactRoutes, routes);
  await app.register(forVerificationRoutes, routes);
  await app.register(deploymentRoutes, routes);
  await app.register(matrixRoutes, routes);
  await app.register(providerPactsRoutes, routes);
  await app.register(verificationRoutes, routes);
  await app.register(providerContractRoutes, routes);
  await app.register(labelRoutes, routes);
  await app.register(webhookRoutes, { ...routes, webhooks });
  // Delivers from the outbox while the app runs.
  await app.register(webhooks.plugin);
  return app;
}
