import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { parseMatrixQuery } from './matrix.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

const pact = (consumer: string, provider: string, field: string) =>
  JSON.stringify({
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description: `needs ${field}`,
        request: { method: 'GET', path: '/' },
        response: { status: 200, body: { [field]: 1 } },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  });

interface MatrixBody {
  summary: {
    deployable: boolean | null;
    reason: string;
    success: number;
    failed: number;
    unknown: number;
    ignored?: number;
  };
  notices: Array<{ type: string; text: string }>;
  matrix: Array<{
    consumer: { name: string; version: { number: string } };
    provider: { name: string; version: { number: string } | null };
    verificationResult: { success: boolean } | null;
    ignored?: true;
  }>;
}

let app: FastifyInstance;
let url: string;
let store: SqliteStore;

async function get(
  path: string,
): Promise<{ status: number; body: MatrixBody & { code?: string; message?: string } }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: (await res.json()) as MatrixBody & { code?: string; message?: string } };
}
const pairs = (b: MatrixBody) =>
  b.matrix.map(
    (r) =>
      `${r.consumer.name}@${r.consumer.version.number}->${r.provider.name}@${r.provider.version?.number ?? '-'}:` +
      `${r.verificationResult === null ? '?' : r.verificationResult.success ? 'ok' : 'fail'}${r.ignored ? ':ignored' : ''}`,
  );

async function verify(
  consumer: string,
  consumerVersion: string,
  provider: string,
  providerVersion: string,
  success: boolean,
) {
  const p =
    (await store.getPact(consumer, consumerVersion, provider)) ??
    expect.unreachable(`no pact ${consumer} ${consumerVersion}`);
  await store.ensureVersion(provider, providerVersion, { branch: 'main' });
  await store.recordVerification({ consumer, provider, providerVersion, sha: p.sha, success });
}

beforeAll(async () => {
  store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-matrix-')), 'b.sqlite'));
  // web 1 needs orders and payments; web 2 needs orders (a new field) and payments; mobile 1 needs orders.
  await store.publishPact({
    consumer: 'web',
    consumerVersion: '1',
    provider: 'orders',
    content: pact('web', 'orders', 'id'),
    branch: 'main',
  });
  await store.publishPact({
    consumer: 'web',
    consumerVersion: '1',
    provider: 'payments',
    content: pact('web', 'payments', 'amount'),
    branch: 'main',
  });
  await store.publishPact({
    consumer: 'web',
    consumerVersion: '2',
    provider: 'orders',
    content: pact('web', 'orders', 'total'),
    branch: 'feat',
  });
  await store.publishPact({
    consumer: 'web',
    consumerVersion: '2',
    provider: 'payments',
    content: pact('web', 'payments', 'amount'),
    branch: 'feat',
  });
  await store.publishPact({
    consumer: 'mobile',
    consumerVersion: '1',
    provider: 'orders',
    content: pact('mobile', 'orders', 'id'),
    branch: 'main',
  });
  await verify('web', '1', 'orders', 'o1', true);
  await verify('web', '1', 'orders', 'o2', true);
  await verify('web', '2', 'orders', 'o2', false);
  await verify('web', '2', 'orders', 'o3', true);
  await verify('web', '1', 'payments', 'p1', true);
  await verify('mobile', '1', 'orders', 'o2', true);
  const prod = await store.createEnvironment({ name: 'production', production: true });
  await store.createEnvironment({ name: 'staging', production: false });
  // Two instances of orders run in production: o2 and o3. mobile 1 and web 1 are there too.
  await store.recordDeployment({
    pacticipant: 'orders',
    version: 'o2',
    environmentUuid: prod.uuid,
    applicationInstance: 'blue',
  });
  await store.recordDeployment({
    pacticipant: 'orders',
    version: 'o3',
    environmentUuid: prod.uuid,
    applicationInstance: 'green',
  });
  await store.recordDeployment({ pacticipant: 'payments', version: 'p1', environmentUuid: prod.uuid });
  await store.recordDeployment({ pacticipant: 'mobile', version: '1', environmentUuid: prod.uuid });
  app = await buildApp({ store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('parseMatrixQuery', () => {
  it('groups q[] and ignore[] entries Rack-style and keeps options and success[] filters', () => {
    const q = parseMatrixQuery(
      'q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B&q[][latest]=true&ignore[]=C&ignore[][pacticipant]=D&ignore[][version]=9&latestby=cvpv&success[]=true&success[]=',
    );
    expect(q.selectors).toEqual([
      { pacticipant: 'A', version: '1' },
      { pacticipant: 'B', latest: 'true' },
    ]);
    expect(q.ignore).toEqual([{ pacticipant: 'C' }, { pacticipant: 'D', version: '9' }]);
    expect(q.options).toEqual({ latestby: 'cvpv' });
    expect(q.success).toEqual(['true', '']);
    expect(parseMatrixQuery('q[]pacticipant=A&q[]version=1').selectors).toEqual([
      { pacticipant: 'A', version: '1' },
    ]);
  });
});

describe('GET /matrix over HTTP', () => {
  it('with two selectors and no target, checks only the pairs between them (yes, no, unknown)', async () => {
    const yes = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=1&q[][pacticipant]=orders&q[][version]=o1&latestby=cvpv',
    );
    expect(yes.body.summary).toMatchObject({ deployable: true, success: 1, failed: 0, unknown: 0 });
    expect(pairs(yes.body)).toEqual(['web@1->orders@o1:ok']);
    const no = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=2&q[][pacticipant]=orders&q[][version]=o2&latestby=cvpv',
    );
    expect(no.body.summary.deployable).toBe(false);
    expect(no.body.summary.reason).toContain('orders o2 failed to verify the pact of web 2');
    const unknown = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=2&q[][pacticipant]=orders&q[][version]=o1&latestby=cvpv',
    );
    expect(unknown.body.summary.deployable).toBeNull();
    expect(unknown.body.summary.reason).toContain(
      'orders o1 has not verified the pact of web 2. Run: npx --no treaty verify --provider orders',
    );
  });

  it('a branch selector without latest means every version on the branch', async () => {
    const r = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=1&q[][pacticipant]=orders&q[][branch]=main&latestby=cvpv',
    );
    expect(pairs(r.body).sort()).toEqual([
      'web@1->orders@o1:ok',
      'web@1->orders@o2:ok',
      'web@1->orders@o3:?',
    ]);
    expect(r.body.summary.deployable).toBeNull();
  });

  it('to an environment: every running version of a provider must have verified (Treaty is stricter than the Pact Broker here)', async () => {
    // orders o2 (blue) failed web 2; o3 (green) passed it.
    const web2 = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=2&latestby=cvpv&environment=production',
    );
    expect(pairs(web2.body).sort()).toEqual([
      'web@2->orders@o2:fail',
      'web@2->orders@o3:ok',
      'web@2->payments@p1:ok',
    ]);
    expect(web2.body.summary).toMatchObject({ deployable: false, success: 2, failed: 1, unknown: 0 });
    // web 1 was verified by o2 but never by o3: the Pact Broker's left join would say yes.
    const web1 = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=production',
    );
    expect(web1.body.summary.deployable).toBeNull();
    expect(web1.body.summary.reason).toContain(
      'orders o3 (currently in production) has not verified the pact of web 1',
    );
  });

  it('a provider going to an environment is checked against the consumers there, and needs none that are absent', async () => {
    const o2 = await get(
      '/matrix?q[][pacticipant]=orders&q[][version]=o2&latestby=cvpv&environment=production',
    );
    expect(pairs(o2.body)).toEqual(['mobile@1->orders@o2:ok']);
    expect(o2.body.summary.deployable).toBe(true);
    const staging = await get(
      '/matrix?q[][pacticipant]=orders&q[][version]=o1&latestby=cvpv&environment=staging',
    );
    expect(staging.body.summary).toMatchObject({ deployable: true, success: 0 });
    expect(staging.body.summary.reason).toContain('no missing dependencies');
    const consumer = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=staging',
    );
    expect(consumer.body.summary.deployable).toBeNull();
    expect(consumer.body.summary.reason).toContain(
      'web 1 needs orders, but no version of orders is currently deployed or released in staging. Deploy orders there',
    );
  });

  it('ignores a pacticipant: its rows come last, marked, and counted apart', async () => {
    const r = await get('/can-i-deploy?pacticipant=web&version=2&environment=production&ignore[]=orders');
    expect(r.body.summary).toMatchObject({ deployable: true, success: 1, failed: 0, ignored: 2 });
    expect(pairs(r.body)).toEqual([
      'web@2->payments@p1:ok',
      'web@2->orders@o3:ok:ignored',
      'web@2->orders@o2:fail:ignored',
    ]);
    const one = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=2&latestby=cvpv&environment=production&ignore[][pacticipant]=orders&ignore[][version]=o2',
    );
    expect(one.body.summary).toMatchObject({ deployable: true, ignored: 1 });
    const nobody = await get(
      '/matrix?q[][pacticipant]=web&q[][version]=1&latestby=cvpv&environment=production&ignore[]=ghost',
    );
    expect(nobody.body.notices[0]).toEqual({
      type: 'warning',
      text: 'Ignoring ghost changes nothing: there is no pacticipant with that name.',
    });
  });

  it('with latest=true compares with the latest version of each integration, and warns that no target was named', async () => {
    const r = await get('/matrix?q[][pacticipant]=web&q[][version]=2&latestby=cvp&latest=true');
    expect(pairs(r.body).sort()).toEqual(['web@2->orders@o3:ok', 'web@2->payments@p1:ok']);
    expect(r.body.summary.deployable).toBe(true);
    expect(r.body.notices[0]?.type).toBe('warning');
  });

  it('latestby reduces the rows of one selector without a target: none keeps every provider version, cvp the newest', async () => {
    const all = await get('/matrix?q[][pacticipant]=web&q[][version]=1');
    expect(pairs(all.body).sort()).toEqual([
      'web@1->orders@o1:ok',
      'web@1->orders@o2:ok',
      'web@1->payments@p1:ok',
    ]);
    const cvp = await get('/matrix?q[][pacticipant]=web&q[][version]=1&latestby=cvp');
    expect(pairs(cvp.body).sort()).toEqual(['web@1->orders@o2:ok', 'web@1->payments@p1:ok']);
    const failedOnly = await get('/matrix?q[][pacticipant]=web&q[][version]=2&success[]=false');
    expect(pairs(failedOnly.body)).toEqual(['web@2->orders@o2:fail']);
  });

  it('one provider version as the only selector: a row for each pact it verified, of every consumer', async () => {
    const r = await get('/matrix?q[][pacticipant]=orders&q[][version]=o2');
    expect(pairs(r.body).sort()).toEqual([
      'mobile@1->orders@o2:ok',
      'web@1->orders@o2:ok',
      'web@2->orders@o2:fail',
    ]);
  });

  it('a version that does not exist is a no, with the reason', async () => {
    const r = await get('/matrix?q[][pacticipant]=web&q[][version]=99&latestby=cvpv&environment=production');
    expect(r.status).toBe(200);
    expect(r.body.summary.deployable).toBe(false);
    expect(r.body.summary.reason).toContain('does not exist: there is no version 99 of web. Publish it');
    const tag = await get(
      '/matrix?q[][pacticipant]=web&q[][latest]=true&q[][tag]=prod&latestby=cvpv&environment=production',
    );
    expect(tag.body.summary.reason).toContain('web has no version with tag prod');
  });

  it.each([
    ['', 'at least one selector'],
    ['q[][version]=1', 'needs a pacticipant'],
    ['q[][pacticipant]=ghost&q[][version]=1', "no pacticipant named 'ghost'"],
    ['q[][pacticipant]=web&q[][version]=1&q[][latest]=true', 'not both'],
    ['q[][pacticipant]=web&q[][version]=1&environment=moon', "no environment named 'moon'"],
    ['q[][pacticipant]=web&q[][version]=1&environment=production&latest=true', 'cannot be combined'],
    ['q[][pacticipant]=web&q[][version]=1&environment=production&tag=x', 'at most one'],
    ['q[][pacticipant]=web&q[][version]=1&latestby=newest', 'latestby must be'],
    ['q[][pacticipant]=web&q[][version]=1&limit=0', 'limit must be'],
    ['q[][pacticipant]=web&q[][colour]=red', "Unknown selector key 'colour'"],
    ['q[][pacticipant]=web&q[][latest]=yes', 'q[][latest] must be true or false'],
  ])('refuses a broken query (%s) with 400 and the code', async (query, message) => {
    const r = await get(`/matrix?${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      statusCode: 400,
      code: 'TREATY_BROKER_BAD_REQUEST',
      error: 'Bad Request',
    });
    expect(r.body.message).toContain(message);
  });
});
