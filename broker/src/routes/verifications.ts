import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { objectBody } from '../http/body.js';
import { fail } from '../http/errors.js';
import { LIMITS, checkName, checkText } from '../limits.js';
import { base, send, type RouteOptions } from '../http/hal.js';
import { decodeToken } from '../domain/metadata-token.js';
import type { PactParams } from './pacts.js';
import type { Verification, VerificationReport } from '../store/types.js';
import { boundTestResults } from '../domain/test-results.js';

const enc = encodeURIComponent;

/** Verification results published for a pact version (directly or through a for-verification link). */
export const verificationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  const resultBody = (req: FastifyRequest, v: Verification, report: VerificationReport, dropped = 0) => {
    const pact = `${base(req)}/pacts/provider/${enc(v.provider)}/consumer/${enc(v.consumer)}/pact-version/${v.sha}`;
    const omitted =
      dropped === 0 ? '' : ` ${dropped} interaction${dropped === 1 ? ' was' : 's were'} left out.`;
    return {
      providerName: v.provider,
      consumerName: v.consumer,
      success: v.success,
      providerApplicationVersion: v.providerVersion,
      verificationDate: v.createdAt,
      ...(v.buildUrl === undefined ? {} : { buildUrl: v.buildUrl }),
      ...(report.testResults === undefined ? {} : { testResults: JSON.parse(report.testResults) as unknown }),
      ...(report.verifiedBy === undefined ? {} : { verifiedBy: JSON.parse(report.verifiedBy) as unknown }),
      ...(report.truncated
        ? {
            notices: [
              {
                type: 'warning',
                code: 'TREATY_BROKER_RESULTS_TRUNCATED',
                text: `The testResults were larger than the ${LIMITS.testResults} characters the broker keeps: each interaction keeps its id, description, success and first mismatches.${omitted}`,
              },
            ],
          }
        : {}),
      _links: {
        self: { href: `${pact}/verification-results/${v.id}` },
        'pb:pact-version': { href: pact },
        'pb:triggered-webhooks': {
          title: 'Webhooks triggered by this result',
          href: `${pact}/verification-results/${v.id}/triggered-webhooks`,
        },
        'treaty:page': { title: 'This result, for people', href: `${base(req)}/ui/verifications/${v.id}` },
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
    const metadata = token === undefined ? undefined : decodeToken(token);
    const wip = metadata?.wip === true;
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
    // What the verifier reported is kept as sent, within a bound; it never makes the result fail.
    const bounded =
      body.testResults === undefined || body.testResults === null
        ? undefined
        : boundTestResults(body.testResults, LIMITS.testResults);
    const verifiedBy =
      typeof body.verifiedBy === 'object' && body.verifiedBy !== null
        ? JSON.stringify(body.verifiedBy)
        : undefined;
    const report: VerificationReport = {
      ...(bounded?.json === undefined ? {} : { testResults: bounded.json }),
      ...(verifiedBy === undefined || verifiedBy.length > LIMITS.verifiedBy ? {} : { verifiedBy }),
      truncated: bounded?.truncated === true,
    };
    const v = await store.recordVerification({
      consumer,
      provider,
      sha,
      success: body.success,
      providerVersion,
      ...(buildUrl === undefined ? {} : { buildUrl }),
      // A result for a work-in-progress pact must not make it look verified for the branch.
      ...(wip ? { wip: true } : {}),
      report,
      // Its webhooks fire once per consumer version the pact link named.
      event: {
        baseUrl: base(req),
        ...(buildUrl === undefined ? {} : { buildUrl }),
        ...(metadata === undefined ? {} : { consumerVersions: metadata.versions }),
      },
    });
    return send(reply, 201, resultBody(req, v, report, bounded?.dropped));
  };
  app.post(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/verification-results',
    recordResult,
  );
  app.post(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/metadata/:token/verification-results',
    recordResult,
  );

  // The result a `self` link (or a matrix row) names, with what its verifier reported.
  const oneResult = async (
    req: FastifyRequest<{ Params: Omit<PactParams, 'version'> & { sha: string; id: string } }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const { provider, consumer, sha, id } = req.params;
    const found = /^\d{1,15}$/.test(id) ? await store.getVerification(Number(id)) : undefined;
    const v = found?.verification;
    if (found === undefined || v?.consumer !== consumer || v.provider !== provider || v.sha !== sha)
      fail(
        'TREATY_BROKER_NOT_FOUND',
        `No verification result ${id} of the pact between ${consumer} and ${provider} with content ${sha}.`,
      );
    return send(reply, 200, resultBody(req, found.verification, found.report));
  };
  app.get(
    '/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/verification-results/:id',
    oneResult,
  );
};
