import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

/**
 * Twenty versions of web (on main and feat, every fifth tagged prod) publishing four contents to
 * orders, each verified by a version of orders on main; and a production environment.
 */
async function twentyVersions() {
  const path = join(mkdtempSync(join(tmpdir(), 'treaty-plans-')), 'broker.sqlite');
  const store = SqliteStore.open(path);
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
  return { path, store, prod, sha };
}

// The heavy requests (matrix, can-i-deploy, pacts for verification) ask these questions hundreds of
// times each; every one must be an index lookup, never a scan of a pair's whole history.
describe('SqliteStore query plans for the heavy requests', () => {
  it('migration 6 creates its indexes, and the heavy query shapes use them', async () => {
    const { path, store, prod, sha } = await twentyVersions();
    await store.recordRelease({ pacticipant: 'web', version: '1.18', environmentUuid: prod.uuid });

    // Each question once, as the heavy routes ask it.
    expect(await store.latestVerification('web', 'orders', sha, '2.19')).toBeDefined();
    expect(await store.currentlySupported(prod.uuid, { pacticipant: 'web' })).toHaveLength(1);
    expect(await store.branchCreatedAt('orders', 'main')).toBeDefined();
    expect(await store.getPact('web', '1.3', 'orders')).toBeDefined();

    const plans = [...store.queryPlans()];
    const planOf = (...parts: string[]): string => {
      const found = plans.filter(([sql]) => parts.every((p) => sql.includes(p)));
      expect(found, `one statement containing ${parts.join(' … ')}`).toHaveLength(1);
      return (found[0]?.[1] ?? []).join('\n');
    };
    expect(
      planOf('FROM verifications ve', 'ORDER BY ve.evidence IS NULL DESC, ve.id DESC LIMIT 1'),
    ).toContain(
      'verifications_by_content_and_provider_version (consumer_id=? AND provider_id=? AND sha=? AND provider_version_id=?)',
    );
    expect(planOf('FROM released_versions r', 'support_ended_at IS NULL')).toContain(
      'released_current (environment_uuid=? AND pacticipant_id=?',
    );
    expect(planOf('MIN(b.created_at)')).toContain('branch_versions_created (pacticipant_id=? AND branch=?)');
    // getPact starts from the one consumer version, not the pair's history.
    const getPact = planOf('pp.consumer_version_id = (', 'AND pp.provider_id = (');
    expect(getPact).toContain('sqlite_autoindex_pact_publications_1 (consumer_version_id=?');
    expect(getPact).not.toMatch(/SCAN (pp|v)\b/);
    await store.close();

    const db = new Database(path, { readonly: true });
    const indexes = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>
    ).map((r) => r.name);
    db.close();
    expect(indexes).toEqual(
      expect.arrayContaining([
        'verifications_by_content_and_provider_version',
        'released_current',
        'branch_versions_created',
      ]),
    );
  });
  it('the bulk reads of the gate and pacts for verification start from indexes, never a table scan', async () => {
    const { store, prod } = await twentyVersions();
    await store.recordDeployment({ pacticipant: 'web', version: '1.18', environmentUuid: prod.uuid });
    await store.recordRelease({ pacticipant: 'web', version: '1.17', environmentUuid: prod.uuid });
    const sha = (await store.getPact('web', '1.3', 'orders'))?.sha ?? '';
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

    const plans = [...store.queryPlans()].filter(([sql]) => sql.includes('json_each'));
    expect(plans).toHaveLength(8);
    const planOf = (part: string): string => {
      const found = plans.filter(([sql]) => sql.includes(part));
      expect(found, `one statement containing ${part}`).toHaveLength(1);
      return (found[0]?.[1] ?? []).join('\n');
    };
    // Nothing reads a whole table of history (versions, branches, tags, publications, results, deployments).
    for (const [sql, plan] of plans)
      expect(plan.join('\n'), sql).not.toMatch(/SCAN (v|b|t|tg|pp|ve|v2|d|r|cv|pv)\b(?! VIRTUAL)/);
    // The three matrix statements find each verification that counts with one index probe.
    const counting = plans.filter(([sql]) => sql.includes('ORDER BY v2.evidence IS NULL DESC'));
    expect(counting).toHaveLength(3);
    for (const [, plan] of counting)
      expect(plan.join('\n')).toContain(
        'verifications_by_content_and_provider_version (consumer_id=? AND provider_id=? AND sha=? AND provider_version_id=?)',
      );
    expect(planOf('+ve.consumer_id')).toContain('verifications_by_provider_version (provider_version_id=?)');
    const candidates = planOf('consumers AS MATERIALIZED');
    for (const index of [
      'deployed_current (environment_uuid=? AND pacticipant_id=? AND undeployed_at=?)',
      'released_current (environment_uuid=? AND pacticipant_id=? AND support_ended_at=?)',
      'tags_latest (pacticipant_id=? AND name=?)',
      'branch_versions_latest (pacticipant_id=? AND branch=?)',
    ])
      expect(candidates).toContain(index);
    await store.close();
  });
});
