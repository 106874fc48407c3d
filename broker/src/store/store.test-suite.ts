import { describe, expect, it } from 'vitest';
import type { PublicationEvent, Store } from './types.js';

const pact = (n: number) =>
  JSON.stringify({
    consumer: { name: 'web' },
    provider: { name: 'orders' },
    interactions: [{ description: `d${n}` }],
    metadata: { pactSpecification: { version: '4.0' } },
  });

/** web 1's pact with orders, the content the verification tests verify. */
const publishWeb1 = (store: Store) =>
  store.publishPact({ consumer: 'web', consumerVersion: '1', provider: 'orders', content: pact(1) });

/**
 * The one conformance suite every Store implementation runs, so a PostgreSQL store can join
 * SQLite without touching routes or domain rules.
 */
export function storeConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    it('creates pacticipants once, with a display name, and lists them by name', async () => {
      const store = await open();
      const a = await store.updatePacticipant('order-service', {});
      const again = await store.updatePacticipant('order-service', {});
      await store.updatePacticipant('billing', {});
      expect([a.created, again.created]).toEqual([true, false]);
      expect(again.pacticipant).toEqual(a.pacticipant);
      expect(a.pacticipant.displayName).toBe('Order Service');
      expect((await store.listPacticipants()).map((p) => p.name)).toEqual(['billing', 'order-service']);
      const billing = await store.updatePacticipant('billing', { mainBranch: 'main' });
      expect(billing.pacticipant.mainBranch).toBe('main');
      expect(await store.getPacticipant('nobody')).toBeUndefined();
      await store.close();
    });

    it('keeps versions with their branches and tags, and finds the latest by branch and tag', async () => {
      const store = await open();
      await store.ensureVersion('web', '1.0.0', { branch: 'main', tags: ['prod'] });
      await store.ensureVersion('web', '1.1.0', { branch: 'feat-x' });
      await store.ensureVersion('web', '1.2.0', { branch: 'main' });
      await store.addTag('web', '1.1.0', 'staging');
      expect((await store.latestVersion('web'))?.number).toBe('1.2.0');
      expect((await store.latestVersion('web', { branch: 'main' }))?.number).toBe('1.2.0');
      expect((await store.latestVersion('web', { branch: 'feat-x' }))?.number).toBe('1.1.0');
      expect((await store.latestVersion('web', { tag: 'prod' }))?.number).toBe('1.0.0');
      expect(await store.getVersion('web', '1.1.0')).toMatchObject({
        branches: ['feat-x'],
        tags: ['staging'],
      });
      expect(await store.latestVersion('web', { tag: 'nope' })).toBeUndefined();
      await store.close();
    });

    it('lists versions newest first, by branch or tag, in pages, and counts them', async () => {
      const store = await open();
      for (let i = 1; i <= 5; i++)
        await store.ensureVersion('api', `${i}`, {
          branch: i % 2 === 0 ? 'main' : 'feat',
          tags: i === 3 ? ['prod'] : [],
        });
      expect((await store.listVersions('api')).map((v) => v.number)).toEqual(['5', '4', '3', '2', '1']);
      expect((await store.listVersions('api', { branch: 'main' })).map((v) => v.number)).toEqual(['4', '2']);
      expect((await store.listVersions('api', { tag: 'prod' })).map((v) => v.number)).toEqual(['3']);
      expect((await store.listVersions('api', { limit: 2, offset: 1 })).map((v) => v.number)).toEqual([
        '4',
        '3',
      ]);
      expect(await store.listVersions('nobody')).toEqual([]);
      expect(await store.countVersions('api')).toBe(5);
      expect(await store.countVersions('nobody')).toBe(0);
      await store.close();
    });

    it('creates or updates a pacticipant, keeping fields not given', async () => {
      const store = await open();
      const first = await store.updatePacticipant('billing-api', {
        mainBranch: 'main',
        repositoryUrl: 'https://git.example/billing',
      });
      expect(first.created).toBe(true);
      expect(first.pacticipant).toMatchObject({
        name: 'billing-api',
        displayName: 'Billing Api',
        mainBranch: 'main',
        repositoryUrl: 'https://git.example/billing',
      });
      const second = await store.updatePacticipant('billing-api', { displayName: 'Billing' });
      expect(second.created).toBe(false);
      expect(second.pacticipant).toMatchObject({
        displayName: 'Billing',
        mainBranch: 'main',
        repositoryUrl: 'https://git.example/billing',
      });
      await expect(store.updatePacticipant('billing-api', { mainBranch: '' })).rejects.toMatchObject({
        code: 'TREATY_BROKER_INVALID_NAME',
      });
      await store.close();
    });

    it('stores pact content once per sha, however many versions publish it', async () => {
      const store = await open();
      const first = await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
        branch: 'main',
      });
      const second = await store.publishPact({
        consumer: 'web',
        consumerVersion: '2',
        provider: 'orders',
        content: pact(1),
        branch: 'main',
      });
      const third = await store.publishPact({
        consumer: 'web',
        consumerVersion: '3',
        provider: 'orders',
        content: pact(2),
        tags: ['prod'],
      });
      expect(first.contentExisted).toBe(false);
      expect(second.contentExisted).toBe(true);
      expect(second.publication.sha).toBe(first.publication.sha);
      expect(third.publication.sha).not.toBe(first.publication.sha);
      expect(await store.stats()).toMatchObject({ pactContents: 2, pactPublications: 3, versions: 3 });
      expect((await store.latestPact('web', 'orders'))?.consumerVersion).toBe('3');
      expect((await store.latestPact('web', 'orders', { branch: 'main' }))?.consumerVersion).toBe('2');
      expect((await store.latestPact('web', 'orders', { tag: 'prod' }))?.consumerVersion).toBe('3');
      expect((await store.getPact('web', '1', 'orders'))?.content).toBe(pact(1));
      expect((await store.getPactBySha('web', 'orders', first.publication.sha))?.consumerVersion).toBe('2');
      await store.close();
    });

    it('refuses changed content for a published consumer version unless overwriting is allowed, and writes nothing half', async () => {
      const store = await open();
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
      });
      expect(
        (
          await store.publishPact({
            consumer: 'web',
            consumerVersion: '1',
            provider: 'orders',
            content: pact(1),
          })
        ).unchanged,
      ).toBe(true);
      await expect(
        store.publishPact({
          consumer: 'web',
          consumerVersion: '1',
          provider: 'orders',
          content: pact(2),
          tags: ['should-not-stick'],
        }),
      ).rejects.toMatchObject({ code: 'TREATY_BROKER_PACT_CONFLICT' });
      expect(await store.getVersion('web', '1')).toMatchObject({ tags: [] });
      expect((await store.stats()).pactContents).toBe(1);
      const over = await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(2),
        allowOverwrite: true,
      });
      expect(over.publication.content).toBe(pact(2));
      await store.close();
    });

    it('publishes several contracts of a version in one transaction: a conflict in one writes none', async () => {
      const store = await open();
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'billing',
        content: pact(1),
      });
      const other = JSON.stringify({ provider: 'b' });
      await expect(
        store.publishContracts({
          consumer: 'web',
          consumerVersion: '1',
          branch: 'main',
          tags: ['t'],
          contracts: [
            { provider: 'orders', content: pact(3) },
            { provider: 'billing', content: other },
          ],
        }),
      ).rejects.toMatchObject({ code: 'TREATY_BROKER_PACT_CONFLICT' });
      expect(await store.getPact('web', '1', 'orders')).toBeUndefined();
      expect(await store.getVersion('web', '1')).toMatchObject({ branches: [], tags: [] });
      const done = await store.publishContracts({
        consumer: 'web',
        consumerVersion: '2',
        branch: 'main',
        contracts: [
          { provider: 'orders', content: pact(3) },
          { provider: 'billing', content: other },
        ],
      });
      expect(done.map((o) => o.publication.provider)).toEqual(['orders', 'billing']);
      expect(await store.getVersion('web', '2')).toMatchObject({ branches: ['main'] });
      await store.close();
    });

    it('records verifications of published content, newest first, and refuses unknown content', async () => {
      const store = await open();
      const { publication } = await publishWeb1(store);
      await store.recordVerification({
        consumer: 'web',
        provider: 'orders',
        providerVersion: 'p1',
        sha: publication.sha,
        success: false,
      });
      await store.recordVerification({
        consumer: 'web',
        provider: 'orders',
        providerVersion: 'p2',
        sha: publication.sha,
        success: true,
        buildUrl: 'https://ci/2',
        branch: 'main',
      });
      const list = await store.verificationsFor('web', 'orders', publication.sha);
      expect(list.map((v) => [v.providerVersion, v.success])).toEqual([
        ['p2', true],
        ['p1', false],
      ]);
      expect(list[0]?.buildUrl).toBe('https://ci/2');
      expect(await store.getVersion('orders', 'p2')).toMatchObject({ branches: ['main'] });
      await expect(
        store.recordVerification({
          consumer: 'web',
          provider: 'orders',
          providerVersion: 'p3',
          sha: 'f'.repeat(64),
          success: true,
        }),
      ).rejects.toMatchObject({ code: 'TREATY_BROKER_NOT_FOUND' });
      await store.close();
    });

    it('keeps what a verifier reported, found by the verification number', async () => {
      const store = await open();
      const { publication } = await publishWeb1(store);
      const testResults = JSON.stringify([{ interactionId: 'a', success: false, mismatches: [] }]);
      const failed = await store.recordVerification({
        consumer: 'web',
        provider: 'orders',
        providerVersion: 'p1',
        sha: publication.sha,
        success: false,
        report: { testResults, verifiedBy: '{"implementation":"x"}', truncated: true },
      });
      const plain = await store.recordVerification({
        consumer: 'web',
        provider: 'orders',
        providerVersion: 'p2',
        sha: publication.sha,
        success: true,
      });
      expect(await store.getVerification(failed.id)).toEqual({
        verification: failed,
        report: { testResults, verifiedBy: '{"implementation":"x"}', truncated: true },
      });
      expect(await store.getVerification(plain.id)).toEqual({
        verification: plain,
        report: { truncated: false },
      });
      expect(await store.getVerification(plain.id + 100)).toBeUndefined();
      await store.close();
    });

    it('finds the previous distinct pact of a consumer version', async () => {
      const store = await open();
      const publish = (consumerVersion: string, n: number) =>
        store.publishPact({ consumer: 'web', consumerVersion, provider: 'orders', content: pact(n) });
      await publish('1', 1);
      await publish('2', 2);
      await publish('3', 2);
      await publish('4', 3);
      const previous = async (v: string) =>
        (await store.previousDistinctPact('web', 'orders', v))?.consumerVersion;
      expect(await previous('4')).toBe('3');
      expect(await previous('3')).toBe('1');
      expect(await previous('2')).toBe('1');
      expect(await previous('1')).toBeUndefined();
      expect(await previous('9')).toBeUndefined();
      await store.close();
    });

    it('sorts names by code point, as SQLite does, whatever the database collation', async () => {
      const store = await open();
      for (const name of ['beta', 'Zed', 'alpha', 'Éclair', 'Alpha'])
        await store.publishPact({
          consumer: name,
          consumerVersion: '1',
          provider: 'orders',
          content: pact(1),
        });
      expect((await store.listPacticipants()).map((p) => p.name)).toEqual([
        'Alpha',
        'Zed',
        'alpha',
        'beta',
        'orders',
        'Éclair',
      ]);
      // Consumers ignore ASCII case only (SQLite's NOCASE): É sorts after every ASCII letter.
      expect(await store.consumersOf('orders')).toEqual(['Alpha', 'alpha', 'beta', 'Zed', 'Éclair']);
      await store.ensureVersion('web', '1', { branch: 'main' });
      await store.ensureVersion('web', '2', { branch: 'Feature', tags: ['b', 'B', 'a'] });
      expect(await store.branchesOf('web')).toEqual(['Feature', 'main']);
      expect((await store.getVersion('web', '2'))?.tags).toEqual(['B', 'a', 'b']);
      await store.close();
    });

    it('finds pacts by tag, the branches a verification was made on, and when a branch began', async () => {
      const store = await open();
      const one = await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
        tags: ['prod'],
      });
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '2',
        provider: 'orders',
        content: pact(2),
      });
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '3',
        provider: 'orders',
        content: pact(1),
        tags: ['prod'],
      });
      expect((await store.latestPact('web', 'orders', { tag: 'prod' }))?.consumerVersion).toBe('3');
      const { sha } = one.publication;
      const verify = (
        providerVersion: string,
        extra: { branch?: string; wip?: boolean; success?: boolean },
      ) =>
        store.recordVerification({
          consumer: 'web',
          provider: 'orders',
          providerVersion,
          sha,
          success: true,
          ...extra,
        });
      await verify('p1', { branch: 'main' });
      await store.ensureVersion('orders', 'p1', { branch: 'release' });
      await verify('p2', { wip: true });
      await verify('p3', { success: false, branch: 'main' });
      expect(await store.successfulVerificationsOf('orders', [{ consumer: 'web', sha }])).toEqual([
        [
          { providerVersion: 'p1', branches: ['main', 'release'], createdAt: expect.any(String), wip: false },
          { providerVersion: 'p2', branches: [], createdAt: expect.any(String), wip: true },
        ],
      ]);
      expect((await store.verificationsByProviderVersion('orders', 'p3')).map((v) => v.success)).toEqual([
        false,
      ]);
      // The branch began with p1, just before p1's verification was recorded (and p3's after it).
      const began = (await store.branchCreatedAt('orders', 'main')) ?? '';
      const [p1] = await store.verificationsByProviderVersion('orders', 'p1');
      const [p3] = await store.verificationsByProviderVersion('orders', 'p3');
      expect(began).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(began <= (p1?.createdAt ?? '') && (p1?.createdAt ?? '') <= (p3?.createdAt ?? '')).toBe(true);
      expect(await store.branchCreatedAt('orders', 'nope')).toBeUndefined();
      expect(await store.latestVerification('web', 'orders', sha, 'p9')).toBeUndefined();
      await store.ping();
      await store.close();
    });

    it('keeps environments, and which versions are deployed or released in them', async () => {
      const store = await open();
      const prod = await store.createEnvironment({
        name: 'production',
        production: true,
        contacts: [{ name: 'Team', details: { slack: '#ops', pager: 1 } }],
      });
      const test = await store.createEnvironment({
        name: 'test',
        displayName: 'a test env',
        production: false,
      });
      expect(prod).toMatchObject({ displayName: 'Production', production: true });
      expect(prod.contacts).toEqual([{ name: 'Team', details: { slack: '#ops', pager: 1 } }]);
      expect(await store.getEnvironment(test.uuid)).toEqual(test);
      expect((await store.lookUpNames({ environments: ['production'] })).environments).toEqual([prod]);
      expect((await store.listEnvironments()).map((e) => e.name)).toEqual(['test', 'production']);
      await expect(store.createEnvironment({ name: 'test', production: false })).rejects.toMatchObject({
        code: 'TREATY_BROKER_CONFLICT',
      });
      await expect(store.createEnvironment({ name: 'my env', production: false })).rejects.toMatchObject({
        code: 'TREATY_BROKER_INVALID_NAME',
      });
      for (const v of ['1', '2', '3']) await store.ensureVersion('orders', v);
      await expect(
        store.recordDeployment({ pacticipant: 'orders', version: '9', environmentUuid: prod.uuid }),
      ).rejects.toMatchObject({ code: 'TREATY_BROKER_NOT_FOUND' });
      await expect(
        store.recordDeployment({ pacticipant: 'orders', version: '1', environmentUuid: 'nowhere' }),
      ).rejects.toMatchObject({ code: 'TREATY_BROKER_NOT_FOUND' });
      const first = await store.recordDeployment({
        pacticipant: 'orders',
        version: '1',
        environmentUuid: prod.uuid,
      });
      const blue = await store.recordDeployment({
        pacticipant: 'orders',
        version: '1',
        environmentUuid: prod.uuid,
        applicationInstance: 'blue',
      });
      expect(
        await store.recordDeployment({ pacticipant: 'orders', version: '1', environmentUuid: prod.uuid }),
      ).toEqual(first);
      const second = await store.recordDeployment({
        pacticipant: 'orders',
        version: '2',
        environmentUuid: prod.uuid,
      });
      expect(await store.getDeployment(first.uuid)).toMatchObject({
        currentlyDeployed: false,
        undeployedAt: expect.any(String),
      });
      expect(
        (await store.currentlyDeployed(prod.uuid)).map((d) => [d.version, d.applicationInstance]),
      ).toEqual([
        ['1', 'blue'],
        ['2', undefined],
      ]);
      expect(
        (
          await store.currentlyDeployed(prod.uuid, { pacticipant: 'orders', applicationInstance: 'blue' })
        ).map((d) => d.uuid),
      ).toEqual([blue.uuid]);
      expect(await store.currentlyDeployed(test.uuid)).toEqual([]);
      expect((await store.recordUndeployment(second.uuid)).currentlyDeployed).toBe(false);
      await expect(store.recordUndeployment('nope')).rejects.toMatchObject({
        code: 'TREATY_BROKER_NOT_FOUND',
      });
      expect(await store.getDeployment('nope')).toBeUndefined();

      const released = await store.recordRelease({
        pacticipant: 'orders',
        version: '2',
        environmentUuid: prod.uuid,
      });
      expect(released.created).toBe(true);
      await store.recordRelease({ pacticipant: 'orders', version: '3', environmentUuid: prod.uuid });
      expect((await store.currentlySupported(prod.uuid)).map((r) => r.version)).toEqual(['2', '3']);
      expect((await store.currentlySupported(prod.uuid, { version: '3' })).map((r) => r.version)).toEqual([
        '3',
      ]);
      const ended = await store.recordSupportEnded(released.release.uuid);
      expect(ended).toMatchObject({ currentlySupported: false, supportEndedAt: expect.any(String) });
      expect(
        (await store.currentlySupported(prod.uuid, { pacticipant: 'orders' })).map((r) => r.version),
      ).toEqual(['3']);
      const again = await store.recordRelease({
        pacticipant: 'orders',
        version: '2',
        environmentUuid: prod.uuid,
      });
      expect(again).toMatchObject({
        created: false,
        release: { uuid: released.release.uuid, currentlySupported: true },
      });
      expect(await store.getRelease(released.release.uuid)).toEqual(again.release);
      await expect(store.recordSupportEnded('nope')).rejects.toMatchObject({
        code: 'TREATY_BROKER_NOT_FOUND',
      });
      expect(await store.currentlySupported('nowhere')).toEqual([]);
      await store.close();
    });

    it('keeps one provider contract per provider version, replaced when published again', async () => {
      const store = await open();
      const input = {
        provider: 'orders',
        providerVersion: '1',
        branch: 'main',
        tags: ['dev'],
        content: 'openapi: 3.0.3',
        contentType: 'application/yaml',
        specification: 'oas',
      };
      expect(await store.hasProviderContracts('orders')).toBe(false);
      const { contract, version } = await store.publishProviderContract(input);
      expect(version).toMatchObject({ number: '1', branches: ['main'], tags: ['dev'] });
      expect(contract).toMatchObject({ provider: 'orders', providerVersion: '1', content: 'openapi: 3.0.3' });
      expect(contract.selfVerification).toBeUndefined();
      const again = await store.publishProviderContract({
        ...input,
        content: 'openapi: 3.1.0',
        selfVerification: { success: false, verifier: 'dredd' },
      });
      expect(again.contract).toMatchObject({
        content: 'openapi: 3.1.0',
        selfVerification: { success: false, verifier: 'dredd' },
      });
      expect(await store.getProviderContract('orders', '1')).toEqual(again.contract);
      expect(await store.getProviderContract('orders', '2')).toBeUndefined();
      expect(await store.getProviderContract('nobody', '1')).toBeUndefined();
      expect(await store.hasProviderContracts('orders')).toBe(true);
      expect(await store.hasProviderContracts('nobody')).toBe(false);
      await store.close();
    });

    it('keeps what a verification rests on: a verifier, or a comparison with a document', async () => {
      const store = await open();
      const { publication } = await publishWeb1(store);
      const ran = { consumer: 'web', provider: 'orders', sha: publication.sha, success: true };
      const byVerifier = await store.recordVerification({ ...ran, providerVersion: 'p1' });
      const compared = await store.recordVerification({ ...ran, providerVersion: 'p2', evidence: 'openapi' });
      expect(byVerifier.evidence).toBeUndefined();
      expect(compared.evidence).toBe('openapi');
      expect((await store.getVerification(compared.id))?.verification.evidence).toBe('openapi');
      expect((await store.latestVerification('web', 'orders', publication.sha, 'p2'))?.evidence).toBe(
        'openapi',
      );
      expect((await store.verificationsByProviderVersion('orders', 'p2')).map((v) => v.evidence)).toEqual([
        'openapi',
      ]);
      // A verifier's replay outranks a comparison with the document, whichever came later.
      const replayed = await store.recordVerification({ ...ran, providerVersion: 'p2', success: false });
      await store.recordVerification({ ...ran, providerVersion: 'p2', evidence: 'openapi' });
      expect((await store.latestVerification('web', 'orders', publication.sha, 'p2'))?.id).toBe(replayed.id);
      // Pending status asks whether the provider itself verified the pact: a comparison does not count.
      const [successful] = await store.successfulVerificationsOf('orders', [
        { consumer: 'web', sha: publication.sha },
      ]);
      expect(successful?.map((v) => v.providerVersion)).toEqual(['p1']);
      await store.close();
    });

    it('records a comparison once per document: the same again adds nothing, another document a new one', async () => {
      const store = await open();
      const { publication } = await publishWeb1(store);
      const pair = { consumer: 'web', provider: 'orders', providerVersion: 'p1', sha: publication.sha };
      const first = await store.recordComparison({ ...pair, success: true, comparedWith: 'doc-a' });
      expect(first.created).toBe(true);
      expect(first.verification).toMatchObject({ evidence: 'openapi', comparedWith: 'doc-a', success: true });
      // Sent twice at once (two requests comparing the same pair): one is recorded.
      const [again, twice] = await Promise.all([
        store.recordComparison({ ...pair, success: true, comparedWith: 'doc-a' }),
        store.recordComparison({ ...pair, success: true, comparedWith: 'doc-a' }),
      ]);
      expect([again.created, twice.created]).toEqual([false, false]);
      expect(again.verification).toEqual(first.verification);
      // Another document (republished), then the first again: the newest comparison is the one that counts.
      const other = await store.recordComparison({ ...pair, success: false, comparedWith: 'doc-b' });
      expect(other.created).toBe(true);
      expect((await store.latestVerification('web', 'orders', publication.sha, 'p1'))?.comparedWith).toBe(
        'doc-b',
      );
      const back = await store.recordComparison({ ...pair, success: true, comparedWith: 'doc-a' });
      expect(back.created).toBe(true);
      expect((await store.latestVerification('web', 'orders', publication.sha, 'p1'))?.id).toBe(
        back.verification.id,
      );
      // Another provider version is another pair; a verifier's replay in between changes nothing.
      await store.recordVerification({ ...pair, success: true });
      expect((await store.recordComparison({ ...pair, success: true, comparedWith: 'doc-a' })).created).toBe(
        false,
      );
      expect(
        (
          await store.recordComparison({
            ...pair,
            providerVersion: 'p2',
            success: true,
            comparedWith: 'doc-a',
          })
        ).created,
      ).toBe(true);
      const listed = await store.verificationsFor('web', 'orders', publication.sha);
      expect(listed.map((v) => [v.providerVersion, v.evidence ?? 'verifier', v.comparedWith ?? '-'])).toEqual(
        [
          ['p2', 'openapi', 'doc-a'],
          ['p1', 'verifier', '-'],
          ['p1', 'openapi', 'doc-a'],
          ['p1', 'openapi', 'doc-b'],
          ['p1', 'openapi', 'doc-a'],
        ],
      );
      expect((await store.getVerification(first.verification.id))?.verification.comparedWith).toBe('doc-a');
      expect((await store.verificationsByProviderVersion('orders', 'p2'))[0]?.comparedWith).toBe('doc-a');
      await expect(
        store.recordComparison({ ...pair, sha: 'f'.repeat(64), success: true, comparedWith: 'doc-a' }),
      ).rejects.toMatchObject({ code: 'TREATY_BROKER_NOT_FOUND' });
      await store.close();
    });

    it('keeps labels per pacticipant, and finds the pacticipants with a label', async () => {
      const store = await open();
      expect(await store.setLabel('orders', 'team-a', true)).toBe(true);
      expect(await store.setLabel('orders', 'team-a', true)).toBe(false);
      await store.setLabel('orders', 'critical', true);
      await store.setLabel('billing', 'team-a', true);
      expect(await store.labelsOf('orders')).toEqual(['critical', 'team-a']);
      expect(await store.pacticipantsWithLabel('team-a')).toEqual(['billing', 'orders']);
      expect(await store.setLabel('orders', 'team-a', false)).toBe(true);
      expect(await store.setLabel('orders', 'team-a', false)).toBe(false);
      expect(await store.setLabel('nobody', 'x', false)).toBe(false);
      expect(await store.labelsOf('orders')).toEqual(['critical']);
      expect(await store.labelsOf('nobody')).toEqual([]);
      await expect(store.setLabel('orders', ' ', true)).rejects.toMatchObject({
        code: 'TREATY_BROKER_INVALID_NAME',
      });
      await store.close();
    });

    it('creates, replaces, lists and deletes webhooks by uuid', async () => {
      const store = await open();
      const definition = {
        uuid: 'hook-aaaaaaaaaaaaaaaa',
        description: 'tell CI',
        provider: { name: 'orders' },
        consumer: { label: 'team-a' },
        events: ['contract_requiring_verification_published' as const],
        request: {
          method: 'POST',
          url: 'https://ci.example/build',
          headers: { Authorization: 'Bearer ${env.TREATY_WEBHOOK_SECRET_CI}' },
          body: { version: '${pactbroker.providerVersionNumber}', n: [1, null] },
          username: 'u',
          password: 'p',
        },
        enabled: true,
      };
      const first = await store.putWebhook(definition);
      expect(first.created).toBe(true);
      expect(first.webhook).toMatchObject(definition);
      expect(first.webhook.updatedAt).toBeUndefined();
      const second = await store.putWebhook({
        ...definition,
        uuid: 'hook-bbbbbbbbbbbbbbbb',
        events: ['contract_published'],
      });
      const replaced = await store.putWebhook({ ...definition, enabled: false, description: 'changed' });
      expect(replaced.created).toBe(false);
      expect(replaced.webhook).toMatchObject({
        enabled: false,
        description: 'changed',
        createdAt: first.webhook.createdAt,
      });
      expect(replaced.webhook.updatedAt).toBeDefined();
      expect((await store.listWebhooks()).map((w) => w.uuid)).toEqual([definition.uuid, second.webhook.uuid]);
      expect(await store.getWebhook(definition.uuid)).toEqual(replaced.webhook);
      expect(await store.deleteWebhook(definition.uuid)).toBe(true);
      expect(await store.deleteWebhook(definition.uuid)).toBe(false);
      expect(await store.getWebhook(definition.uuid)).toBeUndefined();
      await store.close();
    });

    it('writes a publication and a verification to the outbox in their own transactions, with what their events need', async () => {
      const store = await open();
      const lease = (token: string, now = new Date().toISOString()) => ({
        now,
        until: new Date(Date.parse(now) + 60_000).toISOString(),
        token,
      });
      // A refused publication writes no event.
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
        tags: ['prod'],
      });
      await expect(
        store.publishPact({ consumer: 'web', consumerVersion: '1', provider: 'orders', content: pact(2) }),
      ).rejects.toMatchObject({ code: 'TREATY_BROKER_PACT_CONFLICT' });
      await store.publishContracts({
        consumer: 'web',
        consumerVersion: '2',
        branch: 'main',
        tags: ['prod', 'eu'],
        contracts: [{ provider: 'orders', content: pact(1) }],
        event: { baseUrl: 'https://broker.example', buildUrl: 'https://ci/2', branch: 'main' },
      });
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '2',
        provider: 'orders',
        content: pact(3),
        allowOverwrite: true,
      });
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '3',
        provider: 'orders',
        content: pact(3),
      });
      const sha1 = (await store.getPact('web', '1', 'orders'))?.sha ?? '';
      const sha3 = (await store.getPact('web', '3', 'orders'))?.sha ?? '';
      const v = await store.recordVerification({
        consumer: 'web',
        provider: 'orders',
        providerVersion: 'p1',
        sha: sha3,
        success: false,
        event: { buildUrl: 'https://ci/p1', consumerVersions: ['3'] },
      });
      // Claimed two at a time: each batch oldest first, the batches in order.
      const events = [];
      for (let batch = await store.claimEvents(lease('a'), 2); batch.length > 0; ) {
        expect(batch.length).toBeLessThanOrEqual(2);
        events.push(...batch);
        batch = await store.claimEvents(lease('a'), 2);
      }
      expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
      expect(events).toEqual([
        expect.objectContaining({
          type: 'contract_published',
          consumerVersion: '1',
          sha: sha1,
          tags: ['prod'],
          previous: [{ tag: 'prod', sha: null }],
          context: {},
        }),
        expect.objectContaining({
          type: 'contract_published',
          consumerVersion: '2',
          sha: sha1,
          tags: ['eu', 'prod'],
          branches: ['main'],
          previous: [
            { tag: 'eu', sha: null },
            { tag: 'prod', sha: sha1 },
          ],
          context: { baseUrl: 'https://broker.example', buildUrl: 'https://ci/2', branch: 'main' },
        }),
        expect.objectContaining({ consumerVersion: '2', sha: sha3, replacedSha: sha1, previous: [] }),
        expect.objectContaining({
          consumerVersion: '3',
          sha: sha3,
          tags: [],
          previous: [{ tag: null, sha: null }],
        }),
        expect.objectContaining({
          type: 'provider_verification_published',
          verificationId: v.id,
          consumer: 'web',
          provider: 'orders',
          sha: sha3,
          providerVersion: 'p1',
          success: false,
          context: { buildUrl: 'https://ci/p1', consumerVersions: ['3'] },
        }),
      ]);
      expect(events[0]?.createdAt).toEqual(expect.any(String));
      await store.close();
    });

    it('leases an event or a delivery to one claimer at a time, until the lease runs out', async () => {
      const store = await open();
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
      });
      const t0 = '2030-01-01T00:00:00.000Z';
      const t1 = '2030-01-01T00:01:00.000Z';
      const t2 = '2030-01-01T00:02:00.000Z';
      const [event, ...more] = await store.claimEvents({ now: t0, until: t1, token: 'a' }, 10);
      expect(event?.type).toBe('contract_published');
      expect(more).toEqual([]);
      // Another claimer finds nothing while the lease holds, and the same event once it ran out.
      expect(await store.claimEvents({ now: t0, until: t1, token: 'b' }, 10)).toEqual([]);
      const [again] = await store.claimEvents({ now: t1, until: t2, token: 'b' }, 10);
      expect(again?.id).toBe(event?.id);
      expect(await store.nextWebhookWork()).toBe(t2);
      const triggered = (key: string) => ({
        uuid: `tw-${key}`,
        webhookUuid: 'hook-aaaaaaaaaaaaaaaa',
        eventName: 'contract_published' as const,
        key,
        parameters: { 'pactbroker.consumerName': 'web' },
        consumer: 'web',
        provider: 'orders',
        consumerVersion: '1',
      });
      await store.expandEvents(
        [{ eventId: event?.id ?? 0, triggered: [triggered('x'), triggered('y')] }],
        t1,
      );
      // Expanding again (a second claimer, or a retry after a crash) adds nothing.
      await store.expandEvents(
        [{ eventId: event?.id ?? 0, triggered: [{ ...triggered('x'), uuid: 'tw-other' }] }],
        t1,
      );
      expect(await store.claimEvents({ now: t2, until: t2, token: 'c' }, 10)).toEqual([]);
      expect(
        (await store.triggeredWebhooks({ webhookUuid: 'hook-aaaaaaaaaaaaaaaa' })).map((t) => t.uuid),
      ).toEqual(['tw-y', 'tw-x']);
      expect(await store.nextWebhookWork()).toBe(t1);

      const first = await store.claimDelivery({ now: t1, until: t2, token: 'a' });
      const second = await store.claimDelivery({ now: t1, until: t2, token: 'b' });
      expect([first?.uuid, second?.uuid]).toEqual(['tw-x', 'tw-y']);
      expect(first).toMatchObject({
        status: 'not_run',
        attempts: 0,
        parameters: { 'pactbroker.consumerName': 'web' },
      });
      expect(await store.claimDelivery({ now: t1, until: t2, token: 'c' })).toBeUndefined();
      // A lease that ran out (its claimer died) lets another claim the delivery again.
      const reclaimed = await store.claimDelivery({ now: t2, until: '2030-01-01T00:03:00.000Z', token: 'd' });
      expect(reclaimed?.uuid).toBe('tw-x');
      await store.close();
    });

    it('claims events in batches, oldest first, each event to one claimer, and expands a batch at once', async () => {
      const store = await open();
      for (let n = 1; n <= 5; n++)
        await store.publishPact({
          consumer: 'web',
          consumerVersion: String(n),
          provider: 'orders',
          content: pact(n),
        });
      const now = '2030-01-01T00:00:00.000Z';
      const until = '2030-01-01T00:01:00.000Z';
      const first = await store.claimEvents({ now, until, token: 'a' }, 2);
      const second = await store.claimEvents({ now, until, token: 'b' }, 2);
      const rest = await store.claimEvents({ now, until, token: 'c' }, 10);
      expect([first, second, rest].map((b) => b.map((e) => (e as PublicationEvent).consumerVersion))).toEqual(
        [['1', '2'], ['3', '4'], ['5']],
      );
      // A batch where nothing triggered, then one where one event triggered a webhook.
      await store.expandEvents(
        first.map((e) => ({ eventId: e.id, triggered: [] })),
        now,
      );
      await store.expandEvents(
        [...second, ...rest].map((e, i) => ({
          eventId: e.id,
          triggered:
            i === 1
              ? [
                  {
                    uuid: 'tw-batch',
                    webhookUuid: 'hook-aaaaaaaaaaaaaaaa',
                    eventName: 'contract_published' as const,
                    key: 'k',
                    parameters: {},
                    consumer: 'web',
                    provider: 'orders',
                    consumerVersion: '4',
                  },
                ]
              : [],
        })),
        now,
      );
      await store.expandEvents([], now);
      // Nothing is left to claim, even once every lease has run out.
      expect(await store.claimEvents({ now: '2030-01-02T00:00:00.000Z', until, token: 'd' }, 10)).toEqual([]);
      expect((await store.triggeredWebhooks({})).map((t) => [t.uuid, t.consumerVersion])).toEqual([
        ['tw-batch', '4'],
      ]);
      await store.close();
    });

    it('logs every attempt and schedules the next while the claim holds', async () => {
      const store = await open();
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
      });
      const now = '2030-01-01T00:00:00.000Z';
      const later = '2030-01-01T00:00:10.000Z';
      const until = '2030-01-01T00:05:00.000Z';
      const [event] = await store.claimEvents({ now, until, token: 'e' }, 1);
      await store.expandEvents(
        [
          {
            eventId: event?.id ?? 0,
            triggered: [
              {
                uuid: 'tw-1',
                webhookUuid: 'hook-aaaaaaaaaaaaaaaa',
                eventName: 'provider_verification_failed',
                key: '1',
                parameters: {},
                consumer: 'web',
                provider: 'orders',
                consumerVersion: '1',
                verificationId: 7,
              },
            ],
          },
        ],
        now,
      );
      const attempt = (number: number, success: boolean) => ({
        number,
        startedAt: now,
        durationMs: 3,
        success,
        request: {
          method: 'POST',
          url: 'https://ci.example/',
          headers: { authorization: '**********' },
          body: '{}',
        },
        ...(success
          ? { response: { status: 200, body: 'ok' } }
          : { error: { code: 'TREATY_BROKER_WEBHOOK_DELIVERY_FAILED', message: 'connection refused' } }),
        logs: `attempt ${number}`,
      });
      expect((await store.claimDelivery({ now, until, token: 'a' }))?.uuid).toBe('tw-1');
      expect(
        await store.recordAttempt('tw-1', 'a', attempt(1, false), {
          status: 'retrying',
          nextAttemptAt: later,
        }),
      ).toBe(true);
      expect(await store.getTriggeredWebhook('tw-1')).toMatchObject({
        triggered: { status: 'retrying', attempts: 1, nextAttemptAt: later, verificationId: 7 },
      });
      expect(await store.claimDelivery({ now, until, token: 'b' })).toBeUndefined();
      expect(await store.nextWebhookWork()).toBe(later);
      expect((await store.claimDelivery({ now: later, until, token: 'b' }))?.attempts).toBe(1);
      // A claimer whose lease was taken over logs its attempt, but no longer decides what comes next.
      expect(await store.recordAttempt('tw-1', 'a', attempt(2, false), { status: 'failure' })).toBe(false);
      expect(await store.recordAttempt('tw-1', 'b', attempt(2, true), { status: 'success' })).toBe(true);
      const done = await store.getTriggeredWebhook('tw-1');
      expect(done?.triggered).toMatchObject({ status: 'success', attempts: 2 });
      expect(done?.triggered.nextAttemptAt).toBeUndefined();
      expect(done?.attempts.map((a) => [a.number, a.success, a.logs])).toEqual([
        [1, false, 'attempt 1'],
        [2, false, 'attempt 2'],
        [2, true, 'attempt 2'],
      ]);
      expect(done?.attempts[0]).toEqual(attempt(1, false));
      expect(await store.nextWebhookWork()).toBeUndefined();
      expect(await store.claimDelivery({ now: until, until, token: 'c' })).toBeUndefined();
      expect(await store.recordAttempt('nope', 'a', attempt(1, true), { status: 'success' })).toBe(false);
      expect((await store.triggeredWebhooks({ verificationId: 7 })).map((t) => t.uuid)).toEqual(['tw-1']);
      expect(
        await store.triggeredWebhooks({ consumer: 'web', provider: 'orders', consumerVersion: '2' }),
      ).toEqual([]);
      // Deleting the webhook deletes what it triggered.
      await store.putWebhook({
        uuid: 'hook-aaaaaaaaaaaaaaaa',
        events: ['provider_verification_failed'],
        request: { method: 'POST', url: 'https://ci.example/', headers: {} },
        enabled: true,
      });
      expect(await store.deleteWebhook('hook-aaaaaaaaaaaaaaaa')).toBe(true);
      expect(await store.getTriggeredWebhook('tw-1')).toBeUndefined();
      await store.close();
    });

    it('looks up pacticipants and environments by name, leaving out those that do not exist', async () => {
      const store = await open();
      await store.updatePacticipant('web', {});
      await store.updatePacticipant('orders', { mainBranch: 'main' });
      await store.createEnvironment({ name: 'production', production: true });
      const found = await store.lookUpNames({
        pacticipants: ['orders', 'nobody', 'web'],
        environments: ['production', 'nowhere'],
      });
      expect(found.pacticipants.map((p) => [p.name, p.mainBranch])).toEqual([
        ['orders', 'main'],
        ['web', undefined],
      ]);
      expect(found.environments.map((e) => [e.name, e.production])).toEqual([['production', true]]);
      expect(await store.lookUpNames({})).toEqual({ pacticipants: [], environments: [] });
      await store.close();
    });

    it('finds the versions of many selectors at once: by number, environment, branch, main branch, tag, or all', async () => {
      const store = await open();
      for (let i = 1; i <= 6; i++)
        await store.ensureVersion('web', `${i}`, {
          branch: i % 2 === 0 ? 'main' : 'feat',
          tags: i === 2 || i === 3 ? ['prod'] : [],
        });
      await store.ensureVersion('api', '1');
      await store.updatePacticipant('web', { mainBranch: 'main' });
      const prod = await store.createEnvironment({ name: 'production', production: true });
      await store.createEnvironment({ name: 'empty', production: false });
      await store.recordDeployment({ pacticipant: 'web', version: '2', environmentUuid: prod.uuid });
      await store.recordDeployment({
        pacticipant: 'web',
        version: '4',
        environmentUuid: prod.uuid,
        applicationInstance: 'a',
      });
      await store.recordRelease({ pacticipant: 'web', version: '2', environmentUuid: prod.uuid });
      await store.recordRelease({ pacticipant: 'web', version: '5', environmentUuid: prod.uuid });
      const ended = await store.recordRelease({
        pacticipant: 'web',
        version: '1',
        environmentUuid: prod.uuid,
      });
      await store.recordSupportEnded(ended.release.uuid);
      const numbers = (found: Array<{ number: string }> | undefined) => found?.map((v) => v.number);
      const results = await store.versionsMatching(
        [
          { pacticipant: 'web', number: '3' },
          { pacticipant: 'web', number: '9' },
          { pacticipant: 'web', environment: 'production' },
          { pacticipant: 'web', environment: 'empty' },
          { pacticipant: 'web', environment: 'nowhere' },
          { pacticipant: 'web', branch: 'feat', latest: true },
          { pacticipant: 'web', branch: 'main' },
          { pacticipant: 'web', mainBranch: true, latest: true },
          { pacticipant: 'api', mainBranch: true, latest: true },
          { pacticipant: 'web', tag: 'prod', latest: true },
          { pacticipant: 'web', tag: 'prod' },
          { pacticipant: 'web', latest: true },
          { pacticipant: 'web' },
          { pacticipant: 'web', branch: 'feat', tag: 'prod', latest: true },
          { pacticipant: 'api', tag: 'prod' },
          { pacticipant: 'nobody', latest: true },
          { pacticipant: 'web', number: '6', environment: 'production', branch: 'feat' },
        ],
        4,
      );
      expect(results.map(numbers)).toEqual([
        ['3'],
        [],
        ['5', '4', '2'],
        [],
        [],
        ['5'],
        ['6', '4', '2'],
        ['6'],
        [],
        ['3'],
        ['3', '2'],
        ['6'],
        ['6', '5', '4', '3'],
        ['5'],
        [],
        undefined,
        ['6'],
      ]);
      // The limit defaults to 100.
      expect((await store.versionsMatching([{ pacticipant: 'web', branch: 'feat' }]))[0]?.length).toBe(3);
      const six = await store.getVersion('web', '6');
      expect(results[0]?.[0]?.pacticipant).toBe('web');
      expect(results[11]?.[0]?.order).toBe(six?.order);
      expect(await store.versionsMatching([])).toEqual([]);
      await store.close();
    });

    it('tells, per version at once, its pacts as a consumer and the consumers of its pacticipant', async () => {
      const store = await open();
      await store.publishContracts({
        consumer: 'web',
        consumerVersion: '1',
        contracts: [
          { provider: 'payments', content: pact(1) },
          { provider: 'orders', content: pact(2) },
        ],
      });
      await store.publishPact({
        consumer: 'Admin',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(3),
      });
      await store.publishPact({
        consumer: 'mobile',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(3),
      });
      const found = await store.integrationsOfVersions([
        { pacticipant: 'web', number: '1' },
        { pacticipant: 'orders', number: '7' },
        { pacticipant: 'web', number: '2' },
      ]);
      expect(found[0]?.pacts.map((p) => [p.provider, p.consumerVersion, p.sha])).toEqual([
        ['orders', '1', (await store.getPact('web', '1', 'orders'))?.sha],
        ['payments', '1', (await store.getPact('web', '1', 'payments'))?.sha],
      ]);
      expect(found[0]?.pacts[0]).toEqual(
        expect.objectContaining({
          consumer: 'web',
          createdAt: (await store.getPact('web', '1', 'orders'))?.createdAt,
        }),
      );
      expect(found[0]?.consumers).toEqual([]);
      expect(found[1]).toEqual({ pacts: [], consumers: ['Admin', 'mobile', 'web'] });
      expect(found[2]).toEqual({ pacts: [], consumers: [] });
      await store.close();
    });

    it('gives every integration at once, as listPacticipants, consumersOf, latestPact and verificationsFor give each', async () => {
      const store = await open();
      expect(await store.integrationSummaries()).toEqual([]);
      const publish = async (consumer: string, consumerVersion: string, provider: string, n: number) =>
        (
          await store.publishPact({
            consumer,
            consumerVersion,
            provider,
            content: pact(n),
            branch: Number(consumerVersion) % 2 === 0 ? 'feat' : 'main',
          })
        ).publication.sha;
      const verify = (
        consumer: string,
        provider: string,
        providerVersion: string,
        sha: string,
        success = true,
      ) => store.recordVerification({ consumer, provider, providerVersion, sha, success });
      // web → orders: four versions on two branches, the third back to the first's content; the newest
      // result of the latest content is a comparison with a document (it counts, as in verificationsFor).
      const c1 = await publish('web', '1', 'orders', 1);
      await publish('web', '2', 'orders', 2);
      await publish('web', '3', 'orders', 1);
      const c3 = await publish('web', '4', 'orders', 3);
      await verify('web', 'orders', 'p1', c1);
      await verify('web', 'orders', 'p1', c3, false);
      await verify('web', 'orders', 'p2', c3);
      await store.recordComparison({
        consumer: 'web',
        provider: 'orders',
        providerVersion: 'p3',
        sha: c3,
        success: true,
        comparedWith: 'doc',
      });
      // web → billing: the latest version publishes the content an older one had, verified then.
      const b = await publish('web', '1', 'billing', 10);
      await publish('web', '3', 'billing', 10);
      await verify('web', 'billing', 'b1', b);
      // mobile → orders: only an older content was verified.
      await verify('mobile', 'orders', 'p1', await publish('mobile', '1', 'orders', 20));
      await publish('mobile', '2', 'orders', 21);
      // admin → orders: the latest is the newest version's pact (version 1, created after 2), not the
      // pact published last.
      await store.ensureVersion('admin', '2');
      await publish('admin', '1', 'orders', 30);
      await publish('admin', '2', 'orders', 31);
      // orders → users: one content verified twice by one provider version; the newer counts.
      const u = await publish('orders', '1', 'users', 40);
      await verify('orders', 'users', 'u1', u, false);
      const twice = await verify('orders', 'users', 'u1', u);
      // Names the page's sort (localeCompare) and the database order differently; two it cannot tell apart.
      for (const consumer of ['Zed', 'alpha', '\u00c9clair', 'E\u0301clair'])
        await publish(consumer, '1', 'orders', 50);
      await store.ensureVersion('lonely', '1');

      const expected = [];
      for (const provider of await store.listPacticipants())
        for (const consumer of await store.consumersOf(provider.name)) {
          const found = await store.latestPact(consumer, provider.name);
          if (found === undefined) throw new Error(`${consumer} has no latest pact with ${provider.name}`);
          const { content: _, ...latest } = found;
          const [verification] = await store.verificationsFor(consumer, provider.name, latest.sha);
          expected.push({
            consumer,
            provider: provider.name,
            latest,
            ...(verification === undefined ? {} : { verification }),
          });
        }
      expected.sort((a, b) => a.consumer.localeCompare(b.consumer) || a.provider.localeCompare(b.provider));
      const summaries = await store.integrationSummaries();
      expect(summaries).toEqual(expected);
      expect(
        summaries.map((s) => [
          s.consumer,
          s.provider,
          s.latest.consumerVersion,
          s.verification?.providerVersion,
        ]),
      ).toEqual([
        ['admin', 'orders', '1', undefined],
        ['alpha', 'orders', '1', undefined],
        ['E\u0301clair', 'orders', '1', undefined],
        ['\u00c9clair', 'orders', '1', undefined],
        ['mobile', 'orders', '2', undefined],
        ['orders', 'users', '1', 'u1'],
        ['web', 'billing', '3', 'b1'],
        ['web', 'orders', '4', 'p3'],
        ['Zed', 'orders', '1', undefined],
      ]);
      expect(summaries.find((s) => s.provider === 'users')?.verification).toEqual(twice);
      expect(
        summaries.find((s) => s.provider === 'orders' && s.consumer === 'web')?.verification,
      ).toMatchObject({ evidence: 'openapi', comparedWith: 'doc', success: true, sha: c3 });
      await store.close();
    });

    it('gives the matrix its pacts and the verifications that count, all at once', async () => {
      const store = await open();
      const { publication: web1 } = await publishWeb1(store);
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '2',
        provider: 'orders',
        content: pact(2),
      });
      await store.publishPact({
        consumer: 'web',
        consumerVersion: '3',
        provider: 'orders',
        content: pact(1),
      });
      const sha2 = (await store.getPact('web', '2', 'orders'))?.sha ?? '';
      const of = (providerVersion: string, sha = web1.sha) => ({
        consumer: 'web',
        provider: 'orders',
        providerVersion,
        sha,
      });
      // p1: a failed replay, then a newer passing comparison: the replay counts.
      const replay = await store.recordVerification({
        ...of('p1'),
        success: false,
        report: { testResults: '[{"success":false}]', truncated: false },
      });
      await store.recordComparison({ ...of('p1'), success: true, comparedWith: 'doc' });
      // p2: comparisons only: the newest counts. p3: nothing. p4 verified the other content.
      await store.recordComparison({ ...of('p2'), success: false, comparedWith: 'old' });
      const compared = await store.recordComparison({ ...of('p2'), success: true, comparedWith: 'new' });
      await store.ensureVersion('orders', 'p3');
      await store.recordVerification({ ...of('p4', sha2), success: true });
      await store.publishProviderContract({
        provider: 'orders',
        providerVersion: 'p2',
        content: '{"openapi":"3.0.0"}',
        contentType: 'application/json',
        specification: 'oas',
        selfVerification: { success: false },
      });
      await store.publishProviderContract({
        provider: 'orders',
        providerVersion: 'p3',
        content: '{"openapi":"3.0.1"}',
        contentType: 'application/json',
        specification: 'oas',
      });
      const pair = (consumerVersion: string, providerVersion: string, consumer = 'web') => ({
        consumer,
        consumerVersion,
        provider: 'orders',
        providerVersion,
      });
      const facts = await store.matrixFacts({
        pairs: [pair('1', 'p1'), pair('1', 'p2'), pair('1', 'p3'), pair('9', 'p1'), pair('1', 'p9')],
        verifiersOf: [
          { consumer: 'web', consumerVersion: '1', provider: 'orders' },
          { consumer: 'web', consumerVersion: '2', provider: 'orders' },
          { consumer: 'web', consumerVersion: '4', provider: 'orders' },
        ],
        verifiedBy: [
          { consumer: 'web', provider: 'orders', providerVersion: 'p1' },
          { consumer: 'mobile', provider: 'orders', providerVersion: 'p1' },
        ],
      });
      const p1 = await store.getVersion('orders', 'p1');
      const p3 = await store.getVersion('orders', 'p3');
      expect(facts.pairs[0]).toEqual({
        pact: {
          consumer: 'web',
          consumerVersion: '1',
          provider: 'orders',
          sha: web1.sha,
          createdAt: web1.createdAt,
        },
        providerVersion: 'p1',
        providerVersionOrder: p1?.order,
        verification: replay,
        testResults: '[{"success":false}]',
      });
      expect(facts.pairs[1]?.verification).toEqual(compared.verification);
      expect(facts.pairs[1]?.document).toEqual({
        sha: (await store.getProviderContract('orders', 'p2'))?.sha,
        selfVerificationFailed: true,
      });
      expect(facts.pairs[1]?.testResults).toBeUndefined();
      expect(facts.pairs[2]).toMatchObject({
        providerVersion: 'p3',
        providerVersionOrder: p3?.order,
        verification: null,
        document: { selfVerificationFailed: false },
      });
      expect(facts.pairs[3]).toBeUndefined();
      expect(facts.pairs[4]).toMatchObject({
        providerVersion: 'p9',
        providerVersionOrder: -1,
        verification: null,
      });
      // Every provider version that verified web 1's content, the newest result first; p1 counts its replay.
      expect(facts.verifiersOf[0]?.pact.consumerVersion).toBe('1');
      expect(facts.verifiersOf[0]?.verified.map((f) => [f.providerVersion, f.verification?.id])).toEqual([
        ['p2', compared.verification.id],
        ['p1', replay.id],
      ]);
      expect(facts.verifiersOf[1]?.verified.map((f) => f.providerVersion)).toEqual(['p4']);
      expect(facts.verifiersOf[2]).toBeUndefined();
      // What p1 verified of web's pacts: the content, as its newest consumer version (3) published it.
      expect(
        facts.verifiedBy[0]?.map((f) => [f.pact.consumerVersion, f.pact.sha, f.verification?.id]),
      ).toEqual([['3', web1.sha, replay.id]]);
      expect(facts.verifiedBy[0]?.[0]?.pact.createdAt).toBe(
        (await store.getPact('web', '3', 'orders'))?.createdAt,
      );
      expect(facts.verifiedBy[1]).toEqual([]);
      expect(await store.matrixFacts({})).toEqual({ pairs: [], verifiersOf: [], verifiedBy: [] });
      await store.close();
    });

    it('gives the matrix the same verification that latestVerification, verificationsFor and getPactBySha give', async () => {
      const store = await open();
      const shas: string[] = [];
      for (let v = 1; v <= 6; v++)
        shas.push(
          (
            await store.publishPact({
              consumer: 'web',
              consumerVersion: `${v}`,
              provider: 'orders',
              content: pact(Math.ceil(v / 2)),
            })
          ).publication.sha,
        );
      for (let p = 1; p <= 4; p++)
        for (let v = 1; v <= 6; v += p) {
          const input = {
            consumer: 'web',
            provider: 'orders',
            providerVersion: `p${p}`,
            sha: shas[v - 1] ?? '',
          };
          if ((p + v) % 3 === 0)
            await store.recordComparison({ ...input, success: v % 2 === 0, comparedWith: `d${v}` });
          else await store.recordVerification({ ...input, success: (p * v) % 4 !== 0 });
        }
      const pairs = [];
      for (let v = 1; v <= 6; v++)
        for (let p = 1; p <= 4; p++)
          pairs.push({
            consumer: 'web',
            consumerVersion: `${v}`,
            provider: 'orders',
            providerVersion: `p${p}`,
          });
      const facts = await store.matrixFacts({
        pairs,
        verifiersOf: [1, 2, 3, 4, 5, 6].map((v) => ({
          consumer: 'web',
          consumerVersion: `${v}`,
          provider: 'orders',
        })),
        verifiedBy: [1, 2, 3, 4].map((p) => ({
          consumer: 'web',
          provider: 'orders',
          providerVersion: `p${p}`,
        })),
      });
      for (const [i, q] of pairs.entries()) {
        const sha = shas[Number(q.consumerVersion) - 1] ?? '';
        expect(facts.pairs[i]?.verification ?? undefined).toEqual(
          await store.latestVerification('web', 'orders', sha, q.providerVersion),
        );
      }
      for (let v = 1; v <= 6; v++) {
        const all = await store.verificationsFor('web', 'orders', shas[v - 1] ?? '');
        const firstPerVersion = [...new Set(all.map((x) => x.providerVersion))];
        expect(facts.verifiersOf[v - 1]?.verified.map((f) => f.providerVersion)).toEqual(firstPerVersion);
        for (const f of facts.verifiersOf[v - 1]?.verified ?? [])
          expect(f.verification).toEqual(
            await store.latestVerification('web', 'orders', f.pact.sha, f.providerVersion),
          );
      }
      for (let p = 1; p <= 4; p++) {
        const all = await store.verificationsByProviderVersion('orders', `p${p}`);
        expect(facts.verifiedBy[p - 1]?.map((f) => f.pact.sha)).toEqual([...new Set(all.map((x) => x.sha))]);
        for (const f of facts.verifiedBy[p - 1] ?? []) {
          const { content: _, ...newest } = (await store.getPactBySha('web', 'orders', f.pact.sha)) ?? {
            content: '',
          };
          expect(f.pact).toEqual(newest);
        }
      }
      await store.close();
    });

    it('gives pacts for verification its candidates: latest, per branch and tag, tagged, deployed and released', async () => {
      const store = await open();
      const publish = (consumer: string, version: string, n: number, branch?: string, tags: string[] = []) =>
        store.publishPact({
          consumer,
          consumerVersion: version,
          provider: 'orders',
          content: pact(n),
          ...(branch === undefined ? {} : { branch }),
          tags,
        });
      await publish('web', '1', 1, 'main', ['prod']);
      await publish('web', '2', 2, 'feat-a', ['prod']);
      await publish('web', '3', 3, 'main');
      await store.ensureVersion('web', '4', { branch: 'feat-b' }); // a branch with no pact
      await publish('Mobile', '1', 4, 'develop');
      await store.publishPact({
        consumer: 'other',
        consumerVersion: '1',
        provider: 'payments',
        content: pact(5),
      });
      await store.ensureVersion('orders', 'o1', { branch: 'main' });
      const prod = await store.createEnvironment({
        name: 'production',
        displayName: 'B prod',
        production: true,
      });
      const test = await store.createEnvironment({ name: 'test', displayName: 'A test', production: false });
      await store.recordDeployment({ pacticipant: 'web', version: '1', environmentUuid: prod.uuid });
      await store.recordDeployment({
        pacticipant: 'web',
        version: '3',
        environmentUuid: prod.uuid,
        applicationInstance: 'x',
      });
      await store.recordRelease({ pacticipant: 'web', version: '2', environmentUuid: test.uuid });
      await store.recordDeployment({ pacticipant: 'other', version: '1', environmentUuid: test.uuid });

      const none = await store.verificationCandidates('orders', {});
      expect(none.consumers).toEqual([
        { name: 'Mobile', mainBranch: 'develop', mainBranchHasVersions: true },
        { name: 'web', mainBranch: 'main', mainBranchHasVersions: true },
      ]);
      expect(none.environments).toEqual(['test', 'production']);
      expect(none.pacts).toEqual([]);
      expect(none.providerBranchCreatedAt).toBeUndefined();

      const all = await store.verificationCandidates('orders', {
        latest: true,
        branches: ['feat-a', 'nope'],
        mainBranches: true,
        allBranches: true,
        latestTags: ['prod'],
        tags: ['prod'],
        environments: true,
        providerBranch: 'main',
      });
      const seen = all.pacts.map(
        (c) => `${c.kind} ${c.key ?? '-'} ${c.pact.consumer}@${c.pact.consumerVersion}`,
      );
      expect(seen).toEqual([
        'branch develop Mobile@1',
        'branch feat-a web@2',
        'branch main web@3',
        'deployed production web@1',
        'deployed production web@3',
        'latest - Mobile@1',
        'latest - web@3',
        'released test web@2',
        'tag prod web@2',
        'tagged prod web@1',
        'tagged prod web@2',
      ]);
      const { content: _, ...web3 } = (await store.getPact('web', '3', 'orders')) ?? { content: '' };
      expect(all.pacts.find((c) => c.kind === 'latest' && c.pact.consumer === 'web')?.pact).toEqual(web3);
      expect(all.providerBranchCreatedAt).toBe(await store.branchCreatedAt('orders', 'main'));
      expect((await store.verificationCandidates('nobody', { latest: true })).consumers).toEqual([]);
      await store.close();
    });

    it('gives the successful verifications of many contents at once, with their branches and WIP flag', async () => {
      const store = await open();
      const { publication } = await publishWeb1(store);
      const { publication: other } = await store.publishPact({
        consumer: 'web',
        consumerVersion: '2',
        provider: 'orders',
        content: pact(2),
      });
      const input = { consumer: 'web', provider: 'orders', sha: publication.sha };
      await store.ensureVersion('orders', 'p1', { branch: 'main' });
      await store.ensureVersion('orders', 'p1', { branch: 'release' });
      await store.recordVerification({ ...input, providerVersion: 'p1', success: true });
      await store.recordVerification({ ...input, providerVersion: 'p2', success: false, branch: 'main' });
      await store.recordVerification({
        ...input,
        providerVersion: 'p3',
        success: true,
        wip: true,
        branch: 'feat',
      });
      await store.recordComparison({ ...input, providerVersion: 'p4', success: true, comparedWith: 'doc' });
      const found = await store.successfulVerificationsOf('orders', [
        { consumer: 'web', sha: publication.sha },
        { consumer: 'web', sha: other.sha },
        { consumer: 'nobody', sha: publication.sha },
      ]);
      expect(found[0]?.map((s) => [s.providerVersion, s.branches, s.wip])).toEqual([
        ['p1', ['main', 'release'], false],
        ['p3', ['feat'], true],
      ]);
      for (const s of found[0] ?? []) expect(s.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(found.slice(1)).toEqual([[], []]);
      await store.close();
    });

    it('refuses empty and overlong names', async () => {
      const store = await open();
      await expect(store.updatePacticipant('  ', {})).rejects.toMatchObject({
        code: 'TREATY_BROKER_INVALID_NAME',
      });
      await expect(store.ensureVersion('web', 'x'.repeat(256))).rejects.toMatchObject({
        code: 'TREATY_BROKER_INVALID_NAME',
      });
      await expect(store.ensureVersion('web', '1', { tags: [''] })).rejects.toMatchObject({
        code: 'TREATY_BROKER_INVALID_NAME',
      });
      await store.close();
    });
  });
}
