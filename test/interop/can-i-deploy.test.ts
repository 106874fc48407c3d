import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPactTool } from '../support/pact-tools.js';
import { startBroker, type RunningBroker } from '@treaty/broker';

// The release gate, asked with the real `pact-broker can-i-deploy` against a Treaty broker: no while
// the deployed provider has not verified the consumer's pact (or failed it), yes once it has.

const run = (args: string[]) => runPactTool('pact-broker', args);

let broker: RunningBroker;
let sha = '';

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${broker.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    database: join(mkdtempSync(join(tmpdir(), 'treaty-cid-')), 'broker.sqlite'),
  });
  const pact = {
    consumer: { name: 'gate-web' },
    provider: { name: 'gate-orders' },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description: 'x',
        request: { method: 'GET', path: '/' },
        response: { status: 200 },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  };
  const published = await api('PUT', '/pacts/provider/gate-orders/consumer/gate-web/version/web-1', pact);
  sha =
    /pact-version\/([0-9a-f]{64})/.exec(
      (published._links as Record<string, { href: string }>)['pb:pact-version']?.href ?? '',
    )?.[1] ?? '';
  await api('PUT', '/pacticipants/gate-orders/branches/main/versions/orders-1', {});
  await api('PUT', '/pacticipants/gate-orders/branches/main/versions/orders-2', {});
  const env = await api('POST', '/environments', { name: 'production', production: true });
  await api(
    'POST',
    `/pacticipants/gate-orders/versions/orders-1/deployed-versions/environment/${String(env.uuid)}`,
    {},
  );
});

afterAll(async () => {
  await broker.close();
});

const ask = () =>
  run([
    'can-i-deploy',
    '--pacticipant',
    'gate-web',
    '--version',
    'web-1',
    '--to-environment',
    'production',
    '--broker-base-url',
    broker.url,
  ]);

describe('pact-broker can-i-deploy against a Treaty broker', () => {
  it('says no (exit 1) while the deployed provider has not verified the pact', async () => {
    const { code, output } = await ask();
    expect(code, output).toBe(1);
    expect(output).toContain('gate-orders orders-1');
  }, 60_000);

  it('says no (exit 1) when the deployed provider failed the pact', async () => {
    await api(
      'POST',
      `/pacts/provider/gate-orders/consumer/gate-web/pact-version/${sha}/verification-results`,
      { success: false, providerApplicationVersion: 'orders-1' },
    );
    const { code, output } = await ask();
    expect(code, output).toBe(1);
    expect(output).toMatch(/failed to verify/);
  }, 60_000);

  it('says yes (exit 0) once the deployed provider version has verified it successfully', async () => {
    await api(
      'POST',
      `/pacts/provider/gate-orders/consumer/gate-web/pact-version/${sha}/verification-results`,
      { success: true, providerApplicationVersion: 'orders-1' },
    );
    const { code, output } = await ask();
    expect(code, output).toBe(0);
  }, 60_000);

  it('checks every deployed provider version, not only the newest: one unverified instance makes it no', async () => {
    const envs = await api('GET', '/environments?name=production');
    const uuid = (
      (envs._embedded as { environments: Array<{ uuid: string }> }).environments[0] as { uuid: string }
    ).uuid;
    await api('POST', `/pacticipants/gate-orders/versions/orders-2/deployed-versions/environment/${uuid}`, {
      applicationInstance: 'canary',
    });
    const { code, output } = await ask();
    expect(code, output).toBe(1);
    expect(output).toContain('orders-2');
  }, 60_000);
});

describe.each(['pact-broker', 'treaty'] as const)(
  '%s can-i-deploy with several pacticipants and ignores, against a Treaty broker',
  (tool) => {
    const b = () => ['--broker-base-url', broker.url];
    it('checks the pair between two given versions: yes for a verified pair, no for an unverified one', async () => {
      const yes = await runPactTool(tool, [
        'can-i-deploy',
        '--pacticipant',
        'gate-web',
        '--version',
        'web-1',
        '--pacticipant',
        'gate-orders',
        '--version',
        'orders-1',
        ...b(),
      ]);
      expect(yes.code, yes.output).toBe(0);
      const no = await runPactTool(tool, [
        'can-i-deploy',
        '--pacticipant',
        'gate-web',
        '--version',
        'web-1',
        '--pacticipant',
        'gate-orders',
        '--version',
        'orders-2',
        ...b(),
      ]);
      expect(no.code, no.output).toBe(1);
      expect(no.output).toContain('orders-2');
    }, 60_000);

    it('--ignore leaves the unverified provider out, so the answer turns to yes', async () => {
      const ignored = await runPactTool(tool, [
        'can-i-deploy',
        '--pacticipant',
        'gate-web',
        '--version',
        'web-1',
        '--to-environment',
        'production',
        '--ignore',
        'gate-orders',
        ...b(),
      ]);
      expect(ignored.code, ignored.output).toBe(0);
      const oneVersion = await runPactTool(tool, [
        'can-i-deploy',
        '--pacticipant',
        'gate-web',
        '--version',
        'web-1',
        '--to-environment',
        'production',
        '--ignore',
        'gate-orders',
        '--version',
        'orders-2',
        ...b(),
      ]);
      expect(oneVersion.code, oneVersion.output).toBe(0);
    }, 60_000);

    it('--latest with no target compares with the latest provider version (orders-2, unverified: no)', async () => {
      const r = await runPactTool(tool, ['can-i-deploy', '--pacticipant', 'gate-web', '--latest', ...b()]);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toContain('orders-2');
    }, 60_000);
  },
);
