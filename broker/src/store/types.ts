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

/** The storage a broker needs. All methods are async; multi-row writes are atomic. */
export interface Store {
  ensurePacticipant(name: string): Promise<Pacticipant>;
  getPacticipant(name: string): Promise<Pacticipant | undefined>;
  listPacticipants(): Promise<Pacticipant[]>;
  setMainBranch(name: string, branch: string): Promise<Pacticipant>;
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

  /** The pacts a consumer version has, one per provider. */
  pactsOfConsumerVersion(consumer: string, version: string): Promise<PactPublication[]>;
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
  /** Every pact of the pair whose consumer version carries the tag, oldest first. */
  pactsWithTag(consumer: string, provider: string, tag: string): Promise<PactPublication[]>;
  /**
   * Successful verifications of a content by a verifier (not document comparisons: a pact compared
   * only with an OpenAPI document stays pending for the provider's own verification), with the
   * branches their provider versions are on.
   */
  successfulVerifications(
    consumer: string,
    provider: string,
    sha: string,
    options?: { excludeWip?: boolean },
  ): Promise<Array<{ providerVersion: string; branches: string[]; createdAt: string }>>;
  /** The branches a pacticipant's versions are on. */
  branchesOf(pacticipant: string): Promise<string[]>;
  /** When a pacticipant's branch first got a version, or undefined if it has none. */
  branchCreatedAt(pacticipant: string, branch: string): Promise<string | undefined>;

  recordVerification(input: {
    consumer: string;
    provider: string;
    providerVersion: string;
    sha: string;
    success: boolean;
    buildUrl?: string;
    branch?: string;
    wip?: boolean;
    evidence?: 'openapi';
    report?: VerificationReport;
  }): Promise<Verification>;
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

  createEnvironment(input: {
    name: string;
    displayName?: string;
    production: boolean;
    contacts?: Environment['contacts'];
  }): Promise<Environment>;
  getEnvironment(uuid: string): Promise<Environment | undefined>;
  findEnvironment(name: string): Promise<Environment | undefined>;
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
