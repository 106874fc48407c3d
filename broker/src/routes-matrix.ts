import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TreatyError } from '@treaty/core';
import type { Store } from './store/types.js';
import { canIDeploy, type Decision, type Target } from './domain/can-i-deploy.js';

const enc = encodeURIComponent;
type Send = (reply: FastifyReply, status: number, body: unknown) => Promise<FastifyReply>;

/** Parses `q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B…` (a key that repeats starts a new selector). */
export function parseMatrixQuery(search: string): { selectors: Array<Record<string, string>>; options: Record<string, string> } {
  const selectors: Array<Record<string, string>> = [];
  const options: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const m = /^q\[\]\[?(\w+)\]?$/.exec(key);
    if (m?.[1] !== undefined) {
      const field = m[1];
      let current = selectors[selectors.length - 1];
      if (current === undefined || field in current) selectors.push((current = {}));
      current[field] = value;
    } else if (!key.startsWith('ignore')) options[key] = value;
  }
  return { selectors, options };
}

function bad(message: string): never {
  throw new TreatyError('TREATY_BROKER_BAD_REQUEST', message);
}

/** `/matrix` and `/can-i-deploy`: the release gate. */
export function registerMatrix(app: FastifyInstance, store: Store, send: Send, base: (req: FastifyRequest) => string): void {
  const resolveVersion = async (s: Record<string, string>): Promise<string> => {
    const p = s.pacticipant as string;
    if (s.version !== undefined) return s.version;
    if (s.latest === 'true' || s.branch !== undefined || s.mainBranch === 'true' || s.tag !== undefined) {
      const branch = s.mainBranch === 'true' ? (await store.getPacticipant(p))?.mainBranch : s.branch;
      const v = await store.latestVersion(p, { ...(branch === undefined ? {} : { branch }), ...(s.tag === undefined ? {} : { tag: s.tag }) });
      if (v === undefined) bad(`${p} has no version matching ${JSON.stringify(s)}.`);
      return v.number;
    }
    return bad(`Say which version of ${p}: version, latest, branch, mainBranch or tag.`);
  };

  const target = async (options: Record<string, string>): Promise<Target> => {
    if (options.environment !== undefined) {
      const env = (await store.findEnvironment(options.environment)) ?? bad(`There is no environment named '${options.environment}'. Create it first (treaty create-environment / pact-broker create-environment).`);
      return { environment: env.name, environmentUuid: env.uuid };
    }
    if (options.mainBranch === 'true') return { mainBranch: true };
    if (options.latest === 'true' || options.tag !== undefined || options.to !== undefined) {
      const tag = options.tag ?? options.to;
      return { latest: true, ...(tag === undefined ? {} : { tag }) };
    }
    return bad('Say where to deploy: environment=<name> (or latest=true / tag=<tag>).');
  };

  const render = (req: FastifyRequest, d: Decision) => {
    const b = base(req);
    return {
      summary: { deployable: d.deployable, reason: d.reasons.map((r) => r.text).join('\n'), success: d.success, failed: d.failed, unknown: d.unknown },
      notices: d.reasons.map((r) => ({ type: r.type, text: r.text })),
      matrix: d.rows.map((r) => ({
        consumer: { name: r.consumer, _links: { self: { href: `${b}/pacticipants/${enc(r.consumer)}` } }, version: { number: r.consumerVersion, _links: { self: { href: `${b}/pacticipants/${enc(r.consumer)}/versions/${enc(r.consumerVersion)}` } } } },
        provider: { name: r.provider, _links: { self: { href: `${b}/pacticipants/${enc(r.provider)}` } }, version: r.providerVersion === null ? null : { number: r.providerVersion, _links: { self: { href: `${b}/pacticipants/${enc(r.provider)}/versions/${enc(r.providerVersion)}` } } } },
        pact: { createdAt: r.pact.createdAt, _links: { self: { href: `${b}/pacts/provider/${enc(r.provider)}/consumer/${enc(r.consumer)}/version/${enc(r.consumerVersion)}` } } },
        verificationResult:
          r.verification === null
            ? null
            : { success: r.verification.success, verifiedAt: r.verification.createdAt, _links: { self: { href: `${b}/pacts/provider/${enc(r.provider)}/consumer/${enc(r.consumer)}/pact-version/${r.pact.sha}/verification-results/${r.verification.id}` } } },
      })),
    };
  };

  const hint = (req: FastifyRequest) => (provider: string, providerVersion: string) =>
    `treaty verify --provider ${provider} --broker-base-url ${base(req)} --provider-app-version ${providerVersion} --publish-verification-results (against ${provider} ${providerVersion})`;

  app.get('/matrix', async (req, reply) => {
    const search = (req.raw.url ?? '').split('?')[1] ?? '';
    const { selectors, options } = parseMatrixQuery(search);
    if (selectors.length === 0) bad('Give at least one selector: q[][pacticipant]=NAME&q[][version]=VERSION.');
    if (selectors.length > 1) bad('This broker answers for one pacticipant at a time for now; ask once per pacticipant.');
    const s = selectors[0] as Record<string, string>;
    if (s.pacticipant === undefined || (await store.getPacticipant(s.pacticipant)) === undefined) bad(`There is no pacticipant named '${s.pacticipant ?? ''}'.`);
    if (s.version !== undefined && s.latest === 'true') bad('Give a version or latest, not both.');
    const decision = await canIDeploy(store, s.pacticipant as string, await resolveVersion(s), await target(options), hint(req));
    return send(reply, 200, render(req, decision));
  });

  app.get<{ Querystring: Record<string, string> }>('/can-i-deploy', async (req, reply) => {
    const q = req.query;
    if (q.pacticipant === undefined || q.version === undefined) bad('pacticipant and version are required.');
    if ((q.environment === undefined) === (q.to === undefined)) bad('Give exactly one of environment or to.');
    if ((await store.getPacticipant(q.pacticipant)) === undefined) bad(`There is no pacticipant named '${q.pacticipant}'.`);
    const decision = await canIDeploy(store, q.pacticipant, q.version, await target(q.environment === undefined ? { to: q.to as string } : { environment: q.environment }), hint(req));
    return send(reply, 200, render(req, decision));
  });
}
