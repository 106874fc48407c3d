import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPactTool } from '../support/pact-tools.js';
import { openStore, startBroker, type RunningBroker } from '@treaty/broker';
import { brokerDatabases, usePostgres } from '../support/postgres.js';

// The real `pact-broker` CLI (@pact-foundation/pact-cli) against a running Treaty broker, on SQLite and
// again on PostgreSQL.

const postgres = usePostgres();

const run = (args: string[]) => runPactTool('pact-broker', args);

const pact = (provider: string, description: string) =>
  JSON.stringify({
    consumer: { name: 'cli-web' },
    provider: { name: provider },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description,
        request: { method: 'GET', path: '/' },
        response: { status: 200 },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  });

describe.each(brokerDatabases(postgres))(
  'the pact-broker CLI against a Treaty broker on $store',
  ({ database: fresh }) => {
    let broker: RunningBroker;
    let database: string;
    let pacts: string;

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'treaty-pact-broker-cli-'));
      database = await fresh();
      pacts = join(dir, 'pacts');
      mkdirSync(pacts);
      writeFileSync(join(pacts, 'cli-web-cli-orders.json'), pact('cli-orders', 'a'));
      writeFileSync(join(pacts, 'cli-web-cli-billing.json'), pact('cli-billing', 'b'));
      broker = await startBroker({ port: 0, host: '127.0.0.1', database });
    });

    afterAll(async () => {
      await broker.close();
    });

    describe('pact-broker publish against a Treaty broker', () => {
      it('publishes every pact of a folder with the version, branch and tags', async () => {
        const { code, output } = await run([
          'publish',
          pacts,
          '--consumer-app-version',
          '1.0.0',
          '--branch',
          'main',
          '--tag',
          'prod',
          '--broker-base-url',
          broker.url,
        ]);
        expect(code, output).toBe(0);
        const store = await openStore(database);
        // The CLI normalises the file before sending it (it adds defaults and its own metadata).
        const stored = async (provider: string) =>
          JSON.parse((await store.getPact('cli-web', '1.0.0', provider))?.content ?? 'null') as {
            provider: { name: string };
            interactions: Array<{ description: string }>;
          };
        expect(await stored('cli-orders')).toMatchObject({
          provider: { name: 'cli-orders' },
          interactions: [{ description: 'a' }],
        });
        expect(await stored('cli-billing')).toMatchObject({
          provider: { name: 'cli-billing' },
          interactions: [{ description: 'b' }],
        });
        expect(await store.getVersion('cli-web', '1.0.0')).toMatchObject({
          branches: ['main'],
          tags: ['prod'],
        });
        await store.close();
      }, 60_000);

      it('fails (non-zero) when changed content is published for the same version', async () => {
        writeFileSync(join(pacts, 'cli-web-cli-orders.json'), pact('cli-orders', 'changed'));
        const { code, output } = await run([
          'publish',
          pacts,
          '--consumer-app-version',
          '1.0.0',
          '--branch',
          'main',
          '--broker-base-url',
          broker.url,
        ]);
        expect(code).not.toBe(0);
        expect(output).toMatch(/different pact|409|conflict/i);
      }, 60_000);
    });

    describe('pact-broker environments, deployments and releases against a Treaty broker', () => {
      it('creates and lists environments', async () => {
        const created = await run([
          'create-environment',
          '--name',
          'production',
          '--display-name',
          'Production',
          '--production',
          '--broker-base-url',
          broker.url,
        ]);
        expect(created.code, created.output).toBe(0);
        expect(
          (await run(['create-environment', '--name', 'staging', '--broker-base-url', broker.url])).code,
        ).toBe(0);
        const listed = await run(['list-environments', '--broker-base-url', broker.url]);
        expect(listed.code, listed.output).toBe(0);
        expect(listed.output).toContain('production');
        expect(listed.output).toContain('staging');
      }, 60_000);

      it('records a deployment, a release and an undeployment', async () => {
        const deployed = await run([
          'record-deployment',
          '--pacticipant',
          'cli-web',
          '--version',
          '1.0.0',
          '--environment',
          'production',
          '--broker-base-url',
          broker.url,
        ]);
        expect(deployed.code, deployed.output).toBe(0);
        const released = await run([
          'record-release',
          '--pacticipant',
          'cli-web',
          '--version',
          '1.0.0',
          '--environment',
          'staging',
          '--broker-base-url',
          broker.url,
        ]);
        expect(released.code, released.output).toBe(0);
        const store = await openStore(database);
        const environments = await store.listEnvironments();
        const production = environments.find((e) => e.name === 'production');
        const staging = environments.find((e) => e.name === 'staging');
        expect(production?.production).toBe(true);
        expect(
          (await store.currentlyDeployed(production?.uuid ?? '')).map((d) => [d.pacticipant, d.version]),
        ).toEqual([['cli-web', '1.0.0']]);
        expect(
          (await store.currentlySupported(staging?.uuid ?? '')).map((r) => [r.pacticipant, r.version]),
        ).toEqual([['cli-web', '1.0.0']]);
        await store.close();
        const undeployed = await run([
          'record-undeployment',
          '--pacticipant',
          'cli-web',
          '--environment',
          'production',
          '--broker-base-url',
          broker.url,
        ]);
        expect(undeployed.code, undeployed.output).toBe(0);
        const again = await openStore(database);
        expect(await again.currentlyDeployed(production?.uuid ?? '')).toEqual([]);
        await again.close();
      }, 60_000);

      it('fails to record a deployment of a version that does not exist', async () => {
        const r = await run([
          'record-deployment',
          '--pacticipant',
          'cli-web',
          '--version',
          '9.9.9',
          '--environment',
          'production',
          '--broker-base-url',
          broker.url,
        ]);
        expect(r.code).not.toBe(0);
      }, 60_000);
    });

    describe('pact-broker version commands against a Treaty broker', () => {
      it('creates a version tag and describes the version', async () => {
        const tagged = await run([
          'create-version-tag',
          '--pacticipant',
          'cli-web',
          '--version',
          '1.0.0',
          '--tag',
          'golden',
          '--broker-base-url',
          broker.url,
        ]);
        expect(tagged.code, tagged.output).toBe(0);
        const described = await run([
          'describe-version',
          '--pacticipant',
          'cli-web',
          '--version',
          '1.0.0',
          '--broker-base-url',
          broker.url,
          '--output',
          'json',
        ]);
        expect(described.code, described.output).toBe(0);
        expect(described.output).toContain('golden');
      }, 60_000);
    });

    describe.each(['pact-broker', 'treaty'] as const)(
      '%s: latest versions and pacticipants against a Treaty broker',
      (tool) => {
        const b = () => ['--broker-base-url', broker.url];
        it('describes the latest version, and the latest with a tag', async () => {
          const pub = await runPactTool('pact-broker', [
            'publish',
            pacts,
            '--consumer-app-version',
            `2.0.0-${tool}`,
            '--branch',
            'feat',
            '--broker-base-url',
            broker.url,
          ]);
          expect(pub.code, pub.output).toBe(0);
          const latest = await runPactTool(tool, [
            'describe-version',
            '--pacticipant',
            'cli-web',
            '--output',
            'json',
            ...b(),
          ]);
          expect(latest.code, latest.output).toBe(0);
          expect(latest.output).toContain(`2.0.0-${tool}`);
          const tagged = await runPactTool(tool, [
            'describe-version',
            '--pacticipant',
            'cli-web',
            '--latest',
            'golden',
            '--output',
            'json',
            ...b(),
          ]);
          expect(tagged.code, tagged.output).toBe(0);
          expect(tagged.output).toContain('1.0.0');
          expect(tagged.output).not.toContain('2.0.0');
          const none = await runPactTool(tool, [
            'describe-version',
            '--pacticipant',
            'cli-web',
            '--latest',
            'no-such-tag',
            ...b(),
          ]);
          expect(none.code, none.output).not.toBe(0);
        }, 60_000);

        it('creates a pacticipant, then updates its main branch without losing its repository URL', async () => {
          const name = `cli-new-${tool}`;
          const created = await runPactTool(tool, [
            'create-or-update-pacticipant',
            '--name',
            name,
            '--repository-url',
            'https://git.example/new',
            ...b(),
          ]);
          expect(created.code, created.output).toBe(0);
          const updated = await runPactTool(tool, [
            'create-or-update-pacticipant',
            '--name',
            name,
            '--main-branch',
            'trunk',
            ...b(),
          ]);
          expect(updated.code, updated.output).toBe(0);
          const res = await fetch(`${broker.url}/pacticipants/${name}`);
          expect(await res.json()).toMatchObject({
            name,
            mainBranch: 'trunk',
            repositoryUrl: 'https://git.example/new',
          });
        }, 60_000);
      },
    );

    describe('pact-broker list-pacticipants against a Treaty broker', () => {
      it('lists every pacticipant', async () => {
        const r = await run(['list-pacticipants', '--broker-base-url', broker.url]);
        expect(r.code, r.output).toBe(0);
        expect(r.output).toContain('cli-orders');
        expect(r.output).toContain('cli-web');
      }, 60_000);
    });
  },
);
