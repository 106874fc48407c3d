import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@treaty/core';
import type { AuthOptions } from '@treaty/broker';
import {
  call,
  openBroker,
  pact,
  publishBody,
  routesOf,
  seed,
  type Answer,
  type Names,
  type Seeded,
  type TestBroker,
} from './broker-support.js';
import {
  hostileBodies,
  hostileContentTypes,
  hostileNumbers,
  hostileSegments,
  hostileStrings,
} from './broker-corpus.js';

// Every route of the broker (enumerated from the app, so a new one is covered), with every method it
// takes, against a corpus of hostile input: each answer is a 4xx in the shape { statusCode, code, error,
// message } with one of Treaty's codes, never a 5xx, and the SQLite file is unchanged (row counts and a
// hash of every table's content) after each request. Run with credentials off and on.

const READ_WRITE = 'rw-token-for-hostile-tests';
const READ_ONLY = 'ro-token-for-hostile-tests';
const auth: AuthOptions = { readWrite: [{ token: READ_WRITE }], readOnly: [{ token: READ_ONLY }] };

const names: Names = {
  consumer: 'hostile-web',
  provider: 'hostile-orders',
  versions: ['1111111111111111111111111111111111111111', '2222222222222222222222222222222222222222'],
  mainBranch: 'main',
  branch: 'release',
  tag: 'prod',
  environment: 'production',
  providerVersion: '3333333333333333333333333333333333333333',
  providerBranch: 'main',
};

/**
 * Routes whose body is optional or not read (adding a tag, recording a release, asking what to verify,
 * reading a deployment): for them a hostile body may be answered 2xx, but must change nothing.
 */
const BODY_OPTIONAL = new Set([
  'PUT /pacticipants/:name/versions/:version/tags/:tag',
  'PUT /pacticipants/:name/branches/:branch/versions/:version',
  'POST /pacticipants/:name/versions/:version/released-versions/environment/:uuid',
  'POST /pacticipants/:name/versions/:version/deployed-versions/environment/:uuid',
  'PATCH /deployed-versions/:uuid',
  'PATCH /released-versions/:uuid',
  'PATCH /pacticipants/:name',
  'POST /pacts/provider/:provider/for-verification',
]);

const codes = new Set(Object.keys(ERROR_CODES));

/** Percent-encodes as a careless client would: a lone surrogate as the three bytes of its code unit. */
function wireEncode(value: string): string {
  return value
    .replace(/[\ud800-\udfff]/g, (u) => {
      const cu = u.charCodeAt(0);
      return [0xe0 | (cu >> 12), 0x80 | ((cu >> 6) & 0x3f), 0x80 | (cu & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    })
    .replace(/[^\ud800-\udfff%]+/g, (ok) => encodeURIComponent(ok));
}

describe.each([
  ['credentials off', undefined],
  ['credentials on', auth],
] as const)('the broker under hostile input, %s', (_title, credentials) => {
  let broker: TestBroker;
  let seeded: Seeded;
  let routes: Array<{ method: string; url: string }>;
  const headers: Record<string, string> =
    credentials === undefined ? {} : { authorization: `Bearer ${READ_WRITE}` };
  /** A valid value for each path parameter, so that one hostile parameter is the only fault. */
  const valid: Record<string, string> = {};

  beforeAll(async () => {
    broker = await openBroker(credentials);
    seeded = await seed(broker.app, names, headers);
    // The second version is also deployed without an instance: a deployment without a body changes nothing.
    const [, v2] = names.versions;
    const deploy = await call(
      broker.app,
      'POST',
      `/pacticipants/${names.consumer}/versions/${v2}/deployed-versions/environment/${seeded.environment}`,
      {},
      headers,
    );
    expect(deploy.status).toBe(201);
    const deployment = (deploy.json as { uuid: string }).uuid;
    const releases = await call(
      broker.app,
      'GET',
      `/environments/${seeded.environment}/released-versions/currently-supported`,
      undefined,
      headers,
    );
    const release = (releases.json as { _embedded: { releasedVersions: Array<{ uuid: string }> } })._embedded
      .releasedVersions[0]?.uuid;
    const pactPath = new URL(seeded.pactHref).pathname;
    Object.assign(valid, {
      name: names.consumer,
      provider: names.provider,
      consumer: names.consumer,
      version: v2,
      branch: names.branch,
      tag: names.tag,
      sha: /pact-version\/([0-9a-f]+)/.exec(pactPath)?.[1] ?? '',
      token: /metadata\/([^/]+)/.exec(pactPath)?.[1] ?? '',
      id: /verification-results\/(\d+)/.exec(seeded.resultHref)?.[1] ?? '',
      // A uuid route takes the environment's, a deployment's or a release's; each is checked by its route.
      uuid: seeded.environment,
      deployment,
      release: release ?? '',
    });
    routes = routesOf(broker.app);
  });
  afterAll(async () => broker.close());

  /** The URL of a route with `hostile` at one parameter (raw) and valid values at the others. */
  const urlOf = (route: string, hostileAt?: string, hostile = ''): string =>
    route.replace(/:(\w+)/g, (_m, key: string) => {
      if (key === hostileAt) return hostile;
      const value =
        key === 'uuid' && route.startsWith('/deployed-versions')
          ? valid.deployment
          : key === 'uuid' && route.startsWith('/released-versions')
            ? valid.release
            : valid[key];
      return encodeURIComponent(value ?? '');
    });

  /** Sends one hostile request and returns what is wrong with the answer (nothing when it holds). */
  async function probe(
    what: string,
    method: string,
    url: string,
    options: { body?: string; contentType?: string; mayAccept?: boolean } = {},
  ): Promise<string[]> {
    const before = broker.snapshot();
    const res = await broker.raw(
      method,
      url,
      {
        accept: 'application/hal+json',
        ...headers,
        ...(options.body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
      },
      options.body,
    );
    const after = broker.snapshot();
    const problems: string[] = [];
    const where = `${what}: ${method} ${url.slice(0, 140)}`;
    if (after !== before) problems.push(`${where} changed the database (answered ${res.status})`);
    if (res.status >= 500) problems.push(`${where} answered ${res.status}: ${res.text.slice(0, 200)}`);
    else if (res.status < 400 && options.mayAccept !== true)
      problems.push(`${where} was accepted with ${res.status}: ${res.text.slice(0, 200)}`);
    if (res.status >= 400) {
      let body: unknown;
      try {
        body = JSON.parse(res.text);
      } catch {
        body = res.text;
      }
      const b = body as { statusCode?: unknown; code?: unknown; error?: unknown; message?: unknown };
      if (
        b === null ||
        typeof b !== 'object' ||
        b.statusCode !== res.status ||
        typeof b.code !== 'string' ||
        !codes.has(b.code) ||
        typeof b.error !== 'string' ||
        typeof b.message !== 'string'
      )
        problems.push(`${where} answered ${res.status} without one of our codes: ${res.text.slice(0, 200)}`);
    }
    return problems;
  }

  it('enumerates the routes from the app', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContainEqual({ method: 'POST', url: '/contracts/publish' });
  });

  it('refuses every hostile path parameter of every route, for each method', async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const route of routes) {
      for (const param of [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '')) {
        for (const [what, segment] of hostileSegments) {
          const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}';
          problems.push(
            ...(await probe(`${param} ${what}`, route.method, urlOf(route.url, param, segment), {
              ...(body === undefined ? {} : { body }),
            })),
          );
          sent++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
  });

  it('refuses every hostile body on every route that takes one', async () => {
    const problems: string[] = [];
    for (const route of routes.filter((r) => r.method !== 'GET')) {
      const key = `${route.method} ${route.url}`;
      const mayAccept = BODY_OPTIONAL.has(key);
      for (const [what, body] of hostileBodies)
        problems.push(...(await probe(what, route.method, urlOf(route.url), { body, mayAccept })));
      for (const contentType of hostileContentTypes)
        problems.push(
          ...(await probe(`content type ${contentType}`, route.method, urlOf(route.url), {
            body: 'name=x&pacticipantName=x',
            contentType,
            mayAccept,
          })),
        );
    }
    expect(problems).toEqual([]);
  });

  it('answers an empty body on a route that needs one with a 4xx, and changes nothing on any route', async () => {
    const problems: string[] = [];
    for (const route of routes.filter((r) => r.method !== 'GET'))
      problems.push(
        ...(await probe('empty body', route.method, urlOf(route.url), {
          body: '',
          mayAccept: BODY_OPTIONAL.has(`${route.method} ${route.url}`),
        })),
      );
    expect(problems).toEqual([]);
  });

  it('refuses a body larger than the limit', async () => {
    const big = JSON.stringify({ pacticipantName: 'x'.repeat(11 * 1024 * 1024) });
    const problems = await probe('11 MiB body', 'POST', '/contracts/publish', { body: big });
    expect(problems).toEqual([]);
  });

  it('refuses hostile names in every field of a publish, before anything is written', async () => {
    const [v1] = names.versions;
    const good = publishBody(names.consumer, names.provider, v1, { branch: 'main', tags: ['prod'] });
    const problems: string[] = [];
    for (const [what, value] of hostileStrings) {
      const variants: Array<[string, unknown]> = [
        ['pacticipantName', publishBody(value, names.provider, 'new-1')],
        ['pacticipantVersionNumber', publishBody(names.consumer, names.provider, value)],
        ['branch', { ...good, pacticipantVersionNumber: 'new-2', branch: value }],
        ['tags', { ...good, pacticipantVersionNumber: 'new-3', tags: ['ok', value] }],
        [
          'providerName',
          publishBody(names.consumer, value, 'new-4', { content: pact(names.consumer, names.provider) }),
        ],
        [
          'pact provider name',
          publishBody(names.consumer, value, 'new-5', { content: pact(names.consumer, value) }),
        ],
      ];
      for (const [field, body] of variants)
        problems.push(
          ...(await probe(`${field} ${what}`, 'POST', '/contracts/publish', { body: JSON.stringify(body) })),
        );
      // The same names in the URL of a pact PUT, with a body that agrees with them.
      problems.push(
        ...(await probe(
          `PUT pact, consumer ${what}`,
          'PUT',
          `/pacts/provider/${encodeURIComponent(names.provider)}/consumer/${wireEncode(value)}/version/new-6`,
          { body: JSON.stringify(pact(value, names.provider)) },
        )),
      );
      for (const [field, path, body] of [
        ['environment name', '/environments', { name: value, production: false }],
        [
          'environment display name',
          '/environments',
          { name: 'staging', displayName: value, production: false },
        ],
        ['pacticipant name', '/pacticipants', { name: value }],
        ['main branch', '/pacticipants', { name: 'new-pacticipant', mainBranch: value }],
        [
          'provider version of a result',
          `/pacts/provider/${names.provider}/consumer/${names.consumer}/pact-version/${valid.sha}/verification-results`,
          { success: true, providerApplicationVersion: value },
        ],
        [
          'application instance',
          `/pacticipants/${names.consumer}/versions/${names.versions[0]}/deployed-versions/environment/${seeded.environment}`,
          { applicationInstance: value },
        ],
      ] as const) {
        if (value === '' && field === 'application instance') continue; // empty means none, as Pact clients send it
        if ((value === '.' || value === '..') && field === 'environment display name') continue; // text, not a link
        problems.push(...(await probe(`${field} ${what}`, 'POST', path, { body: JSON.stringify(body) })));
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses a pact with a regex no syntax accepts, at publish and at PUT', async () => {
    const bad = pact(names.consumer, names.provider) as {
      interactions: Array<{ response: { matchingRules: unknown } }>;
    };
    const interaction = bad.interactions[0];
    if (interaction === undefined) throw new Error('the pact has an interaction');
    interaction.response.matchingRules = {
      body: { '$.id': { combine: 'AND', matchers: [{ match: 'regex', regex: '(unclosed' }] } },
    };
    const publish = publishBody(names.consumer, names.provider, 'regex-1', { content: bad });
    expect(
      await probe('invalid regex', 'POST', '/contracts/publish', { body: JSON.stringify(publish) }),
    ).toEqual([]);
    const put = await call(
      broker.app,
      'PUT',
      `/pacts/provider/${names.provider}/consumer/${names.consumer}/version/regex-2`,
      bad,
      headers,
    );
    expect(put.json).toMatchObject({ statusCode: 400, code: 'TREATY_CONTRACT_INVALID_REGEX' });
  });

  it('refuses hostile numbers and names in query strings', async () => {
    const problems: string[] = [];
    const c = encodeURIComponent(names.consumer);
    for (const n of hostileNumbers.map(encodeURIComponent)) {
      problems.push(
        ...(await probe(`pageNumber ${n}`, 'GET', `/pacticipants/${c}/versions?pageNumber=${n}`)),
      );
      problems.push(...(await probe(`pageSize ${n}`, 'GET', `/pacticipants/${c}/versions?pageSize=${n}`)));
      problems.push(...(await probe(`matrix limit ${n}`, 'GET', `/matrix?q[][pacticipant]=${c}&limit=${n}`)));
    }
    problems.push(
      ...(await probe('pageSize above the largest', 'GET', `/pacticipants/${c}/versions?pageSize=100000`)),
    );
    problems.push(
      ...(await probe('pageNumber twice', 'GET', `/pacticipants/${c}/versions?pageNumber=1&pageNumber=2`)),
    );
    for (const [what, segment] of hostileSegments) {
      // Every route reads names in its query the same way (pacticipant, version, environment, tag…).
      for (const route of routes.filter((r) => r.method === 'GET'))
        problems.push(
          ...(await probe(`pacticipant=${what}`, 'GET', `${urlOf(route.url)}?pacticipant=${segment}`)),
        );
      problems.push(
        ...(await probe(`matrix q ${what}`, 'GET', `/matrix?q[][pacticipant]=${segment}&q[][version]=1`)),
      );
      problems.push(
        ...(await probe(
          `can-i-deploy ${what}`,
          'GET',
          `/can-i-deploy?pacticipant=${c}&version=${segment}&environment=production`,
        )),
      );
      problems.push(...(await probe(`environment ${what}`, 'GET', `/environments?name=${segment}`)));
    }
    expect(problems).toEqual([]);
  });

  it('refuses for-verification metadata it did not issue', async () => {
    const problems: string[] = [];
    const base = `/pacts/provider/${names.provider}/consumer/${names.consumer}/pact-version/${valid.sha}/metadata`;
    const forged = [
      Buffer.from('{"p":"yes"}').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('null').toString('base64url'),
      'not-base64!',
      'a'.repeat(1025),
    ];
    for (const token of forged) {
      problems.push(
        ...(await probe(`token ${token.slice(0, 20)}`, 'GET', `${base}/${encodeURIComponent(token)}`)),
      );
      problems.push(
        ...(await probe(
          `token ${token.slice(0, 20)}`,
          'POST',
          `${base}/${encodeURIComponent(token)}/verification-results`,
          {
            body: JSON.stringify({ success: true, providerApplicationVersion: 'forged' }),
          },
        )),
      );
    }
    expect(problems).toEqual([]);
  });

  it('answers a method a URL does not take with 405 and the methods it does', async () => {
    const a: Answer = await call(broker.app, 'DELETE', '/contracts/publish', undefined, headers);
    expect(a.status).toBe(405);
    expect(a.headers.allow).toBe('POST');
    expect(a.json).toMatchObject({ code: 'TREATY_BROKER_METHOD_NOT_ALLOWED' });
  });
});
