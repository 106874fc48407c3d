import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { TreatyError, isTreatyError, parseContract, type ErrorCode } from '@treaty/core';
import type { PactPublication, Store } from './store/types.js';
import { decodeToken, registerForVerification } from './routes-for-verification.js';
import { registerDeployments } from './routes-deployments.js';
import { registerMatrix } from './routes-matrix.js';
import { registerPacticipants } from './routes-pacticipants.js';
import { registerUi, wantsHtml } from './ui/pages.js';
import { cooperativeStore, limitHeavyRequests, type HeavyRequestOptions } from './heavy-requests.js';

/** A credential: a bearer token, or a username and password for basic auth. */
export type Credential = { token: string } | { username: string; password: string };

/** Who may do what. Without any credential the broker is open (meant for loopback). */
export interface AuthOptions {
  readWrite: Credential[];
  readOnly: Credential[];
}

/** Options of {@link buildApp}. */
export interface AppOptions {
  store: Store;
  /** Require credentials: read-only ones may read, read-write ones may also write. */
  auth?: AuthOptions;
  /** Largest accepted request body in bytes (default 10 MiB). */
  bodyLimit?: number;
  /** Log with pino (fastify's logger); off by default for tests. */
  logger?: boolean;
  /** How many heavy requests (matrix, can-i-deploy, pacts for verification) run and wait at once. */
  heavyRequests?: HeavyRequestOptions;
}

const HAL = 'application/hal+json;charset=utf-8';

function fail(code: ErrorCode, message: string): never {
  throw new TreatyError(code, message);
}

function errorBody(
  statusCode: number,
  code: string,
  message: string,
): { statusCode: number; code: string; error: string; message: string } {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** The broker's base URL as the client reached it, for absolute HAL links. */
function base(req: FastifyRequest): string {
  const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? req.protocol;
  const host = (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}

const enc = encodeURIComponent;

function pactUrl(b: string, p: PactPublication): string {
  return `${b}/pacts/provider/${enc(p.provider)}/consumer/${enc(p.consumer)}/version/${enc(p.consumerVersion)}`;
}

function pactBody(b: string, p: PactPublication): Record<string, unknown> {
  const content = JSON.parse(p.content) as Record<string, unknown>;
  const shaUrl = `${b}/pacts/provider/${enc(p.provider)}/consumer/${enc(p.consumer)}/pact-version/${p.sha}`;
  return {
    ...content,
    createdAt: p.createdAt,
    _links: {
      self: {
        title: 'Pact',
        name: `Pact between ${p.consumer} (${p.consumerVersion}) and ${p.provider}`,
        href: pactUrl(b, p),
      },
      'pb:consumer': { title: 'Consumer', name: p.consumer, href: `${b}/pacticipants/${enc(p.consumer)}` },
      'pb:provider': { title: 'Provider', name: p.provider, href: `${b}/pacticipants/${enc(p.provider)}` },
      'pb:consumer-version': {
        title: 'Consumer version',
        name: p.consumerVersion,
        href: `${b}/pacticipants/${enc(p.consumer)}/versions/${enc(p.consumerVersion)}`,
      },
      'pb:pact-version': { title: 'Pact content version', name: p.sha, href: shaUrl },
      'pb:publish-verification-results': {
        title: 'Publish verification results',
        href: `${shaUrl}/verification-results`,
      },
    },
  };
}

/** A pact from a request body, checked: Treaty can read it and it is between the pacticipants in the URL. */
function readPact(body: unknown, consumer: string, provider: string): Record<string, unknown> {
  if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body))
    fail('TREATY_BROKER_BAD_REQUEST', 'Send the pact as the JSON body.');
  let contract;
  try {
    contract = parseContract(body);
  } catch (error) {
    if (isTreatyError(error))
      fail('TREATY_BROKER_BAD_REQUEST', `The body is not a pact Treaty can read: ${error.message}`);
    throw error;
  }
  if (contract.consumer.name !== consumer || contract.provider.name !== provider) {
    fail(
      'TREATY_BROKER_BAD_REQUEST',
      `The pact is between ${contract.consumer.name} and ${contract.provider.name}, but the URL names ${consumer} and ${provider}.`,
    );
  }
  return body as Record<string, unknown>;
}

/**
 * Merges the interactions (and V3 messages) of `incoming` into `existing`, as the Pact Broker does:
 * the same description and provider state(s) replace, others are appended. Replacing with different
 * content is a conflict unless allowed, so a merge never silently changes a published interaction.
 */
function mergePactJson(
  existing: Record<string, unknown>,
  incoming: Record<string, unknown>,
  allowOverwrite: boolean,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...existing };
  for (const key of ['interactions', 'messages'] as const) {
    const added = incoming[key];
    if (!Array.isArray(added)) continue;
    const list = Array.isArray(existing[key]) ? [...(existing[key] as unknown[])] : [];
    const identity = (i: unknown): string => {
      const o = (typeof i === 'object' && i !== null ? i : {}) as Record<string, unknown>;
      return JSON.stringify([
        o.description ?? null,
        o.providerStates ?? o.providerState ?? o.provider_state ?? null,
      ]);
    };
    for (const item of added) {
      const at = list.findIndex((i) => identity(i) === identity(item));
      if (at === -1) list.push(item);
      else if (JSON.stringify(list[at]) !== JSON.stringify(item)) {
        if (!allowOverwrite) {
          const description = String((item as Record<string, unknown>).description ?? '');
          fail(
            'TREATY_BROKER_PACT_CONFLICT',
            `The pact already has an interaction '${description}' with the same provider state and different content. Give it another description or state, or add ?allowOverwrite=true.`,
          );
        }
        list[at] = item;
      }
    }
    merged[key] = list;
  }
  return merged;
}

async function send(reply: FastifyReply, status: number, body: unknown): Promise<FastifyReply> {
  return reply.code(status).type(HAL).send(body);
}

/**
 * The broker as a fastify instance with every route registered; it never listens (the server file
 * does), so tests drive it with `app.inject()`.
 * @example const app = await buildApp({ store: SqliteStore.open(':memory:') })
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // Heavy requests (see heavy-requests.ts) let others in between their store calls.
  const store = cooperativeStore(options.store);
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024 });

  // Pact clients send JSON as application/json, HAL, or merge-patch.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/hal+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (error) {
        done(
          new TreatyError(
            'TREATY_BROKER_BAD_REQUEST',
            `The request body is not valid JSON: ${(error as Error).message}.`,
          ),
          undefined,
        );
      }
    },
  );

  app.setErrorHandler((error: unknown, _req, reply) => {
    if (isTreatyError(error))
      return send(reply, error.status, errorBody(error.status, error.code, error.message));
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return send(
        reply,
        413,
        errorBody(
          413,
          'TREATY_BROKER_BAD_REQUEST',
          `The request body is larger than the broker accepts (${options.bodyLimit ?? 10 * 1024 * 1024} bytes).`,
        ),
      );
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return send(
        reply,
        415,
        errorBody(415, 'TREATY_BROKER_BAD_REQUEST', 'Send JSON with Content-Type: application/json.'),
      );
    if (e.statusCode !== undefined && e.statusCode < 500)
      return send(
        reply,
        e.statusCode,
        errorBody(e.statusCode, 'TREATY_BROKER_BAD_REQUEST', e.message ?? 'Bad request.'),
      );
    app.log.error(error);
    return send(
      reply,
      500,
      errorBody(500, 'TREATY_INTERNAL', 'A bug in Treaty. Please report it with the request that caused it.'),
    );
  });
  const auth = options.auth;
  if (auth !== undefined && auth.readWrite.length + auth.readOnly.length > 0) {
    const matches = (header: string | undefined, list: Credential[]): boolean =>
      list.some((c) => {
        if (header === undefined) return false;
        if ('token' in c) return header === `Bearer ${c.token}`;
        return header === `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
      });
    app.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/diagnostic/status/heartbeat')) return;
      const header = req.headers.authorization;
      const write = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
      if (matches(header, auth.readWrite)) return;
      if (matches(header, auth.readOnly)) {
        if (!write) return;
        return send(
          reply,
          403,
          errorBody(
            403,
            'TREATY_BROKER_FORBIDDEN',
            `These credentials are read-only; ${req.method} ${req.url.split('?')[0]} needs read-write credentials.`,
          ),
        );
      }
      reply.header('WWW-Authenticate', 'Bearer realm="treaty", Basic realm="treaty"');
      return send(
        reply,
        401,
        errorBody(
          401,
          'TREATY_BROKER_UNAUTHORIZED',
          header === undefined
            ? 'This broker needs credentials: send a bearer token or basic auth.'
            : 'These credentials are not known to this broker.',
        ),
      );
    });
  }

  limitHeavyRequests(app, options.heavyRequests);

  app.setNotFoundHandler((req, reply) =>
    send(reply, 404, errorBody(404, 'TREATY_BROKER_NOT_FOUND', `No resource at ${req.method} ${req.url}.`)),
  );

  const ui = registerUi(app, store);
  // A browser gets the pages; Pact clients (Accept: application/hal+json) get the HAL index.
  app.get('/', async (req, reply) => {
    if (wantsHtml(req)) return ui.index(reply);
    const b = base(req);
    return send(reply, 200, {
      _links: {
        self: { href: b, title: 'Index' },
        'pb:publish-contracts': { href: `${b}/contracts/publish`, title: 'Publish contracts' },
        'pb:publish-pact': {
          href: `${b}/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}`,
          title: 'Publish a pact',
          templated: true,
        },
        'pb:pacticipants': { href: `${b}/pacticipants`, title: 'Pacticipants' },
        'pb:environments': { href: `${b}/environments`, title: 'Environments' },
        'pb:integrations': { href: `${b}/integrations`, title: 'Integrations' },
        'pb:environment': { href: `${b}/environments/{uuid}`, title: 'Environment', templated: true },
        'pb:pacticipant-version': {
          href: `${b}/pacticipants/{pacticipant}/versions/{version}`,
          title: 'Pacticipant version',
          templated: true,
        },
        'pb:pacticipant': {
          href: `${b}/pacticipants/{pacticipant}`,
          title: 'Fetch pacticipant by name',
          templated: true,
        },
        'pb:provider-pacts-for-verification': {
          href: `${b}/pacts/provider/{provider}/for-verification`,
          title: 'Pact versions to be verified for the specified provider',
          templated: true,
        },
        'pb:latest-provider-pacts': {
          href: `${b}/pacts/provider/{provider}/latest`,
          title: 'Latest pacts by provider',
          templated: true,
        },
        'pb:latest-version': {
          href: `${b}/pacticipants/{pacticipant}/latest-version`,
          title: 'Latest pacticipant version',
          templated: true,
        },
        'pb:latest-tagged-version': {
          href: `${b}/pacticipants/{pacticipant}/latest-version/{tag}`,
          title: 'Latest pacticipant version with the specified tag',
          templated: true,
        },
        'pb:pacticipant-version-tag': {
          href: `${b}/pacticipants/{pacticipant}/versions/{version}/tags/{tag}`,
          title: 'Pacticipant version tag',
          templated: true,
        },
        'pb:pacticipant-branch': {
          href: `${b}/pacticipants/{pacticipant}/branches/{branch}`,
          title: 'Pacticipant branch',
          templated: true,
        },
        'pb:pacticipant-branch-version': {
          href: `${b}/pacticipants/{pacticipant}/branches/{branch}/versions/{version}`,
          title: 'Pacticipant branch version',
          templated: true,
        },
        'pb:can-i-deploy-pacticipant-version-to-environment': {
          href: `${b}/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}`,
          title: 'Can I deploy a version to an environment?',
          templated: true,
        },
        'pb:can-i-deploy-pacticipant-version-to-tag': {
          href: `${b}/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}`,
          title: 'Can I deploy a version to a tag?',
          templated: true,
        },
        'pb:matrix': { href: `${b}/matrix`, title: 'The matrix of verifications' },
      },
    });
  });

  app.post<{ Body: unknown }>('/contracts/publish', async (req, reply) => {
    const body = req.body as Record<string, unknown> | undefined;
    const str = (v: unknown, what: string): string => {
      if (typeof v !== 'string' || v.trim() === '' || /[\r\n]/.test(v))
        fail('TREATY_BROKER_BAD_REQUEST', `${what} must be a non-blank single-line string.`);
      return v;
    };
    if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body))
      fail(
        'TREATY_BROKER_BAD_REQUEST',
        'Send { pacticipantName, pacticipantVersionNumber, contracts: [...] } as JSON.',
      );
    const consumer = str(body.pacticipantName, 'pacticipantName');
    const version = str(body.pacticipantVersionNumber, 'pacticipantVersionNumber');
    const branch = body.branch === undefined || body.branch === null ? undefined : str(body.branch, 'branch');
    const tags =
      body.tags === undefined || body.tags === null
        ? []
        : Array.isArray(body.tags)
          ? body.tags.map((t, i) => str(t, `tags[${i}]`))
          : fail('TREATY_BROKER_BAD_REQUEST', 'tags must be an array of strings.');
    if (!Array.isArray(body.contracts) || body.contracts.length === 0)
      fail('TREATY_BROKER_BAD_REQUEST', 'contracts must be a non-empty array.');
    const contracts = body.contracts.map((raw: unknown, i: number) => {
      const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const where = `contracts[${i}]`;
      const consumerName = str(c.consumerName, `${where}.consumerName`);
      const provider = str(c.providerName, `${where}.providerName`);
      if (consumerName !== consumer)
        fail(
          'TREATY_BROKER_BAD_REQUEST',
          `${where}.consumerName '${consumerName}' must equal pacticipantName '${consumer}'.`,
        );
      if (c.specification !== undefined && c.specification !== 'pact')
        fail('TREATY_BROKER_BAD_REQUEST', `${where}.specification must be "pact".`);
      if (c.contentType !== undefined && c.contentType !== 'application/json')
        fail('TREATY_BROKER_BAD_REQUEST', `${where}.contentType must be "application/json".`);
      const encoded = str(c.content, `${where}.content`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0)
        fail('TREATY_BROKER_BAD_REQUEST', `${where}.content must be strict Base64 of the pact JSON.`);
      const text = Buffer.from(encoded, 'base64').toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        fail('TREATY_BROKER_BAD_REQUEST', `${where}.content does not decode to JSON.`);
      }
      let contract;
      try {
        contract = parseContract(parsed);
      } catch (error) {
        if (isTreatyError(error))
          fail(
            'TREATY_BROKER_BAD_REQUEST',
            `${where}.content is not a pact Treaty can read: ${error.message}`,
          );
        throw error;
      }
      if (contract.consumer.name !== consumer || contract.provider.name !== provider) {
        fail(
          'TREATY_BROKER_BAD_REQUEST',
          `${where}: the pact is between ${contract.consumer.name} and ${contract.provider.name}, not ${consumer} and ${provider}.`,
        );
      }
      return { provider, content: JSON.stringify(parsed) };
    });
    let outcomes;
    try {
      outcomes = await store.publishContracts({
        consumer,
        consumerVersion: version,
        ...(branch === undefined ? {} : { branch }),
        tags,
        contracts,
      });
    } catch (error) {
      if (isTreatyError(error) && error.code === 'TREATY_BROKER_PACT_CONFLICT') {
        const notice = { type: 'error', text: error.message };
        return send(reply, 409, {
          ...errorBody(409, error.code, error.message),
          notices: [notice],
          errors: { contracts: [error.message] },
        });
      }
      throw error;
    }
    const b = base(req);
    const versionUrl = `${b}/pacticipants/${enc(consumer)}/versions/${enc(version)}`;
    const notices = [
      {
        type: 'debug',
        text: `Created ${consumer} version ${version}${branch === undefined ? '' : ` with branch ${branch}`}${tags.length === 0 ? '' : ` and tags ${tags.join(', ')}`}`,
      },
      ...(branch === undefined
        ? [
            {
              type: 'prompt',
              text: 'Next time, give the branch (--branch) so selectors such as mainBranch can find this version.',
            },
          ]
        : []),
      ...outcomes.map((o) => ({
        type: 'success',
        text:
          `${o.unchanged ? 'Pact with the same content already published' : 'Pact published'} for ` +
          `${o.publication.consumer} version ${o.publication.consumerVersion} and provider ${o.publication.provider}` +
          `${o.contentExisted && !o.unchanged ? ' (content already verified where published before)' : ''}.`,
      })),
    ];
    return send(reply, 200, {
      notices,
      logs: notices.map((n) => ({
        level: n.type,
        message: n.text,
        deprecationWarning: 'Replaced by notices',
      })),
      _embedded: {
        pacticipant: { name: consumer, _links: { self: { href: `${b}/pacticipants/${enc(consumer)}` } } },
        version: { number: version, _links: { self: { title: 'Version', name: version, href: versionUrl } } },
      },
      _links: {
        'pb:pacticipant': {
          title: 'Pacticipant',
          name: consumer,
          href: `${b}/pacticipants/${enc(consumer)}`,
        },
        'pb:pacticipant-version': { title: 'Pacticipant version', name: version, href: versionUrl },
        'pb:pacticipant-version-tags': tags.map((t) => ({
          title: 'Tag',
          name: t,
          href: `${versionUrl}/tags/${enc(t)}`,
        })),
        'pb:contracts': outcomes.map((o) => ({
          title: 'Pact',
          name: `Pact between ${o.publication.consumer} (${version}) and ${o.publication.provider}`,
          href: pactUrl(b, o.publication),
        })),
      },
    });
  });

  app.get('/integrations', async (req, reply) => {
    const b = base(req);
    const integrations = [];
    for (const provider of await store.listPacticipants()) {
      for (const consumer of await store.consumersOf(provider.name)) {
        integrations.push({
          consumer: { name: consumer, _links: { self: { href: `${b}/pacticipants/${enc(consumer)}` } } },
          provider: {
            name: provider.name,
            _links: { self: { href: `${b}/pacticipants/${enc(provider.name)}` } },
          },
          _links: {
            'pb:latest-pact': {
              href: `${b}/pacts/provider/${enc(provider.name)}/consumer/${enc(consumer)}/latest`,
            },
          },
        });
      }
    }
    integrations.sort(
      (x, y) =>
        x.consumer.name.localeCompare(y.consumer.name) || x.provider.name.localeCompare(y.provider.name),
    );
    return send(reply, 200, { _embedded: { integrations }, _links: { self: { href: `${b}/integrations` } } });
  });

  app.get('/diagnostic/status/heartbeat', async (_req, reply) => send(reply, 200, { ok: true, _links: {} }));

  registerPacticipants(app, store, send, base);

  type PactParams = { provider: string; consumer: string; version: string };

  app.put<{ Params: PactParams; Querystring: { allowOverwrite?: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version',
    async (req, reply) => {
      const { provider, consumer, version } = req.params;
      readPact(req.body, consumer, provider);
      const existed = (await store.getPact(consumer, version, provider)) !== undefined;
      const outcome = await store.publishPact({
        consumer,
        consumerVersion: version,
        provider,
        content: JSON.stringify(req.body),
        allowOverwrite: req.query.allowOverwrite === 'true',
      });
      return send(reply, existed ? 200 : 201, pactBody(base(req), outcome.publication));
    },
  );

  // Adds the body's interactions to the pact (the same description and provider states must mean the same
  // interaction).
  app.patch<{ Params: PactParams; Querystring: { allowOverwrite?: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version',
    async (req, reply) => {
      const { provider, consumer, version } = req.params;
      const incoming = readPact(req.body, consumer, provider);
      const existing = await store.getPact(consumer, version, provider);
      const allowOverwrite = req.query.allowOverwrite === 'true';
      const content =
        existing === undefined
          ? incoming
          : mergePactJson(JSON.parse(existing.content) as Record<string, unknown>, incoming, allowOverwrite);
      const outcome = await store.publishPact({
        consumer,
        consumerVersion: version,
        provider,
        content: JSON.stringify(content),
        allowOverwrite: true,
      });
      return send(reply, existing === undefined ? 201 : 200, pactBody(base(req), outcome.publication));
    },
  );

  app.get<{ Params: PactParams }>(
    '/pacts/provider/:provider/consumer/:consumer/version/:version',
    async (req, reply) => {
      const { provider, consumer, version } = req.params;
      const p =
        (await store.getPact(consumer, version, provider)) ??
        fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} version ${version} and ${provider}.`);
      return send(reply, 200, pactBody(base(req), p));
    },
  );

  app.get<{ Params: Omit<PactParams, 'version'> }>(
    '/pacts/provider/:provider/consumer/:consumer/latest',
    async (req, reply) => {
      const { provider, consumer } = req.params;
      const p =
        (await store.latestPact(consumer, provider)) ??
        fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} and ${provider} has been published.`);
      reply.header('X-Pact-Consumer-Version', p.consumerVersion);
      return send(reply, 200, pactBody(base(req), p));
    },
  );

  app.get<{ Params: Omit<PactParams, 'version'> & { tag: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/latest/:tag',
    async (req, reply) => {
      const { provider, consumer, tag } = req.params;
      const p =
        (await store.latestPact(consumer, provider, { tag })) ??
        fail(
          'TREATY_BROKER_NOT_FOUND',
          `No pact between ${consumer} and ${provider} has a consumer version tagged '${tag}'.`,
        );
      reply.header('X-Pact-Consumer-Version', p.consumerVersion);
      return send(reply, 200, pactBody(base(req), p));
    },
  );

  app.get<{ Params: Omit<PactParams, 'version'> & { branch: string } }>(
    '/pacts/provider/:provider/consumer/:consumer/branch/:branch/latest',
    async (req, reply) => {
      const { provider, consumer, branch } = req.params;
      const p =
        (await store.latestPact(consumer, provider, { branch })) ??
        fail(
          'TREATY_BROKER_NOT_FOUND',
          `No pact between ${consumer} and ${provider} has a consumer version on branch '${branch}'.`,
        );
      reply.header('X-Pact-Consumer-Version', p.consumerVersion);
      return send(reply, 200, pactBody(base(req), p));
    },
  );

  const pactBySha = async (
    req: FastifyRequest<{ Params: Omit<PactParams, 'version'> & { sha: string; token?: string } }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const { provider, consumer, sha, token } = req.params;
    const p =
      (await store.getPactBySha(consumer, provider, sha)) ??
      fail('TREATY_BROKER_NOT_FOUND', `No pact between ${consumer} and ${provider} has the content ${sha}.`);
    const body = pactBody(base(req), p);
    if (token !== undefined) {
      // Results published through a for-verification link carry the same token back.
      const links = body._links as Record<string, { href: string }>;
      links['pb:publish-verification-results'] = {
        ...links['pb:publish-verification-results'],
        href: `${base(req)}/pacts/provider/${enc(provider)}/consumer/${enc(consumer)}/pact-version/${sha}/metadata/${token}/verification-results`,
      };
    }
    return send(reply, 200, body);
  };
  app.get('/pacts/provider/:provider/consumer/:consumer/pact-version/:sha', pactBySha);
  app.get('/pacts/provider/:provider/consumer/:consumer/pact-version/:sha/metadata/:token', pactBySha);
  registerForVerification(app, store, send, base);
  registerDeployments(app, store, send, base);
  registerMatrix(app, store, send, base);

  app.get<{ Params: { provider: string } }>('/pacts/provider/:provider/latest', async (req, reply) => {
    const { provider } = req.params;
    if ((await store.getPacticipant(provider)) === undefined)
      fail('TREATY_BROKER_NOT_FOUND', `No provider named '${provider}'.`);
    const b = base(req);
    const pacts = [];
    for (const consumer of await store.listPacticipants()) {
      const p = await store.latestPact(consumer.name, provider);
      if (p !== undefined)
        pacts.push({
          href: pactUrl(b, p),
          title: `Pact between ${p.consumer} (${p.consumerVersion}) and ${p.provider}`,
          name: p.consumer,
        });
    }
    return send(reply, 200, {
      _links: {
        self: { href: `${b}/pacts/provider/${enc(provider)}/latest` },
        'pb:provider': { href: `${b}/pacticipants/${enc(provider)}`, name: provider },
        'pb:pacts': pacts,
        pacts,
      },
    });
  });

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

  return app;
}
