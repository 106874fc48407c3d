import { describe, expect, it } from 'vitest';
import type { Store } from './types.js';

const pact = (n: number) =>
  JSON.stringify({
    consumer: { name: 'web' },
    provider: { name: 'orders' },
    interactions: [{ description: `d${n}` }],
    metadata: { pactSpecification: { version: '4.0' } },
  });

/**
 * The one conformance suite every Store implementation runs, so a PostgreSQL store can join
 * SQLite without touching routes or domain rules.
 */
export function storeConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    it('creates pacticipants once, with a display name, and lists them by name', async () => {
      const store = await open();
      const a = await store.ensurePacticipant('order-service');
      const again = await store.ensurePacticipant('order-service');
      await store.ensurePacticipant('billing');
      expect(again).toEqual(a);
      expect(a.displayName).toBe('Order Service');
      expect((await store.listPacticipants()).map((p) => p.name)).toEqual(['billing', 'order-service']);
      expect((await store.setMainBranch('billing', 'main')).mainBranch).toBe('main');
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
      const { publication } = await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
      });
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
      const { publication } = await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
      });
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
      expect((await store.pactsWithTag('web', 'orders', 'prod')).map((p) => p.consumerVersion)).toEqual([
        '1',
        '3',
      ]);
      expect((await store.pactsOfConsumerVersion('web', '2')).map((p) => p.provider)).toEqual(['orders']);
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
      expect(await store.successfulVerifications('web', 'orders', sha)).toEqual([
        { providerVersion: 'p1', branches: ['main', 'release'], createdAt: expect.any(String) },
        { providerVersion: 'p2', branches: [], createdAt: expect.any(String) },
      ]);
      expect(
        (await store.successfulVerifications('web', 'orders', sha, { excludeWip: true })).map(
          (v) => v.providerVersion,
        ),
      ).toEqual(['p1']);
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
      expect(await store.findEnvironment('production')).toEqual(prod);
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
      await store.close();
    });

    it('keeps what a verification rests on: a verifier, or a comparison with a document', async () => {
      const store = await open();
      const { publication } = await store.publishPact({
        consumer: 'web',
        consumerVersion: '1',
        provider: 'orders',
        content: pact(1),
      });
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
      expect(
        (await store.successfulVerifications('web', 'orders', publication.sha)).map((v) => v.providerVersion),
      ).toEqual(['p1']);
      await store.close();
    });

    it('refuses empty and overlong names', async () => {
      const store = await open();
      await expect(store.ensurePacticipant('  ')).rejects.toMatchObject({
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
