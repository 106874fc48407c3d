import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PactPublication, Store } from '../store/types.js';

/** What every route plugin is registered with. */
export interface RouteOptions {
  store: Store;
}

const HAL = 'application/hal+json;charset=utf-8';

export async function send(reply: FastifyReply, status: number, body: unknown): Promise<FastifyReply> {
  return reply.code(status).type(HAL).send(body);
}

/** The broker's base URL as the client reached it, for absolute HAL links. */
export function base(req: FastifyRequest): string {
  const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? req.protocol;
  const host = (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}

const enc = encodeURIComponent;

export function pactUrl(b: string, p: PactPublication): string {
  return `${b}/pacts/provider/${enc(p.provider)}/consumer/${enc(p.consumer)}/version/${enc(p.consumerVersion)}`;
}
