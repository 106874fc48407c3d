import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../http/errors.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import { decodeToken } from './for-verification.js';
import type { PactParams } from './pacts.js';

const enc = encodeURIComponent;

/** Verification results published for a pact version (directly or through a for-verification link). */
export const verificationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  const recordResult = async (
    req: FastifyRequest<{
      Params: Omit<PactParams, 'version'> & { sha: string; token?: string };
      Body: { success?: unknown; providerApplicationVersion?: unknown; buildUrl?: unknown } | undefined;
    }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    {
      const { provider, consumer, sha } = req.params;
      const body = req.body;
      if (
        body === undefined ||
        typeof body.success !== 'boolean' ||
        typeof body.providerApplicationVersion !== 'string'
      ) {
        fail(
          'TREATY_BROKER_BAD_REQUEST',
          'Send { "success": true|false, "providerApplicationVersion": "<version>" } as JSON.',
        );
      }
      const v = await store.recordVerification({
        consumer,
        provider,
        sha,
        success: body.success as boolean,
        providerVersion: body.providerApplicationVersion as string,
        ...(typeof body.buildUrl === 'string' ? { buildUrl: body.buildUrl } : {}),
        // A result for a work-in-progress pact must not make it look verified for the branch.
        ...(req.params.token !== undefined && decodeToken(req.params.token).wip ? { wip: true } : {}),
      });
      const b = base(req);
      return send(reply, 201, {
        success: v.success,
        providerApplicationVersion: v.providerVersion,
        verificationDate: v.createdAt,
        _links: {
          self: {
            href: `${b}/pacts/provider/${enc(provider)}/consumer/${enc(consumer)}/pact-version/${sha}/verification-results/${v.id}`,
          },
        },
      });
    }
  };
  app.post(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/verification-results',
    recordResult,
  );
  app.post(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/metadata/:token/verification-results',
    recordResult,
  );
};
