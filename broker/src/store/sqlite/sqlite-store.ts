import Database from 'better-sqlite3';
import { TreatyError } from '@treaty/core';
import { randomUUID } from 'node:crypto';
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
  EventContext,
  Lease,
  NewTriggeredWebhook,
  OutboxEvent,
  PublicationEvent,
  TriggeredWebhook,
  Webhook,
  WebhookAttempt,
  ProviderContract,
  SelfVerification,
  DeployedVersion,
  Environment,
  IntegrationSummary,
  PactPublication,
  Pacticipant,
  PublishOutcome,
  ReleasedVersion,
  Store,
  Verification,
  VerificationInput,
  VerificationReport,
  Version,
} from '../types.js';
import { migrations } from './migrations.js';
import { WebhookTables } from './webhook-tables.js';
import { checkName } from '../../limits.js';
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
  countingVerification,
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
  verificationColumns,
  verificationEvent,
} from '../shared.js';

export { contentSha };

type Db = Database.Database;

interface VersionRow {
  id: number;
  number: string;
  created_at: string;
}

/**
 * The SQLite store: one file, WAL mode, migrations applied at open, every multi-row write in one
 * transaction.
 * @example const store = SqliteStore.open('./treaty-broker.sqlite')
 */
export class SqliteStore implements Store {
  private constructor(private readonly db: Db) {}

  /** Webhooks and the outbox; statements prepared lazily, transactions on this connection. */
  private readonly hooks = new WebhookTables(
    (sql) => this.prepare(sql),
    (fn) => this.db.transaction(fn)(),
    () => this.now(),
  );

  // Statements are compiled once and reused: the gate runs dozens of small queries per request.
  private readonly statements = new Map<string, Database.Statement<unknown[]>>();
  private prepare(sql: string): Database.Statement<unknown[]> {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Opens (creating when absent) and migrates a database; `:memory:` for a throwaway one. */
  static open(path: string): SqliteStore {
    let db: Db;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const applied = new Set(
        (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
          (r) => r.version,
        ),
      );
      const newest = Math.max(0, ...applied);
      const known = Math.max(...migrations.map((m) => m.version));
      if (newest > known)
        throw new Error(
          `the database is at schema version ${newest}, newer than this broker knows (${known}); upgrade Treaty`,
        );
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        db.transaction(() => {
          db.exec(m.sql);
          db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
            m.version,
            m.name,
            new Date().toISOString(),
          );
        })();
      }
    } catch (error) {
      throw new TreatyError(
        'TREATY_BROKER_DATABASE',
        `Cannot open the broker database at ${path}: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    return new SqliteStore(db);
  }

  /**
   * How SQLite runs each statement this store has run so far (EXPLAIN QUERY PLAN, one line per
   * step), by SQL text: for diagnostics, and for tests that check the heavy queries use an index.
   */
  queryPlans(): Map<string, string[]> {
    const plans = new Map<string, string[]>();
    for (const sql of this.statements.keys()) {
      const named = Object.fromEntries(Array.from(sql.matchAll(/:(\w+)/g), (m) => [m[1], null]));
      const params = Object.keys(named).length > 0 ? [named] : Array.from(sql.matchAll(/\?/g), () => null);
      const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>;
      plans.set(
        sql,
        rows.map((r) => r.detail),
      );
    }
    return plans;
  }

  /** The schema versions applied, for diagnostics and tests. */
  schemaVersions(): number[] {
    return (
      this.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{
        version: number;
      }>
    ).map((r) => r.version);
  }

  private now(): string {
    return new Date().toISOString();
  }

  private pacticipantRow(name: string): PacticipantRow | undefined {
    return this.prepare('SELECT * FROM pacticipants WHERE name = ?').get(name) as PacticipantRow | undefined;
  }

  private ensurePacticipantRow(name: string): PacticipantRow {
    checkName('pacticipant name', name);
    const existing = this.pacticipantRow(name);
    if (existing !== undefined) return existing;
    this.prepare('INSERT INTO pacticipants (name, display_name, created_at) VALUES (?, ?, ?)').run(
      name,
      displayName(name),
      this.now(),
    );
    return this.pacticipantRow(name) as PacticipantRow;
  }

  private ensureVersionRow(
    pacticipant: PacticipantRow,
    number: string,
    branch?: string,
    tags: string[] = [],
  ): VersionRow {
    checkName('version number', number);
    let row = this.prepare(
      'SELECT id, number, created_at FROM versions WHERE pacticipant_id = ? AND number = ?',
    ).get(pacticipant.id, number) as VersionRow | undefined;
    if (row === undefined) {
      this.prepare('INSERT INTO versions (pacticipant_id, number, created_at) VALUES (?, ?, ?)').run(
        pacticipant.id,
        number,
        this.now(),
      );
      row = this.prepare(
        'SELECT id, number, created_at FROM versions WHERE pacticipant_id = ? AND number = ?',
      ).get(pacticipant.id, number) as VersionRow;
    }
    if (branch !== undefined) {
      checkName('branch', branch);
      this.prepare(
        'INSERT OR IGNORE INTO branch_versions (version_id, pacticipant_id, branch, created_at) VALUES (?, ?, ?, ?)',
      ).run(row.id, pacticipant.id, branch, this.now());
      // As Pact brokers do: the first of these branch names a pacticipant uses becomes its main branch.
      if (pacticipant.main_branch === null && mainBranchNames.includes(branch)) {
        this.prepare('UPDATE pacticipants SET main_branch = ? WHERE id = ? AND main_branch IS NULL').run(
          branch,
          pacticipant.id,
        );
      }
    }
    for (const tag of tags) {
      checkName('tag', tag);
      this.prepare(
        'INSERT OR IGNORE INTO tags (version_id, pacticipant_id, name, created_at) VALUES (?, ?, ?, ?)',
      ).run(row.id, pacticipant.id, tag, this.now());
    }
    return row;
  }

  private toVersion(pacticipant: string, row: VersionRow): Version {
    const branches = (
      this.prepare('SELECT branch FROM branch_versions WHERE version_id = ? ORDER BY branch').all(
        row.id,
      ) as Array<{ branch: string }>
    ).map((r) => r.branch);
    const tags = (
      this.prepare('SELECT name FROM tags WHERE version_id = ? ORDER BY name').all(row.id) as Array<{
        name: string;
      }>
    ).map((r) => r.name);
    return { pacticipant, number: row.number, order: row.id, branches, tags, createdAt: row.created_at };
  }

  async getPacticipant(name: string): Promise<Pacticipant | undefined> {
    const row = this.pacticipantRow(name);
    return row === undefined ? undefined : toPacticipant(row);
  }

  async listPacticipants(): Promise<Pacticipant[]> {
    return (this.prepare('SELECT * FROM pacticipants ORDER BY name').all() as PacticipantRow[]).map(
      toPacticipant,
    );
  }

  async updatePacticipant(
    name: string,
    fields: { displayName?: string; mainBranch?: string; repositoryUrl?: string },
  ): Promise<{ pacticipant: Pacticipant; created: boolean }> {
    if (fields.displayName !== undefined) checkName('display name', fields.displayName);
    if (fields.mainBranch !== undefined) checkName('branch', fields.mainBranch);
    return this.db.transaction(() => {
      const created = this.pacticipantRow(name) === undefined;
      const row = this.ensurePacticipantRow(name);
      this.prepare(
        'UPDATE pacticipants SET display_name = COALESCE(?, display_name), main_branch = COALESCE(?, main_branch), repository_url = COALESCE(?, repository_url) WHERE id = ?',
      ).run(fields.displayName ?? null, fields.mainBranch ?? null, fields.repositoryUrl ?? null, row.id);
      return { pacticipant: toPacticipant(this.pacticipantRow(name) as PacticipantRow), created };
    })();
  }

  async listVersions(
    pacticipant: string,
    filter: { branch?: string; tag?: string; limit?: number; offset?: number } = {},
  ): Promise<Version[]> {
    const p = this.pacticipantRow(pacticipant);
    if (p === undefined) return [];
    const page = [filter.limit ?? 100, filter.offset ?? 0];
    let rows: VersionRow[];
    if (filter.branch !== undefined) {
      rows = this.prepare(
        'SELECT v.id, v.number, v.created_at FROM branch_versions b JOIN versions v ON v.id = b.version_id WHERE b.pacticipant_id = ? AND b.branch = ? ORDER BY v.id DESC LIMIT ? OFFSET ?',
      ).all(p.id, filter.branch, ...page) as VersionRow[];
    } else if (filter.tag !== undefined) {
      rows = this.prepare(
        'SELECT v.id, v.number, v.created_at FROM tags t JOIN versions v ON v.id = t.version_id WHERE t.pacticipant_id = ? AND t.name = ? ORDER BY v.id DESC LIMIT ? OFFSET ?',
      ).all(p.id, filter.tag, ...page) as VersionRow[];
    } else {
      rows = this.prepare(
        'SELECT id, number, created_at FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT ? OFFSET ?',
      ).all(p.id, ...page) as VersionRow[];
    }
    return rows.map((r) => this.toVersion(pacticipant, r));
  }

  async countVersions(pacticipant: string): Promise<number> {
    const p = this.pacticipantRow(pacticipant);
    return p === undefined
      ? 0
      : (
          this.prepare('SELECT COUNT(*) AS n FROM versions WHERE pacticipant_id = ?').get(p.id) as {
            n: number;
          }
        ).n;
  }

  async ensureVersion(
    pacticipant: string,
    number: string,
    options: { branch?: string; tags?: string[] } = {},
  ): Promise<Version> {
    return this.db.transaction(() =>
      this.toVersion(
        pacticipant,
        this.ensureVersionRow(this.ensurePacticipantRow(pacticipant), number, options.branch, options.tags),
      ),
    )();
  }

  async getVersion(pacticipant: string, number: string): Promise<Version | undefined> {
    const p = this.pacticipantRow(pacticipant);
    if (p === undefined) return undefined;
    const row = this.prepare(
      'SELECT id, number, created_at FROM versions WHERE pacticipant_id = ? AND number = ?',
    ).get(p.id, number) as VersionRow | undefined;
    return row === undefined ? undefined : this.toVersion(pacticipant, row);
  }

  async latestVersion(
    pacticipant: string,
    filter: { branch?: string; tag?: string } = {},
  ): Promise<Version | undefined> {
    const p = this.pacticipantRow(pacticipant);
    if (p === undefined) return undefined;
    let row: VersionRow | undefined;
    // "Latest" is the most recently created version (the highest id), as the Pact Broker orders them.
    if (filter.branch !== undefined) {
      row = this.prepare(
        'SELECT v.id, v.number, v.created_at FROM branch_versions b JOIN versions v ON v.id = b.version_id WHERE b.pacticipant_id = ? AND b.branch = ? ORDER BY v.id DESC LIMIT 1',
      ).get(p.id, filter.branch) as VersionRow | undefined;
    } else if (filter.tag !== undefined) {
      row = this.prepare(
        'SELECT v.id, v.number, v.created_at FROM tags t JOIN versions v ON v.id = t.version_id WHERE t.pacticipant_id = ? AND t.name = ? ORDER BY v.id DESC LIMIT 1',
      ).get(p.id, filter.tag) as VersionRow | undefined;
    } else {
      row = this.prepare(
        'SELECT id, number, created_at FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT 1',
      ).get(p.id) as VersionRow | undefined;
    }
    return row === undefined ? undefined : this.toVersion(pacticipant, row);
  }

  async addTag(pacticipant: string, number: string, tag: string): Promise<Version> {
    return this.ensureVersion(pacticipant, number, { tags: [tag] });
  }

  /** The id of a version named by its pacticipant's name and its number (two bound parameters). */
  private static readonly versionIdByNames =
    'SELECT vv.id FROM versions vv WHERE vv.pacticipant_id = (SELECT id FROM pacticipants WHERE name = ?) AND vv.number = ?';

  async publishPact(input: {
    consumer: string;
    consumerVersion: string;
    provider: string;
    content: string;
    branch?: string;
    tags?: string[];
    allowOverwrite?: boolean;
    event?: EventContext;
  }): Promise<PublishOutcome> {
    return this.db.transaction(() => this.publishOne(input))();
  }

  async publishContracts(input: {
    consumer: string;
    consumerVersion: string;
    branch?: string;
    tags?: string[];
    contracts: Array<{ provider: string; content: string }>;
    allowOverwrite?: boolean;
    event?: EventContext;
  }): Promise<PublishOutcome[]> {
    return this.db.transaction(() => eachContract(input).map((c) => this.publishOne(c)))();
  }

  /** Publishes one pact and appends its outbox event; the caller holds the transaction. */
  private publishOne(input: {
    consumer: string;
    consumerVersion: string;
    provider: string;
    content: string;
    branch?: string;
    tags?: string[];
    allowOverwrite?: boolean;
    event?: EventContext;
  }): PublishOutcome {
    const sha = contentSha(input.content);
    {
      const consumer = this.ensurePacticipantRow(input.consumer);
      const provider = this.ensurePacticipantRow(input.provider);
      const version = this.ensureVersionRow(consumer, input.consumerVersion, input.branch, input.tags);
      const contentExisted = this.prepare('SELECT 1 FROM pact_contents WHERE sha = ?').get(sha) !== undefined;
      if (!contentExisted)
        this.prepare('INSERT INTO pact_contents (sha, content) VALUES (?, ?)').run(sha, input.content);
      const existing = this.prepare(
        'SELECT id, sha FROM pact_publications WHERE consumer_version_id = ? AND provider_id = ?',
      ).get(version.id, provider.id) as { id: number; sha: string } | undefined;
      let unchanged = false;
      if (existing === undefined) {
        this.prepare(
          'INSERT INTO pact_publications (consumer_version_id, consumer_id, provider_id, sha, created_at) VALUES (?, ?, ?, ?, ?)',
        ).run(version.id, consumer.id, provider.id, sha, this.now());
      } else if (existing.sha === sha) {
        unchanged = true;
      } else if (input.allowOverwrite === true) {
        this.prepare('UPDATE pact_publications SET sha = ?, created_at = ? WHERE id = ?').run(
          sha,
          this.now(),
          existing.id,
        );
      } else {
        throw pactConflict(input);
      }
      const row = this.prepare(
        `${publicationSelect} WHERE pp.consumer_version_id = ? AND pp.provider_id = ?`,
      ).get(version.id, provider.id) as PublicationRow;
      const after = this.toVersion(input.consumer, version);
      const previous =
        existing === undefined ? this.previousByTag(consumer.id, provider.id, version.id, after.tags) : [];
      this.hooks.appendEvent(publicationEvent(input, sha, after, existing?.sha, previous));
      return { publication: toPublication(row), contentExisted, unchanged };
    }
  }

  /**
   * Per tag of a consumer version (or, with no tags, for "untagged"), the content of the pair's newest
   * publication by an older consumer version with that tag (or with no tag), null when there is none.
   */
  private previousByTag(
    consumerId: number,
    providerId: number,
    versionId: number,
    tags: string[],
  ): PublicationEvent['previous'] {
    const sql = previousPublicationQueries(() => '?');
    if (tags.length === 0) {
      const r = this.prepare(sql.untagged).get(consumerId, providerId, versionId) as
        | { sha: string }
        | undefined;
      return [{ tag: null, sha: r?.sha ?? null }];
    }
    return tags.map((tag) => {
      const r = this.prepare(sql.tagged).get(consumerId, providerId, versionId, tag) as
        | { sha: string }
        | undefined;
      return { tag, sha: r?.sha ?? null };
    });
  }

  async getPact(
    consumer: string,
    consumerVersion: string,
    provider: string,
  ): Promise<PactPublication | undefined> {
    // Anchored on the one consumer version row, not on every publication of the pair.
    const row = this.prepare(
      `${publicationSelect} WHERE pp.consumer_version_id = (${SqliteStore.versionIdByNames}) AND pp.provider_id = (SELECT id FROM pacticipants WHERE name = ?)`,
    ).get(consumer, consumerVersion, provider) as PublicationRow | undefined;
    return row === undefined ? undefined : toPublication(row);
  }

  async latestPact(
    consumer: string,
    provider: string,
    filter: { branch?: string; tag?: string } = {},
  ): Promise<PactPublication | undefined> {
    let sql = `${publicationSelect} WHERE c.name = ? AND p.name = ?`;
    const args: string[] = [consumer, provider];
    if (filter.branch !== undefined) {
      sql +=
        ' AND EXISTS (SELECT 1 FROM branch_versions b WHERE b.version_id = pp.consumer_version_id AND b.branch = ?)';
      args.push(filter.branch);
    }
    if (filter.tag !== undefined) {
      sql += ' AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = pp.consumer_version_id AND t.name = ?)';
      args.push(filter.tag);
    }
    const row = this.prepare(`${sql} ORDER BY pp.consumer_version_id DESC LIMIT 1`).get(...args) as
      | PublicationRow
      | undefined;
    return row === undefined ? undefined : toPublication(row);
  }

  async getPactBySha(consumer: string, provider: string, sha: string): Promise<PactPublication | undefined> {
    const row = this.prepare(
      `${publicationSelect} WHERE c.name = ? AND p.name = ? AND pp.sha = ? ORDER BY pp.consumer_version_id DESC LIMIT 1`,
    ).get(consumer, provider, sha) as PublicationRow | undefined;
    return row === undefined ? undefined : toPublication(row);
  }

  async previousDistinctPact(
    consumer: string,
    provider: string,
    consumerVersion: string,
  ): Promise<PactPublication | undefined> {
    const current = await this.getPact(consumer, consumerVersion, provider);
    if (current === undefined) return undefined;
    const row = this.prepare(
      `${publicationSelect} WHERE c.name = ? AND p.name = ? AND pp.sha <> ? AND pp.consumer_version_id < (${SqliteStore.versionIdByNames}) ORDER BY pp.consumer_version_id DESC LIMIT 1`,
    ).get(consumer, provider, current.sha, consumer, consumerVersion) as PublicationRow | undefined;
    return row === undefined ? undefined : toPublication(row);
  }

  async latestVerification(
    consumer: string,
    provider: string,
    sha: string,
    providerVersion: string,
  ): Promise<Verification | undefined> {
    const r = this.prepare(
      `SELECT ${verificationColumns}
         FROM verifications ve
         WHERE ve.consumer_id = (SELECT id FROM pacticipants WHERE name = ?) AND ve.provider_id = (SELECT id FROM pacticipants WHERE name = ?) AND ve.sha = ?
           AND ve.provider_version_id = (${SqliteStore.versionIdByNames})
         ORDER BY ve.evidence IS NULL DESC, ve.id DESC LIMIT 1`,
    ).get(consumer, provider, sha, provider, providerVersion) as
      | Omit<VerificationRow, 'consumer' | 'provider' | 'provider_version' | 'sha'>
      | undefined;
    return r === undefined
      ? undefined
      : toVerification({ ...r, consumer, provider, provider_version: providerVersion, sha });
  }

  async consumersOf(provider: string): Promise<string[]> {
    return (
      this.prepare(
        // One index probe per pacticipant, instead of reading every publication of the provider.
        'SELECT c.name AS name FROM pacticipants c WHERE EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.provider_id = (SELECT id FROM pacticipants WHERE name = ?) AND pp.consumer_id = c.id) ORDER BY c.name COLLATE NOCASE',
      ).all(provider) as Array<{ name: string }>
    ).map((r) => r.name);
  }

  async integrationSummaries(): Promise<IntegrationSummary[]> {
    // The pair before l's: the newest publication of l's consumer with the next lower provider, else
    // of the next lower consumer (a scalar subquery per case: SQLite has no LATERAL).
    const pairBefore = `JOIN pact_publications nx ON nx.id = COALESCE(
      (SELECT pp.id FROM pact_publications pp WHERE pp.consumer_id = l.consumer_id AND pp.provider_id < l.provider_id
       ORDER BY pp.provider_id DESC, pp.consumer_version_id DESC LIMIT 1),
      (SELECT pp.id FROM pact_publications pp WHERE pp.consumer_id < l.consumer_id
       ORDER BY pp.consumer_id DESC, pp.provider_id DESC, pp.consumer_version_id DESC LIMIT 1))`;
    const newestVerification = `LEFT JOIN verifications ve ON ve.id = (SELECT v2.id FROM verifications v2 WHERE ${newestVerificationOf})
      LEFT JOIN versions pv ON pv.id = ve.provider_version_id`;
    return integrationSummariesOf(
      this.prepare(
        integrationSummariesQuery(pairBefore, newestVerification),
      ).all() as IntegrationSummaryRow[],
    );
  }

  async branchesOf(pacticipant: string): Promise<string[]> {
    return (
      this.prepare(
        'SELECT DISTINCT b.branch AS branch FROM branch_versions b JOIN pacticipants p ON p.id = b.pacticipant_id WHERE p.name = ? ORDER BY b.branch',
      ).all(pacticipant) as Array<{ branch: string }>
    ).map((r) => r.branch);
  }

  async branchCreatedAt(pacticipant: string, branch: string): Promise<string | undefined> {
    const row = this.prepare(
      'SELECT MIN(b.created_at) AS created_at FROM branch_versions b JOIN pacticipants p ON p.id = b.pacticipant_id WHERE p.name = ? AND b.branch = ?',
    ).get(pacticipant, branch) as { created_at: string | null } | undefined;
    return row?.created_at ?? undefined;
  }

  async lookUpNames(names: {
    pacticipants?: string[];
    environments?: string[];
  }): Promise<{ pacticipants: Pacticipant[]; environments: Environment[] }> {
    const pacticipants = this.prepare(
      'SELECT * FROM pacticipants WHERE name IN (SELECT value FROM json_each(?)) ORDER BY name',
    ).all(JSON.stringify(names.pacticipants ?? [])) as PacticipantRow[];
    const environments = this.prepare(
      'SELECT * FROM environments WHERE name IN (SELECT value FROM json_each(?)) ORDER BY LOWER(display_name)',
    ).all(JSON.stringify(names.environments ?? [])) as EnvironmentRow[];
    return {
      pacticipants: pacticipants.map(toPacticipant),
      environments: environments.map(toEnvironment),
    };
  }

  /**
   * The parts of `versionsMatchingSql` for selectors that want several versions of a branch, of a
   * tag, or of all.
   */
  private static readonly versionLists = {
    branch: `
      UNION ALL
      SELECT k.idx, b.version_id FROM k CROSS JOIN branch_versions b
        WHERE k.kind = 'branch' AND NOT k.latest AND b.pacticipant_id = k.pid AND b.branch = k.branch
          AND b.version_id >= k.newest_from`,
    tag: `
      UNION ALL
      SELECT k.idx, t.version_id FROM k CROSS JOIN tags t
        WHERE k.kind = 'tag' AND NOT k.latest AND t.pacticipant_id = k.pid AND t.name = k.tag
          AND t.version_id >= k.newest_from`,
    // Unary +: from the pacticipant's versions, not a range of every pacticipant's.
    all: `
      UNION ALL
      SELECT k.idx, v.id FROM k CROSS JOIN versions v
        WHERE k.kind = 'all' AND NOT k.latest AND v.pacticipant_id = k.pid AND +v.id >= k.newest_from`,
  };

  /**
   * One statement: each selector is read as one kind (a number, an environment, a branch, a tag or
   * every version); the newest is one index probe (MAX), the several newest those from the
   * limit-th newest on (found once per selector, then a range); the parts for several are left out
   * when no selector wants them. A selector whose pacticipant exists gives at least one row.
   */
  private static versionsMatchingSql(lists: Array<keyof typeof SqliteStore.versionLists>): string {
    return `
    WITH sel AS (
      SELECT CAST(s.key AS INTEGER) AS idx, p.id AS pid,
        json_extract(s.value, '$.number') AS number,
        json_extract(s.value, '$.environment') AS environment,
        CASE WHEN json_extract(s.value, '$.mainBranch') THEN p.main_branch
             ELSE json_extract(s.value, '$.branch') END AS branch,
        json_extract(s.value, '$.mainBranch') AS main,
        json_extract(s.value, '$.tag') AS tag,
        COALESCE(json_extract(s.value, '$.latest'), 0) AS latest
      FROM json_each(:selectors) s JOIN pacticipants p ON p.name = json_extract(s.value, '$.pacticipant')
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
          ORDER BY b.version_id DESC LIMIT 1 OFFSET :limit - 1)
        WHEN kind = 'tag' THEN (SELECT t.version_id FROM tags t
          WHERE t.pacticipant_id = kinds.pid AND t.name = kinds.tag
          ORDER BY t.version_id DESC LIMIT 1 OFFSET :limit - 1)
        WHEN kind = 'all' THEN (SELECT v.id FROM versions v
          WHERE v.pacticipant_id = kinds.pid ORDER BY v.id DESC LIMIT 1 OFFSET :limit - 1)
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
${lists.map((kind) => SqliteStore.versionLists[kind]).join('')}
    )
    SELECT k.idx, v.number, v.id AS version_order
      FROM k LEFT JOIN hits h ON h.idx = k.idx LEFT JOIN versions v ON v.id = h.version_id
      ORDER BY k.idx, v.id DESC`;
  }

  async versionsMatching(
    selectors: VersionSelector[],
    limit = 100,
  ): Promise<Array<VersionRef[] | undefined>> {
    const several = selectors.filter(
      (s) => s.number === undefined && s.environment === undefined && !s.latest,
    );
    const lists = (['branch', 'tag', 'all'] as const).filter((kind) =>
      several.some((s) =>
        s.branch !== undefined || s.mainBranch === true
          ? kind === 'branch'
          : s.tag !== undefined
            ? kind === 'tag'
            : kind === 'all',
      ),
    );
    const rows = this.prepare(SqliteStore.versionsMatchingSql(lists)).all({
      selectors: JSON.stringify(selectors),
      limit,
    }) as Array<{
      idx: number;
      number: string | null;
      version_order: number | null;
    }>;
    return groupVersionRefs(selectors, rows);
  }

  async integrationsOfVersions(
    versions: Array<{ pacticipant: string; number: string }>,
  ): Promise<Array<{ pacts: PactRef[]; consumers: string[] }>> {
    const pacts = this.prepare(
      `WITH ${SqliteStore.requestRows({ consumer: 'pacticipant', number: 'number' })}
       SELECT q.idx, c.name AS consumer, v.number AS number, p.name AS provider, pp.sha AS sha,
              pp.created_at AS created_at
       FROM q
       JOIN pacticipants c ON c.name = q.consumer
       JOIN versions v ON v.pacticipant_id = c.id AND v.number = q.number
       JOIN pact_publications pp ON pp.consumer_version_id = v.id
       JOIN pacticipants p ON p.id = pp.provider_id
       ORDER BY q.idx, p.name`,
    ).all(JSON.stringify(versions)) as Array<PactRefRow & { idx: number }>;
    const consumers = this.prepare(
      `SELECT p.name AS provider, c.name AS consumer
       FROM pacticipants p JOIN pacticipants c
         ON EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.provider_id = p.id AND pp.consumer_id = c.id)
       WHERE p.name IN (SELECT value FROM json_each(?))
       ORDER BY p.name, c.name COLLATE NOCASE`,
    ).all(JSON.stringify([...new Set(versions.map((v) => v.pacticipant))])) as Array<{
      provider: string;
      consumer: string;
    }>;
    return integrations(versions, pacts, consumers);
  }

  /**
   * The CTE `q`: a row per element of the JSON array bound to the statement's first `?`, with its
   * index as `idx` and the given keys of each element as columns (`{ consumer_version: 'consumerVersion' }`).
   */
  private static requestRows(columns: Record<string, string>): string {
    const picked = Object.entries(columns).map(
      ([column, key]) => `json_extract(value, '$.${key}') AS ${column}`,
    );
    return `q AS (SELECT CAST(key AS INTEGER) AS idx, ${picked.join(', ')} FROM json_each(?))`;
  }

  /** What the matrix statements select of a verification, its report and the provider version's document. */
  private static readonly matrixFactColumns = `
    ve.id AS id, ve.success AS success, ve.build_url AS build_url, ve.evidence AS evidence,
    ve.compared_with AS compared_with, ve.created_at AS verified_at,
    CASE WHEN ve.success = 0 THEN vr.test_results END AS test_results,
    pc.sha AS document_sha, json_extract(pc.self_verification, '$.success') AS document_self_verified`;

  async matrixFacts(request: MatrixFactsRequest): Promise<MatrixFacts> {
    const pairs = request.pairs ?? [];
    const verifiersOf = request.verifiersOf ?? [];
    const verifiedBy = request.verifiedBy ?? [];
    // The verification that counts: the newest replay, else the newest comparison (as latestVerification).
    const pairRows =
      pairs.length === 0
        ? []
        : (this.prepare(
            `WITH ${SqliteStore.requestRows({ ...pairColumns, provider_version: 'providerVersion' })},
         pacts AS (${matrixPacts}),
         paired AS (
           SELECT pacts.*, pv.id AS pv_id FROM pacts
           LEFT JOIN versions pv ON pv.pacticipant_id = pacts.provider_id AND pv.number = pacts.provider_version
         )
         SELECT paired.idx, paired.consumer, paired.consumer_version, paired.provider, paired.sha,
                paired.pact_created_at, paired.provider_version, paired.pv_id AS provider_version_order,
                ${SqliteStore.matrixFactColumns}
         FROM paired
         LEFT JOIN verifications ve ON ve.id = (${countingVerification('paired', 'paired.pv_id', 'v2.id')})
         LEFT JOIN verification_results vr ON vr.verification_id = ve.id
         LEFT JOIN provider_contracts pc ON pc.version_id = paired.pv_id`,
          ).all(JSON.stringify(pairs)) as MatrixFactRow[]);
    // Per provider version that verified the pact, the verification that counts; the provider
    // version whose newest result (of either kind) is newest first.
    const verifierRows =
      verifiersOf.length === 0
        ? []
        : (this.prepare(
            `WITH ${SqliteStore.requestRows(pairColumns)},
         pacts AS (${matrixPacts}),
         verifiers AS (
           SELECT pacts.idx, ve.provider_version_id AS pv_id, MAX(ve.id) AS newest
           FROM pacts JOIN verifications ve
             ON ve.consumer_id = pacts.consumer_id AND ve.provider_id = pacts.provider_id AND ve.sha = pacts.sha
           GROUP BY pacts.idx, ve.provider_version_id
         )
         SELECT pacts.idx, pacts.consumer, pacts.consumer_version, pacts.provider, pacts.sha,
                pacts.pact_created_at, pv.number AS provider_version, pv.id AS provider_version_order,
                ${SqliteStore.matrixFactColumns}
         FROM pacts
         LEFT JOIN verifiers ON verifiers.idx = pacts.idx
         LEFT JOIN verifications ve ON ve.id = (${countingVerification('pacts', 'verifiers.pv_id', 'v2.id')})
         LEFT JOIN versions pv ON pv.id = verifiers.pv_id
         LEFT JOIN verification_results vr ON vr.verification_id = ve.id
         LEFT JOIN provider_contracts pc ON pc.version_id = verifiers.pv_id
         ORDER BY pacts.idx, verifiers.newest DESC`,
          ).all(JSON.stringify(verifiersOf)) as MatrixFactRow[]);
    // Per content the provider version verified, the verification that counts, with the content's
    // newest publication; the content whose newest result is newest first.
    const verifiedRows =
      verifiedBy.length === 0
        ? []
        : (this.prepare(
            `WITH ${SqliteStore.requestRows({ consumer: 'consumer', provider: 'provider', provider_version: 'providerVersion' })},
         verified AS (
           SELECT q.idx, q.consumer, q.provider, q.provider_version, pv.id AS pv_id,
                  ve.consumer_id, ve.provider_id, ve.sha, MAX(ve.id) AS newest
           FROM q
           JOIN pacticipants p ON p.name = q.provider
           JOIN versions pv ON pv.pacticipant_id = p.id AND pv.number = q.provider_version
           JOIN pacticipants c ON c.name = q.consumer
           -- From the provider version's results (unary + keeps SQLite off the pair's whole history).
           JOIN verifications ve
             ON ve.provider_version_id = pv.id AND +ve.consumer_id = c.id AND +ve.provider_id = p.id
           GROUP BY q.idx, q.consumer, q.provider, q.provider_version, pv.id, ve.consumer_id, ve.provider_id, ve.sha
         )
         SELECT verified.idx, verified.consumer, cv.number AS consumer_version, verified.provider, verified.sha,
                pp.created_at AS pact_created_at, verified.provider_version, verified.pv_id AS provider_version_order,
                ${SqliteStore.matrixFactColumns}
         FROM verified
         JOIN pact_publications pp ON pp.id = (
           SELECT pp2.id FROM pact_publications pp2
           WHERE pp2.consumer_id = verified.consumer_id AND pp2.provider_id = verified.provider_id
             AND pp2.sha = verified.sha
           ORDER BY pp2.consumer_version_id DESC LIMIT 1)
         JOIN versions cv ON cv.id = pp.consumer_version_id
         JOIN verifications ve ON ve.id = (${countingVerification('verified', 'verified.pv_id', 'v2.id')})
         LEFT JOIN verification_results vr ON vr.verification_id = ve.id
         LEFT JOIN provider_contracts pc ON pc.version_id = verified.pv_id
         ORDER BY verified.idx, verified.newest DESC`,
          ).all(JSON.stringify(verifiedBy)) as MatrixFactRow[]);
    return matrixFactsOf(request, pairRows, verifierRows, verifiedRows);
  }

  /**
   * Two statements: the consumers with their main branch, the environments and when the provider's
   * branch began; then every candidate pact. A head (the latest on a branch, with a tag, or of the
   * pair) walks that branch's, tag's or pair's versions newest first until one has a pact with the
   * provider, as `latestPact` does.
   */
  async verificationCandidates(provider: string, request: CandidateRequest): Promise<VerificationCandidates> {
    const info = this.prepare(
      `WITH prov AS (SELECT id FROM pacticipants WHERE name = ?)
       SELECT 'consumer' AS kind, c.name AS name, c.main_branch AS detail,
              EXISTS (SELECT 1 FROM branch_versions b WHERE b.pacticipant_id = c.id AND b.branch = c.main_branch) AS flag,
              c.name AS sort
         FROM pacticipants c, prov
         WHERE EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.provider_id = prov.id AND pp.consumer_id = c.id)
       UNION ALL
       SELECT 'environment', e.name, NULL, 0, LOWER(e.display_name) FROM environments e
       UNION ALL
       SELECT 'branch-created', MIN(b.created_at), NULL, 0, NULL
         FROM branch_versions b, prov WHERE b.pacticipant_id = prov.id AND b.branch = ?
       ORDER BY 1, 5 COLLATE NOCASE`,
    ).all(provider, request.providerBranch ?? null) as Array<{
      kind: string;
      name: string | null;
      detail: string | null;
      flag: number;
    }>;
    const out: VerificationCandidates = { consumers: [], environments: [], pacts: [] };
    for (const r of info) {
      if (r.name === null) continue;
      if (r.kind === 'consumer')
        out.consumers.push({
          name: r.name,
          ...(r.detail === null ? {} : { mainBranch: r.detail }),
          mainBranchHasVersions: r.flag === 1,
        });
      else if (r.kind === 'environment') out.environments.push(r.name);
      else out.providerBranchCreatedAt = r.name;
    }
    if (out.consumers.length === 0) return out;
    const flag = (b: boolean | undefined) => (b === true ? 1 : 0);
    const rows = this.prepare(
      `WITH prov AS (SELECT id FROM pacticipants WHERE name = :provider),
       consumers AS MATERIALIZED (
         SELECT c.id, c.main_branch FROM pacticipants c, prov
         WHERE EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.provider_id = prov.id AND pp.consumer_id = c.id)
       ),
       wanted (consumer_id, branch) AS (
         SELECT c.id, w.value FROM consumers c, json_each(:branches) w
         UNION
         SELECT c.id, c.main_branch FROM consumers c WHERE :mainBranches = 1 AND c.main_branch IS NOT NULL
         UNION
         SELECT DISTINCT b.pacticipant_id, b.branch FROM consumers c CROSS JOIN branch_versions b
           WHERE b.pacticipant_id = c.id AND :allBranches = 1
       ),
       heads (kind, key, version_id, sort_time, sort_id) AS (
         SELECT 'latest', NULL, (SELECT MAX(pp.consumer_version_id) FROM pact_publications pp
                                   WHERE pp.consumer_id = c.id AND pp.provider_id = prov.id), NULL, 0
           FROM consumers c, prov WHERE :latest = 1
         UNION ALL
         SELECT 'branch', w.branch, (SELECT b.version_id FROM branch_versions b
                                       WHERE b.pacticipant_id = w.consumer_id AND b.branch = w.branch
                                         AND EXISTS (SELECT 1 FROM pact_publications pp
                                           WHERE pp.consumer_version_id = b.version_id AND pp.provider_id = prov.id)
                                       ORDER BY b.version_id DESC LIMIT 1), NULL, 0
           FROM wanted w, prov
         UNION ALL
         SELECT 'tag', t.value, (SELECT tg.version_id FROM tags tg
                                   WHERE tg.pacticipant_id = c.id AND tg.name = t.value
                                     AND EXISTS (SELECT 1 FROM pact_publications pp
                                       WHERE pp.consumer_version_id = tg.version_id AND pp.provider_id = prov.id)
                                   ORDER BY tg.version_id DESC LIMIT 1), NULL, 0
           FROM consumers c, json_each(:latestTags) t, prov
         UNION ALL
         SELECT 'tagged', tg.name, tg.version_id, NULL, tg.version_id
           FROM consumers c CROSS JOIN json_each(:tags) w CROSS JOIN tags tg
           WHERE tg.pacticipant_id = c.id AND tg.name = w.value
         UNION ALL
         SELECT 'deployed', e.name, d.version_id, d.created_at, 0
           FROM consumers c CROSS JOIN environments e CROSS JOIN deployed_versions d
           WHERE d.environment_uuid = e.uuid AND d.pacticipant_id = c.id AND d.undeployed_at IS NULL
             AND :environments = 1
         UNION ALL
         SELECT 'released', e.name, r.version_id, r.created_at, 0
           FROM consumers c CROSS JOIN environments e CROSS JOIN released_versions r
           WHERE r.environment_uuid = e.uuid AND r.pacticipant_id = c.id AND r.support_ended_at IS NULL
             AND :environments = 1
       )
       SELECT h.kind, h.key, c.name AS consumer, v.number AS number, p.name AS provider, pp.sha AS sha,
              pp.created_at AS created_at
       FROM heads h CROSS JOIN prov
       JOIN pact_publications pp ON pp.consumer_version_id = h.version_id AND pp.provider_id = prov.id
       JOIN versions v ON v.id = h.version_id
       JOIN pacticipants c ON c.id = pp.consumer_id
       JOIN pacticipants p ON p.id = pp.provider_id
       ORDER BY h.kind, h.key, c.name, h.sort_time, h.sort_id`,
    ).all({
      provider,
      latest: flag(request.latest),
      branches: JSON.stringify(request.branches ?? []),
      mainBranches: flag(request.mainBranches),
      allBranches: flag(request.allBranches),
      latestTags: JSON.stringify(request.latestTags ?? []),
      tags: JSON.stringify(request.tags ?? []),
      environments: flag(request.environments),
    }) as Array<PactRefRow & { kind: CandidateKind; key: string | null }>;
    for (const r of rows)
      out.pacts.push({
        kind: r.kind,
        ...(r.key === null ? {} : { key: r.key }),
        pact: toPactRef(r),
      });
    return out;
  }

  async successfulVerificationsOf(
    provider: string,
    contents: Array<{ consumer: string; sha: string }>,
  ): Promise<SuccessfulVerification[][]> {
    // The branches joined in: a row per verification and branch.
    const rows = this.prepare(
      `WITH ${SqliteStore.requestRows({ consumer: 'consumer', sha: 'sha' })}
       SELECT q.idx, ve.id AS id, v.number AS number, ve.created_at AS created_at, ve.wip AS wip, b.branch AS branch
       FROM q
       JOIN pacticipants c ON c.name = q.consumer
       JOIN verifications ve ON ve.consumer_id = c.id AND ve.provider_id = (SELECT id FROM pacticipants WHERE name = ?)
         AND ve.sha = q.sha
       JOIN versions v ON v.id = ve.provider_version_id
       LEFT JOIN branch_versions b ON b.version_id = ve.provider_version_id
       WHERE ve.success = 1 AND ve.evidence IS NULL
       ORDER BY q.idx, ve.id, b.branch`,
    ).all(JSON.stringify(contents), provider) as Array<{
      idx: number;
      id: number;
      number: string;
      created_at: string;
      wip: number;
      branch: string | null;
    }>;
    return foldSuccessfulVerifications(contents.length, rows);
  }

  async recordVerification(input: VerificationInput): Promise<Verification> {
    return this.db.transaction((): Verification => {
      const verification = this.insertVerification(input);
      // A verifier's result is an event for webhooks; a comparison with a document (below) is not.
      this.hooks.appendEvent(verificationEvent(input, verification.id));
      return verification;
    })();
  }

  async recordComparison(input: ComparisonInput): Promise<{ verification: Verification; created: boolean }> {
    return this.db.transaction((): { verification: Verification; created: boolean } => {
      const { consumer, provider, providerVersion, sha } = input;
      const newest = this.prepare(
        `SELECT ${verificationColumns}
           FROM verifications ve
           WHERE ve.consumer_id = (SELECT id FROM pacticipants WHERE name = ?) AND ve.provider_id = (SELECT id FROM pacticipants WHERE name = ?) AND ve.sha = ?
             AND ve.provider_version_id = (${SqliteStore.versionIdByNames}) AND ve.evidence = 'openapi'
           ORDER BY ve.id DESC LIMIT 1`,
      ).get(consumer, provider, sha, provider, providerVersion) as
        | Omit<VerificationRow, 'consumer' | 'provider' | 'provider_version' | 'sha'>
        | undefined;
      if (newest !== undefined && newest.compared_with === input.comparedWith)
        return {
          verification: toVerification({
            ...newest,
            consumer,
            provider,
            provider_version: providerVersion,
            sha,
          }),
          created: false,
        };
      return { verification: this.insertVerification({ ...input, evidence: 'openapi' }), created: true };
    })();
  }

  /** Inserts a verification (and what its verifier reported); call it inside a transaction. */
  private insertVerification(input: VerificationInput & { comparedWith?: string }): Verification {
    const consumer = this.pacticipantRow(input.consumer);
    const provider = this.pacticipantRow(input.provider);
    const content = this.prepare(
      'SELECT 1 FROM pact_publications WHERE consumer_id = ? AND provider_id = ? AND sha = ?',
    ).get(consumer?.id ?? -1, provider?.id ?? -1, input.sha);
    if (consumer === undefined || provider === undefined || content === undefined) throw noSuchContent(input);
    const version = this.ensureVersionRow(provider, input.providerVersion, input.branch);
    const createdAt = this.now();
    const info = this.prepare(
      'INSERT INTO verifications (consumer_id, provider_id, provider_version_id, sha, success, build_url, created_at, wip, evidence, compared_with) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      consumer.id,
      provider.id,
      version.id,
      input.sha,
      input.success ? 1 : 0,
      input.buildUrl ?? null,
      createdAt,
      input.wip === true ? 1 : 0,
      input.evidence ?? null,
      input.comparedWith ?? null,
    );
    const report = input.report;
    if (report !== undefined && (report.testResults !== undefined || report.verifiedBy !== undefined))
      this.prepare(
        'INSERT INTO verification_results (verification_id, test_results, verified_by, truncated) VALUES (?, ?, ?, ?)',
      ).run(
        info.lastInsertRowid,
        report.testResults ?? null,
        report.verifiedBy ?? null,
        report.truncated ? 1 : 0,
      );
    return toVerification({
      id: Number(info.lastInsertRowid),
      consumer: input.consumer,
      provider: input.provider,
      provider_version: input.providerVersion,
      sha: input.sha,
      success: input.success,
      build_url: input.buildUrl ?? null,
      evidence: input.evidence ?? null,
      compared_with: input.comparedWith ?? null,
      created_at: createdAt,
    });
  }

  async getVerification(
    id: number,
  ): Promise<{ verification: Verification; report: VerificationReport } | undefined> {
    const r = this.prepare(
      `SELECT ${verificationColumns}, c.name AS consumer, p.name AS provider,
              v.number AS provider_version, ve.sha, vr.test_results, vr.verified_by, vr.truncated
         FROM verifications ve
         JOIN versions v ON v.id = ve.provider_version_id
         JOIN pacticipants c ON c.id = ve.consumer_id
         JOIN pacticipants p ON p.id = ve.provider_id
         LEFT JOIN verification_results vr ON vr.verification_id = ve.id
         WHERE ve.id = ?`,
    ).get(id) as VerificationWithReportRow | undefined;
    return r === undefined ? undefined : { verification: toVerification(r), report: toReport(r) };
  }

  async verificationsByProviderVersion(provider: string, providerVersion: string): Promise<Verification[]> {
    const rows = this.prepare(
      `SELECT ${verificationColumns}, c.name AS consumer, ve.sha
         FROM verifications ve
         JOIN pacticipants p ON p.id = ve.provider_id
         JOIN versions v ON v.id = ve.provider_version_id
         JOIN pacticipants c ON c.id = ve.consumer_id
         WHERE p.name = ? AND v.pacticipant_id = p.id AND v.number = ?
         ORDER BY ve.id DESC`,
    ).all(provider, providerVersion) as Array<Omit<VerificationRow, 'provider' | 'provider_version'>>;
    return rows.map((r) => toVerification({ ...r, provider, provider_version: providerVersion }));
  }

  async verificationsFor(consumer: string, provider: string, sha: string): Promise<Verification[]> {
    const rows = this.prepare(
      `SELECT ${verificationColumns}, v.number AS provider_version
         FROM verifications ve
         JOIN versions v ON v.id = ve.provider_version_id
         JOIN pacticipants c ON c.id = ve.consumer_id
         JOIN pacticipants p ON p.id = ve.provider_id
         WHERE c.name = ? AND p.name = ? AND ve.sha = ?
         ORDER BY ve.id DESC`,
    ).all(consumer, provider, sha) as Array<Omit<VerificationRow, 'consumer' | 'provider' | 'sha'>>;
    return rows.map((r) => toVerification({ ...r, consumer, provider, sha }));
  }

  private environmentRow(where: string, value: string): Environment | undefined {
    const r = this.prepare(`SELECT * FROM environments WHERE ${where} = ?`).get(value) as
      | EnvironmentRow
      | undefined;
    return r === undefined ? undefined : toEnvironment(r);
  }

  async createEnvironment(input: {
    name: string;
    displayName?: string;
    production: boolean;
    contacts?: Environment['contacts'];
  }): Promise<Environment> {
    checkEnvironmentName(input.name);
    if (this.environmentRow('name', input.name) !== undefined)
      throw new TreatyError('TREATY_BROKER_CONFLICT', `An environment named '${input.name}' already exists.`);
    const uuid = randomUUID();
    this.prepare(
      'INSERT INTO environments (uuid, name, display_name, production, contacts, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      uuid,
      input.name,
      input.displayName?.trim() || displayName(input.name),
      input.production ? 1 : 0,
      JSON.stringify(input.contacts ?? []),
      this.now(),
    );
    return this.environmentRow('uuid', uuid) as Environment;
  }

  async getEnvironment(uuid: string): Promise<Environment | undefined> {
    return this.environmentRow('uuid', uuid);
  }

  async listEnvironments(): Promise<Environment[]> {
    return (
      this.prepare('SELECT uuid FROM environments ORDER BY LOWER(display_name)').all() as Array<{
        uuid: string;
      }>
    ).map((r) => this.environmentRow('uuid', r.uuid) as Environment);
  }

  private deployment(uuid: string): DeployedVersion | undefined {
    const r = this.prepare(`${deploymentSelect} WHERE d.uuid = ?`).get(uuid) as DeploymentRow | undefined;
    return r === undefined
      ? undefined
      : toDeployment(r, this.environmentRow('uuid', r.environment_uuid) as Environment);
  }

  /** The pacticipant and version rows a deployment or release names, checking the environment exists. */
  private versionInEnvironment(input: { pacticipant: string; version: string; environmentUuid: string }): {
    p: PacticipantRow;
    v: { id: number };
  } {
    if (this.environmentRow('uuid', input.environmentUuid) === undefined)
      throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No environment ${input.environmentUuid}.`);
    const p = this.pacticipantRow(input.pacticipant);
    const v =
      p === undefined
        ? undefined
        : (this.prepare('SELECT id FROM versions WHERE pacticipant_id = ? AND number = ?').get(
            p.id,
            input.version,
          ) as { id: number } | undefined);
    if (p === undefined || v === undefined) throw noSuchVersion(input);
    return { p, v };
  }

  async recordDeployment(input: {
    pacticipant: string;
    version: string;
    environmentUuid: string;
    applicationInstance?: string;
  }): Promise<DeployedVersion> {
    return this.db.transaction((): DeployedVersion => {
      const { p, v } = this.versionInEnvironment(input);
      const instance = input.applicationInstance ?? null;
      const current = this.prepare(
        'SELECT uuid, version_id FROM deployed_versions WHERE environment_uuid = ? AND pacticipant_id = ? AND application_instance IS ? AND undeployed_at IS NULL',
      ).get(input.environmentUuid, p.id, instance) as { uuid: string; version_id: number } | undefined;
      if (current !== undefined && current.version_id === v.id)
        return this.deployment(current.uuid) as DeployedVersion;
      if (current !== undefined)
        this.prepare('UPDATE deployed_versions SET undeployed_at = ? WHERE uuid = ?').run(
          this.now(),
          current.uuid,
        );
      const uuid = randomUUID();
      this.prepare(
        'INSERT INTO deployed_versions (uuid, version_id, pacticipant_id, environment_uuid, application_instance, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(uuid, v.id, p.id, input.environmentUuid, instance, this.now());
      return this.deployment(uuid) as DeployedVersion;
    })();
  }

  async getDeployment(uuid: string): Promise<DeployedVersion | undefined> {
    return this.deployment(uuid);
  }

  async recordUndeployment(uuid: string): Promise<DeployedVersion> {
    if (this.deployment(uuid) === undefined)
      throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No deployed version ${uuid}.`);
    this.prepare(
      'UPDATE deployed_versions SET undeployed_at = COALESCE(undeployed_at, ?) WHERE uuid = ?',
    ).run(this.now(), uuid);
    return this.deployment(uuid) as DeployedVersion;
  }

  async currentlyDeployed(
    environmentUuid: string,
    filter: { pacticipant?: string; applicationInstance?: string } = {},
  ): Promise<DeployedVersion[]> {
    const environment = this.environmentRow('uuid', environmentUuid);
    if (environment === undefined) return [];
    // One query for the rows and their names (it was one more per deployment).
    const rows = this.prepare(
      `${deploymentSelect} WHERE d.environment_uuid = ? AND d.undeployed_at IS NULL ${filter.pacticipant === undefined ? '' : 'AND p.name = ?'} ORDER BY d.created_at`,
    ).all(
      ...(filter.pacticipant === undefined ? [environmentUuid] : [environmentUuid, filter.pacticipant]),
    ) as DeploymentRow[];
    return rows
      .filter(
        (r) =>
          filter.applicationInstance === undefined ||
          (r.application_instance ?? '') === filter.applicationInstance,
      )
      .map((r) => toDeployment(r, environment));
  }

  private release(uuid: string): ReleasedVersion | undefined {
    const r = this.prepare(`${releaseSelect} WHERE r.uuid = ?`).get(uuid) as ReleaseRow | undefined;
    return r === undefined
      ? undefined
      : toRelease(r, this.environmentRow('uuid', r.environment_uuid) as Environment);
  }

  async recordRelease(input: {
    pacticipant: string;
    version: string;
    environmentUuid: string;
  }): Promise<{ release: ReleasedVersion; created: boolean }> {
    return this.db.transaction(() => {
      const { p, v } = this.versionInEnvironment(input);
      const existing = this.prepare(
        'SELECT uuid FROM released_versions WHERE version_id = ? AND environment_uuid = ?',
      ).get(v.id, input.environmentUuid) as { uuid: string } | undefined;
      if (existing !== undefined) {
        this.prepare('UPDATE released_versions SET support_ended_at = NULL WHERE uuid = ?').run(
          existing.uuid,
        );
        return { release: this.release(existing.uuid) as ReleasedVersion, created: false };
      }
      const uuid = randomUUID();
      this.prepare(
        'INSERT INTO released_versions (uuid, version_id, pacticipant_id, environment_uuid, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(uuid, v.id, p.id, input.environmentUuid, this.now());
      return { release: this.release(uuid) as ReleasedVersion, created: true };
    })();
  }

  async getRelease(uuid: string): Promise<ReleasedVersion | undefined> {
    return this.release(uuid);
  }

  async recordSupportEnded(uuid: string): Promise<ReleasedVersion> {
    if (this.release(uuid) === undefined)
      throw new TreatyError('TREATY_BROKER_NOT_FOUND', `No released version ${uuid}.`);
    this.prepare(
      'UPDATE released_versions SET support_ended_at = COALESCE(support_ended_at, ?) WHERE uuid = ?',
    ).run(this.now(), uuid);
    return this.release(uuid) as ReleasedVersion;
  }

  async currentlySupported(
    environmentUuid: string,
    filter: { pacticipant?: string; version?: string } = {},
  ): Promise<ReleasedVersion[]> {
    const environment = this.environmentRow('uuid', environmentUuid);
    if (environment === undefined) return [];
    const rows = this.prepare(
      `${releaseSelect} WHERE r.environment_uuid = ? AND r.support_ended_at IS NULL ${filter.pacticipant === undefined ? '' : 'AND p.name = ?'} ORDER BY r.created_at`,
    ).all(
      ...(filter.pacticipant === undefined ? [environmentUuid] : [environmentUuid, filter.pacticipant]),
    ) as ReleaseRow[];
    return rows
      .filter((r) => filter.version === undefined || r.version === filter.version)
      .map((r) => toRelease(r, environment));
  }

  async publishProviderContract(input: {
    provider: string;
    providerVersion: string;
    branch?: string;
    tags?: string[];
    buildUrl?: string;
    content: string;
    contentType: string;
    specification: string;
    selfVerification?: SelfVerification;
  }): Promise<{ contract: ProviderContract; version: Version }> {
    return this.db.transaction(() => {
      const provider = this.ensurePacticipantRow(input.provider);
      const row = this.ensureVersionRow(provider, input.providerVersion, input.branch, input.tags);
      const now = this.now();
      this.prepare(
        `INSERT INTO provider_contracts (version_id, provider_id, sha, content, content_type, specification, self_verification, build_url, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (version_id) DO UPDATE SET sha = excluded.sha, content = excluded.content,
           content_type = excluded.content_type, specification = excluded.specification,
           self_verification = excluded.self_verification, build_url = excluded.build_url, updated_at = ?`,
      ).run(
        row.id,
        provider.id,
        contentSha(input.content),
        input.content,
        input.contentType,
        input.specification,
        input.selfVerification === undefined ? null : JSON.stringify(input.selfVerification),
        input.buildUrl ?? null,
        now,
        now,
      );
      return {
        contract: this.providerContractRow(input.provider, row.id) as ProviderContract,
        version: this.toVersion(input.provider, row),
      };
    })();
  }

  async hasProviderContracts(provider: string): Promise<boolean> {
    return (
      this.prepare(
        `SELECT 1 FROM provider_contracts
         WHERE provider_id = (SELECT id FROM pacticipants WHERE name = ?) LIMIT 1`,
      ).get(provider) !== undefined
    );
  }

  async getProviderContract(
    provider: string,
    providerVersion: string,
  ): Promise<ProviderContract | undefined> {
    const p = this.pacticipantRow(provider);
    const v =
      p === undefined
        ? undefined
        : (this.prepare('SELECT id FROM versions WHERE pacticipant_id = ? AND number = ?').get(
            p.id,
            providerVersion,
          ) as { id: number } | undefined);
    return v === undefined ? undefined : this.providerContractRow(provider, v.id);
  }

  private providerContractRow(provider: string, versionId: number): ProviderContract | undefined {
    const r = this.prepare(
      `SELECT v.number, c.sha, c.content, c.content_type, c.specification, c.self_verification, c.build_url,
         c.created_at, c.updated_at
       FROM provider_contracts c JOIN versions v ON v.id = c.version_id WHERE c.version_id = ?`,
    ).get(versionId) as ProviderContractRow | undefined;
    return r === undefined ? undefined : toProviderContract(provider, r);
  }

  async ping(): Promise<void> {
    this.prepare('SELECT 1').get();
  }

  async labelsOf(pacticipant: string): Promise<string[]> {
    return (
      this.prepare(
        'SELECT l.name FROM pacticipant_labels l JOIN pacticipants p ON p.id = l.pacticipant_id WHERE p.name = ? ORDER BY l.name',
      ).all(pacticipant) as Array<{ name: string }>
    ).map((r) => r.name);
  }

  async setLabel(pacticipant: string, label: string, present: boolean): Promise<boolean> {
    checkName('label', label);
    return this.db.transaction(() => {
      if (!present) {
        const p = this.pacticipantRow(pacticipant);
        return (
          p !== undefined &&
          this.prepare('DELETE FROM pacticipant_labels WHERE pacticipant_id = ? AND name = ?').run(
            p.id,
            label,
          ).changes > 0
        );
      }
      const p = this.ensurePacticipantRow(pacticipant);
      return (
        this.prepare(
          'INSERT OR IGNORE INTO pacticipant_labels (pacticipant_id, name, created_at) VALUES (?, ?, ?)',
        ).run(p.id, label, this.now()).changes > 0
      );
    })();
  }

  async pacticipantsWithLabel(label: string): Promise<string[]> {
    return (
      this.prepare(
        'SELECT p.name FROM pacticipant_labels l JOIN pacticipants p ON p.id = l.pacticipant_id WHERE l.name = ? ORDER BY p.name',
      ).all(label) as Array<{ name: string }>
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
    this.hooks.expandEvents(expanded, now);
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

  async triggeredWebhooks(filter: {
    webhookUuid?: string;
    consumer?: string;
    provider?: string;
    consumerVersion?: string;
    verificationId?: number;
    limit?: number;
  }): Promise<TriggeredWebhook[]> {
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
    const count = (table: string): number =>
      (this.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      pacticipants: count('pacticipants'),
      versions: count('versions'),
      pactContents: count('pact_contents'),
      pactPublications: count('pact_publications'),
      verifications: count('verifications'),
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
