/**
 * The broker's storage, behind a small async interface so that SQLite and PostgreSQL serve the same
 * routes and domain rules. Every implementation runs the one conformance suite.
 */

/** An application that takes part in contracts (a consumer, a provider, or both). */
export interface Pacticipant {
  name: string;
  displayName: string;
  mainBranch?: string;
  repositoryUrl?: string;
  createdAt: string;
}

/** One version of a pacticipant, with the branches and tags it is on. */
export interface Version {
  pacticipant: string;
  number: string;
  /** Increases with every version created for the pacticipant: "latest" means the highest. */
  order: number;
  branches: string[];
  tags: string[];
  createdAt: string;
}

/** A contract between a consumer version and a provider, its content stored once per sha. */
export interface PactPublication {
  consumer: string;
  consumerVersion: string;
  provider: string;
  /** SHA-256 of the content as stored. */
  sha: string;
  content: string;
  createdAt: string;
}

/** The result of one provider version verifying one pact content. */
export interface Verification {
  id: number;
  consumer: string;
  provider: string;
  providerVersion: string;
  sha: string;
  success: boolean;
  buildUrl?: string;
  /**
   * `openapi` when the broker compared the pact with the provider version's OpenAPI document (its
   * provider contract) instead of a verifier running the provider.
   */
  evidence?: 'openapi';
  /**
   * For a comparison: what it was made with, as the comparison names it (the document's sha, and
   * whether its self-verification failed). The same pact compared with the same document gives the
   * same result, so it is recorded once.
   */
  comparedWith?: string;
  createdAt: string;
}

/**
 * What a verifier sent with a result: `testResults` (Pact's per-interaction array, as sent or cut down
 * to the broker's limit) and `verifiedBy`, both as JSON text.
 */
export interface VerificationReport {
  testResults?: string;
  verifiedBy?: string;
  /** True when the test results were cut down to the limit (TREATY_BROKER_RESULTS_TRUNCATED). */
  truncated: boolean;
}

/** A verification result to record: which provider version verified which pact content, and how it went. */
export interface VerificationInput
  extends Pick<Verification, 'consumer' | 'provider' | 'providerVersion' | 'sha' | 'success' | 'buildUrl'> {
  /** The branch the provider version is on (it is put there when new). */
  branch?: string;
  /** A result for a work-in-progress pact (it does not make the pact verified for the branch). */
  wip?: boolean;
  evidence?: 'openapi';
  report?: VerificationReport;
  /** Kept with the result's outbox event, for its webhooks. */
  event?: EventContext;
}

/** A comparison of a pact content with a provider version's document to record (see `recordComparison`). */
export interface ComparisonInput
  extends Pick<
    VerificationInput,
    'consumer' | 'provider' | 'providerVersion' | 'sha' | 'success' | 'report'
  > {
  /** What the comparison was made with (see `Verification.comparedWith`). */
  comparedWith: string;
}

/** What a provider's own tests said of its document when it was published (PactFlow's self-verification). */
export interface SelfVerification {
  success: boolean;
  /** The results as sent (decoded from base64), e.g. a Dredd report. */
  content?: string;
  contentType?: string;
  format?: string;
  verifier?: string;
  verifierVersion?: string;
}

/** A provider version's OpenAPI document, published with `pactflow publish-provider-contract`. */
export interface ProviderContract {
  provider: string;
  providerVersion: string;
  /** SHA-256 of the content. */
  sha: string;
  content: string;
  contentType: string;
  /** `oas` (OpenAPI). */
  specification: string;
  selfVerification?: SelfVerification;
  buildUrl?: string;
  createdAt: string;
  updatedAt?: string;
}

/** A place versions are deployed or released to. */
export interface Environment {
  uuid: string;
  name: string;
  displayName: string;
  production: boolean;
  contacts: Array<{ name: string; details?: Record<string, unknown> }>;
  createdAt: string;
}

/** A version deployed to an environment (optionally to one application instance). */
export interface DeployedVersion {
  uuid: string;
  pacticipant: string;
  version: string;
  environment: Environment;
  applicationInstance?: string;
  currentlyDeployed: boolean;
  createdAt: string;
  undeployedAt?: string;
}

/** A version released to an environment (several can be supported at once). */
export interface ReleasedVersion {
  uuid: string;
  pacticipant: string;
  version: string;
  environment: Environment;
  currentlySupported: boolean;
  createdAt: string;
  supportEndedAt?: string;
}

/** What publishing a pact did. */
export interface PublishOutcome {
  publication: PactPublication;
  /**
   * True when this content was already stored for another version (it is then already verified where that
   * was).
   */
  contentExisted: boolean;
  /** True when the same consumer version already had exactly this pact. */
  unchanged: boolean;
}

/** The six events a webhook fires on, as the Pact Broker names them. */
export type WebhookEventName =
  | 'contract_published'
  | 'contract_content_changed'
  | 'contract_requiring_verification_published'
  | 'provider_verification_published'
  | 'provider_verification_succeeded'
  | 'provider_verification_failed';

/** Whom a webhook is for: one pacticipant by name, or every pacticipant with a label. */
export type WebhookPacticipant = { name: string } | { label: string };

/** The request a webhook sends, with `${pactbroker.…}` and `${env.…}` placeholders as given. */
export interface WebhookRequestTemplate {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Any JSON value, or text; absent for no body. */
  body?: unknown;
  username?: string;
  password?: string;
}

/** A webhook: what it fires on (events, consumer, provider) and the request it sends. */
export interface Webhook {
  uuid: string;
  description?: string;
  consumer?: WebhookPacticipant;
  provider?: WebhookPacticipant;
  events: WebhookEventName[];
  request: WebhookRequestTemplate;
  enabled: boolean;
  createdAt: string;
  updatedAt?: string;
}

/** What the request that caused an event knew, kept with the event for its webhooks. */
export interface EventContext {
  /** The broker's base URL as the client saw it (links in webhook parameters start with it). */
  baseUrl?: string;
  buildUrl?: string;
  /** The branch a publication named. */
  branch?: string;
  /** The consumer versions a verification's pact link named (from pacts for verification). */
  consumerVersions?: string[];
}

/**
 * A pact publication as an event: written in the same transaction as the publication (the outbox),
 * with what deciding its webhook events needs, as it was then.
 */
export interface PublicationEvent {
  type: 'contract_published';
  consumer: string;
  consumerVersion: string;
  provider: string;
  sha: string;
  /** The consumer version's tags and branches after the publication. */
  tags: string[];
  branches: string[];
  /** The content the consumer version had with this provider before, when it had one. */
  replacedSha?: string;
  /**
   * For a first publication of the consumer version: per tag of the version (`null`: the version has no
   * tags, "untagged"), the content of the pair's newest publication by an older consumer version with
   * that tag (or untagged), `null` when there is none.
   */
  previous: Array<{ tag: string | null; sha: string | null }>;
  context: EventContext;
}

/** A verification result as an event, written in the same transaction as the result. */
export interface VerificationEvent {
  type: 'provider_verification_published';
  verificationId: number;
  consumer: string;
  provider: string;
  sha: string;
  providerVersion: string;
  success: boolean;
  context: EventContext;
}

/** A domain event in the outbox, with its sequence number. */
export type OutboxEvent = (PublicationEvent | VerificationEvent) & { id: number; createdAt: string };

/** A claim on an outbox row: held until `until` (ISO time) under `token`; free once `until` is past. */
export interface Lease {
  now: string;
  until: string;
  token: string;
}

/** Where a triggered webhook's deliveries stand (the Pact Broker's names). */
export type DeliveryStatus = 'not_run' | 'retrying' | 'success' | 'failure';

/** One webhook triggered by one event (for one provider or consumer version), delivered at least once. */
export interface TriggeredWebhook {
  uuid: string;
  webhookUuid: string;
  eventId: number;
  eventName: WebhookEventName;
  /** The template parameters (`pactbroker.consumerName` → value) as they were when the event happened. */
  parameters: Record<string, string>;
  consumer: string;
  provider: string;
  consumerVersion?: string;
  verificationId?: number;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due, while there is one. */
  nextAttemptAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A webhook an event triggers; `key` tells it from the event's others, so expanding twice adds none. */
export type NewTriggeredWebhook = Pick<
  TriggeredWebhook,
  | 'uuid'
  | 'webhookUuid'
  | 'eventName'
  | 'parameters'
  | 'consumer'
  | 'provider'
  | 'consumerVersion'
  | 'verificationId'
> & { key: string };

/** One delivery attempt, as logged: secrets already masked, the response body bounded. */
export interface WebhookAttempt {
  number: number;
  startedAt: string;
  durationMs: number;
  success: boolean;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers?: Record<string, string>; body?: string; truncated?: boolean };
  error?: { code: string; message: string };
  /** The attempt in words, one line per step, as the Pact Broker logs it. */
  logs: string;
}

/** What comes after an attempt: done (either way), or another attempt at a time. */
export type DeliveryOutcome =
  | { status: 'success' | 'failure' }
  | { status: 'retrying'; nextAttemptAt: string };

/** A pact publication without its content (read only where the content is compared or served). */
export type PactRef = Omit<PactPublication, 'content'>;

/**
 * A consumer and provider with a pact (an integration), with the pair's latest pact (as `latestPact`
 * finds it, without its content) and that content's newest verification (as `verificationsFor` lists
 * them first: a verifier's result or a comparison with a document, whichever is newer).
 */
export interface IntegrationSummary {
  consumer: string;
  provider: string;
  latest: PactRef;
  /** Undefined when the latest pact's content was never verified. */
  verification?: Verification;
}

/** A version as the gate names and orders it. */
export type VersionRef = Pick<Version, 'pacticipant' | 'number' | 'order'>;

/**
 * Which versions of a pacticipant `versionsMatching` finds. The first key given decides: `number`,
 * then `environment`, then `branch` or `mainBranch`, then `tag`; with none of them, every version.
 */
export interface VersionSelector {
  pacticipant: string;
  /** Exactly this version. */
  number?: string;
  /** The versions currently deployed, or released and still supported, in this environment. */
  environment?: string;
  /** The versions on this branch. */
  branch?: string;
  /** The versions on the pacticipant's main branch (none when it has no main branch). */
  mainBranch?: boolean;
  /** The versions with this tag (not read when a branch is given). */
  tag?: string;
  /** Of a branch's, a tag's or every version, only the newest (else the newest up to the call's limit). */
  latest?: boolean;
}

/** A consumer version and a provider version (see `MatrixFactsRequest.pairs`). */
export interface VersionPair {
  consumer: string;
  consumerVersion: string;
  provider: string;
  providerVersion: string;
}

/** What the matrix needs to know of pacts and their verifications, asked all at once. */
export interface MatrixFactsRequest {
  /** Per pair: the consumer version's pact with the provider, and the provider version's verification. */
  pairs?: VersionPair[];
  /** Per consumer version: its pact with the provider, and every provider version's verification of it. */
  verifiersOf?: Array<Omit<VersionPair, 'providerVersion'>>;
  /**
   * Per provider version: its verification of each content of the consumer's pacts it verified, each
   * content as published by the newest consumer version that has it.
   */
  verifiedBy?: Array<Omit<VersionPair, 'consumerVersion'>>;
}

/** A pact, a provider version, and the verification of the one by the other that counts. */
export interface MatrixFact {
  pact: PactRef;
  providerVersion: string;
  /** The provider version's `order` (-1 when there is no such version). */
  providerVersionOrder: number;
  /**
   * The newest replay by a verifier, else the newest comparison with the provider version's OpenAPI
   * document (as `latestVerification`); null when there is neither.
   */
  verification: Verification | null;
  /** What the verification reported per interaction (its testResults), when it failed and has them. */
  testResults?: string;
  /** The provider version's OpenAPI document, if any: its sha, and whether its self-verification failed. */
  document?: { sha: string; selfVerificationFailed: boolean };
}

/** The answer to a `MatrixFactsRequest`, each list in the order of the request's. */
export interface MatrixFacts {
  /** Undefined where the consumer version has no pact with the provider. */
  pairs: Array<MatrixFact | undefined>;
  /**
   * Undefined where the consumer version has no pact with the provider; `verified` holds one fact per
   * provider version that verified it, the one with the newest result first.
   */
  verifiersOf: Array<{ pact: PactRef; verified: MatrixFact[] } | undefined>;
  /** The contents the provider version verified, the one with the newest result first. */
  verifiedBy: MatrixFact[][];
}

/** Which pacts of a provider's consumers `verificationCandidates` finds (each consumer's, for every key). */
export interface CandidateRequest {
  /** Each consumer's latest pact with the provider. */
  latest?: boolean;
  /** The latest on each of these branches. */
  branches?: string[];
  /** The latest on each consumer's main branch. */
  mainBranches?: boolean;
  /** The latest on every branch of each consumer. */
  allBranches?: boolean;
  /** The latest with each of these tags. */
  latestTags?: string[];
  /** Every pact with each of these tags, oldest first. */
  tags?: string[];
  /** The pacts of the versions currently deployed (released and supported) in each environment. */
  environments?: boolean;
  /** A branch of the provider, to learn when it got its first version. */
  providerBranch?: string;
}

/** How a candidate pact was found: which kind of selection, and for which branch, tag or environment. */
export type CandidateKind = 'latest' | 'branch' | 'tag' | 'tagged' | 'deployed' | 'released';

/** What pacts for verification chooses from (see `Store.verificationCandidates`). */
export interface VerificationCandidates {
  /** The provider's consumers by name (case-insensitively), their main branch, whether it has versions. */
  consumers: Array<{ name: string; mainBranch?: string; mainBranchHasVersions: boolean }>;
  /** The names of every environment, ordered by display name as `listEnvironments` orders them. */
  environments: string[];
  /** When the requested provider branch got its first version (undefined: it has none, or none was asked). */
  providerBranchCreatedAt?: string;
  /**
   * The pacts found, grouped by kind, key (the branch, tag or environment name; none for `latest`)
   * and consumer; `tagged` ones oldest first, `deployed` and `released` ones in the order they were.
   */
  pacts: Array<{ kind: CandidateKind; key?: string; pact: PactRef }>;
}

/** A successful verification of a content by a verifier, as pending status reads it. */
export interface SuccessfulVerification {
  providerVersion: string;
  /** The branches the provider version is on. */
  branches: string[];
  createdAt: string;
  /** Made for a work-in-progress pact. */
  wip: boolean;
}

/** The storage a broker needs. All methods are async; multi-row writes are atomic. */
export interface Store {
  getPacticipant(name: string): Promise<Pacticipant | undefined>;
  listPacticipants(): Promise<Pacticipant[]>;
  /** Creates the pacticipant if missing, then sets the fields given (others are kept). */
  updatePacticipant(
    name: string,
    fields: { displayName?: string; mainBranch?: string; repositoryUrl?: string },
  ): Promise<{ pacticipant: Pacticipant; created: boolean }>;

  ensureVersion(
    pacticipant: string,
    number: string,
    options?: { branch?: string; tags?: string[] },
  ): Promise<Version>;
  getVersion(pacticipant: string, number: string): Promise<Version | undefined>;
  /** The newest version, optionally the newest on a branch or with a tag. */
  latestVersion(
    pacticipant: string,
    filter?: { branch?: string; tag?: string },
  ): Promise<Version | undefined>;
  addTag(pacticipant: string, number: string, tag: string): Promise<Version>;
  /**
   * Versions newest first, optionally only those on a branch or with a tag; at most `limit` (default 100).
   */
  listVersions(
    pacticipant: string,
    filter?: { branch?: string; tag?: string; limit?: number; offset?: number },
  ): Promise<Version[]>;
  /** How many versions a pacticipant has. */
  countVersions(pacticipant: string): Promise<number>;

  /**
   * Stores a pact for a consumer version. Changed content for a consumer version that already has a
   * pact with this provider is refused (TREATY_BROKER_PACT_CONFLICT) unless `allowOverwrite`.
   */
  publishPact(input: {
    consumer: string;
    consumerVersion: string;
    provider: string;
    content: string;
    branch?: string;
    tags?: string[];
    allowOverwrite?: boolean;
    /** Kept with the publication's outbox event, for its webhooks. */
    event?: EventContext;
  }): Promise<PublishOutcome>;
  /**
   * Publishes a consumer version's contracts in one transaction (POST /contracts/publish): the
   * version with its branch and tags, then each pact. Any conflicting pact aborts it all.
   */
  publishContracts(input: {
    consumer: string;
    consumerVersion: string;
    branch?: string;
    tags?: string[];
    contracts: Array<{ provider: string; content: string }>;
    allowOverwrite?: boolean;
    event?: EventContext;
  }): Promise<PublishOutcome[]>;
  getPact(consumer: string, consumerVersion: string, provider: string): Promise<PactPublication | undefined>;
  latestPact(
    consumer: string,
    provider: string,
    filter?: { branch?: string; tag?: string },
  ): Promise<PactPublication | undefined>;
  getPactBySha(consumer: string, provider: string, sha: string): Promise<PactPublication | undefined>;
  /**
   * The newest pact of the pair published for a consumer version older than `consumerVersion` whose
   * content differs from that version's pact (the Pact Broker's "previous distinct").
   */
  previousDistinctPact(
    consumer: string,
    provider: string,
    consumerVersion: string,
  ): Promise<PactPublication | undefined>;
  /**
   * The newest verification of a content by one provider version: the newest replay by a verifier
   * when there is one (it outranks a comparison with the provider's OpenAPI document), else the
   * newest comparison.
   */
  latestVerification(
    consumer: string,
    provider: string,
    sha: string,
    providerVersion: string,
  ): Promise<Verification | undefined>;
  /** Consumers with at least one pact for the provider, by name. */
  consumersOf(provider: string): Promise<string[]>;
  /**
   * Every integration, all at once (see `IntegrationSummary`): by consumer, then provider, each name as
   * `localeCompare` orders it; pairs whose names it tells apart in neither by provider then consumer, as
   * `listPacticipants` and `consumersOf` order them.
   */
  integrationSummaries(): Promise<IntegrationSummary[]>;
  /** The branches a pacticipant's versions are on. */
  branchesOf(pacticipant: string): Promise<string[]>;
  /** When a pacticipant's branch first got a version, or undefined if it has none. */
  branchCreatedAt(pacticipant: string, branch: string): Promise<string | undefined>;

  /**
   * The pacticipants and environments of these names that exist (for checking a query's names in one
   * call).
   */
  lookUpNames(names: {
    pacticipants?: string[];
    environments?: string[];
  }): Promise<{ pacticipants: Pacticipant[]; environments: Environment[] }>;
  /**
   * The versions each selector finds, newest first, at most `limit` (default 100) per selector, in
   * the order of the selectors; undefined where there is no pacticipant of that name.
   */
  versionsMatching(selectors: VersionSelector[], limit?: number): Promise<Array<VersionRef[] | undefined>>;
  /**
   * Per version, in the order asked: its pacts as a consumer (by provider name) and the consumers of
   * its pacticipant as a provider (by name, case-insensitively).
   */
  integrationsOfVersions(
    versions: Array<{ pacticipant: string; number: string }>,
  ): Promise<Array<{ pacts: PactRef[]; consumers: string[] }>>;
  /** The pacts and verifications a matrix answer needs, all at once (see `MatrixFactsRequest`). */
  matrixFacts(request: MatrixFactsRequest): Promise<MatrixFacts>;
  /** The pacts of a provider's consumers that pacts for verification selects from, all at once. */
  verificationCandidates(provider: string, request: CandidateRequest): Promise<VerificationCandidates>;
  /**
   * Per content, in the order asked: its successful verifications by a verifier (not document
   * comparisons), with the branches of their provider versions.
   */
  successfulVerificationsOf(
    provider: string,
    contents: Array<{ consumer: string; sha: string }>,
  ): Promise<SuccessfulVerification[][]>;

  recordVerification(input: VerificationInput): Promise<Verification>;
  /**
   * Records a comparison of a pact content with a provider version's document (`evidence: 'openapi'`),
   * unless the newest comparison of that content by that provider version was made `comparedWith` the
   * same document: then nothing is written and that one is returned (`created: false`). Atomic, so a
   * publication sent twice, or two requests comparing the same pair at once, record it once.
   */
  recordComparison(input: ComparisonInput): Promise<{ verification: Verification; created: boolean }>;
  /** One verification by its number, with what its verifier reported. */
  getVerification(
    id: number,
  ): Promise<{ verification: Verification; report: VerificationReport } | undefined>;
  /** What one provider version has verified, newest first. */
  verificationsByProviderVersion(provider: string, providerVersion: string): Promise<Verification[]>;
  /** Verifications of one pact content, newest first. */
  verificationsFor(consumer: string, provider: string, sha: string): Promise<Verification[]>;

  /**
   * Stores a provider version's document (with the version, its branch and tags); publishing again
   * for the same version replaces it, so a retried request does no harm.
   */
  publishProviderContract(input: {
    provider: string;
    providerVersion: string;
    branch?: string;
    tags?: string[];
    buildUrl?: string;
    content: string;
    contentType: string;
    specification: string;
    selfVerification?: SelfVerification;
  }): Promise<{ contract: ProviderContract; version: Version }>;
  getProviderContract(provider: string, providerVersion: string): Promise<ProviderContract | undefined>;
  /** Whether any version of the provider has a provider contract (an OpenAPI document published). */
  hasProviderContracts(provider: string): Promise<boolean>;

  createEnvironment(input: {
    name: string;
    displayName?: string;
    production: boolean;
    contacts?: Environment['contacts'];
  }): Promise<Environment>;
  getEnvironment(uuid: string): Promise<Environment | undefined>;
  listEnvironments(): Promise<Environment[]>;
  /**
   * Records a deployment; the version previously deployed to the same slot (environment + instance) is
   * undeployed.
   */
  recordDeployment(input: {
    pacticipant: string;
    version: string;
    environmentUuid: string;
    applicationInstance?: string;
  }): Promise<DeployedVersion>;
  getDeployment(uuid: string): Promise<DeployedVersion | undefined>;
  recordUndeployment(uuid: string): Promise<DeployedVersion>;
  currentlyDeployed(
    environmentUuid: string,
    filter?: { pacticipant?: string; applicationInstance?: string },
  ): Promise<DeployedVersion[]>;
  /** Records a release (or marks an ended one supported again); returns whether it was new. */
  recordRelease(input: {
    pacticipant: string;
    version: string;
    environmentUuid: string;
  }): Promise<{ release: ReleasedVersion; created: boolean }>;
  getRelease(uuid: string): Promise<ReleasedVersion | undefined>;
  recordSupportEnded(uuid: string): Promise<ReleasedVersion>;
  currentlySupported(
    environmentUuid: string,
    filter?: { pacticipant?: string; version?: string },
  ): Promise<ReleasedVersion[]>;

  /**
   * Checks that the database answers (the heartbeat asks before saying the broker is up); throws
   * TREATY_BROKER_DATABASE_UNAVAILABLE when it does not.
   */
  ping(): Promise<void>;

  /** A pacticipant's labels, by name. */
  labelsOf(pacticipant: string): Promise<string[]>;
  /** Adds (creating the pacticipant if missing) or removes a label; true when that changed anything. */
  setLabel(pacticipant: string, label: string, present: boolean): Promise<boolean>;
  /** The pacticipants with a label, by name. */
  pacticipantsWithLabel(label: string): Promise<string[]>;

  /** Creates a webhook under its uuid, or replaces the one there (keeping its creation time). */
  putWebhook(
    webhook: Omit<Webhook, 'createdAt' | 'updatedAt'>,
  ): Promise<{ webhook: Webhook; created: boolean }>;
  getWebhook(uuid: string): Promise<Webhook | undefined>;
  /** Every webhook, oldest first. */
  listWebhooks(): Promise<Webhook[]>;
  /** Deletes a webhook with its triggered webhooks and their logs; false when there was none. */
  deleteWebhook(uuid: string): Promise<boolean>;

  /**
   * Claims up to `limit` of the oldest outbox events not yet expanded into triggered webhooks and not
   * claimed by another (its lease past), oldest first: one conditional update, so that of several
   * brokers on one database each event goes to one.
   */
  claimEvents(lease: Lease, limit: number): Promise<OutboxEvent[]>;
  /**
   * Adds the webhooks each event triggered and marks the events expanded, in one transaction. A
   * triggered webhook whose (event, webhook, event name, key) is there already is not added again.
   */
  expandEvents(
    expanded: Array<{ eventId: number; triggered: NewTriggeredWebhook[] }>,
    now: string,
  ): Promise<void>;
  /** Claims the triggered webhook due soonest (due by `lease.now`, not claimed by another). */
  claimDelivery(lease: Lease): Promise<TriggeredWebhook | undefined>;
  /**
   * Logs an attempt and, while the claim (`token`) still holds, sets what comes next; false when the
   * claim was lost (the attempt is logged all the same).
   */
  recordAttempt(
    uuid: string,
    token: string,
    attempt: WebhookAttempt,
    outcome: DeliveryOutcome,
  ): Promise<boolean>;
  /** When there is next something to expand or deliver (ISO time; it may be past), or undefined. */
  nextWebhookWork(): Promise<string | undefined>;
  /** Triggered webhooks, newest first, narrowed by any of the filters; at most `limit` (default 100). */
  triggeredWebhooks(filter: {
    webhookUuid?: string;
    consumer?: string;
    provider?: string;
    consumerVersion?: string;
    verificationId?: number;
    limit?: number;
  }): Promise<TriggeredWebhook[]>;
  /** One triggered webhook with its attempts, oldest first. */
  getTriggeredWebhook(
    uuid: string,
  ): Promise<{ triggered: TriggeredWebhook; attempts: WebhookAttempt[] } | undefined>;
  /** Counts, for health checks and size benchmarks. */
  stats(): Promise<{
    pacticipants: number;
    versions: number;
    pactContents: number;
    pactPublications: number;
    verifications: number;
  }>;
  close(): Promise<void>;
}
