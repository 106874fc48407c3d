import { randomUUID } from 'node:crypto';
import { TreatyError } from '@treaty/core';
import type { Pool } from 'pg';
import { checkName } from '../../limits.js';
import { redactDatabaseUrl } from '../database-url.js';
import {
  checkEnvironmentName,
  eachContract,
  deploymentSelect,
  publicationSelect,
  releaseSelect,
  contentSha,
  displayName,
  mainBranchNames,
  noSuchContent,
  noSuchVersion,
  pactConflict,
  countingVerification as countingVerificationOf,
  foldSuccessfulVerifications,
  groupVersionRefs,
  integrationSummariesOf,
  integrationSummariesQuery,
  integrations,
  newestVerificationOf,
  matrixFactsOf,
  matrixPacts,
  pairColumns,
  toDeployment,
  toEnvironment,
  toPactRef,
  toPacticipant,
  toProviderContract,
  toPublication,
  toRelease,
  toReport,
  toVerification,
  type DeploymentRow,
  type EnvironmentRow,
  type IntegrationSummaryRow,
  type MatrixFactRow,
  type PactRefRow,
  type PacticipantRow,
  type ProviderContractRow,
  type PublicationRow,
  type ReleaseRow,
  type VerificationRow,
  type VerificationWithReportRow,
  previousPublicationQueries,
  publicationEvent,
  verificationEvent,
} from '../shared.js';
import type {
  CandidateKind,
  CandidateRequest,
  MatrixFacts,
  MatrixFactsRequest,
  PactRef,
  SuccessfulVerification,
  VerificationCandidates,
  VersionRef,
  VersionSelector,
  ComparisonInput,
  DeliveryOutcome,
  Lease,
  NewTriggeredWebhook,
  OutboxEvent,
  PublicationEvent,
  TriggeredWebhook,
  Webhook,
  WebhookAttempt,
  DeployedVersion,
  Environment,
  IntegrationSummary,
  PactPublication,
  Pacticipant,
  ProviderContract,
  PublishOutcome,
  ReleasedVersion,
  Store,
  Verification,
  VerificationInput,
  VerificationReport,
  Version,
} from '../types.js';
import {
  NOW,
  createPool,
  inTransaction,
  queryOn,
  translate,
  type PoolOptions,
  type Query,
} from './connection.js';
import { migrations } from './migrations.js';
import { WebhookTables } from './webhook-tables.js';

interface VersionRow {
  id: number;
  number: string;
  created_at: string;
  branches: string[];
  tags: string[];
}

/**
 * The key of the advisory lock under which migrations run (any 64-bit number no other application on
 * the database uses; this one spells "treaty" in ASCII).
 */
const MIGRATION_LOCK = 0x747265617479;

/** A version with its branches and tags, in one round trip (`v` is the versions row). */
const versionColumns = `v.id, v.number, v.created_at,
  ARRAY(SELECT b.branch FROM branch_versions b WHERE b.version_id = v.id ORDER BY b.branch) AS branches,
  ARRAY(SELECT t.name FROM tags t WHERE t.version_id = v.id ORDER BY t.name) AS tags`;

/** The id of a pacticipant named by parameter `$n`. */
const pacticipantId = (n: number) => `(SELECT id FROM pacticipants WHERE name = $${n})`;
/** The id of a version named by its pacticipant's name (parameter `name`) and number (default `name + 1`). */
const versionId = (name: number, number = name + 1) =>
  `(SELECT vv.id FROM versions vv WHERE vv.pacticipant_id = ${pacticipantId(name)} AND vv.number = $${number})`;

const verificationColumns = `ve.id, c.name AS consumer, p.name AS provider, v.number AS provider_version, ve.sha,
  ve.success, ve.build_url, ve.evidence, ve.compared_with, ve.created_at`;
const verificationJoins = `FROM verifications ve
  JOIN versions v ON v.id = ve.provider_version_id
  JOIN pacticipants c ON c.id = ve.consumer_id
  JOIN pacticipants p ON p.id = ve.provider_id`;

/**
 * The CTE \`q\`: a row per element of the JSON array bound to $1, with its index as \`idx\` and the given
 * keys of each element as columns (\`{ consumer_version: 'consumerVersion' }\`).
 */
function requestRows(columns: Record<string, string>): string {
  const picked = Object.entries(columns).map(([column, key]) => `r.value->>'${key}' AS ${column}`);
  return `q AS (SELECT (r.ordinality - 1) AS idx, ${picked.join(', ')}
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(value, ordinality))`;
}

/** The verification that counts (see shared.ts), as a LATERAL subquery's rows. */
const countingVerification = (of: string, providerVersionId: string) =>
  countingVerificationOf(of, providerVersionId, 'v2.*');

/**
 * Whether pacticipant `c` has a pact with the provider whose id is `provider` (a condition): a scalar
 * subquery, which PostgreSQL runs as one index probe per pacticipant. Written as `EXISTS`, the planner
 * estimated far more (provider, consumer) pairs than there are and read every publication to list them.
 */
const hasPactWith = (provider: string) =>
  `(SELECT true FROM pact_publications pp WHERE pp.provider_id = ${provider} AND pp.consumer_id = c.id LIMIT 1)`;

/** What the matrix statements select of a verification, its report and the provider version's document. */
const matrixFactColumns = `
  ve.id AS id, ve.success AS success, ve.build_url AS build_url, ve.evidence AS evidence,
  ve.compared_with AS compared_with, ve.created_at AS verified_at,
  CASE WHEN NOT ve.success THEN vr.test_results END AS test_results,
  pc.sha AS document_sha, (pc.self_verification::jsonb->>'success')::boolean AS document_self_verified`;

/** A step of a plan PostgreSQL made, as `EXPLAIN (FORMAT JSON)` gives it (some of its fields). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** The input of a Store method. */
type Input<M extends keyof Store> = Store[M] extends (input: infer I) => unknown ? I : never;

/**
 * The PostgreSQL store: a `pg` Pool, migrations applied at open under an advisory lock, every
 * multi-row write in one transaction. Concurrent writers through several brokers on one database are
 * kept apart by the database itself: unique constraints with `INSERT … ON CONFLICT`, and a lock on a
 * pacticipant's row while one of its versions is created (so version order follows commit order).
 * @example const store = await PostgresStore.open('postgres://treaty:secret@db:5432/treaty')
 */
export class PostgresStore implements Store {
  private readonly q: Query;
  /** Reads on the pool, errors translated (for helpers that also run inside transactions). */
  private readonly readQuery: Query = (sql, params) => this.read(sql, params);
  private closed = false;
  /** The statements run since recordStatements(), by SQL text, each with the parameters it last had. */
  private recorded: Map<string, unknown[]> | undefined;
  /** Webhooks and the outbox (see webhook-tables.ts). */
  private readonly hooks = new WebhookTables(this.readQuery, (work) => this.tx(work));

  private constructor(
    private readonly pool: Pool,
    /** The database URL without its password, for messages. */
    private readonly where: string,
  ) {
    this.q = this.recording(queryOn(pool));
  }

  /**
   * Connects, and applies the migrations this database lacks. Several brokers starting at once on a
   * fresh database migrate it once: each waits for the advisory lock, then finds the work done.
   * Throws TREATY_BROKER_DATABASE (operator) when the database cannot be reached or migrated.
   */
  static async open(url: string, options: PoolOptions = {}): Promise<PostgresStore> {
    const where = redactDatabaseUrl(url);
    let pool: Pool | undefined;
    try {
      pool = createPool(url, options);
      await inTransaction(pool, async (q) => {
        await q('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await q(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)',
        );
        const applied = new Set(
          (await q<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
        );
        const newest = Math.max(0, ...applied);
        const known = Math.max(...migrations.map((m) => m.version));
        if (newest > known)
          throw new Error(
            `the database is at schema version ${newest}, newer than this broker knows (${known}); upgrade Treaty`,
          );
        for (const m of migrations) {
          if (applied.has(m.version)) continue;
          await q(m.sql);
          await q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, ${NOW})`, [
            m.version,
            m.name,
          ]);
        }
      });
    } catch (error) {
      await pool?.end().catch(() => undefined);
      const reason = (error as Error).message;
      throw new TreatyError(
        'TREATY_BROKER_DATABASE',
        `Cannot open the broker database at ${where}: ${reason}. Check the URL, that PostgreSQL is running and reachable, and that the user owns the database (or may create tables in it).`,
        { cause: error },
      );
    }
    return new PostgresStore(pool, where);
  }

  /** The schema versions applied, for diagnostics and tests. */
  async schemaVersions(): Promise<number[]> {
    return (
      await this.read<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    ).map((r) => r.version);
  }

  /** `q`, keeping each statement it runs while statements are recorded. */
  private recording(q: Query): Query {
    return (sql, params) => {
      this.recorded?.set(sql, params ?? []);
      return q(sql, params);
    };
  }

  /**
   * From now on keeps each statement this store runs, by SQL text with the parameters it last ran
   * with, for {@link queryPlans}. For diagnostics and tests: the parameters stay in memory.
   */
  recordStatements(): void {
    this.recorded ??= new Map();
  }

  /**
   * How PostgreSQL would run each statement recorded since {@link recordStatements}, with the
   * parameters it last ran with (`EXPLAIN (FORMAT JSON)`, which runs nothing), by SQL text: for
   * diagnostics, and for tests that check the heavy queries use an index. `settings` hold for the
   * transaction the plans are made in (`{ enable_seqscan: 'off' }`, say).
   */
  async queryPlans(settings: Record<string, string> = {}): Promise<Map<string, PlanNode>> {
    const statements = [...(this.recorded ?? [])];
    try {
      return await inTransaction(this.pool, async (q) => {
        for (const [name, value] of Object.entries(settings))
          await q('SELECT set_config($1, $2, true)', [name, value]);
        const plans = new Map<string, PlanNode>();
        for (const [sql, params] of statements) {
          const [row] = await q<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
            `EXPLAIN (FORMAT JSON) ${sql}`,
            params,
          );
          const plan = row?.['QUERY PLAN'][0]?.Plan;
          if (plan !== undefined) plans.set(sql, plan);
        }
        return plans;
      });
    } catch (error) {
      throw translate(error, this.where);
    }
  }

  /** Rows of one statement on the pool (no transaction). */
  private async read<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return await this.q<T>(sql, params);
    } catch (error) {
      throw translate(error, this.where);
    }
  }

  private async first<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.read<T>(sql, params))[0];
  }

  /** Runs `work` in one transaction (see inTransaction). */
  private async tx<T>(work: (q: Query) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.pool, (q) => work(this.recording(q)));
    } catch (error) {
      throw translate(error, this.where);
    }
  }

  async ping(): Promise<void> {
    await this.read('SELECT 1');
  }

  private async pacticipantRow(q: Query, name: string): Promise<PacticipantRow | undefined> {
    return (await q<PacticipantRow>('SELECT * FROM pacticipants WHERE name = $1', [name]))[0];
  }

  /** The pacticipant's row, created when missing; `created` says whether this call created it. */
  private async ensurePacticipantRow(
    q: Query,
    name: string,
  ): Promise<{ row: PacticipantRow; created: boolean }> {
    checkName('pacticipant name', name);
    const existing = await this.pacticipantRow(q, name);
    if (existing !== undefined) return { row: existing, created: false };
    // Another broker may create it at the same moment: the unique name decides, and both read its row.
    const inserted = await q<PacticipantRow>(
      `INSERT INTO pacticipants (name, display_name, created_at) VALUES ($1, $2, ${NOW})
       ON CONFLICT (name) DO NOTHING RETURNING *`,
      [name, displayName(name)],
    );
    if (inserted[0] !== undefined) return { row: inserted[0], created: true };
    return { row: (await this.pacticipantRow(q, name)) as PacticipantRow, created: false };
  }

  private async versionRow(q: Query, pacticipantId: number, number: string): Promise<VersionRow | undefined> {
    return (
      await q<VersionRow>(
        `SELECT ${versionColumns} FROM versions v WHERE v.pacticipant_id = $1 AND v.number = $2`,
        [pacticipantId, number],
      )
    )[0];
  }

  /** The version's row, created when missing, with the branch and tags added; call within a transaction. */
  private async ensureVersionRow(
    q: Query,
    pacticipant: PacticipantRow,
    number: string,
    branch?: string,
    tags: string[] = [],
  ): Promise<VersionRow> {
    checkName('version number', number);
    if (branch !== undefined) checkName('branch', branch);
    for (const tag of tags) checkName('tag', tag);
    let row = await this.versionRow(q, pacticipant.id, number);
    if (row === undefined) {
      // Versions of one pacticipant are created one at a time, each after the one before committed,
      // so a version's id (its order) is higher than that of every version readers have seen before.
      await q('SELECT 1 FROM pacticipants WHERE id = $1 FOR NO KEY UPDATE', [pacticipant.id]);
      await q(
        `INSERT INTO versions (pacticipant_id, number, created_at) VALUES ($1, $2, ${NOW})
         ON CONFLICT (pacticipant_id, number) DO NOTHING`,
        [pacticipant.id, number],
      );
      // Ours, or the one another broker committed while this one waited for the lock.
      row = (await this.versionRow(q, pacticipant.id, number)) as VersionRow;
    }
    if (branch === undefined && tags.length === 0) return row;
    if (branch !== undefined) {
      await q(
        `INSERT INTO branch_versions (version_id, pacticipant_id, branch, created_at) VALUES ($1, $2, $3, ${NOW})
         ON CONFLICT DO NOTHING`,
        [row.id, pacticipant.id, branch],
      );
      if (pacticipant.main_branch === null && mainBranchNames.includes(branch))
        await q('UPDATE pacticipants SET main_branch = $1 WHERE id = $2 AND main_branch IS NULL', [
          branch,
          pacticipant.id,
        ]);
    }
    for (const tag of tags)
      await q(
        `INSERT INTO tags (version_id, pacticipant_id, name, created_at) VALUES ($1, $2, $3, ${NOW})
         ON CONFLICT DO NOTHING`,
        [row.id, pacticipant.id, tag],
      );
    return (await this.versionRow(q, pacticipant.id, number)) as VersionRow;
  }

  private toVersion(pacticipant: string, row: VersionRow): Version {
    return {
      pacticipant,
      number: row.number,
      order: row.id,
      branches: row.branches,
      tags: row.tags,
      createdAt: row.created_at,
    };
  }

  async getPacticipant(name: string): Promise<Pacticipant | undefined> {
    const row = await this.first<PacticipantRow>('SELECT * FROM pacticipants WHERE name = $1', [name]);
    return row === undefined ? undefined : toPacticipant(row);
  }

  async listPacticipants(): Promise<Pacticipant[]> {
    return (await this.read<PacticipantRow>('SELECT * FROM pacticipants ORDER BY name')).map(toPacticipant);
  }

  async updatePacticipant(
    name: string,
    fields: { displayName?: string; mainBranch?: string; repositoryUrl?: string },
  ): Promise<{ pacticipant: Pacticipant; created: boolean }> {
    if (fields.displayName !== undefined) checkName('display name', fields.displayName);
    if (fields.mainBranch !== undefined) checkName('branch', fields.mainBranch);
    return this.tx(async (q) => {
      const { row, created } = await this.ensurePacticipantRow(q, name);
      const [updated] = await q<PacticipantRow>(
        `UPDATE pacticipants SET display_name = COALESCE($1, display_name), main_branch = COALESCE($2, main_branch),
           repository_url = COALESCE($3, repository_url) WHERE id = $4 RETURNING *`,
        [fields.displayName ?? null, fields.mainBranch ?? null, fields.repositoryUrl ?? null, row.id],
      );
      return { pacticipant: toPacticipant(updated as PacticipantRow), created };
    });
  }

  /** The newest versions first, optionally only those on a branch or with a tag. */
  private versionsQuery(filter: { branch?: string; tag?: string }): string {
    if (filter.branch !== undefined)
      return `SELECT ${versionColumns} FROM branch_versions bv JOIN versions v ON v.id = bv.version_id
              WHERE bv.pacticipant_id = ${pacticipantId(1)} AND bv.branch = $2 ORDER BY v.id DESC`;
    if (filter.tag !== undefined)
      return `SELECT ${versionColumns} FROM tags tv JOIN versions v ON v.id = tv.version_id
              WHERE tv.pacticipant_id = ${pacticipantId(1)} AND tv.name = $2 ORDER BY v.id DESC`;
    return `SELECT ${versionColumns} FROM versions v WHERE v.pacticipant_id = ${pacticipantId(1)} ORDER BY v.id DESC`;
  }

  private filterParams(pacticipant: string, filter: { branch?: string; tag?: string }): string[] {
    const value = filter.branch ?? filter.tag;
    return value === undefined ? [pacticipant] : [pacticipant, value];
  }

  async listVersions(
    pacticipant: string,
    filter: { branch?: string; tag?: string; limit?: number; offset?: number } = {},
  ): Promise<Version[]> {
    const params: unknown[] = this.filterParams(pacticipant, filter);
    const rows = await this.read<VersionRow>(
      `${this.versionsQuery(filter)} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit ?? 100, filter.offset ?? 0],
    );
    return rows.map((r) => this.toVersion(pacticipant, r));
  }

  async countVersions(pacticipant: string): Promise<number> {
    const row = await this.first<{ n: number }>(
      `SELECT COUNT(*) AS n FROM versions WHERE pacticipant_id = ${pacticipantId(1)}`,
      [pacticipant],
    );
    return row?.n ?? 0;
  }

  async ensureVersion(
    pacticipant: string,
    number: string,
    options: { branch?: string; tags?: string[] } = {},
  ): Promise<Version> {
    return this.tx(async (q) => {
      const { row } = await this.ensurePacticipantRow(q, pacticipant);
      return this.toVersion(
        pacticipant,
        await this.ensureVersionRow(q, row, number, options.branch, options.tags),
      );
    });
  }

  async getVersion(pacticipant: string, number: string): Promise<Version | undefined> {
    const row = await this.first<VersionRow>(
      `SELECT ${versionColumns} FROM versions v WHERE v.pacticipant_id = ${pacticipantId(1)} AND v.number = $2`,
      [pacticipant, number],
    );
    return row === undefined ? undefined : this.toVersion(pacticipant, row);
  }

  async latestVersion(
    pacticipant: string,
    filter: { branch?: string; tag?: string } = {},
  ): Promise<Version | undefined> {
    // "Latest" is the most recently created version (the highest id), as the Pact Broker orders them.
    const row = await this.first<VersionRow>(
      `${this.versionsQuery(filter)} LIMIT 1`,
      this.filterParams(pacticipant, filter),
    );
    return row === undefined ? undefined : this.toVersion(pacticipant, row);
  }

  async addTag(pacticipant: string, number: string, tag: string): Promise<Version> {
    return this.ensureVersion(pacticipant, number, { tags: [tag] });
  }

  async publishPact(input: Input<'publishPact'>): Promise<PublishOutcome> {
    const { provider, content, ...version } = input;
    const [outcome] = await this.publishContracts({ ...version, contracts: [{ provider, content }] });
    return outcome as PublishOutcome;
  }

  /**
   * Publishes a consumer version's pacts in one transaction. Brokers publishing the same version at
   * once meet at the unique (consumer version, provider) row: the first to commit stores its content,
   * the others find it there, unchanged if theirs is the same and in conflict if not.
   *
   * Whatever the order of the contracts, rows that other transactions may be writing too are written in
   * one order — pacticipants by name, then contents by sha, then the consumer's version — so two
   * publications never wait for each other in a circle (a deadlock PostgreSQL would end after a second).
   */
  async publishContracts(input: Input<'publishContracts'>): Promise<PublishOutcome[]> {
    const contracts = eachContract(input).map((c) => ({ ...c, sha: contentSha(c.content) }));
    return this.tx(async (q) => {
      const names = [...new Set([input.consumer, ...contracts.map((c) => c.provider)])].sort();
      const rows = new Map<string, PacticipantRow>();
      for (const name of names) rows.set(name, (await this.ensurePacticipantRow(q, name)).row);
      const contents = new Map(contracts.map((c) => [c.sha, c.content]));
      const stored = new Set<string>();
      for (const sha of [...contents.keys()].sort()) {
        const inserted = await q(
          'INSERT INTO pact_contents (sha, content) VALUES ($1, $2) ON CONFLICT (sha) DO NOTHING RETURNING sha',
          [sha, contents.get(sha)],
        );
        if (inserted.length > 0) stored.add(sha);
      }
      const consumer = rows.get(input.consumer) as PacticipantRow;
      const version = await this.ensureVersionRow(
        q,
        consumer,
        input.consumerVersion,
        input.branch,
        input.tags,
      );
      const outcomes: PublishOutcome[] = [];
      for (const c of contracts) {
        // As SQLite says it: the content existed unless this publication stored it, for its first contract.
        const contentExisted = !stored.delete(c.sha);
        const provider = rows.get(c.provider) as PacticipantRow;
        const replaced = await this.publishOne(q, c, version.id, consumer.id, provider.id);
        const [row] = await q<PublicationRow>(
          `${publicationSelect} WHERE pp.consumer_version_id = $1 AND pp.provider_id = $2`,
          [version.id, provider.id],
        );
        const previous =
          replaced === undefined ? await this.previousByTag(q, consumer.id, provider.id, version) : [];
        await this.hooks.appendEvent(q, publicationEvent(c, c.sha, version, replaced, previous));
        outcomes.push({
          publication: toPublication(row as PublicationRow),
          contentExisted,
          unchanged: replaced === c.sha,
        });
      }
      return outcomes;
    });
  }

  /**
   * Publishes one pact of a version: the content the version had with the provider before (the same
   * when it already had exactly this pact), undefined when this is its first.
   */
  private async publishOne(
    q: Query,
    input: Input<'publishPact'> & { sha: string },
    versionId: number,
    consumerId: number,
    providerId: number,
  ): Promise<string | undefined> {
    const inserted = await q(
      `INSERT INTO pact_publications (consumer_version_id, consumer_id, provider_id, sha, created_at)
       VALUES ($1, $2, $3, $4, ${NOW}) ON CONFLICT (consumer_version_id, provider_id) DO NOTHING RETURNING id`,
      [versionId, consumerId, providerId, input.sha],
    );
    if (inserted.length > 0) return undefined;
    const [existing] = await q<{ id: number; sha: string }>(
      'SELECT id, sha FROM pact_publications WHERE consumer_version_id = $1 AND provider_id = $2 FOR UPDATE',
      [versionId, providerId],
    );
    const { id, sha } = existing as { id: number; sha: string };
    if (sha === input.sha) return sha;
    if (input.allowOverwrite !== true) throw pactConflict(input);
    await q(`UPDATE pact_publications SET sha = $1, created_at = ${NOW} WHERE id = $2`, [input.sha, id]);
    return sha;
  }

  /**
   * Per tag of the version (or "untagged"), the pair's newest content from an older version (see
   * PublicationEvent).
   */
  private async previousByTag(
    q: Query,
    consumerId: number,
    providerId: number,
    version: VersionRow,
  ): Promise<PublicationEvent['previous']> {
    const sql = previousPublicationQueries((n) => `$${n}`);
    const sha = async (query: string, params: unknown[]) =>
      (await q<{ sha: string }>(query, params))[0]?.sha ?? null;
    if (version.tags.length === 0)
      return [{ tag: null, sha: await sha(sql.untagged, [consumerId, providerId, version.id]) }];
    const out: PublicationEvent['previous'] = [];
    for (const tag of version.tags)
      out.push({ tag, sha: await sha(sql.tagged, [consumerId, providerId, version.id, tag]) });
    return out;
  }

  private async publication(sql: string, params: unknown[]): Promise<PactPublication | undefined> {
    const row = await this.first<PublicationRow>(sql, params);
    return row === undefined ? undefined : toPublication(row);
  }

  async getPact(
    consumer: string,
    consumerVersion: string,
    provider: string,
  ): Promise<PactPublication | undefined> {
    return this.publication(
      `${publicationSelect} WHERE pp.consumer_version_id = ${versionId(1)} AND pp.provider_id = ${pacticipantId(3)}`,
      [consumer, consumerVersion, provider],
    );
  }

  async latestPact(
    consumer: string,
    provider: string,
    filter: { branch?: string; tag?: string } = {},
  ): Promise<PactPublication | undefined> {
    let sql = `${publicationSelect} WHERE c.name = $1 AND p.name = $2`;
    const params: string[] = [consumer, provider];
    if (filter.branch !== undefined) {
      params.push(filter.branch);
      sql += ` AND EXISTS (SELECT 1 FROM branch_versions b WHERE b.version_id = pp.consumer_version_id AND b.branch = $${params.length})`;
    }
    if (filter.tag !== undefined) {
      params.push(filter.tag);
      sql += ` AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = pp.consumer_version_id AND t.name = $${params.length})`;
    }
    return this.publication(`${sql} ORDER BY pp.consumer_version_id DESC LIMIT 1`, params);
  }

  async getPactBySha(consumer: string, provider: string, sha: string): Promise<PactPublication | undefined> {
    return this.publication(
      `${publicationSelect} WHERE c.name = $1 AND p.name = $2 AND pp.sha = $3 ORDER BY pp.consumer_version_id DESC LIMIT 1`,
      [consumer, provider, sha],
    );
  }

  async previousDistinctPact(
    consumer: string,
    provider: string,
    consumerVersion: string,
  ): Promise<PactPublication | undefined> {
    const current = await this.getPact(consumer, consumerVersion, provider);
    if (current === undefined) return undefined;
    return this.publication(
      `${publicationSelect} WHERE c.name = $1 AND p.name = $2 AND pp.sha <> $3 AND pp.consumer_version_id < ${versionId(1, 4)}
       ORDER BY pp.consumer_version_id DESC LIMIT 1`,
      [consumer, provider, current.sha, consumerVersion],
    );
  }

  async latestVerification(
    consumer: string,
    provider: string,
    sha: string,
    providerVersion: string,
  ): Promise<Verification | undefined> {
    const row = await this.first<VerificationRow>(
      `SELECT ${verificationColumns} ${verificationJoins}
       WHERE ve.consumer_id = ${pacticipantId(1)} AND ve.provider_id = ${pacticipantId(2)} AND ve.sha = $3
         AND ve.provider_version_id = ${versionId(2, 4)}
       ORDER BY ve.evidence IS NULL DESC, ve.id DESC LIMIT 1`,
      [consumer, provider, sha, providerVersion],
    );
    return row === undefined ? undefined : toVerification(row);
  }

  async consumersOf(provider: string): Promise<string[]> {
    // lower() of a COLLATE "C" column folds ASCII only, as SQLite's NOCASE does.
    return (
      await this.read<{ name: string }>(
        `SELECT c.name FROM pacticipants c WHERE ${hasPactWith(pacticipantId(1))} ORDER BY lower(c.name), c.name`,
        [provider],
      )
    ).map((r) => r.name);
  }

  async integrationSummaries(): Promise<IntegrationSummary[]> {
    // The pair before l's: the newest publication of l's consumer with the next lower provider, else
    // of the next lower consumer. LATERAL with LIMIT keeps each a probe per pair: written as joins on
    // scalar subqueries (as SQLite's), the planner hashed every publication to join one row, and read
    // verifications whole (verifications_pkey end to end) to join each pair's newest.
    const columns = 'pp.consumer_id, pp.provider_id, pp.consumer_version_id, pp.sha, pp.created_at';
    const pairBefore = `CROSS JOIN LATERAL (
      (SELECT ${columns} FROM pact_publications pp WHERE pp.consumer_id = l.consumer_id AND pp.provider_id < l.provider_id
       ORDER BY pp.provider_id DESC, pp.consumer_version_id DESC LIMIT 1)
      UNION ALL
      (SELECT ${columns} FROM pact_publications pp WHERE pp.consumer_id < l.consumer_id
       ORDER BY pp.consumer_id DESC, pp.provider_id DESC, pp.consumer_version_id DESC LIMIT 1)
      LIMIT 1) nx`;
    const newestVerification = `LEFT JOIN LATERAL (SELECT v2.* FROM verifications v2 WHERE ${newestVerificationOf}) ve ON true
      LEFT JOIN versions pv ON pv.id = ve.provider_version_id`;
    return integrationSummariesOf(
      await this.read<IntegrationSummaryRow>(integrationSummariesQuery(pairBefore, newestVerification)),
    );
  }

  async branchesOf(pacticipant: string): Promise<string[]> {
    return (
      await this.read<{ branch: string }>(
        `SELECT b.branch FROM branch_versions b WHERE b.pacticipant_id = ${pacticipantId(1)} GROUP BY b.branch ORDER BY b.branch`,
        [pacticipant],
      )
    ).map((r) => r.branch);
  }

  async branchCreatedAt(pacticipant: string, branch: string): Promise<string | undefined> {
    const row = await this.first<{ created_at: string | null }>(
      `SELECT MIN(b.created_at) AS created_at FROM branch_versions b WHERE b.pacticipant_id = ${pacticipantId(1)} AND b.branch = $2`,
      [pacticipant, branch],
    );
    return row?.created_at ?? undefined;
  }

  async lookUpNames(names: {
    pacticipants?: string[];
    environments?: string[];
  }): Promise<{ pacticipants: Pacticipant[]; environments: Environment[] }> {
    const pacticipants = await this.read<PacticipantRow>(
      'SELECT * FROM pacticipants WHERE name = ANY($1::text[]) ORDER BY name',
      [names.pacticipants ?? []],
    );
    const environments = await this.read<EnvironmentRow>(
      'SELECT * FROM environments WHERE name = ANY($1::text[]) ORDER BY lower(display_name), name',
      [names.environments ?? []],
    );
    return { pacticipants: pacticipants.map(toPacticipant), environments: environments.map(toEnvironment) };
  }

  /** As SQLite's: one statement for every selector (see sqlite-store.ts `versionsMatchingSql`). */
  async versionsMatching(
    selectors: VersionSelector[],
    limit = 100,
  ): Promise<Array<VersionRef[] | undefined>> {
    const rows = await this.read<{ idx: number; number: string | null; version_order: number | null }>(
      `WITH sel AS (
        SELECT (s.ordinality - 1) AS idx, p.id AS pid,
          s.value->>'number' AS number,
          s.value->>'environment' AS environment,
          CASE WHEN COALESCE((s.value->>'mainBranch')::boolean, false) THEN p.main_branch
               ELSE s.value->>'branch' END AS branch,
          COALESCE((s.value->>'mainBranch')::boolean, false) AS main,
          s.value->>'tag' AS tag,
          COALESCE((s.value->>'latest')::boolean, false) AS latest
        FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS s(value, ordinality)
        JOIN pacticipants p ON p.name = s.value->>'pacticipant'
      ),
      kinds AS (
        SELECT sel.*, CASE
          WHEN number IS NOT NULL THEN 'number'
          WHEN environment IS NOT NULL THEN 'environment'
          WHEN branch IS NOT NULL THEN 'branch'
          WHEN main THEN 'none'
          WHEN tag IS NOT NULL THEN 'tag'
          ELSE 'all' END AS kind
        FROM sel
      ),
      -- For a selector that wants several: the limit-th newest version's id, where they start.
      k AS MATERIALIZED (
        SELECT kinds.*, COALESCE(CASE WHEN latest THEN NULL
          WHEN kind = 'branch' THEN (SELECT b.version_id FROM branch_versions b
            WHERE b.pacticipant_id = kinds.pid AND b.branch = kinds.branch
            ORDER BY b.version_id DESC LIMIT 1 OFFSET $2::int - 1)
          WHEN kind = 'tag' THEN (SELECT t.version_id FROM tags t
            WHERE t.pacticipant_id = kinds.pid AND t.name = kinds.tag
            ORDER BY t.version_id DESC LIMIT 1 OFFSET $2::int - 1)
          WHEN kind = 'all' THEN (SELECT v.id FROM versions v
            WHERE v.pacticipant_id = kinds.pid ORDER BY v.id DESC LIMIT 1 OFFSET $2::int - 1)
          END, 0) AS newest_from
        FROM kinds
      ),
      hits (idx, version_id) AS (
        SELECT k.idx, v.id FROM k JOIN versions v ON v.pacticipant_id = k.pid AND v.number = k.number
          WHERE k.kind = 'number'
        UNION ALL
        SELECT k.idx, d.version_id FROM k JOIN environments e ON e.name = k.environment
          JOIN deployed_versions d
            ON d.environment_uuid = e.uuid AND d.pacticipant_id = k.pid AND d.undeployed_at IS NULL
          WHERE k.kind = 'environment'
        UNION ALL
        SELECT k.idx, r.version_id FROM k JOIN environments e ON e.name = k.environment
          JOIN released_versions r
            ON r.environment_uuid = e.uuid AND r.pacticipant_id = k.pid AND r.support_ended_at IS NULL
          WHERE k.kind = 'environment'
        UNION ALL
        SELECT k.idx, (SELECT MAX(b.version_id) FROM branch_versions b
                        WHERE b.pacticipant_id = k.pid AND b.branch = k.branch)
          FROM k WHERE k.kind = 'branch' AND k.latest
        UNION ALL
        SELECT k.idx, (SELECT MAX(t.version_id) FROM tags t WHERE t.pacticipant_id = k.pid AND t.name = k.tag)
          FROM k WHERE k.kind = 'tag' AND k.latest
        UNION ALL
        SELECT k.idx, (SELECT MAX(v.id) FROM versions v WHERE v.pacticipant_id = k.pid)
          FROM k WHERE k.kind = 'all' AND k.latest
        UNION ALL
        SELECT k.idx, b.version_id FROM k JOIN branch_versions b
          ON b.pacticipant_id = k.pid AND b.branch = k.branch AND b.version_id >= k.newest_from
          WHERE k.kind = 'branch' AND NOT k.latest
        UNION ALL
        SELECT k.idx, t.version_id FROM k JOIN tags t
          ON t.pacticipant_id = k.pid AND t.name = k.tag AND t.version_id >= k.newest_from
          WHERE k.kind = 'tag' AND NOT k.latest
        UNION ALL
        SELECT k.idx, v.id FROM k JOIN versions v ON v.pacticipant_id = k.pid AND v.id >= k.newest_from
          WHERE k.kind = 'all' AND NOT k.latest
      )
      SELECT k.idx, v.number, v.id AS version_order
        FROM k LEFT JOIN hits h ON h.idx = k.idx LEFT JOIN versions v ON v.id = h.version_id
        ORDER BY k.idx, v.id DESC NULLS LAST`,
      [JSON.stringify(selectors), limit],
    );
    return groupVersionRefs(selectors, rows);
  }

  async integrationsOfVersions(
    versions: Array<{ pacticipant: string; number: string }>,
  ): Promise<Array<{ pacts: PactRef[]; consumers: string[] }>> {
    const pacts = await this.read<PactRefRow & { idx: number }>(
      `WITH ${requestRows({ consumer: 'pacticipant', number: 'number' })}
       SELECT q.idx, c.name AS consumer, v.number AS number, p.name AS provider, pp.sha AS sha,
              pp.created_at AS created_at
       FROM q
       JOIN pacticipants c ON c.name = q.consumer
       JOIN versions v ON v.pacticipant_id = c.id AND v.number = q.number
       JOIN pact_publications pp ON pp.consumer_version_id = v.id
       JOIN pacticipants p ON p.id = pp.provider_id
       ORDER BY q.idx, p.name`,
      [JSON.stringify(versions)],
    );
    // lower() of a COLLATE "C" column folds ASCII only, as SQLite's NOCASE does.
    const consumers = await this.read<{ provider: string; consumer: string }>(
      `SELECT p.name AS provider, c.name AS consumer
       FROM pacticipants p JOIN pacticipants c ON ${hasPactWith('p.id')}
       WHERE p.name = ANY($1::text[])
       ORDER BY p.name, lower(c.name), c.name`,
      [[...new Set(versions.map((v) => v.pacticipant))]],
    );
    return integrations(versions, pacts, consumers);
  }

  async matrixFacts(request: MatrixFactsRequest): Promise<MatrixFacts> {
    const pairs = request.pairs ?? [];
    const verifiersOf = request.verifiersOf ?? [];
    const verifiedBy = request.verifiedBy ?? [];
    const pairRows =
      pairs.length === 0
        ? []
        : await this.read<MatrixFactRow>(
            // pacts is materialized so that each provider version is found by its (pacticipant, number):
            // inlined, PostgreSQL found it among all the provider's versions, filtering by number.
            `WITH ${requestRows({ ...pairColumns, provider_version: 'providerVersion' })},
             pacts AS MATERIALIZED (${matrixPacts}),
             paired AS (
               SELECT pacts.*, pv.id AS pv_id FROM pacts
               LEFT JOIN versions pv ON pv.pacticipant_id = pacts.provider_id AND pv.number = pacts.provider_version
             )
             SELECT paired.idx, paired.consumer, paired.consumer_version, paired.provider, paired.sha,
                    paired.pact_created_at, paired.provider_version, paired.pv_id AS provider_version_order,
                    ${matrixFactColumns}
             FROM paired
             LEFT JOIN LATERAL (${countingVerification('paired', 'paired.pv_id')}) ve ON true
             LEFT JOIN verification_results vr ON vr.verification_id = ve.id
             LEFT JOIN provider_contracts pc ON pc.version_id = paired.pv_id`,
            [JSON.stringify(pairs)],
          );
    const verifierRows =
      verifiersOf.length === 0
        ? []
        : await this.read<MatrixFactRow>(
            `WITH ${requestRows(pairColumns)},
             pacts AS (${matrixPacts}),
             verifiers AS (
               SELECT pacts.idx, ve.provider_version_id AS pv_id, MAX(ve.id) AS newest
               FROM pacts JOIN verifications ve
                 ON ve.consumer_id = pacts.consumer_id AND ve.provider_id = pacts.provider_id AND ve.sha = pacts.sha
               GROUP BY pacts.idx, ve.provider_version_id
             )
             SELECT pacts.idx, pacts.consumer, pacts.consumer_version, pacts.provider, pacts.sha,
                    pacts.pact_created_at, pv.number AS provider_version, pv.id AS provider_version_order,
                    ${matrixFactColumns}
             FROM pacts
             LEFT JOIN verifiers ON verifiers.idx = pacts.idx
             LEFT JOIN LATERAL (${countingVerification('pacts', 'verifiers.pv_id')}) ve ON true
             LEFT JOIN versions pv ON pv.id = verifiers.pv_id
             LEFT JOIN verification_results vr ON vr.verification_id = ve.id
             LEFT JOIN provider_contracts pc ON pc.version_id = verifiers.pv_id
             ORDER BY pacts.idx, verifiers.newest DESC NULLS LAST`,
            [JSON.stringify(verifiersOf)],
          );
    const verifiedRows =
      verifiedBy.length === 0
        ? []
        : await this.read<MatrixFactRow>(
            `WITH ${requestRows({ consumer: 'consumer', provider: 'provider', provider_version: 'providerVersion' })},
             verified AS (
               SELECT q.idx, q.consumer, q.provider, q.provider_version, pv.id AS pv_id,
                      ve.consumer_id, ve.provider_id, ve.sha, MAX(ve.id) AS newest
               FROM q
               JOIN pacticipants p ON p.name = q.provider
               JOIN versions pv ON pv.pacticipant_id = p.id AND pv.number = q.provider_version
               JOIN pacticipants c ON c.name = q.consumer
               JOIN verifications ve
                 ON ve.provider_version_id = pv.id AND ve.consumer_id = c.id AND ve.provider_id = p.id
               GROUP BY q.idx, q.consumer, q.provider, q.provider_version, pv.id, ve.consumer_id, ve.provider_id, ve.sha
             )
             SELECT verified.idx, verified.consumer, cv.number AS consumer_version, verified.provider, verified.sha,
                    pp.created_at AS pact_created_at, verified.provider_version, verified.pv_id AS provider_version_order,
                    ${matrixFactColumns}
             FROM verified
             JOIN LATERAL (
               SELECT pp2.consumer_version_id, pp2.created_at FROM pact_publications pp2
               WHERE pp2.consumer_id = verified.consumer_id AND pp2.provider_id = verified.provider_id
                 AND pp2.sha = verified.sha
               ORDER BY pp2.consumer_version_id DESC LIMIT 1) pp ON true
             JOIN versions cv ON cv.id = pp.consumer_version_id
             JOIN LATERAL (${countingVerification('verified', 'verified.pv_id')}) ve ON true
             LEFT JOIN verification_results vr ON vr.verification_id = ve.id
             LEFT JOIN provider_contracts pc ON pc.version_id = verified.pv_id
             ORDER BY verified.idx, verified.newest DESC`,
            [JSON.stringify(verifiedBy)],
          );
    return matrixFactsOf(request, pairRows, verifierRows, verifiedRows);
  }

  /**
   * As SQLite's: the consumers with their main branch, the environments and when the provider's branch
   * began; then every candidate pact of those consumers (named by the first statement, so the planner
   * knows how few they are), a head walking its branch's, tag's or pair's versions newest first until
   * one has a pact with the provider.
   */
  async verificationCandidates(provider: string, request: CandidateRequest): Promise<VerificationCandidates> {
    // lower() of a COLLATE "C" column folds ASCII only, as SQLite's NOCASE does.
    const info = await this.read<{
      kind: string;
      name: string | null;
      detail: string | null;
      flag: boolean;
      at: string | null;
    }>(
      `WITH prov AS (SELECT id FROM pacticipants WHERE name = $1)
       SELECT 'consumer' AS kind, c.name AS name, c.main_branch AS detail,
              COALESCE((SELECT true FROM branch_versions b
                WHERE b.pacticipant_id = c.id AND b.branch = c.main_branch LIMIT 1), false) AS flag,
              NULL::timestamptz AS at, lower(c.name) AS sort
         FROM pacticipants c, prov
         WHERE ${hasPactWith('prov.id')}
       UNION ALL
       SELECT 'environment', e.name, NULL, false, NULL, lower(e.display_name) FROM environments e
       UNION ALL
       SELECT 'branch-created', NULL, NULL, false, MIN(b.created_at), NULL
         FROM branch_versions b, prov WHERE b.pacticipant_id = prov.id AND b.branch = $2
       ORDER BY kind, sort, name`,
      [provider, request.providerBranch ?? null],
    );
    const out: VerificationCandidates = { consumers: [], environments: [], pacts: [] };
    for (const r of info) {
      if (r.kind === 'branch-created') {
        if (r.at !== null) out.providerBranchCreatedAt = r.at;
      } else if (r.name === null) continue;
      else if (r.kind === 'consumer')
        out.consumers.push({
          name: r.name,
          ...(r.detail === null ? {} : { mainBranch: r.detail }),
          mainBranchHasVersions: r.flag,
        });
      else out.environments.push(r.name);
    }
    if (out.consumers.length === 0) return out;
    const rows = await this.read<PactRefRow & { kind: CandidateKind; key: string | null }>(
      `WITH prov AS (SELECT id FROM pacticipants WHERE name = $1),
       consumers AS MATERIALIZED (SELECT c.id, c.main_branch FROM pacticipants c WHERE c.name = ANY($9::text[])),
       wanted (consumer_id, branch) AS (
         SELECT c.id, w.branch FROM consumers c, unnest($3::text[]) AS w(branch)
         UNION
         SELECT c.id, c.main_branch FROM consumers c WHERE $4 AND c.main_branch IS NOT NULL
         UNION
         SELECT DISTINCT b.pacticipant_id, b.branch FROM consumers c JOIN branch_versions b
           ON b.pacticipant_id = c.id WHERE $5
       ),
       heads (kind, key, version_id, sort_time, sort_id) AS (
         SELECT 'latest', NULL::text, (SELECT MAX(pp.consumer_version_id) FROM pact_publications pp
                                   WHERE pp.consumer_id = c.id AND pp.provider_id = prov.id),
                NULL::timestamptz, 0::bigint
           FROM consumers c, prov WHERE $2
         UNION ALL
         SELECT 'branch', w.branch, (SELECT b.version_id FROM branch_versions b
                                       WHERE b.pacticipant_id = w.consumer_id AND b.branch = w.branch
                                         AND EXISTS (SELECT 1 FROM pact_publications pp
                                           WHERE pp.consumer_version_id = b.version_id AND pp.provider_id = prov.id)
                                       ORDER BY b.version_id DESC LIMIT 1), NULL, 0
           FROM wanted w, prov
         UNION ALL
         SELECT 'tag', t.tag, (SELECT tg.version_id FROM tags tg
                                 WHERE tg.pacticipant_id = c.id AND tg.name = t.tag
                                   AND EXISTS (SELECT 1 FROM pact_publications pp
                                     WHERE pp.consumer_version_id = tg.version_id AND pp.provider_id = prov.id)
                                 ORDER BY tg.version_id DESC LIMIT 1), NULL, 0
           FROM consumers c, unnest($6::text[]) AS t(tag), prov
         UNION ALL
         SELECT 'tagged', tg.name, tg.version_id, NULL, tg.version_id
           FROM consumers c CROSS JOIN unnest($7::text[]) AS w(tag) JOIN tags tg
             ON tg.pacticipant_id = c.id AND tg.name = w.tag
         UNION ALL
         SELECT 'deployed', e.name, d.version_id, d.created_at, 0
           FROM consumers c CROSS JOIN environments e JOIN deployed_versions d
             ON d.environment_uuid = e.uuid AND d.pacticipant_id = c.id AND d.undeployed_at IS NULL
           WHERE $8
         UNION ALL
         SELECT 'released', e.name, r.version_id, r.created_at, 0
           FROM consumers c CROSS JOIN environments e JOIN released_versions r
             ON r.environment_uuid = e.uuid AND r.pacticipant_id = c.id AND r.support_ended_at IS NULL
           WHERE $8
       )
       SELECT h.kind, h.key, c.name AS consumer, v.number AS number, p.name AS provider, pp.sha AS sha,
              pp.created_at AS created_at
       FROM heads h CROSS JOIN prov
       JOIN pact_publications pp ON pp.consumer_version_id = h.version_id AND pp.provider_id = prov.id
       JOIN versions v ON v.id = h.version_id
       JOIN pacticipants c ON c.id = pp.consumer_id
       JOIN pacticipants p ON p.id = pp.provider_id
       ORDER BY h.kind COLLATE "C", h.key COLLATE "C", c.name, h.sort_time, h.sort_id`,
      [
        provider,
        request.latest === true,
        request.branches ?? [],
        request.mainBranches === true,
        request.allBranches === true,
        request.latestTags ?? [],
        request.tags ?? [],
        request.environments === true,
        out.consumers.map((c) => c.name),
      ],
    );
    for (const r of rows)
      out.pacts.push({ kind: r.kind, ...(r.key === null ? {} : { key: r.key }), pact: toPactRef(r) });
    return out;
  }

  async successfulVerificationsOf(
    provider: string,
    contents: Array<{ consumer: string; sha: string }>,
  ): Promise<SuccessfulVerification[][]> {
    // The branches joined in: a row per verification and branch.
    const rows = await this.read<{
      idx: number;
      id: number;
      number: string;
      created_at: string;
      wip: boolean;
      branch: string | null;
    }>(
      `WITH ${requestRows({ consumer: 'consumer', sha: 'sha' })}
       SELECT q.idx, ve.id AS id, v.number AS number, ve.created_at AS created_at, ve.wip AS wip, b.branch AS branch
       FROM q
       JOIN pacticipants c ON c.name = q.consumer
       JOIN verifications ve ON ve.consumer_id = c.id AND ve.provider_id = ${pacticipantId(2)} AND ve.sha = q.sha
       JOIN versions v ON v.id = ve.provider_version_id
       LEFT JOIN branch_versions b ON b.version_id = ve.provider_version_id
       WHERE ve.success AND ve.evidence IS NULL
       ORDER BY q.idx, ve.id, b.branch`,
      [JSON.stringify(contents), provider],
    );
    return foldSuccessfulVerifications(contents.length, rows);
  }

  async recordVerification(input: VerificationInput): Promise<Verification> {
    return this.tx(async (q): Promise<Verification> => {
      const verification = await this.insertVerification(q, input);
      // A verifier's result is an event for webhooks; a comparison with a document is not.
      await this.hooks.appendEvent(q, verificationEvent(input, verification.id));
      return verification;
    });
  }

  /**
   * Records a comparison unless the newest comparison of this content by this provider version was made
   * with the same document. Comparisons of one (pair, content, provider version) take turns (an advisory
   * lock on it for the transaction), so two brokers comparing at once record one.
   */
  async recordComparison(input: ComparisonInput): Promise<{ verification: Verification; created: boolean }> {
    const { consumer, provider, providerVersion, sha } = input;
    return this.tx(async (q) => {
      await q("SELECT pg_advisory_xact_lock(hashtext('treaty comparison'), hashtext($1))", [
        JSON.stringify([consumer, provider, sha, providerVersion]),
      ]);
      const [newest] = await q<VerificationRow>(
        `SELECT ${verificationColumns} ${verificationJoins}
         WHERE ve.consumer_id = ${pacticipantId(1)} AND ve.provider_id = ${pacticipantId(2)} AND ve.sha = $3
           AND ve.provider_version_id = ${versionId(2, 4)} AND ve.evidence = 'openapi'
         ORDER BY ve.id DESC LIMIT 1`,
        [consumer, provider, sha, providerVersion],
      );
      if (newest !== undefined && newest.compared_with === input.comparedWith)
        return { verification: toVerification(newest), created: false };
      return {
        verification: await this.insertVerification(q, { ...input, evidence: 'openapi' }),
        created: true,
      };
    });
  }

  /** Inserts a verification (and what its verifier reported) in the transaction of `q`. */
  private async insertVerification(
    q: Query,
    input: VerificationInput & { comparedWith?: string },
  ): Promise<Verification> {
    const consumer = await this.pacticipantRow(q, input.consumer);
    const provider = await this.pacticipantRow(q, input.provider);
    const published =
      consumer !== undefined &&
      provider !== undefined &&
      (
        await q(
          'SELECT 1 FROM pact_publications WHERE consumer_id = $1 AND provider_id = $2 AND sha = $3 LIMIT 1',
          [consumer.id, provider.id, input.sha],
        )
      ).length > 0;
    if (consumer === undefined || provider === undefined || !published) throw noSuchContent(input);
    const version = await this.ensureVersionRow(q, provider, input.providerVersion, input.branch);
    const [row] = await q<{ id: number; created_at: string }>(
      `INSERT INTO verifications (consumer_id, provider_id, provider_version_id, sha, success, build_url, created_at, wip, evidence, compared_with)
       VALUES ($1, $2, $3, $4, $5, $6, ${NOW}, $7, $8, $9) RETURNING id, created_at`,
      [
        consumer.id,
        provider.id,
        version.id,
        input.sha,
        input.success,
        input.buildUrl ?? null,
        input.wip === true,
        input.evidence ?? null,
        input.comparedWith ?? null,
      ],
    );
    const { id, created_at } = row as { id: number; created_at: string };
    const report = input.report;
    if (report !== undefined && (report.testResults !== undefined || report.verifiedBy !== undefined))
      await q(
        'INSERT INTO verification_results (verification_id, test_results, verified_by, truncated) VALUES ($1, $2, $3, $4)',
        [id, report.testResults ?? null, report.verifiedBy ?? null, report.truncated],
      );
    return toVerification({
      id,
      consumer: input.consumer,
      provider: input.provider,
      provider_version: input.providerVersion,
      sha: input.sha,
      success: input.success,
      build_url: input.buildUrl ?? null,
      evidence: input.evidence ?? null,
      compared_with: input.comparedWith ?? null,
      created_at,
    });
  }

  async getVerification(
    id: number,
  ): Promise<{ verification: Verification; report: VerificationReport } | undefined> {
    // An id beyond bigint is no verification (and no query error).
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.first<VerificationWithReportRow>(
      `SELECT ${verificationColumns}, vr.test_results, vr.verified_by, vr.truncated ${verificationJoins}
       LEFT JOIN verification_results vr ON vr.verification_id = ve.id WHERE ve.id = $1`,
      [id],
    );
    return row === undefined ? undefined : { verification: toVerification(row), report: toReport(row) };
  }

  async verificationsByProviderVersion(provider: string, providerVersion: string): Promise<Verification[]> {
    return (
      await this.read<VerificationRow>(
        `SELECT ${verificationColumns} ${verificationJoins}
         WHERE ve.provider_version_id = ${versionId(1)} ORDER BY ve.id DESC`,
        [provider, providerVersion],
      )
    ).map(toVerification);
  }

  async verificationsFor(consumer: string, provider: string, sha: string): Promise<Verification[]> {
    return (
      await this.read<VerificationRow>(
        `SELECT ${verificationColumns} ${verificationJoins}
         WHERE ve.consumer_id = ${pacticipantId(1)} AND ve.provider_id = ${pacticipantId(2)} AND ve.sha = $3
         ORDER BY ve.id DESC`,
        [consumer, provider, sha],
      )
    ).map(toVerification);
  }

  private async environmentRow(q: Query, uuid: string): Promise<Environment | undefined> {
    const [row] = await q<EnvironmentRow>('SELECT * FROM environments WHERE uuid = $1', [uuid]);
    return row === undefined ? undefined : toEnvironment(row);
  }

  async createEnvironment(input: Input<'createEnvironment'>): Promise<Environment> {
    checkEnvironmentName(input.name);
    const [row] = await this.read<EnvironmentRow>(
      `INSERT INTO environments (uuid, name, display_name, production, contacts, created_at)
       VALUES ($1, $2, $3, $4, $5, ${NOW}) ON CONFLICT (name) DO NOTHING RETURNING *`,
      [
        randomUUID(),
        input.name,
        input.displayName?.trim() || displayName(input.name),
        input.production,
        JSON.stringify(input.contacts ?? []),
      ],
    );
    if (row === undefined)
      throw new TreatyError('TREATY_BROKER_CONFLICT', `An environment named '${input.name}' already exists.`);
    return toEnvironment(row);
  }

  async getEnvironment(uuid: string): Promise<Environment | undefined> {
    return this.environmentRow(this.readQuery, uuid);
  }

  async listEnvironments(): Promise<Environment[]> {
    return (await this.read<EnvironmentRow>('SELECT * FROM environments ORDER BY lower(display_name)')).map(
      toEnvironment,
    );
  }

  private async deployment(q: Query, uuid: string): Promise<DeployedVersion | undefined> {
    const [row] = await q<DeploymentRow>(`${deploymentSelect} WHERE d.uuid = $1`, [uuid]);
    if (row === undefined) return undefined;
    return toDeployment(row, (await this.environmentRow(q, row.environment_uuid)) as Environment);
  }

  /** The pacticipant and version a deployment or release names, checking the environment exists. */
  private async versionInEnvironment(
    q: Query,
    input: { pacticipant: string; version: string; environmentUuid: string },
  ): Promise<{ pacticipantId: number; versionId: number }> {
    if ((await this.environmentRow(q, input.environmentUuid)) === undefined)
      throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No environment ${input.environmentUuid}.`);
    const [row] = await q<{ pacticipant_id: number; id: number }>(
      `SELECT v.pacticipant_id, v.id FROM versions v WHERE v.id = ${versionId(1)}`,
      [input.pacticipant, input.version],
    );
    if (row === undefined) throw noSuchVersion(input);
    return { pacticipantId: row.pacticipant_id, versionId: row.id };
  }

  async recordDeployment(input: Input<'recordDeployment'>): Promise<DeployedVersion> {
    return this.tx(async (q): Promise<DeployedVersion> => {
      const { pacticipantId, versionId } = await this.versionInEnvironment(q, input);
      // One deployment at a time per pacticipant, so two brokers never both leave a version current in
      // the same slot.
      await q('SELECT 1 FROM pacticipants WHERE id = $1 FOR NO KEY UPDATE', [pacticipantId]);
      const instance = input.applicationInstance ?? null;
      const [current] = await q<{ uuid: string; version_id: number }>(
        `SELECT uuid, version_id FROM deployed_versions WHERE environment_uuid = $1 AND pacticipant_id = $2
           AND application_instance IS NOT DISTINCT FROM $3 AND undeployed_at IS NULL`,
        [input.environmentUuid, pacticipantId, instance],
      );
      if (current !== undefined && current.version_id === versionId)
        return (await this.deployment(q, current.uuid)) as DeployedVersion;
      if (current !== undefined)
        await q(`UPDATE deployed_versions SET undeployed_at = ${NOW} WHERE uuid = $1`, [current.uuid]);
      const uuid = randomUUID();
      await q(
        `INSERT INTO deployed_versions (uuid, version_id, pacticipant_id, environment_uuid, application_instance, created_at)
         VALUES ($1, $2, $3, $4, $5, ${NOW})`,
        [uuid, versionId, pacticipantId, input.environmentUuid, instance],
      );
      return (await this.deployment(q, uuid)) as DeployedVersion;
    });
  }

  async getDeployment(uuid: string): Promise<DeployedVersion | undefined> {
    return this.deployment(this.readQuery, uuid);
  }

  async recordUndeployment(uuid: string): Promise<DeployedVersion> {
    const [row] = await this.read(
      `UPDATE deployed_versions SET undeployed_at = COALESCE(undeployed_at, ${NOW}) WHERE uuid = $1 RETURNING uuid`,
      [uuid],
    );
    if (row === undefined) throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No deployed version ${uuid}.`);
    return (await this.getDeployment(uuid)) as DeployedVersion;
  }

  async currentlyDeployed(
    environmentUuid: string,
    filter: { pacticipant?: string; applicationInstance?: string } = {},
  ): Promise<DeployedVersion[]> {
    const environment = await this.getEnvironment(environmentUuid);
    if (environment === undefined) return [];
    const rows = await this.read<DeploymentRow>(
      `${deploymentSelect} WHERE d.environment_uuid = $1 AND d.undeployed_at IS NULL
       ${filter.pacticipant === undefined ? '' : 'AND p.name = $2'} ORDER BY d.created_at`,
      filter.pacticipant === undefined ? [environmentUuid] : [environmentUuid, filter.pacticipant],
    );
    return rows
      .filter(
        (r) =>
          filter.applicationInstance === undefined ||
          (r.application_instance ?? '') === filter.applicationInstance,
      )
      .map((r) => toDeployment(r, environment));
  }

  private async release(q: Query, uuid: string): Promise<ReleasedVersion | undefined> {
    const [row] = await q<ReleaseRow>(`${releaseSelect} WHERE r.uuid = $1`, [uuid]);
    if (row === undefined) return undefined;
    return toRelease(row, (await this.environmentRow(q, row.environment_uuid)) as Environment);
  }

  async recordRelease(
    input: Input<'recordRelease'>,
  ): Promise<{ release: ReleasedVersion; created: boolean }> {
    return this.tx(async (q) => {
      const { pacticipantId, versionId } = await this.versionInEnvironment(q, input);
      const [inserted] = await q<{ uuid: string }>(
        `INSERT INTO released_versions (uuid, version_id, pacticipant_id, environment_uuid, created_at)
         VALUES ($1, $2, $3, $4, ${NOW}) ON CONFLICT (version_id, environment_uuid) DO NOTHING RETURNING uuid`,
        [randomUUID(), versionId, pacticipantId, input.environmentUuid],
      );
      if (inserted !== undefined)
        return { release: (await this.release(q, inserted.uuid)) as ReleasedVersion, created: true };
      const [existing] = await q<{ uuid: string }>(
        'UPDATE released_versions SET support_ended_at = NULL WHERE version_id = $1 AND environment_uuid = $2 RETURNING uuid',
        [versionId, input.environmentUuid],
      );
      return {
        release: (await this.release(q, (existing as { uuid: string }).uuid)) as ReleasedVersion,
        created: false,
      };
    });
  }

  async getRelease(uuid: string): Promise<ReleasedVersion | undefined> {
    return this.release(this.readQuery, uuid);
  }

  async recordSupportEnded(uuid: string): Promise<ReleasedVersion> {
    const [row] = await this.read(
      `UPDATE released_versions SET support_ended_at = COALESCE(support_ended_at, ${NOW}) WHERE uuid = $1 RETURNING uuid`,
      [uuid],
    );
    if (row === undefined) throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No released version ${uuid}.`);
    return (await this.getRelease(uuid)) as ReleasedVersion;
  }

  async currentlySupported(
    environmentUuid: string,
    filter: { pacticipant?: string; version?: string } = {},
  ): Promise<ReleasedVersion[]> {
    const environment = await this.getEnvironment(environmentUuid);
    if (environment === undefined) return [];
    const rows = await this.read<ReleaseRow>(
      `${releaseSelect} WHERE r.environment_uuid = $1 AND r.support_ended_at IS NULL
       ${filter.pacticipant === undefined ? '' : 'AND p.name = $2'} ORDER BY r.created_at`,
      filter.pacticipant === undefined ? [environmentUuid] : [environmentUuid, filter.pacticipant],
    );
    return rows
      .filter((r) => filter.version === undefined || r.version === filter.version)
      .map((r) => toRelease(r, environment));
  }

  async publishProviderContract(
    input: Input<'publishProviderContract'>,
  ): Promise<{ contract: ProviderContract; version: Version }> {
    return this.tx(async (q) => {
      const { row: provider } = await this.ensurePacticipantRow(q, input.provider);
      const version = await this.ensureVersionRow(
        q,
        provider,
        input.providerVersion,
        input.branch,
        input.tags,
      );
      await q(
        `INSERT INTO provider_contracts (version_id, provider_id, sha, content, content_type, specification, self_verification, build_url, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${NOW})
         ON CONFLICT (version_id) DO UPDATE SET sha = excluded.sha, content = excluded.content,
           content_type = excluded.content_type, specification = excluded.specification,
           self_verification = excluded.self_verification, build_url = excluded.build_url, updated_at = ${NOW}`,
        [
          version.id,
          provider.id,
          contentSha(input.content),
          input.content,
          input.contentType,
          input.specification,
          input.selfVerification === undefined ? null : JSON.stringify(input.selfVerification),
          input.buildUrl ?? null,
        ],
      );
      return {
        contract: (await this.providerContract(q, input.provider, version.id)) as ProviderContract,
        version: this.toVersion(input.provider, version),
      };
    });
  }

  async getProviderContract(
    provider: string,
    providerVersion: string,
  ): Promise<ProviderContract | undefined> {
    const [row] = await this.read<{ id: number | null }>(`SELECT ${versionId(1)} AS id`, [
      provider,
      providerVersion,
    ]);
    return row?.id == null ? undefined : this.providerContract(this.readQuery, provider, row.id);
  }

  async hasProviderContracts(provider: string): Promise<boolean> {
    const [row] = await this.read<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM provider_contracts WHERE provider_id = ${pacticipantId(1)}) AS found`,
      [provider],
    );
    return row?.found === true;
  }

  private async providerContract(
    q: Query,
    provider: string,
    versionId: number,
  ): Promise<ProviderContract | undefined> {
    const [row] = await q<ProviderContractRow>(
      `SELECT v.number, c.sha, c.content, c.content_type, c.specification, c.self_verification, c.build_url,
         c.created_at, c.updated_at
       FROM provider_contracts c JOIN versions v ON v.id = c.version_id WHERE c.version_id = $1`,
      [versionId],
    );
    return row === undefined ? undefined : toProviderContract(provider, row);
  }

  async labelsOf(pacticipant: string): Promise<string[]> {
    return (
      await this.read<{ name: string }>(
        `SELECT l.name FROM pacticipant_labels l WHERE l.pacticipant_id = ${pacticipantId(1)} ORDER BY l.name`,
        [pacticipant],
      )
    ).map((r) => r.name);
  }

  async setLabel(pacticipant: string, label: string, present: boolean): Promise<boolean> {
    checkName('label', label);
    if (!present)
      return (
        (
          await this.read(
            `DELETE FROM pacticipant_labels WHERE pacticipant_id = ${pacticipantId(1)} AND name = $2 RETURNING name`,
            [pacticipant, label],
          )
        ).length > 0
      );
    return this.tx(async (q) => {
      const { row } = await this.ensurePacticipantRow(q, pacticipant);
      const inserted = await q(
        `INSERT INTO pacticipant_labels (pacticipant_id, name, created_at) VALUES ($1, $2, ${NOW})
         ON CONFLICT DO NOTHING RETURNING name`,
        [row.id, label],
      );
      return inserted.length > 0;
    });
  }

  async pacticipantsWithLabel(label: string): Promise<string[]> {
    return (
      await this.read<{ name: string }>(
        'SELECT p.name FROM pacticipant_labels l JOIN pacticipants p ON p.id = l.pacticipant_id WHERE l.name = $1 ORDER BY p.name',
        [label],
      )
    ).map((r) => r.name);
  }

  async putWebhook(
    webhook: Omit<Webhook, 'createdAt' | 'updatedAt'>,
  ): Promise<{ webhook: Webhook; created: boolean }> {
    return this.hooks.putWebhook(webhook);
  }

  async getWebhook(uuid: string): Promise<Webhook | undefined> {
    return this.hooks.getWebhook(uuid);
  }

  async listWebhooks(): Promise<Webhook[]> {
    return this.hooks.listWebhooks();
  }

  async deleteWebhook(uuid: string): Promise<boolean> {
    return this.hooks.deleteWebhook(uuid);
  }

  async claimEvents(lease: Lease, limit: number): Promise<OutboxEvent[]> {
    return this.hooks.claimEvents(lease, limit);
  }

  async expandEvents(
    expanded: Array<{ eventId: number; triggered: NewTriggeredWebhook[] }>,
    now: string,
  ): Promise<void> {
    await this.hooks.expandEvents(expanded, now);
  }

  async claimDelivery(lease: Lease): Promise<TriggeredWebhook | undefined> {
    return this.hooks.claimDelivery(lease);
  }

  async recordAttempt(
    uuid: string,
    token: string,
    attempt: WebhookAttempt,
    outcome: DeliveryOutcome,
  ): Promise<boolean> {
    return this.hooks.recordAttempt(uuid, token, attempt, outcome);
  }

  async nextWebhookWork(): Promise<string | undefined> {
    return this.hooks.nextWebhookWork();
  }

  async triggeredWebhooks(filter: Input<'triggeredWebhooks'>): Promise<TriggeredWebhook[]> {
    return this.hooks.triggeredWebhooks(filter);
  }

  async getTriggeredWebhook(
    uuid: string,
  ): Promise<{ triggered: TriggeredWebhook; attempts: WebhookAttempt[] } | undefined> {
    return this.hooks.getTriggeredWebhook(uuid);
  }

  async stats(): Promise<{
    pacticipants: number;
    versions: number;
    pactContents: number;
    pactPublications: number;
    verifications: number;
  }> {
    const [row] = await this.read<{
      pacticipants: number;
      versions: number;
      pact_contents: number;
      pact_publications: number;
      verifications: number;
    }>(
      `SELECT (SELECT COUNT(*) FROM pacticipants) AS pacticipants, (SELECT COUNT(*) FROM versions) AS versions,
         (SELECT COUNT(*) FROM pact_contents) AS pact_contents, (SELECT COUNT(*) FROM pact_publications) AS pact_publications,
         (SELECT COUNT(*) FROM verifications) AS verifications`,
    );
    const r = row as NonNullable<typeof row>;
    return {
      pacticipants: r.pacticipants,
      versions: r.versions,
      pactContents: r.pact_contents,
      pactPublications: r.pact_publications,
      verifications: r.verifications,
    };
  }

  /** Ends every connection, after the queries under way finish. Closing twice does no harm. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
