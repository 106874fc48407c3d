import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { main, type CliIo } from '@treaty/cli';
import { buildCatalogApp, Catalog } from '../src/catalog.js';
import { recordCheckoutContract } from './checkout-contract.js';

// The catalog's CI against a real broker: it verifies what its consumers need (the head of their
// main branch and what is deployed), treats contracts it has never passed as pending, and also tries
// work-in-progress contracts from feature branches, publishing every result. Each step is a CLI call
// as a CI job makes it.

let broker: RunningBroker;
let catalog: FastifyInstance;
let catalogUrl = '';

async function treaty(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIo = { cwd: process.cwd(), env: {}, stdout: (t) => out.push(t), stderr: (t) => out.push(t) };
  const code = await main(args, io);
  return { code, out: out.join('') };
}

const b = () => ['--broker-base-url', broker.url];

/** The checkout's CI: run its contract tests, publish the contract for its version and branch. */
async function checkoutPublishes(version: string, branch: string, wantsRating = false): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-ci-'));
  await recordCheckoutContract(dir, { wantsRating });
  const r = await treaty(['publish', dir, '--consumer-app-version', version, '--branch', branch, ...b()]);
  expect(r.code, r.out).toBe(0);
}

/** The catalog's CI: verify from the broker as a provider pipeline on main does, and publish. */
const catalogVerifies = (extra: string[] = []) =>
  treaty([
    'verify',
    '--provider',
    'catalog',
    '--provider-base-url',
    catalogUrl,
    '--provider-states-setup-url',
    `${catalogUrl}/_provider-states`,
    '--consumer-version-selectors',
    '{"mainBranch":true}',
    '--consumer-version-selectors',
    '{"deployedOrReleased":true}',
    '--publish-verification-results',
    '--provider-app-version',
    '2.4.0',
    '--provider-version-branch',
    'main',
    ...extra,
    ...b(),
  ]);

beforeAll(async () => {
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    database: join(mkdtempSync(join(tmpdir(), 'broker-ci-')), 'broker.sqlite'),
  });
  catalog = buildCatalogApp(new Catalog(), { providerStates: true });
  catalogUrl = await catalog.listen({ port: 0, host: '127.0.0.1' });
  expect((await treaty(['create-environment', '--name', 'production', '--production', ...b()])).code).toBe(0);
});

afterAll(async () => {
  await catalog.close();
  await broker.close();
});

describe("the catalog's CI, verifying from the broker", () => {
  it('verifies the head of the main branch, publishes the result, and the gate opens', async () => {
    await checkoutPublishes('1.0.0', 'main');
    const run = await catalogVerifies(['--enable-pending']);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('latest from main branch (consumer version 1.0.0)');
    expect(run.out).toMatch(/2 interactions: 2 passed, 0 failed/);
    expect(
      (
        await treaty([
          'record-deployment',
          '--pacticipant',
          'catalog',
          '--version',
          '2.4.0',
          '--environment',
          'production',
          ...b(),
        ])
      ).code,
    ).toBe(0);
    const gate = await treaty([
      'can-i-deploy',
      '--pacticipant',
      'checkout',
      '--version',
      '1.0.0',
      '--to-environment',
      'production',
      ...b(),
    ]);
    expect(gate.code, gate.out).toBe(0);
    expect(
      (
        await treaty([
          'record-deployment',
          '--pacticipant',
          'checkout',
          '--version',
          '1.0.0',
          '--environment',
          'production',
          ...b(),
        ])
      ).code,
    ).toBe(0);
  });

  it('tries a feature branch contract as work in progress: its failure is reported and published, but the build passes', async () => {
    await checkoutPublishes('1.1.0-rating', 'feat/rating', true);
    // Without WIP the feature branch is not the provider's concern yet.
    const plain = await catalogVerifies(['--enable-pending']);
    expect(plain.code, plain.out).toBe(0);
    expect(plain.out).not.toContain('1.1.0-rating');
    const wip = await catalogVerifies(['--enable-pending', '--include-wip-pacts-since', '2020-01-01']);
    expect(wip.code, wip.out).toBe(0);
    expect(wip.out).toContain('work in progress');
    expect(wip.out).toContain("$.body.rating: expected 4.5 but the key 'rating' is missing");
    expect(wip.out).toContain('[pending: does not fail the run]');
    // The consumer's gate says no for the feature version: the provider in production lacks the field.
    const gate = await treaty([
      'can-i-deploy',
      '--pacticipant',
      'checkout',
      '--version',
      '1.1.0-rating',
      '--to-environment',
      'production',
      ...b(),
    ]);
    expect(gate.code, gate.out).toBe(1);
    expect(gate.out).toContain('catalog 2.4.0 (currently in production)');
  });

  it('a new contract on main that the provider never passed is pending with --enable-pending, and fails the build without it', async () => {
    await checkoutPublishes('1.2.0', 'main', true);
    const pending = await catalogVerifies(['--enable-pending']);
    expect(pending.code, pending.out).toBe(0);
    expect(pending.out).toMatch(/Verifying checkout → catalog \[pending\]/);
    const strict = await catalogVerifies();
    expect(strict.code, strict.out).toBe(1);
    // The deployed consumer's contract (1.0.0) still passes in both runs: it came with deployedOrReleased.
    expect(strict.out).toContain('consumer version 1.0.0');
  });
});
