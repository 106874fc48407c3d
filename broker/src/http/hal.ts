import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PactPublication, Store } from '../store/types.js';
import { atRoot } from './root.js';

/** What every route plugin is registered with. */
export interface RouteOptions {
  store: Store;
}

const HAL = 'application/hal+json;charset=utf-8';

export async function send(reply: FastifyReply, status: number, body: unknown): Promise<FastifyReply> {
  return reply.code(status).type(HAL).send(body);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The broker's public base URL when configured (see {@link publicUrl}); HAL links start with it. */
    treatyPublicUrl: string | undefined;
  }
}

/** A host (and port) as a Host header may name one; anything else is not used in links. */
const HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The broker's base URL for absolute HAL links: the configured public URL, else the one the client
 * reached. X-Forwarded-Proto/-Host count only from a trusted proxy (fastify's `trustProxy`, which
 * `req.protocol` and `req.host` follow), so nobody else can point the links at another host.
 */
export function base(req: FastifyRequest): string {
  const configured = req.server.treatyPublicUrl;
  if (configured !== undefined) return configured;
  const host = req.host;
  return `${req.protocol}://${typeof host === 'string' && HOST.test(host) ? host : 'localhost'}`;
}

/** Records the public base URL on the root instance, without a trailing slash. */
export const publicUrl = atRoot<{ publicUrl?: string }>(async (app, options) => {
  app.decorate('treatyPublicUrl', options.publicUrl?.replace(/\/+$/, ''));
});

const enc = encodeURIComponent;

export function pactUrl(b: string, p: PactPublication): string {
  return `${b}/pacts/provider/${enc(p.provider)}/consumer/${enc(p.consumer)}/version/${enc(p.consumerVersion)}`;
}
