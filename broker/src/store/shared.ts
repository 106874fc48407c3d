/**
 * What the SQL stores (sqlite/, postgres/) have in common: the rows their queries return, each named
 * as its columns are, how a row becomes one of the Store's types, and the refusals both make. SQLite
 * answers a flag as 0/1 and PostgreSQL as a boolean; both answer times as ISO 8601 text.
 */
import { createHash } from 'node:crypto';
import { TreatyError } from '@treaty/core';
import { checkName } from '../limits.js';
import type {
  DeliveryStatus,
  NewTriggeredWebhook,
  OutboxEvent,
  DeployedVersion,
  Environment,
  IntegrationSummary,
  MatrixFact,
  MatrixFacts,
  MatrixFactsRequest,
  PactPublication,
  PactRef,
  Pacticipant,
  ProviderContract,
  ReleasedVersion,
  SelfVerification,
  SuccessfulVerification,
  PublicationEvent,
  Store,
  TriggeredWebhook,
  Verification,
  VerificationEvent,
  VerificationInput,
  VerificationReport,
  VersionRef,
  VersionSelector,
  Webhook,
  WebhookEventName,
} from './types.js';

/** A flag as a database answers it: SQLite's 0/1 or PostgreSQL's boolean. */
type Flag = number | boolean;

const isSet = (flag: Flag | null): boolean => flag === true || flag === 1;

/** As Pact brokers do: the first of these branch names a pacticipant uses becomes its main branch. */
export const mainBranchNames: readonly string[] = ['develop', 'main', 'master'];

/** A readable name for a pacticipant or environment: `order-service` → `Order Service`. */
export function displayName(name: string): string {
  return name
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/**
 * SHA-256 of a pact's content, the key under which it is stored once.
 * @example contentSha('{}') // '44136fa3…'
 */
export function contentSha(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export interface PacticipantRow {
  id: number;
  name: string;
  display_name: string;
  main_branch: string | null;
  repository_url: string | null;
  created_at: string;
}

export function toPacticipant(row: PacticipantRow): Pacticipant {
  return {
    name: row.name,
    displayName: row.display_name,
    ...(row.main_branch === null ? {} : { mainBranch: row.main_branch }),
    ...(row.repository_url === null ? {} : { repositoryUrl: row.repository_url }),
    createdAt: row.created_at,
  };
}

/** A pact publication joined with its names and content (see each store's `publicationSelect`). */
export interface PublicationRow {
  consumer: string;
  number: string;
  provider: string;
  sha: string;
  content: string;
  created_at: string;
}

/** Publications with their names and content; a store adds its WHERE (parameters differ by database). */
export const publicationSelect = `
  SELECT c.name AS consumer, v.number AS number, p.name AS provider, pp.sha AS sha, pc.content AS content, pp.created_at AS created_at
  FROM pact_publications pp
  JOIN versions v ON v.id = pp.consumer_version_id
  JOIN pacticipants c ON c.id = pp.consumer_id
  JOIN pacticipants p ON p.id = pp.provider_id
  JOIN pact_contents pc ON pc.sha = pp.sha`;

export function toPublication(row: PublicationRow): PactPublication {
  return {
    consumer: row.consumer,
    consumerVersion: row.number,
    provider: row.provider,
    sha: row.sha,
    content: row.content,
    createdAt: row.created_at,
  };
}

/** What every verification query selects from `verifications ve`, besides the names it joins. */
export const verificationColumns =
  've.id, ve.success, ve.build_url, ve.evidence, ve.compared_with, ve.created_at';

export interface VerificationRow {
  id: number;
  consumer: string;
  provider: string;
  provider_version: string;
  sha: string;
  success: Flag;
  build_url: string | null;
  evidence: string | null;
  compared_with: string | null;
  created_at: string;
}

export function toVerification(r: VerificationRow): Verification {
  return {
    id: r.id,
    consumer: r.consumer,
    provider: r.provider,
    providerVersion: r.provider_version,
    sha: r.sha,
    success: isSet(r.success),
    ...(r.build_url === null ? {} : { buildUrl: r.build_url }),
    ...(r.evidence === 'openapi' ? { evidence: 'openapi' as const } : {}),
    ...(r.compared_with === null ? {} : { comparedWith: r.compared_with }),
    createdAt: r.created_at,
  };
}

/** A verification's row with what its verifier reported (a LEFT JOIN: null when nothing was). */
export interface VerificationWithReportRow extends VerificationRow {
  test_results: string | null;
  verified_by: string | null;
  truncated: Flag | null;
}

export function toReport(r: VerificationWithReportRow): VerificationReport {
  return {
    ...(r.test_results === null ? {} : { testResults: r.test_results }),
    ...(r.verified_by === null ? {} : { verifiedBy: r.verified_by }),
    truncated: isSet(r.truncated),
  };
}

/** A pact publication's columns without its content. */
export interface PactRefRow {
  consumer: string;
  number: string;
  provider: string;
  sha: string;
  created_at: string;
}

export function toPactRef(r: PactRefRow): PactRef {
  return {
    consumer: r.consumer,
    consumerVersion: r.number,
    provider: r.provider,
    sha: r.sha,
    createdAt: r.created_at,
  };
}

/**
 * One row of a store's matrix facts statements: a pact, a provider version, and (a LEFT JOIN: null
 * when there is none) the verification that counts, its report and the provider version's document.
 */
export interface MatrixFactRow {
  idx: number;
  consumer: string;
  consumer_version: string;
  provider: string;
  sha: string;
  pact_created_at: string;
  provider_version: string | null;
  provider_version_order: number | null;
  id: number | null;
  success: Flag | null;
  build_url: string | null;
  evidence: string | null;
  compared_with: string | null;
  verified_at: string | null;
  test_results: string | null;
  document_sha: string | null;
  /** The document's self-verification succeeded (null when it has none). */
  document_self_verified: Flag | null;
}

function toMatrixFact(r: MatrixFactRow): MatrixFact {
  const pact: PactRef = {
    consumer: r.consumer,
    consumerVersion: r.consumer_version,
    provider: r.provider,
    sha: r.sha,
    createdAt: r.pact_created_at,
  };
  const providerVersion = r.provider_version ?? '';
  return {
    pact,
    providerVersion,
    providerVersionOrder: r.provider_version_order ?? -1,
    verification:
      r.id === null
        ? null
        : toVerification({
            id: r.id,
            consumer: r.consumer,
            provider: r.provider,
            provider_version: providerVersion,
            sha: r.sha,
            success: r.success ?? 0,
            build_url: r.build_url,
            evidence: r.evidence,
            compared_with: r.compared_with,
            created_at: r.verified_at ?? '',
          }),
    ...(r.test_results === null ? {} : { testResults: r.test_results }),
    ...(r.document_sha === null
      ? {}
      : {
          document: {
            sha: r.document_sha,
            selfVerificationFailed: r.document_self_verified !== null && !isSet(r.document_self_verified),
          },
        }),
  };
}

/**
 * The answer of `versionsMatching` from its statement's rows (per selector index, newest first; a
 * selector whose pacticipant exists has at least one row, with a null number when nothing matched).
 */
export function groupVersionRefs(
  selectors: VersionSelector[],
  rows: Array<{ idx: number; number: string | null; version_order: number | null }>,
): Array<VersionRef[] | undefined> {
  const out: Array<VersionRef[] | undefined> = selectors.map(() => undefined);
  for (const r of rows) {
    const found = out[r.idx] ?? [];
    out[r.idx] = found;
    const pacticipant = selectors[r.idx]?.pacticipant ?? '';
    // A version deployed to two instances, or deployed and released, comes once.
    if (r.number !== null && r.version_order !== null && found.at(-1)?.order !== r.version_order)
      found.push({ pacticipant, number: r.number, order: r.version_order });
  }
  return out;
}

/**
 * The answer of `integrationsOfVersions`: per version its pacts (rows with the version's index), and
 * the consumers of its pacticipant (rows per provider, in order).
 */
export function integrations(
  versions: Array<{ pacticipant: string }>,
  pacts: Array<PactRefRow & { idx: number }>,
  consumers: Array<{ provider: string; consumer: string }>,
): Array<{ pacts: PactRef[]; consumers: string[] }> {
  const consumersOf = new Map<string, string[]>();
  for (const r of consumers)
    consumersOf.set(r.provider, [...(consumersOf.get(r.provider) ?? []), r.consumer]);
  const out = versions.map((v) => ({
    pacts: [] as PactRef[],
    consumers: consumersOf.get(v.pacticipant) ?? [],
  }));
  for (const r of pacts) out[r.idx]?.pacts.push(toPactRef(r));
  return out;
}

/**
 * The statement of `integrationSummaries`. The CTE `latest` holds each pair's newest publication (the
 * highest consumer version, as latestPact orders them), found by walking pact_publications_pair back
 * one pair at a time from past its end: `pairBefore` joins `nx`, the newest publication of the pair
 * before `l`'s in the index (none at the start of the index), with an index probe or two, so the walk
 * reads a row per pair, not every publication. Then per pair its names, its consumer version, and
 * (`newestVerification` joins them to `l`) `ve`, the newest verification of its content (as
 * verificationsFor orders them), with `pv`, its provider version, or nulls; ordered by provider, then
 * consumer ignoring ASCII case, then consumer (as listPacticipants and consumersOf order them).
 */
export function integrationSummariesQuery(pairBefore: string, newestVerification: string): string {
  const columns = 'nx.consumer_id, nx.provider_id, nx.consumer_version_id, nx.sha, nx.created_at';
  return `WITH RECURSIVE latest AS (
    SELECT ${columns} FROM (SELECT 9223372036854775807 AS consumer_id, 0 AS provider_id) l ${pairBefore}
    UNION ALL
    SELECT ${columns} FROM latest l ${pairBefore}
  )
  SELECT c.name AS consumer, cv.number AS number, p.name AS provider, l.sha AS sha, l.created_at AS created_at,
    ve.id AS id, pv.number AS provider_version, ve.success AS success, ve.build_url AS build_url,
    ve.evidence AS evidence, ve.compared_with AS compared_with, ve.created_at AS verified_at
  FROM latest l
  JOIN pacticipants c ON c.id = l.consumer_id
  JOIN pacticipants p ON p.id = l.provider_id
  JOIN versions cv ON cv.id = l.consumer_version_id
  ${newestVerification}
  ORDER BY p.name, lower(c.name), c.name`;
}

/** The newest verification of `l`'s content, as verificationsFor orders them (a condition on `v2`). */
export const newestVerificationOf =
  'v2.consumer_id = l.consumer_id AND v2.provider_id = l.provider_id AND v2.sha = l.sha ORDER BY v2.id DESC LIMIT 1';

/** A row of `integrationSummariesQuery`: a pact, and its content's newest verification (null when none). */
export interface IntegrationSummaryRow extends PactRefRow {
  id: number | null;
  provider_version: string | null;
  success: Flag | null;
  build_url: string | null;
  evidence: string | null;
  compared_with: string | null;
  verified_at: string | null;
}

/**
 * The answer of `integrationSummaries` from its statement's rows, sorted as the Store promises (a stable
 * sort: names `localeCompare` cannot tell apart keep the statement's order).
 */
export function integrationSummariesOf(rows: IntegrationSummaryRow[]): IntegrationSummary[] {
  return rows
    .map(
      (r): IntegrationSummary => ({
        consumer: r.consumer,
        provider: r.provider,
        latest: toPactRef(r),
        ...(r.id === null
          ? {}
          : {
              verification: toVerification({
                ...r,
                id: r.id,
                provider_version: r.provider_version ?? '',
                success: r.success ?? false,
                created_at: r.verified_at ?? '',
              }),
            }),
      }),
    )
    .sort((a, b) => a.consumer.localeCompare(b.consumer) || a.provider.localeCompare(b.provider));
}

/**
 * The answer of `matrixFacts` from the rows of its three statements (each in the order the answer
 * keeps; `verifiers` has a row with a null id for a pact nobody verified).
 */
export function matrixFactsOf(
  request: MatrixFactsRequest,
  pairs: MatrixFactRow[],
  verifiers: MatrixFactRow[],
  verified: MatrixFactRow[],
): MatrixFacts {
  const out: MatrixFacts = {
    pairs: (request.pairs ?? []).map(() => undefined),
    verifiersOf: (request.verifiersOf ?? []).map(() => undefined),
    verifiedBy: (request.verifiedBy ?? []).map(() => []),
  };
  for (const r of pairs) out.pairs[r.idx] = toMatrixFact(r);
  for (const r of verifiers) {
    const fact = toMatrixFact(r);
    const entry = out.verifiersOf[r.idx] ?? { pact: fact.pact, verified: [] };
    out.verifiersOf[r.idx] = entry;
    if (r.id !== null) entry.verified.push(fact);
  }
  for (const r of verified) out.verifiedBy[r.idx]?.push(toMatrixFact(r));
  return out;
}

/** The keys of a consumer version and provider, as the stores' request rows read them. */
export const pairColumns = {
  consumer: 'consumer',
  consumer_version: 'consumerVersion',
  provider: 'provider',
};

/** The consumer version's pact with the provider per request row of `q`, as the matrix statements join it. */
export const matrixPacts = `
  SELECT q.*, pp.consumer_id, pp.provider_id, pp.sha, pp.created_at AS pact_created_at
  FROM q
  JOIN pacticipants c ON c.name = q.consumer
  JOIN versions cv ON cv.pacticipant_id = c.id AND cv.number = q.consumer_version
  JOIN pacticipants p ON p.name = q.provider
  JOIN pact_publications pp ON pp.consumer_version_id = cv.id AND pp.provider_id = p.id`;

/**
 * The verification that counts of a content (`of`'s consumer_id, provider_id and sha) by a provider
 * version: the newest replay by a verifier, else the newest comparison (as latestVerification), found
 * through verifications_by_content_and_provider_version; `columns` of it.
 */
export function countingVerification(of: string, providerVersionId: string, columns: string): string {
  return `SELECT ${columns} FROM verifications v2
    WHERE v2.consumer_id = ${of}.consumer_id AND v2.provider_id = ${of}.provider_id AND v2.sha = ${of}.sha
      AND v2.provider_version_id = ${providerVersionId}
    ORDER BY v2.evidence IS NULL DESC, v2.id DESC LIMIT 1`;
}

/**
 * Folds the rows of `successfulVerificationsOf` (one per requested content, verification and branch, a
 * LEFT JOIN on branches, ordered so) into one list per requested content.
 */
export function foldSuccessfulVerifications(
  count: number,
  rows: Array<{
    idx: number;
    id: number;
    number: string;
    created_at: string;
    wip: Flag;
    branch: string | null;
  }>,
): SuccessfulVerification[][] {
  const out: SuccessfulVerification[][] = Array.from({ length: count }, () => []);
  let last: { idx: number; id: number } | undefined;
  for (const r of rows) {
    const list = out[r.idx];
    if (list === undefined) continue;
    if (last?.idx !== r.idx || last.id !== r.id) {
      list.push({ providerVersion: r.number, branches: [], createdAt: r.created_at, wip: isSet(r.wip) });
      last = { idx: r.idx, id: r.id };
    }
    if (r.branch !== null) list[list.length - 1]?.branches.push(r.branch);
  }
  return out;
}

export interface EnvironmentRow {
  uuid: string;
  name: string;
  display_name: string;
  production: Flag;
  contacts: string;
  created_at: string;
}

export function toEnvironment(r: EnvironmentRow): Environment {
  return {
    uuid: r.uuid,
    name: r.name,
    displayName: r.display_name,
    production: isSet(r.production),
    contacts: JSON.parse(r.contacts) as Environment['contacts'],
    createdAt: r.created_at,
  };
}

export interface DeploymentRow {
  uuid: string;
  pacticipant: string;
  version: string;
  environment_uuid: string;
  application_instance: string | null;
  created_at: string;
  undeployed_at: string | null;
}

/** Deployed versions with their names. */
export const deploymentSelect =
  'SELECT d.*, p.name AS pacticipant, v.number AS version FROM deployed_versions d JOIN pacticipants p ON p.id = d.pacticipant_id JOIN versions v ON v.id = d.version_id';

export function toDeployment(r: DeploymentRow, environment: Environment): DeployedVersion {
  return {
    uuid: r.uuid,
    pacticipant: r.pacticipant,
    version: r.version,
    environment,
    ...(r.application_instance === null ? {} : { applicationInstance: r.application_instance }),
    currentlyDeployed: r.undeployed_at === null,
    createdAt: r.created_at,
    ...(r.undeployed_at === null ? {} : { undeployedAt: r.undeployed_at }),
  };
}

export interface ReleaseRow {
  uuid: string;
  pacticipant: string;
  version: string;
  environment_uuid: string;
  created_at: string;
  support_ended_at: string | null;
}

/** Released versions with their names. */
export const releaseSelect =
  'SELECT r.*, p.name AS pacticipant, v.number AS version FROM released_versions r JOIN pacticipants p ON p.id = r.pacticipant_id JOIN versions v ON v.id = r.version_id';

export function toRelease(r: ReleaseRow, environment: Environment): ReleasedVersion {
  return {
    uuid: r.uuid,
    pacticipant: r.pacticipant,
    version: r.version,
    environment,
    currentlySupported: r.support_ended_at === null,
    createdAt: r.created_at,
    ...(r.support_ended_at === null ? {} : { supportEndedAt: r.support_ended_at }),
  };
}

export interface ProviderContractRow {
  number: string;
  sha: string;
  content: string;
  content_type: string;
  specification: string;
  self_verification: string | null;
  build_url: string | null;
  created_at: string;
  updated_at: string | null;
}

export function toProviderContract(provider: string, r: ProviderContractRow): ProviderContract {
  return {
    provider,
    providerVersion: r.number,
    sha: r.sha,
    content: r.content,
    contentType: r.content_type,
    specification: r.specification,
    ...(r.self_verification === null
      ? {}
      : { selfVerification: JSON.parse(r.self_verification) as SelfVerification }),
    ...(r.build_url === null ? {} : { buildUrl: r.build_url }),
    createdAt: r.created_at,
    ...(r.updated_at === null ? {} : { updatedAt: r.updated_at }),
  };
}

/** The pacts of a `publishContracts` call, each as `publishPact` takes it. */
export function eachContract(
  input: Parameters<Store['publishContracts']>[0],
): Array<Parameters<Store['publishPact']>[0]> {
  return input.contracts.map((c) => ({
    consumer: input.consumer,
    consumerVersion: input.consumerVersion,
    provider: c.provider,
    content: c.content,
    ...(input.branch === undefined ? {} : { branch: input.branch }),
    ...(input.tags === undefined ? {} : { tags: input.tags }),
    ...(input.allowOverwrite === undefined ? {} : { allowOverwrite: input.allowOverwrite }),
    ...(input.event === undefined ? {} : { event: input.event }),
  }));
}

/** Changed content for a consumer version that already has a pact with the provider (409). */
export function pactConflict(input: {
  consumer: string;
  consumerVersion: string;
  provider: string;
}): TreatyError {
  return new TreatyError(
    'TREATY_BROKER_PACT_CONFLICT',
    `${input.consumer} version ${input.consumerVersion} already has a different pact with ${input.provider}. Publish the changed contract under a new consumer version, or allow overwriting.`,
  );
}

/** Checks a new environment's name: a name (see checkName) without spaces. */
export function checkEnvironmentName(name: string): void {
  checkName('environment name', name);
  if (/\s/.test(name))
    throw new TreatyError(
      'TREATY_BROKER_INVALID_NAME',
      `The environment name '${name}' must not contain spaces; use displayName for a readable name.`,
    );
}

/** A deployment or release that names a version the broker does not have (404). */
export function noSuchVersion(input: { pacticipant: string; version: string }): TreatyError {
  return new TreatyError(
    'TREATY_BROKER_NOT_FOUND',
    `No version ${input.version} of '${input.pacticipant}'; publish or create it first.`,
  );
}

/** A verification of content the pair never published (404). */
export function noSuchContent(input: { consumer: string; provider: string; sha: string }): TreatyError {
  return new TreatyError(
    'TREATY_BROKER_NOT_FOUND',
    `No pact between ${input.consumer} and ${input.provider} has the content ${input.sha}; verify a published pact.`,
  );
}

/** The outbox event of one publication (see `PublicationEvent`), written in the publication's transaction. */
export function publicationEvent(
  input: Parameters<Store['publishPact']>[0],
  sha: string,
  version: { tags: string[]; branches: string[] },
  replacedSha: string | undefined,
  previous: PublicationEvent['previous'],
): PublicationEvent {
  return {
    type: 'contract_published',
    consumer: input.consumer,
    consumerVersion: input.consumerVersion,
    provider: input.provider,
    sha,
    tags: version.tags,
    branches: version.branches,
    ...(replacedSha === undefined ? {} : { replacedSha }),
    previous,
    context: input.event ?? {},
  };
}

/**
 * The outbox event of a verifier's result, written in its transaction. A comparison with a document
 * (`recordComparison`) writes none.
 */
export function verificationEvent(input: VerificationInput, verificationId: number): VerificationEvent {
  return {
    type: 'provider_verification_published',
    verificationId,
    consumer: input.consumer,
    provider: input.provider,
    sha: input.sha,
    providerVersion: input.providerVersion,
    success: input.success,
    context: input.event ?? {},
  };
}

/**
 * The queries behind `PublicationEvent.previous`: the sha of a pair's newest publication by a consumer
 * version older than a given one, untagged or with a tag. Parameters: consumer id, provider id, the
 * version's id, then the tag; `p(n)` writes the n-th as the database wants it.
 */
export function previousPublicationQueries(p: (n: number) => string): { untagged: string; tagged: string } {
  const older = `SELECT pp.sha FROM pact_publications pp
    WHERE pp.consumer_id = ${p(1)} AND pp.provider_id = ${p(2)} AND pp.consumer_version_id < ${p(3)}`;
  const newest = 'ORDER BY pp.consumer_version_id DESC LIMIT 1';
  return {
    untagged: `${older} AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.version_id = pp.consumer_version_id) ${newest}`,
    tagged: `${older} AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = pp.consumer_version_id AND t.name = ${p(4)}) ${newest}`,
  };
}

export interface WebhookRow {
  uuid: string;
  /** The webhook's definition as JSON text. */
  definition: string;
  created_at: string;
  updated_at: string | null;
}

export function toWebhook(r: WebhookRow): Webhook {
  return {
    uuid: r.uuid,
    ...(JSON.parse(r.definition) as Omit<Webhook, 'uuid' | 'createdAt' | 'updatedAt'>),
    createdAt: r.created_at,
    ...(r.updated_at === null ? {} : { updatedAt: r.updated_at }),
  };
}

/**
 * The values of a new triggered webhook, in the order of the columns `triggeredColumns` names (status
 * aside: a new one is `not_run`).
 */
export function triggeredValues(eventId: number, t: NewTriggeredWebhook, now: string): unknown[] {
  return [
    t.uuid,
    eventId,
    t.webhookUuid,
    t.eventName,
    t.key,
    t.consumer,
    t.provider,
    t.consumerVersion ?? null,
    t.verificationId ?? null,
    JSON.stringify(t.parameters),
    now,
    now,
    now,
  ];
}

/** The columns of `triggered_webhooks` a new row fills, as `triggeredValues` gives them, then its status. */
export const triggeredColumns = `uuid, event_id, webhook_uuid, event_name, trigger_key, consumer, provider,
  consumer_version, verification_id, parameters, next_attempt_at, created_at, updated_at, status`;

export interface TriggeredRow {
  id: number;
  uuid: string;
  event_id: number;
  webhook_uuid: string;
  event_name: string;
  consumer: string;
  provider: string;
  consumer_version: string | null;
  verification_id: number | null;
  /** The template parameters as JSON text. */
  parameters: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

/** An outbox row as claimed: the event its payload holds, with the row's id and time. */
export interface OutboxRow {
  id: number;
  payload: string;
  created_at: string;
}

/** The events of claimed outbox rows, oldest first (RETURNING gives no order). */
export function toOutboxEvents(rows: OutboxRow[]): OutboxEvent[] {
  return rows
    .map((r) => ({ ...(JSON.parse(r.payload) as object), id: r.id, createdAt: r.created_at }) as OutboxEvent)
    .sort((a, b) => a.id - b.id);
}

export function toTriggered(r: TriggeredRow): TriggeredWebhook {
  return {
    uuid: r.uuid,
    webhookUuid: r.webhook_uuid,
    eventId: r.event_id,
    eventName: r.event_name as WebhookEventName,
    parameters: JSON.parse(r.parameters) as Record<string, string>,
    consumer: r.consumer,
    provider: r.provider,
    ...(r.consumer_version === null ? {} : { consumerVersion: r.consumer_version }),
    ...(r.verification_id === null ? {} : { verificationId: r.verification_id }),
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    ...(r.next_attempt_at === null ? {} : { nextAttemptAt: r.next_attempt_at }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The query of `Store.triggeredWebhooks`: newest first, narrowed by the filters given; `p(n)` writes
 * the n-th parameter as the database wants it.
 */
export function triggeredWebhooksQuery(
  filter: Parameters<Store['triggeredWebhooks']>[0],
  p: (n: number) => string,
): { sql: string; args: Array<string | number> } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  const add = (column: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    args.push(value);
    where.push(`${column} = ${p(args.length)}`);
  };
  add('webhook_uuid', filter.webhookUuid);
  add('provider', filter.provider);
  add('consumer', filter.consumer);
  add('consumer_version', filter.consumerVersion);
  add('verification_id', filter.verificationId);
  args.push(filter.limit ?? 100);
  return {
    sql: `SELECT * FROM triggered_webhooks ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY id DESC LIMIT ${p(args.length)}`,
    args,
  };
}
