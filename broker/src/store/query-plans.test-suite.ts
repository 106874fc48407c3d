import type { Environment, Store } from './types.js';

/**
 * The history both stores' query-plan tests explain their statements on: twenty versions of web (on
 * main and feat, every fifth tagged prod) publishing four contents to orders, each verified by a
 * version of orders on main; a production environment, web 1.18 deployed to it and 1.17 released.
 */
export async function twentyVersions(store: Store): Promise<{ prod: Environment; sha: string }> {
  const prod = await store.createEnvironment({ name: 'production', production: true });
  let sha = '';
  for (let v = 0; v < 20; v++) {
    const [outcome] = await store.publishContracts({
      consumer: 'web',
      consumerVersion: `1.${v}`,
      branch: v % 2 === 0 ? 'main' : 'feat',
      tags: v % 5 === 0 ? ['prod'] : [],
      contracts: [{ provider: 'orders', content: JSON.stringify({ rev: Math.floor(v / 5) }) }],
    });
    sha = outcome?.publication.sha ?? sha;
    await store.ensureVersion('orders', `2.${v}`, { branch: 'main' });
    await store.recordVerification({
      consumer: 'web',
      provider: 'orders',
      providerVersion: `2.${v}`,
      sha,
      success: true,
    });
  }
  await store.recordDeployment({ pacticipant: 'web', version: '1.18', environmentUuid: prod.uuid });
  await store.recordRelease({ pacticipant: 'web', version: '1.17', environmentUuid: prod.uuid });
  return { prod, sha };
}

/**
 * The bulk reads of the gate (can-i-deploy, matrix) and of pacts for verification, each once, with
 * every kind of selector they take.
 */
export async function askBulkQuestions(store: Store): Promise<void> {
  const sha = (await store.getPact('web', '1.3', 'orders'))?.sha ?? '';
  await store.lookUpNames({ pacticipants: ['web', 'orders'], environments: ['production'] });
  await store.versionsMatching(
    [
      { pacticipant: 'web', number: '1.3' },
      { pacticipant: 'web', environment: 'production' },
      { pacticipant: 'web', branch: 'main' },
      { pacticipant: 'web', tag: 'prod' },
      { pacticipant: 'web' },
      { pacticipant: 'web', tag: 'prod', latest: true },
    ],
    5,
  );
  await store.integrationsOfVersions([{ pacticipant: 'web', number: '1.3' }]);
  await store.matrixFacts({
    pairs: [{ consumer: 'web', consumerVersion: '1.3', provider: 'orders', providerVersion: '2.3' }],
    verifiersOf: [{ consumer: 'web', consumerVersion: '1.3', provider: 'orders' }],
    verifiedBy: [{ consumer: 'web', provider: 'orders', providerVersion: '2.3' }],
  });
  await store.verificationCandidates('orders', {
    latest: true,
    branches: ['feat'],
    mainBranches: true,
    allBranches: true,
    latestTags: ['prod'],
    tags: ['prod'],
    environments: true,
    providerBranch: 'main',
  });
  await store.successfulVerificationsOf('orders', [{ consumer: 'web', sha }]);
}
