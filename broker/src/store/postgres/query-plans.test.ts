import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { usePostgres } from '../../../../test/support/postgres.js';
import { askBulkQuestions, twentyVersions } from '../query-plans.test-suite.js';
import { type PlanNode, PostgresStore } from './postgres-store.js';

const postgres = usePostgres();

/**
 * A busy broker's history around the test's own: 100 consumers (c-1 …) each with 100 versions on main
 * and feature branches, some tagged, each publishing to its provider (p-1 …), whose 100 versions each
 * verify one; verifier reports, OpenAPI documents, and deployments and releases to production. So the
 * planner's statistics look like a real broker's (many pacticipants, long histories), not a toy's.
 * Every table stays below 30,000 rows, which ANALYZE reads whole: the same statistics on every run.
 */
const otherPacticipants = `
  INSERT INTO pacticipants (name, display_name, created_at)
    SELECT k || '-' || i, k || ' ' || i, now() FROM generate_series(1, 100) i, unnest(ARRAY['c', 'p']) k;
  INSERT INTO versions (pacticipant_id, number, created_at)
    SELECT p.id, p.name || '.' || n, now() FROM pacticipants p, generate_series(1, 100) n
    WHERE p.name ~ '^[cp]-' ORDER BY n, p.id;
  INSERT INTO branch_versions (version_id, pacticipant_id, branch, created_at)
    SELECT v.id, v.pacticipant_id, CASE WHEN v.id % 4 = 0 THEN 'feat-' || (v.id % 7) ELSE 'main' END, now()
    FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name ~ '^[cp]-';
  INSERT INTO tags (version_id, pacticipant_id, name, created_at)
    SELECT v.id, v.pacticipant_id, 'prod', now() FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
    WHERE p.name ~ '^[cp]-' AND v.id % 10 = 0;
  INSERT INTO pact_contents (sha, content)
    SELECT md5(p.name || (split_part(v.number, '.', 2)::int / 5)), '{}'
    FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
    WHERE p.name ~ '^c-' ON CONFLICT DO NOTHING;
  INSERT INTO pact_publications (consumer_version_id, consumer_id, provider_id, sha, created_at)
    SELECT v.id, c.id, p.id, md5(c.name || (split_part(v.number, '.', 2)::int / 5)), now()
    FROM versions v JOIN pacticipants c ON c.id = v.pacticipant_id
    JOIN pacticipants p ON p.name = 'p-' || substr(c.name, 3)
    WHERE c.name ~ '^c-';
  INSERT INTO verifications (consumer_id, provider_id, provider_version_id, sha, success, created_at)
    SELECT pp.consumer_id, pp.provider_id, pv.id, pp.sha, true, now()
    FROM pact_publications pp JOIN versions cv ON cv.id = pp.consumer_version_id
    JOIN pacticipants p ON p.id = pp.provider_id
    JOIN versions pv ON pv.pacticipant_id = p.id AND pv.number = p.name || '.' || split_part(cv.number, '.', 2)
    WHERE p.name ~ '^p-';
  INSERT INTO verification_results (verification_id, test_results, truncated)
    SELECT id, '[]', false FROM verifications WHERE id % 3 <> 0;
  INSERT INTO provider_contracts (version_id, provider_id, sha, content, content_type, specification, created_at)
    SELECT v.id, v.pacticipant_id, md5(v.number), '{}', 'application/json', 'oas', now()
    FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name ~ '^p-' AND v.id % 10 = 0;
  INSERT INTO deployed_versions (uuid, version_id, pacticipant_id, environment_uuid, created_at, undeployed_at)
    SELECT gen_random_uuid(), v.id, v.pacticipant_id, e.uuid, now(),
      CASE WHEN split_part(v.number, '.', 2) <> '10' THEN now() END
    FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id, environments e
    WHERE p.name ~ '^[cp]-' AND split_part(v.number, '.', 2)::int <= 10 AND e.name = 'production';
  INSERT INTO released_versions (uuid, version_id, pacticipant_id, environment_uuid, created_at, support_ended_at)
    SELECT gen_random_uuid(), v.id, v.pacticipant_id, e.uuid, now(),
      CASE WHEN split_part(v.number, '.', 2) <> '5' THEN now() END
    FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id, environments e
    WHERE p.name ~ '^[cp]-' AND split_part(v.number, '.', 2)::int <= 5 AND e.name = 'production';
  ANALYZE;
`;

/** The tables that grow with every publication, verification, deployment and release. */
const history = new Set([
  'versions',
  'branch_versions',
  'tags',
  'pact_contents',
  'pact_publications',
  'verifications',
  'verification_results',
  'provider_contracts',
  'deployed_versions',
  'released_versions',
]);

/** One read of a table in a plan. */
interface Read {
  table: string;
  alias: string;
  node: string;
  index?: string;
  cond?: string;
}

/**
 * Every read of a table in a plan, with the index it goes through and the index condition (for a
 * bitmap heap scan, those of the bitmap index scans beneath it).
 */
function reads(node: PlanNode): Read[] {
  const own: Read[] = [];
  const table = node['Relation Name'];
  if (table !== undefined && node['Node Type'] !== 'ModifyTable') {
    const bitmaps = node['Node Type'] === 'Bitmap Heap Scan' ? (node.Plans ?? []) : [node];
    for (const b of bitmaps)
      own.push({
        table,
        alias: node.Alias ?? table,
        node: node['Node Type'],
        ...(b['Index Name'] === undefined ? {} : { index: b['Index Name'] }),
        ...(b['Index Cond'] === undefined ? {} : { cond: b['Index Cond'] }),
      });
  }
  const below = node['Node Type'] === 'Bitmap Heap Scan' ? [] : (node.Plans ?? []);
  return [...own, ...below.flatMap(reads)];
}

/** A read as one line: `versions v: versions_by_pacticipant (pacticipant_id = …)`. */
const line = (r: Read): string =>
  `${r.table} ${r.alias}: ${r.index ?? r.node}${r.cond === undefined ? '' : ` ${r.cond}`}`;

describe.skipIf(!postgres.available)('PostgresStore query plans for the heavy requests', () => {
  it('reads the history only through index conditions, on the indexes made for each question', async () => {
    const url = await postgres.server().database();
    const store = await PostgresStore.open(url);
    store.recordStatements();
    const { prod, sha } = await twentyVersions(store);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(otherPacticipants);
    await admin.end();

    // The gate's and pacts for verification's bulk reads, then the lookups of the routes, pages and
    // webhooks that still ask one row at a time.
    await askBulkQuestions(store);
    await store.getPacticipant('web');
    await store.getVersion('web', '1.3');
    await store.latestVersion('web');
    await store.latestVersion('web', { branch: 'main' });
    await store.latestVersion('web', { tag: 'prod' });
    await store.getPact('web', '1.3', 'orders');
    await store.latestPact('web', 'orders');
    await store.latestPact('web', 'orders', { branch: 'main' });
    await store.latestPact('web', 'orders', { tag: 'prod' });
    await store.getPactBySha('web', 'orders', sha);
    await store.previousDistinctPact('web', 'orders', '1.19');
    await store.latestVerification('web', 'orders', sha, '2.19');
    await store.verificationsFor('web', 'orders', sha);
    await store.getVerification(1);
    await store.consumersOf('orders');
    await store.integrationSummaries();
    await store.branchesOf('web');
    await store.branchCreatedAt('orders', 'main');
    await store.getProviderContract('orders', '2.3');
    await store.currentlyDeployed(prod.uuid, { pacticipant: 'web' });
    await store.currentlySupported(prod.uuid, { pacticipant: 'web' });
    await store.recordComparison({
      consumer: 'web',
      provider: 'orders',
      providerVersion: '2.19',
      sha,
      success: true,
      comparedWith: 'doc',
    });

    // enable_seqscan = off: some tables here stay small (environments; a few deployments), and on a
    // small table a sequential scan is the planner's right choice. With it off, a Seq Scan that remains
    // means no index could serve.
    const plans = await store.queryPlans({ enable_seqscan: 'off' });
    await store.close();
    expect(plans.size).toBeGreaterThan(40);

    // Every statement that ran, the writes' lookups too: the history is read through an index
    // condition, never whole (a Seq Scan, or an index walked from end to end, reads every row).
    for (const [sql, plan] of plans)
      for (const r of reads(plan).filter((r) => history.has(r.table)))
        expect(r.node !== 'Seq Scan' && r.cond !== undefined, `${line(r)}\nin ${sql}`).toBe(true);

    /** The reads of the one statement whose SQL holds every part, one line each. */
    const readsOf = (...parts: string[]): string => {
      const found = [...plans].filter(([sql]) => parts.every((p) => sql.includes(p)));
      expect(found, `one statement containing ${parts.join(' … ')}`).toHaveLength(1);
      return reads(found[0]?.[1] as PlanNode)
        .map(line)
        .join('\n');
    };
    const versionsByNumber =
      /versions \w+: versions_pacticipant_id_number_key \(\(pacticipant_id = .*\) AND \(number = /;

    // Migration 11: a pacticipant's newest versions are a range of versions_by_pacticipant.
    expect(
      readsOf('FROM versions v WHERE v.pacticipant_id = (SELECT id', 'ORDER BY v.id DESC LIMIT 1'),
    ).toMatch(/versions v: versions_by_pacticipant \(pacticipant_id = /);
    const matching = readsOf('WITH sel AS');
    // The start of a selector's newest versions, its newest version, and its versions from there on.
    expect(matching.match(/versions \w+: versions_by_pacticipant \(+pacticipant_id = /g)).toHaveLength(3);
    expect(matching).toMatch(versionsByNumber);
    for (const index of ['branch_versions_latest', 'tags_latest', 'deployed_current', 'released_current'])
      expect(matching).toContain(`: ${index} ((pacticipant_id = `);

    // The matrix finds each consumer and provider version by its number, and each verification that
    // counts among those of the one provider version.
    const pairs = readsOf('pacts AS MATERIALIZED', 'paired AS');
    expect(pairs.match(new RegExp(versionsByNumber, 'g'))).toHaveLength(2);
    expect(pairs).toMatch(/verifications v2: verifications_by_\w+ .*provider_version_id = /);
    expect(readsOf('verifiers AS')).toMatch(
      /verifications ve: verifications_by_content\w* \(\(consumer_id = /,
    );
    expect(
      readsOf('jsonb_array_elements', 'JOIN pact_publications pp ON pp.consumer_version_id = v.id'),
    ).toMatch(
      /pact_publications pp: pact_publications_consumer_version_id_provider_id_key \(consumer_version_id = /,
    );

    // A provider's consumers: one probe of each pacticipant's pact with it.
    for (const statement of [
      readsOf('SELECT p.name AS provider, c.name AS consumer'),
      readsOf("SELECT 'consumer' AS kind"),
      readsOf('SELECT c.name FROM pacticipants c WHERE'),
    ])
      expect(statement).toMatch(
        /pact_publications pp\w*: pact_publications_by_provider \(\(provider_id = .*\) AND \(consumer_id = c\w*\.id\)\)/,
      );

    // Every integration at once: a walk back through pact_publications_pair, a probe or two a pair
    // (the newest publication of the consumer's next lower provider, else of the next lower consumer),
    // then per pair the newest verification of its content.
    const summaries = readsOf('WITH RECURSIVE latest');
    expect(summaries).toMatch(
      /pact_publications pp\w*: pact_publications_pair \(\(consumer_id = l\w*\.consumer_id\) AND \(provider_id < l\w*\.provider_id\)\)/,
    );
    expect(summaries).toMatch(
      /pact_publications pp\w*: pact_publications_pair \(consumer_id < l\w*\.consumer_id\)/,
    );
    expect(summaries).toMatch(
      /verifications v2: verifications_by_content \(\(consumer_id = l\.consumer_id\) AND \(provider_id = l\.provider_id\) AND \(sha = l\.sha\)\)/,
    );
    // Pacts for verification's heads: a consumer's branches, tags, deployments and releases.
    const candidates = readsOf('consumers AS MATERIALIZED');
    expect(candidates).toMatch(
      /branch_versions \w+: branch_versions_\w+ \(\(pacticipant_id = .*\) AND \(branch = /,
    );
    for (const index of ['tags_latest', 'deployed_current', 'released_current'])
      expect(candidates).toContain(`: ${index} ((pacticipant_id = `);

    // The per-row lookups.
    expect(readsOf('pp.consumer_version_id = (', 'AND pp.provider_id = (')).toContain(
      'pact_publications pp: pact_publications_consumer_version_id_provider_id_key ((consumer_version_id = ',
    );
    expect(readsOf('MIN(b.created_at) AS created_at FROM branch_versions b WHERE')).toContain(
      'branch_versions b: branch_versions_created ((pacticipant_id = ',
    );
    // The newest verification of a content by one provider version: among that version's.
    expect(readsOf('ORDER BY ve.evidence IS NULL DESC, ve.id DESC LIMIT 1')).toMatch(
      /verifications ve: verifications_by_\w+ .*provider_version_id = /,
    );
  }, 60_000);
});
