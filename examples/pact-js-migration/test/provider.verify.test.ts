import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyProvider } from '@treaty/core';
import { recordBoth, startProvider, stateHandlers, stopProvider } from './provider-fixture.js';

// One users API, two contracts for it (one written by Pact JS, one by Treaty), two verifiers.
// A team can move its consumer tests and its provider verification to Treaty one side at a time.
let pactJsContract = '';
let treatyContract = '';

beforeAll(async () => {
  ({ pactJsContract, treatyContract } = await recordBoth());
});

afterEach(stopProvider);

describe('the users API verified against both contracts', () => {
  it('passes with Treaty, for the contract Pact JS wrote and the one Treaty wrote', async () => {
    const { url, repository } = await startProvider();
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [pactJsContract, treatyContract],
      stateHandlers: stateHandlers(repository),
    });
    expect(result.passed, JSON.stringify(result, null, 2)).toBe(true);
    expect(result.contracts).toHaveLength(2);
    for (const contract of result.contracts) expect(contract.interactions).toHaveLength(3);
  });

  it('fails with Treaty when the provider stops sending a field the consumer reads', async () => {
    const { url, repository } = await startProvider('email');
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [pactJsContract, treatyContract],
      stateHandlers: stateHandlers(repository),
    });
    expect(result.passed).toBe(false);
    for (const contract of result.contracts) {
      const failed = contract.interactions
        .filter((i) => i.status === 'failed')
        .map((i) => i.description)
        .sort();
      expect(failed).toEqual(['a request for user 1', 'a request to create a user']);
    }
    const messages = result.contracts.flatMap((c) =>
      c.interactions.flatMap((i) => i.mismatches.map((m) => m.message)),
    );
    expect(messages).toContain(`$.body.email: expected "ada@example.com" but the key 'email' is missing`);
  });

  // Pact JS's Verifier prints its whole report from native code straight to the process's output,
  // where no test runner can capture it; run in a child process, its report is shown only when the
  // check fails.
  it('passes with Pact JS for both contracts, and fails with it when the provider drops the field', () => {
    const vitest = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
    const config = fileURLToPath(new URL('../vitest.pact-js.config.ts', import.meta.url));
    const run = spawnSync(process.execPath, [vitest, 'run', '--config', config], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    });
    const report = `${run.stdout}${run.stderr}`;
    expect(run.status, report).toBe(0);
    expect(report, report).toMatch(/Tests\s+2 passed \(2\)/);
  }, 130_000);
});
