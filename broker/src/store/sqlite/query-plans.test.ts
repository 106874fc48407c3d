import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { askBulkQuestions, twentyVersions } from '../query-plans.test-suite.js';
import { SqliteStore } from './sqlite-store.js';

/** A store on a fresh file, with the history the plans are made on. */
async function seeded() {
  const path = join(mkdtempSync(join(tmpdir(), 'treaty-plans-')), 'broker.sqlite');
  const store = SqliteStore.open(path);
  return { path, store, ...(await twentyVersions(store)) };
}

// The heavy requests (matrix, can-i-deploy, pacts for verification) ask these questions hundreds of
// times each; every one must be an index lookup, never a scan of a pair's whole history.
describe('SqliteStore query plans for the heavy requests', () => {
  it('migrations 6 and 11 create their indexes, and the heavy query shapes use them', async () => {
    const { path, store, prod, sha } = await seeded();

    // Each question once, as the heavy routes ask it.
    expect(await store.latestVerification('web', 'orders', sha, '2.19')).toBeDefined();
    expect(await store.currentlySupported(prod.uuid, { pacticipant: 'web' })).toHaveLength(1);
    expect(await store.branchCreatedAt('orders', 'main')).toBeDefined();
    expect(await store.getPact('web', '1.3', 'orders')).toBeDefined();
    expect((await store.latestVersion('web'))?.number).toBe('1.19');
    expect(await store.integrationSummaries()).toHaveLength(1);

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
    // A pacticipant's newest version is the end of its range of versions_by_pacticipant, not a sort.
    const latest = planOf('FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT 1');
    expect(latest).toContain('versions_by_pacticipant (pacticipant_id=?)');
    expect(latest).not.toContain('TEMP B-TREE');
    // Every integration at once: a walk back through pact_publications_pair, a probe or two a pair,
    // then per pair the newest verification of its content.
    const summaries = planOf('WITH RECURSIVE latest');
    for (const probe of [
      'SEARCH pp USING COVERING INDEX pact_publications_pair (consumer_id=? AND provider_id<?)',
      'SEARCH pp USING COVERING INDEX pact_publications_pair (consumer_id<?)',
      'SEARCH v2 USING COVERING INDEX verifications_by_content (consumer_id=? AND provider_id=? AND sha=?)',
    ])
      expect(summaries).toContain(probe);
    expect(summaries).not.toMatch(/SCAN (pp|nx|cv|ve|v2|pv)\b/);
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
        'versions_by_pacticipant',
      ]),
    );
  });
  it('the bulk reads of the gate and pacts for verification start from indexes, never a table scan', async () => {
    const { store } = await seeded();
    await askBulkQuestions(store);

    const plans = [...store.queryPlans()].filter(([sql]) => sql.includes('json_each'));
    expect(plans).toHaveLength(10);
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
    // Migration 11: a selector's newest versions, and its newest version, start from versions_by_pacticipant.
    expect(planOf('AS newest_from').match(/versions_by_pacticipant \(pacticipant_id=\?\)/g)?.length).toBe(3);
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
