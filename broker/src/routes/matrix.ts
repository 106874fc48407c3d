import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TreatyError, verifyCommand } from '@treaty/core';
import { base, send, type RouteOptions } from '../http/hal.js';
import { LIMITS, checkName, wholeNumber } from '../limits.js';
import type { Store } from '../store/types.js';
import type { Decision, IgnoreSelector, MatrixQuery, MatrixSelector } from '../domain/matrix.js';
import { evaluateMatrix } from '../loaders/matrix.js';

const enc = encodeURIComponent;

/** A query string parsed Rack-style: `q[]` and `ignore[]` groups, and the other keys (repeats kept). */
export interface ParsedMatrixQuery {
  selectors: Array<Record<string, string>>;
  ignore: Array<Record<string, string>>;
  options: Record<string, string>;
  success: string[];
}

/**
 * Parses `q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B…`: within a group, a key that repeats
 * starts a new entry. `ignore[]=NAME` is the short form of `ignore[][pacticipant]=NAME`.
 */
export function parseMatrixQuery(search: string): ParsedMatrixQuery {
  const parsed: ParsedMatrixQuery = { selectors: [], ignore: [], options: {}, success: [] };
  const push = (group: Array<Record<string, string>>, field: string, value: string) => {
    let current = group[group.length - 1];
    if (current === undefined || field in current) {
      current = {};
      group.push(current);
    }
    current[field] = value;
  };
  for (const [key, value] of new URLSearchParams(search)) {
    const m = /^(q|ignore)\[\](?:\[?(\w+)\]?)?$/.exec(key);
    if (m !== null) push(m[1] === 'q' ? parsed.selectors : parsed.ignore, m[2] ?? 'pacticipant', value);
    else if (key === 'success[]' || key === 'success') parsed.success.push(value);
    else parsed.options[key] = value;
  }
  return parsed;
}

function bad(message: string): never {
  throw new TreatyError('TREATY_BROKER_BAD_REQUEST', message);
}

const flag = (value: string | undefined, name: string): boolean | undefined => {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return bad(`${name} must be true or false, not '${value}'.`);
};

/** Checks a parsed query against the rules the Pact Broker applies, and builds the domain query. */
async function matrixQuery(store: Store, parsed: ParsedMatrixQuery): Promise<MatrixQuery> {
  const { options } = parsed;
  // Names in the query follow the rule every name does (an empty one is caught below, with its reason).
  for (const group of [...parsed.selectors, ...parsed.ignore, options])
    for (const key of ['pacticipant', 'version', 'tag', 'branch', 'environment', 'to'])
      if (group[key] !== undefined && group[key] !== '') checkName(key, group[key]);
  if (parsed.selectors.length === 0)
    bad('Give at least one selector: q[][pacticipant]=NAME&q[][version]=VERSION.');
  // Every name the query uses, looked up at once.
  const known = await store.lookUpNames({
    pacticipants: parsed.selectors.flatMap((raw) => (raw.pacticipant ? [raw.pacticipant] : [])),
    environments: [...parsed.selectors, options].flatMap((g) => (g.environment ? [g.environment] : [])),
  });
  const pacticipantNames = new Set(known.pacticipants.map((p) => p.name));
  const environmentNames = new Set(known.environments.map((e) => e.name));
  const selectors: MatrixSelector[] = [];
  for (const raw of parsed.selectors) {
    const known = new Set(['pacticipant', 'version', 'latest', 'tag', 'branch', 'mainBranch', 'environment']);
    const unknown = Object.keys(raw).filter((k) => !known.has(k));
    if (unknown.length > 0)
      bad(
        `Unknown selector key ${unknown.map((k) => `'${k}'`).join(', ')}: use pacticipant, version, latest, tag, branch, mainBranch or environment.`,
      );
    const p = raw.pacticipant;
    if (p === undefined || p === '')
      bad(`Every selector needs a pacticipant; this one has none: ${JSON.stringify(raw)}.`);
    if (!pacticipantNames.has(p)) bad(`There is no pacticipant named '${p}'.`);
    const latest = flag(raw.latest, 'q[][latest]');
    if (raw.version !== undefined && latest === true) bad(`Give a version or latest for ${p}, not both.`);
    if (raw.environment !== undefined && !environmentNames.has(raw.environment))
      bad(
        `There is no environment named '${raw.environment}'. Create it first with create-environment (treaty or pact-broker).`,
      );
    const mainBranch = flag(raw.mainBranch, 'q[][mainBranch]');
    selectors.push({
      pacticipant: p,
      ...(raw.version === undefined ? {} : { version: raw.version }),
      ...(latest === undefined ? {} : { latest }),
      ...(raw.tag === undefined ? {} : { tag: raw.tag }),
      ...(raw.branch === undefined ? {} : { branch: raw.branch }),
      ...(mainBranch === undefined ? {} : { mainBranch }),
      ...(raw.environment === undefined ? {} : { environment: raw.environment }),
    });
  }
  const ignore: IgnoreSelector[] = parsed.ignore.map((raw) => {
    if (raw.pacticipant === undefined || raw.pacticipant === '')
      bad(`Every ignore selector needs a pacticipant; this one has none: ${JSON.stringify(raw)}.`);
    return { pacticipant: raw.pacticipant, ...(raw.version === undefined ? {} : { version: raw.version }) };
  });
  const latest = flag(options.latest, 'latest');
  const mainBranch = flag(options.mainBranch, 'mainBranch');
  const targets = [options.tag !== undefined, options.environment !== undefined, mainBranch === true].filter(
    Boolean,
  ).length;
  if (targets > 1) bad('Give at most one of tag, environment and mainBranch.');
  if (latest === true && options.environment !== undefined)
    bad('latest=true cannot be combined with environment: an environment already says which versions.');
  if (options.environment !== undefined && !environmentNames.has(options.environment)) {
    bad(
      `There is no environment named '${options.environment}'. Create it first with create-environment (treaty or pact-broker).`,
    );
  }
  const latestby = options.latestby;
  if (
    latestby !== undefined &&
    latestby !== '' &&
    latestby !== 'cvpv' &&
    latestby !== 'cvp' &&
    latestby !== 'cp'
  )
    bad(`latestby must be cvpv, cvp or cp, not '${latestby}'.`);
  const limit =
    options.limit === undefined ? undefined : wholeNumber(options.limit, 1, 1, LIMITS.matrixRows, 'limit');
  const success = parsed.success.map((s) =>
    s === 'true'
      ? true
      : s === 'false'
        ? false
        : s === ''
          ? null
          : bad(`success[] must be true, false or empty, not '${s}'.`),
  );
  return {
    selectors,
    target: {
      ...(latest === undefined ? {} : { latest }),
      ...(options.tag === undefined ? {} : { tag: options.tag }),
      ...(options.environment === undefined ? {} : { environment: options.environment }),
      ...(mainBranch === undefined ? {} : { mainBranch }),
    },
    ...(latestby === undefined || latestby === '' ? {} : { latestby }),
    ignore,
    ...(success.length === 0 ? {} : { success }),
    ...(limit === undefined ? {} : { limit }),
  };
}

/** `/matrix` and `/can-i-deploy`: the release gate. */
export const matrixRoutes: FastifyPluginAsync<RouteOptions> = async (app, { store }) => {
  const render = (req: FastifyRequest, d: Decision) => {
    const b = base(req);
    const version = (p: string, n: string) => ({
      number: n,
      _links: { self: { href: `${b}/pacticipants/${enc(p)}/versions/${enc(n)}` } },
    });
    return {
      summary: {
        deployable: d.deployable,
        reason: d.reasons.map((r) => r.text).join('\n'),
        success: d.success,
        failed: d.failed,
        unknown: d.unknown,
        ...(d.ignored === undefined ? {} : { ignored: d.ignored }),
      },
      notices: d.reasons.map((r) => {
        const f = r.failure;
        if (f === undefined) return { type: r.type, text: r.text };
        const { verification: v, ...failure } = f;
        // The failing interaction and its first mismatch, with where the whole result is.
        return {
          type: r.type,
          text: r.text,
          failure: {
            ...failure,
            _links: {
              'pb:verification-result': {
                href: `${b}/pacts/provider/${enc(v.provider)}/consumer/${enc(v.consumer)}/pact-version/${v.sha}/verification-results/${v.id}`,
              },
              'treaty:page': { title: 'Why it failed, for people', href: `${b}/ui/verifications/${v.id}` },
            },
          },
        };
      }),
      matrix: d.rows.map((r) => ({
        consumer: {
          name: r.consumer,
          _links: { self: { href: `${b}/pacticipants/${enc(r.consumer)}` } },
          version: version(r.consumer, r.consumerVersion),
        },
        provider: {
          name: r.provider,
          _links: { self: { href: `${b}/pacticipants/${enc(r.provider)}` } },
          version: r.providerVersion === null ? null : version(r.provider, r.providerVersion),
        },
        pact: {
          createdAt: r.pact.createdAt,
          _links: {
            self: {
              href: `${b}/pacts/provider/${enc(r.provider)}/consumer/${enc(r.consumer)}/version/${enc(r.consumerVersion)}`,
            },
          },
        },
        verificationResult:
          r.verification === null
            ? null
            : {
                success: r.verification.success,
                verifiedAt: r.verification.createdAt,
                // What the result rests on: a verifier running the provider, or the broker comparing
                // the pact with the provider version's OpenAPI document.
                evidence: r.verification.evidence ?? 'verifier',
                _links: {
                  self: {
                    href: `${b}/pacts/provider/${enc(r.provider)}/consumer/${enc(r.consumer)}/pact-version/${r.pact.sha}/verification-results/${r.verification.id}`,
                  },
                },
              },
        // PactFlow's name for it: BDCT for a document comparison, CDCT for a verifier's result.
        verificationType:
          r.verification === null ? null : r.verification.evidence === 'openapi' ? 'BDCT' : 'CDCT',
        ...(r.ignored ? { ignored: true } : {}),
      })),
    };
  };

  const hint = (req: FastifyRequest) => (provider: string, providerVersion: string) =>
    `${verifyCommand(provider, providerVersion, base(req))} (against ${provider} ${providerVersion})`;

  app.get('/matrix', async (req, reply) => {
    const query = await matrixQuery(store, parseMatrixQuery((req.raw.url ?? '').split('?')[1] ?? ''));
    return send(reply, 200, render(req, await evaluateMatrix(store, query, hint(req))));
  });

  // The short form: one version, to an environment or a tag; the same as /matrix with latestby.
  app.get('/can-i-deploy', async (req, reply) => {
    const parsed = parseMatrixQuery((req.raw.url ?? '').split('?')[1] ?? '');
    const { pacticipant, version, environment, to } = parsed.options;
    if (pacticipant === undefined || version === undefined) bad('pacticipant and version are required.');
    if ((environment === undefined) === (to === undefined)) bad('Give exactly one of environment or to.');
    const query = await matrixQuery(store, {
      selectors: [{ pacticipant, version }],
      ignore: parsed.ignore,
      success: [],
      options:
        environment === undefined
          ? { latestby: 'cvp', latest: 'true', tag: to as string }
          : { latestby: 'cvpv', environment },
    });
    return send(reply, 200, render(req, await evaluateMatrix(store, query, hint(req))));
  });
};
