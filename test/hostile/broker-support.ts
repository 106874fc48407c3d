import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { SqliteStore, buildApp, type AuthOptions } from '@treaty/broker';
import { freePort } from '../support/webhook-receiver.js';

/** A broker on a real SQLite file in a temp folder, driven with `app.inject()`. */
export interface TestBroker {
  app: FastifyInstance;
  database: string;
  /** Row counts and a hash of every table's content, read through a second connection. */
  snapshot: () => string;
  /**
   * Sends a request over a real socket with the path exactly as given (no client normalises `..` or
   * `%2e%2e` away, as fetch and inject do).
   */
  raw: (method: string, path: string, headers: Record<string, string>, body?: string) => Promise<Answer>;
  close: () => Promise<void>;
}

export async function openBroker(auth?: AuthOptions): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-hostile-'));
  const database = join(dir, 'broker.sqlite');
  const store = SqliteStore.open(database);
  // Webhooks go to a loopback port nothing listens on (allow-listed), once: every delivery fails at once
  // and is logged, and nothing leaves the machine.
  const app = await buildApp({
    store,
    ...(auth === undefined ? {} : { auth }),
    webhooks: { schemes: ['http'], hosts: ['127.0.0.1'], retrySchedule: [] },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const raw = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const reader = new Database(database, { readonly: true });
  const tables = (
    reader
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as Array<{ name: string }>
  ).map((t) => t.name);
  const snapshot = (): string => {
    const parts = tables.map((t) => {
      const rows = reader.prepare(`SELECT * FROM "${t}"`).raw().all();
      const hash = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
      return `${t}:${rows.length}:${hash}`;
    });
    return parts.join(' ');
  };
  return {
    app,
    database,
    snapshot,
    raw,
    close: async () => {
      agent.destroy();
      reader.close();
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every route of the app as method and URL pattern, read from fastify's printRoutes (HEAD left out). */
export function routesOf(app: FastifyInstance): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([\s│├└─]*?)(?:├── |└── )(\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (m === null) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + (m[2] ?? '');
    stack[depth] = url;
    for (const method of (m[3] ?? '').split(', ')) if (method !== 'HEAD') out.push({ method, url });
  }
  return out;
}

/** An answer, its JSON body when it has one. */
export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  json: unknown;
  text: string;
}

export async function call(
  app: FastifyInstance,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: {
      accept: 'application/hal+json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, json, text: res.body };
}

/** A pact between the two, its one interaction's field named so that two contents can differ. */
export function pact(consumer: string, provider: string, field = 'id'): Record<string, unknown> {
  return {
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description: 'a request for order 1',
        request: { method: 'GET', path: '/orders/1' },
        response: {
          status: 200,
          headers: { 'Content-Type': ['application/json'] },
          body: { contentType: 'application/json', encoded: false, content: { [field]: 1 } },
          matchingRules: { body: { [`$.${field}`]: { combine: 'AND', matchers: [{ match: 'integer' }] } } },
        },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  };
}

/** The body of POST /contracts/publish for one pact. */
export function publishBody(
  consumer: string,
  provider: string,
  version: string,
  extra: { branch?: string; tags?: string[]; content?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    pacticipantName: consumer,
    pacticipantVersionNumber: version,
    ...(extra.branch === undefined ? {} : { branch: extra.branch }),
    ...(extra.tags === undefined ? {} : { tags: extra.tags }),
    contracts: [
      {
        consumerName: consumer,
        providerName: provider,
        specification: 'pact',
        contentType: 'application/json',
        content: Buffer.from(JSON.stringify(extra.content ?? pact(consumer, provider))).toString('base64'),
      },
    ],
  };
}

/** Names a broker stores and links to. */
export interface Names {
  consumer: string;
  provider: string;
  /** The consumer's two versions: the first on the main branch, the second deployed and released. */
  versions: [string, string];
  mainBranch: string;
  branch: string;
  tag: string;
  environment: string;
  providerVersion: string;
  providerBranch: string;
}

/** What {@link seed} made: the environment's uuid and the for-verification answer. */
export interface Seeded {
  environment: string;
  /** A webhook for the consumer and every provider with the label `team`, with deliveries logged. */
  webhook: string;
  forVerification: unknown;
  pactHref: string;
  resultHref: string;
}

const enc = encodeURIComponent;

/** Fails with the answer when a seeding step does not succeed. */
function ok(step: string, a: Answer): Answer {
  if (a.status >= 300) throw new Error(`${step}: ${a.status} ${a.text}`);
  return a;
}

/**
 * Seeds a broker through its HTTP API, as Pact's recommended setup does: the same content published
 * under two consumer versions, the first on the main branch, the second deployed and released; the
 * provider asks for pacts with mainBranch and deployedOrReleased selectors and publishes its result
 * through the link it got.
 */
export async function seed(
  app: FastifyInstance,
  n: Names,
  headers: Record<string, string> = {},
): Promise<Seeded> {
  const c = enc(n.consumer);
  ok('main branch', await call(app, 'PATCH', `/pacticipants/${c}`, { mainBranch: n.mainBranch }, headers));
  const [v1, v2] = n.versions;
  ok(
    'publish 1',
    await call(
      app,
      'POST',
      '/contracts/publish',
      publishBody(n.consumer, n.provider, v1, { branch: n.mainBranch, tags: [n.tag] }),
      headers,
    ),
  );
  // Webhooks, before the second publication and the verification trigger them: one by consumer name and
  // provider label, one by both names.
  const p = enc(n.provider);
  ok('label', await call(app, 'PUT', `/pacticipants/${p}/labels/team`, undefined, headers));
  const closed = await freePort();
  const request = {
    method: 'POST',
    url: `http://127.0.0.1:${closed}/hook`,
    headers: { Authorization: 'Bearer x' },
  };
  const events = [{ name: 'contract_published' }, { name: 'provider_verification_published' }];
  const hook = ok(
    'webhook',
    await call(
      app,
      'POST',
      '/webhooks',
      { consumer: { name: n.consumer }, provider: { label: 'team' }, events, request },
      headers,
    ),
  );
  ok(
    'pair webhook',
    await call(
      app,
      'POST',
      '/webhooks',
      { consumer: { name: n.consumer }, provider: { name: n.provider }, events, request },
      headers,
    ),
  );
  const webhook = (hook.json as { uuid: string }).uuid;
  ok(
    'publish 2',
    await call(
      app,
      'POST',
      '/contracts/publish',
      publishBody(n.consumer, n.provider, v2, { branch: n.branch, tags: [n.tag] }),
      headers,
    ),
  );
  const env = ok(
    'environment',
    await call(app, 'POST', '/environments', { name: n.environment, production: true }, headers),
  );
  const uuid = (env.json as { uuid: string }).uuid;
  ok(
    'deploy',
    await call(
      app,
      'POST',
      `/pacticipants/${c}/versions/${enc(v2)}/deployed-versions/environment/${uuid}`,
      { applicationInstance: n.tag },
      headers,
    ),
  );
  ok(
    'release',
    await call(
      app,
      'POST',
      `/pacticipants/${c}/versions/${enc(v2)}/released-versions/environment/${uuid}`,
      undefined,
      headers,
    ),
  );
  ok(
    'provider branch',
    await call(
      app,
      'PUT',
      `/pacticipants/${p}/branches/${enc(n.providerBranch)}/versions/${enc(n.providerVersion)}`,
      undefined,
      headers,
    ),
  );
  ok(
    'provider tag',
    await call(
      app,
      'PUT',
      `/pacticipants/${p}/versions/${enc(n.providerVersion)}/tags/${enc(n.tag)}`,
      undefined,
      headers,
    ),
  );
  ok(
    'provider contract',
    await call(
      app,
      'POST',
      `/provider-contracts/provider/${p}/publish`,
      {
        pacticipantVersionNumber: n.providerVersion,
        branch: n.providerBranch,
        contract: {
          content: Buffer.from('openapi: 3.0.3\ninfo: { title: t, version: "1" }\npaths: {}\n').toString(
            'base64',
          ),
          contentType: 'application/yaml',
          specification: 'oas',
        },
      },
      headers,
    ),
  );
  const fv = ok(
    'for-verification',
    await call(
      app,
      'POST',
      `/pacts/provider/${p}/for-verification`,
      {
        consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }],
        providerVersionBranch: n.providerBranch,
        includePendingStatus: true,
      },
      headers,
    ),
  );
  const pacts = (fv.json as { _embedded: { pacts: Array<{ _links: { self: { href: string } } }> } })._embedded
    .pacts;
  if (pacts.length !== 1) throw new Error(`for-verification: expected one pact, got ${fv.text}`);
  const pactHref = pacts[0]?._links.self.href ?? '';
  const got = ok('pact by link', await call(app, 'GET', new URL(pactHref).pathname, undefined, headers));
  const publishResult =
    (got.json as { _links: Record<string, { href: string }> })._links['pb:publish-verification-results']
      ?.href ?? '';
  const result = ok(
    'verification result',
    await call(
      app,
      'POST',
      new URL(publishResult).pathname,
      { success: true, providerApplicationVersion: n.providerVersion, buildUrl: 'https://ci.example.com/1' },
      headers,
    ),
  );
  const resultHref = (result.json as { _links: { self: { href: string } } })._links.self.href;
  // The deliveries (to a closed port) are made and logged before anything else looks at the database.
  await app.treatyWebhooks.settled();
  return { environment: uuid, webhook, forVerification: fv.json, pactHref, resultHref };
}
