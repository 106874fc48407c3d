import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

/**
 * Marks a plugin to run on the instance it is registered on rather than in a child context (what
 * `fastify-plugin` does), so its hooks, handlers and parsers apply to every route.
 */
export function atRoot<Options extends FastifyPluginOptions>(
  plugin: FastifyPluginAsync<Options>,
): FastifyPluginAsync<Options> {
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
