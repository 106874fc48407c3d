import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { objectBody } from '../http/body.js';
import { fail } from '../http/errors.js';
import { LIMITS, checkName, checkText } from '../limits.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import { decodeToken } from './for-verification.js';
import type { PactParams } from './pacts.js';
import type { Verification } from '../store/types.js';

const enc = encodeURIComponent;

/** Verification results published for a pact version (directly or through a for-verification link). */
export const verificationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  const resultBody = (req: FastifyRequest, v: Verification) => {
    const pact = `${base(req)}/pacts/provider/${enc(v.provider)}/consumer/${enc(v.consumer)}/pact-version/${v.sha}`;
    return {
      success: v.success,
      providerApplicationVersion: v.providerVersion,
      verificationDate: v.createdAt,
      ...(v.buildUrl === undefined ? {} : { buildUrl: v.buildUrl }),
      _links: {
        self: { href: `${pact}/verification-results/${v.id}` },
        'pb:pact-version': { href: pact },
      },
    };
  };

  const recordResult = async (
    req: FastifyRequest<{
      Params: Omit<PactParams, 'version'> & { sha: string; token?: string };
      Body: unknown;
    }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const { provider, consumer, sha, token } = req.params;
    // Everything is checked before anything is written.
    const wip = token !== undefined && decodeToken(token).wip;
    const body = objectBody(req.body, '{ "success": true|false, "providerApplicationVersion": "<version>" }');
    if (typeof body.success !== 'boolean' || typeof body.providerApplicationVersion !== 'string')
      fail(
        'TREATY_BROKER_BAD_REQUEST',
        'Send { "success": true|false, "providerApplicationVersion": "<version>" } as JSON.',
      );
    const providerVersion = checkName('providerApplicationVersion', body.providerApplicationVersion);
    const buildUrl =
      body.buildUrl === undefined || body.buildUrl === null
        ? undefined
        : checkText('buildUrl', body.buildUrl, LIMITS.url);
    const v = await store.recordVerification({
      consumer,
      provider,
      sha,
      success: body.success,
      providerVersion,
      ...(buildUrl === undefined ? {} : { buildUrl }),
      // A result for a work-in-progress pact must not make it look verified for the branch.
      ...(wip ? { wip: true } : {}),
    });
    return send(reply, 201, resultBody(req, v));
  };
  app.post(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/verification-results',
    recordResult,
  );
  app.post(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/metadata/:token/verification-results',
    recordResult,
  );

  // The result a `self` link names.
  app.get<{ Params: Omit<PactParams, 'version'> & { sha: string; id: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/verification-results/:id',
    async (req, reply) => {
      const { provider, consumer, sha, id } = req.params;
      const v =
        (await store.verificationsFor(consumer, provider, sha)).find((x) => String(x.id) === id) ??
        fail('TREATY_BROKER_NOT_FOUND', `No verification result ${id} of that pact content.`);
      return send(reply, 200, resultBody(req, v));
    },
  );
};
