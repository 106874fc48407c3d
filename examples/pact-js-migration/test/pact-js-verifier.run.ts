import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Verifier } from '@pact-foundation/pact';
import { pactJsStateHandlers, recordBoth, startProvider, stopProvider } from './provider-fixture.js';

// Pact JS's Verifier against the same users API and both contracts. It prints its report to the
// process's output from native code, so provider.verify.test.ts runs this file in a child process
// (vitest.pact-js.config.ts) and shows that report only when a check fails.
let pactJsContract = '';
let treatyContract = '';

beforeAll(async () => {
  ({ pactJsContract, treatyContract } = await recordBoth());
});

afterEach(stopProvider);

describe('the users API verified by Pact JS', () => {
  it('passes for the contract Pact JS wrote and the one Treaty wrote', async () => {
    const { url, repository } = await startProvider();
    const verifier = new Verifier({
      provider: 'users',
      providerBaseUrl: url,
      pactUrls: [pactJsContract, treatyContract],
      stateHandlers: pactJsStateHandlers(repository),
      logLevel: 'error',
    });
    await expect(verifier.verifyProvider()).resolves.toBeDefined();
  }, 60_000);

  it('fails for the contract Treaty wrote when the provider stops sending a field', async () => {
    const { url, repository } = await startProvider('email');
    const verifier = new Verifier({
      provider: 'users',
      providerBaseUrl: url,
      pactUrls: [treatyContract],
      stateHandlers: pactJsStateHandlers(repository),
      logLevel: 'error',
    });
    await expect(verifier.verifyProvider()).rejects.toThrow();
  }, 60_000);
});
