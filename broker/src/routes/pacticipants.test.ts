import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

let app: FastifyInstance;
let url: string;
let store: SqliteStore;

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const interaction = (description: string, state: string | undefined, status: number) => ({
  type: 'Synchronous/HTTP',
  description,
  ...(state === undefined ? {} : { providerStates: [{ name: state }] }),
  request: { method: 'GET', path: `/${description}` },
  response: { status },
});
const pact = (...interactions: unknown[]) => ({
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions,
  metadata: { pactSpecification: { version: '4.0' } },
});

beforeAll(async () => {
  store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-pacticipants-')), 'b.sqlite'));
  for (let i = 1; i <= 5; i++)
    await store.ensureVersion('web', `${i}.0.0`, {
      branch: i % 2 === 0 ? 'main' : 'feat',
      tags: i === 2 ? ['prod'] : [],
    });
  app = await buildApp({ store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('pacticipant and version resources over HTTP', () => {
  it('lists versions newest first in pages, with next and previous links', async () => {
    const first = await call('GET', '/pacticipants/web/versions?pageSize=2');
    const numbers = (r: { body: Record<string, unknown> }) =>
      (r.body._embedded as { versions: Array<{ number: string }> }).versions.map((v) => v.number);
    expect(numbers(first)).toEqual(['5.0.0', '4.0.0']);
    expect(first.body.page).toEqual({ number: 1, size: 2, totalElements: 5, totalPages: 3 });
    const next = (first.body._links as { next: { href: string } }).next.href;
    expect(numbers(await call('GET', next.slice(url.length)))).toEqual(['3.0.0', '2.0.0']);
    expect((await call('GET', '/pacticipants/web/versions?pageSize=0')).status).toBe(400);
    expect((await call('GET', '/pacticipants/nobody/versions')).body).toMatchObject({
      statusCode: 404,
      code: 'TREATY_BROKER_NOT_FOUND',
    });
  });

  it('answers the latest version, the latest with a tag and the head of a branch', async () => {
    expect((await call('GET', '/pacticipants/web/latest-version')).body.number).toBe('5.0.0');
    expect((await call('GET', '/pacticipants/web/latest-version/prod')).body.number).toBe('2.0.0');
    expect((await call('GET', '/pacticipants/web/branches/main/latest-version')).body.number).toBe('4.0.0');
    const missing = await call('GET', '/pacticipants/web/latest-version/nope');
    expect(missing).toMatchObject({
      status: 404,
      body: { code: 'TREATY_BROKER_NOT_FOUND', message: "No version of 'web' has the tag 'nope'." },
    });
  });

  it('lists branches with their heads, the versions on one branch and with one tag, and a tag resource', async () => {
    const branches = (await call('GET', '/pacticipants/web/branches')).body._embedded as {
      branches: Array<{ name: string; latestVersion: string }>;
    };
    expect(branches.branches.map((b) => [b.name, b.latestVersion])).toEqual([
      ['feat', '5.0.0'],
      ['main', '4.0.0'],
    ]);
    const onMain = (await call('GET', '/pacticipants/web/branches/main/versions')).body._embedded as {
      versions: Array<{ number: string }>;
    };
    expect(onMain.versions.map((v) => v.number)).toEqual(['4.0.0', '2.0.0']);
    const tagged = (await call('GET', '/pacticipants/web/tags/prod/versions')).body._embedded as {
      versions: Array<{ number: string }>;
    };
    expect(tagged.versions.map((v) => v.number)).toEqual(['2.0.0']);
    expect((await call('GET', '/pacticipants/web/versions/2.0.0/tags/prod')).body.name).toBe('prod');
    expect((await call('GET', '/pacticipants/web/versions/3.0.0/tags/prod')).status).toBe(404);
    expect((await call('GET', '/pacticipants/web/branches/nope')).status).toBe(404);
  });

  it('creates with POST (409 when it exists), merge-updates with PATCH (creating when missing), and checks fields', async () => {
    const created = await call('POST', '/pacticipants', {
      name: 'billing',
      repositoryUrl: 'https://git.example/billing',
    });
    expect(created).toMatchObject({
      status: 201,
      body: { name: 'billing', displayName: 'Billing', repositoryUrl: 'https://git.example/billing' },
    });
    expect((await call('POST', '/pacticipants', { name: 'billing' })).body).toMatchObject({
      statusCode: 409,
      code: 'TREATY_BROKER_CONFLICT',
    });
    const patched = await call('PATCH', '/pacticipants/billing', { mainBranch: 'trunk' });
    expect(patched).toMatchObject({
      status: 200,
      body: { mainBranch: 'trunk', repositoryUrl: 'https://git.example/billing' },
    });
    expect((await call('PATCH', '/pacticipants/fresh', { displayName: 'Fresh One' })).status).toBe(201);
    expect((await call('PATCH', '/pacticipants/billing', { mainBranch: 'has space' })).body).toMatchObject({
      statusCode: 400,
      message: "mainBranch must not contain spaces ('has space').",
    });
    expect((await call('PATCH', '/pacticipants/billing', { name: 'other' })).status).toBe(400);
    expect((await call('POST', '/pacticipants', {})).body).toMatchObject({
      statusCode: 400,
      message: 'name is required.',
    });
    expect((await call('POST', '/pacticipants', ['x'])).status).toBe(400);
  });
});

describe('PATCH a pact: merging interactions', () => {
  const path = '/pacts/provider/orders/consumer/web/version/7.0.0';
  it('creates the pact when missing, appends new interactions, keeps identical ones once', async () => {
    expect((await call('PATCH', path, pact(interaction('a', undefined, 200)))).status).toBe(201);
    const merged = await call(
      'PATCH',
      path,
      pact(interaction('b', 'has b', 200), interaction('a', undefined, 200)),
    );
    expect(merged.status).toBe(200);
    expect((merged.body.interactions as Array<{ description: string }>).map((i) => i.description)).toEqual([
      'a',
      'b',
    ]);
    // The same description under another provider state is another interaction.
    const other = await call('PATCH', path, pact(interaction('a', 'other state', 200)));
    expect((other.body.interactions as unknown[]).length).toBe(3);
  });

  it('refuses to change a published interaction (409) unless allowOverwrite, and nothing is half-written', async () => {
    const before = (await store.getPact('web', '7.0.0', 'orders'))?.sha;
    const refused = await call(
      'PATCH',
      path,
      pact(interaction('c', undefined, 200), interaction('a', undefined, 500)),
    );
    expect(refused.body).toMatchObject({ statusCode: 409, code: 'TREATY_BROKER_PACT_CONFLICT' });
    expect((await store.getPact('web', '7.0.0', 'orders'))?.sha).toBe(before);
    const allowed = await call(
      'PATCH',
      `${path}?allowOverwrite=true`,
      pact(interaction('a', undefined, 500)),
    );
    expect(allowed.status).toBe(200);
    const a = (
      allowed.body.interactions as Array<{
        description: string;
        providerStates?: unknown;
        response: { status: number };
      }>
    ).find((i) => i.description === 'a' && i.providerStates === undefined);
    expect(a?.response.status).toBe(500);
  });

  it('refuses a body that is not a pact between the pacticipants in the URL', async () => {
    expect((await call('PATCH', path, { hello: 'world' })).status).toBe(400);
    expect((await call('PATCH', path, { ...pact(), consumer: { name: 'mobile' } })).body).toMatchObject({
      statusCode: 400,
      code: 'TREATY_BROKER_BAD_REQUEST',
    });
  });
});

describe('latest pacts by tag and by branch', () => {
  it('answers the newest pact whose consumer version carries the tag or is on the branch, with its version in a header', async () => {
    const body = (n: string) => pact(interaction(`v${n}`, undefined, 200));
    for (const [v, branch, tags] of [
      ['10', 'main', ['prod']],
      ['11', 'feat', []],
      ['12', 'main', []],
    ] as const) {
      await store.publishPact({
        consumer: 'web',
        consumerVersion: v,
        provider: 'orders',
        content: JSON.stringify(body(v)),
        branch,
        tags: [...tags],
      });
    }
    const byTag = await fetch(`${url}/pacts/provider/orders/consumer/web/latest/prod`);
    expect(byTag.headers.get('x-pact-consumer-version')).toBe('10');
    const byBranch = await fetch(`${url}/pacts/provider/orders/consumer/web/branch/feat/latest`);
    expect(
      ((await byBranch.json()) as { interactions: Array<{ description: string }> }).interactions[0]
        ?.description,
    ).toBe('v11');
    expect(
      (await call('GET', '/pacts/provider/orders/consumer/web/branch/main/latest')).body.interactions,
    ).toMatchObject([{ description: 'v12' }]);
    expect((await call('GET', '/pacts/provider/orders/consumer/web/latest/nope')).body).toMatchObject({
      statusCode: 404,
      code: 'TREATY_BROKER_NOT_FOUND',
    });
  });
});
