/**
 * Numbered migrations, applied in order at start inside one transaction each. A migration is never
 * edited once released: changes come as new numbers.
 */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'pacticipants, versions, branches, tags, pacts and verifications',
    sql: `
      CREATE TABLE pacticipants (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        main_branch TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
        number TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (pacticipant_id, number)
      );
      CREATE TABLE branch_versions (
        version_id INTEGER NOT NULL REFERENCES versions(id),
        pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
        branch TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (version_id, branch)
      );
      CREATE INDEX branch_versions_latest ON branch_versions (pacticipant_id, branch, version_id);
      CREATE TABLE tags (
        version_id INTEGER NOT NULL REFERENCES versions(id),
        pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (version_id, name)
      );
      CREATE INDEX tags_latest ON tags (pacticipant_id, name, version_id);
      -- Content is stored once per distinct sha, however many versions publish it.
      CREATE TABLE pact_contents (
        sha TEXT PRIMARY KEY,
        content TEXT NOT NULL
      );
      CREATE TABLE pact_publications (
        id INTEGER PRIMARY KEY,
        consumer_version_id INTEGER NOT NULL REFERENCES versions(id),
        consumer_id INTEGER NOT NULL REFERENCES pacticipants(id),
        provider_id INTEGER NOT NULL REFERENCES pacticipants(id),
        sha TEXT NOT NULL REFERENCES pact_contents(sha),
        created_at TEXT NOT NULL,
        UNIQUE (consumer_version_id, provider_id)
      );
      CREATE INDEX pact_publications_pair ON pact_publications (consumer_id, provider_id, consumer_version_id);
      CREATE INDEX pact_publications_sha ON pact_publications (consumer_id, provider_id, sha);
      CREATE TABLE verifications (
        id INTEGER PRIMARY KEY,
        consumer_id INTEGER NOT NULL REFERENCES pacticipants(id),
        provider_id INTEGER NOT NULL REFERENCES pacticipants(id),
        provider_version_id INTEGER NOT NULL REFERENCES versions(id),
        sha TEXT NOT NULL REFERENCES pact_contents(sha),
        success INTEGER NOT NULL,
        build_url TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX verifications_by_content ON verifications (consumer_id, provider_id, sha, id);
      CREATE INDEX verifications_by_provider_version ON verifications (provider_version_id);
    `,
  },
  {
    version: 2,
    name: 'verifications made for work-in-progress pacts',
    sql: `ALTER TABLE verifications ADD COLUMN wip INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 3,
    name: 'environments, deployed versions and released versions',
    sql: `
      CREATE TABLE environments (
        uuid TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        production INTEGER NOT NULL,
        contacts TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT
      );
      CREATE TABLE deployed_versions (
        uuid TEXT PRIMARY KEY,
        version_id INTEGER NOT NULL REFERENCES versions(id),
        pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
        environment_uuid TEXT NOT NULL REFERENCES environments(uuid),
        application_instance TEXT,
        created_at TEXT NOT NULL,
        undeployed_at TEXT
      );
      CREATE INDEX deployed_current ON deployed_versions (environment_uuid, pacticipant_id, undeployed_at);
      CREATE TABLE released_versions (
        uuid TEXT PRIMARY KEY,
        version_id INTEGER NOT NULL REFERENCES versions(id),
        pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
        environment_uuid TEXT NOT NULL REFERENCES environments(uuid),
        created_at TEXT NOT NULL,
        support_ended_at TEXT,
        UNIQUE (version_id, environment_uuid)
      );
    `,
  },
  {
    version: 4,
    name: 'index pact publications by provider',
    sql: `CREATE INDEX pact_publications_by_provider ON pact_publications (provider_id, consumer_id, consumer_version_id);`,
  },
  {
    version: 5,
    name: 'pacticipant repository url',
    sql: `ALTER TABLE pacticipants ADD COLUMN repository_url TEXT;`,
  },
  {
    version: 6,
    name: 'indexes for the gate and pacts for verification under load',
    // latestVerification asks for one provider version's newest result of a content; the released
    // versions of a pacticipant in an environment were found by scanning every release; when a
    // branch began (pending status) was the minimum over all its versions.
    sql: `
      CREATE INDEX verifications_by_content_and_provider_version
        ON verifications (consumer_id, provider_id, sha, provider_version_id, id);
      CREATE INDEX released_current ON released_versions (environment_uuid, pacticipant_id, support_ended_at);
      CREATE INDEX branch_versions_created ON branch_versions (pacticipant_id, branch, created_at);
    `,
  },
  {
    version: 7,
    name: 'what a verifier reported per interaction',
    // Kept beside the verification rather than in it: the gate reads verifications by the hundred and
    // needs these only for the few that failed.
    sql: `
      CREATE TABLE verification_results (
        verification_id INTEGER PRIMARY KEY REFERENCES verifications(id),
        test_results TEXT,
        verified_by TEXT,
        truncated INTEGER NOT NULL DEFAULT 0
      );
    `,
  },
  {
    version: 8,
    name: 'provider contracts (OpenAPI documents) and document comparisons',
    // One document per provider version, as PactFlow keeps it; publishing again replaces it. A
    // verification made by comparing a pact with a document (not by running the provider) says so.
    sql: `
      CREATE TABLE provider_contracts (
        version_id INTEGER PRIMARY KEY REFERENCES versions(id),
        provider_id INTEGER NOT NULL REFERENCES pacticipants(id),
        sha TEXT NOT NULL,
        content TEXT NOT NULL,
        content_type TEXT NOT NULL,
        specification TEXT NOT NULL,
        self_verification TEXT,
        build_url TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT
      );
      CREATE INDEX provider_contracts_by_provider ON provider_contracts (provider_id, version_id);
      ALTER TABLE verifications ADD COLUMN evidence TEXT;
    `,
  },
  {
    version: 9,
    name: 'which document a comparison was made with',
    // A comparison is a pure function of the pact and the document: the broker records it once per
    // document (retried publications add nothing) and makes it again when the document changes.
    // Earlier comparisons named the document's sha only in their verifiedBy JSON.
    sql: `
      ALTER TABLE verifications ADD COLUMN compared_with TEXT;
      UPDATE verifications SET compared_with = (
        SELECT json_extract(vr.verified_by, '$.document.sha') FROM verification_results vr
        WHERE vr.verification_id = verifications.id AND json_valid(vr.verified_by)
      ) WHERE evidence = 'openapi';
    `,
  },
  {
    version: 10,
    name: 'pacticipant labels, webhooks, the outbox of domain events, triggered webhooks and their attempts',
    // A publication or verification writes its event in its own transaction (outbox_events); a worker
    // claims an event (claimed_until is a lease), expands it into triggered webhooks (the unique key
    // makes a second expansion add nothing) and delivers each at least once, logging every attempt.
    sql: `
      CREATE TABLE pacticipant_labels (
        pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id),
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (pacticipant_id, name)
      );
      CREATE INDEX pacticipant_labels_by_name ON pacticipant_labels (name);
      CREATE TABLE webhooks (
        uuid TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT
      );
      CREATE TABLE outbox_events (
        id INTEGER PRIMARY KEY,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        claimed_until TEXT,
        claim_token TEXT,
        expanded_at TEXT
      );
      CREATE INDEX outbox_events_pending ON outbox_events (expanded_at, id);
      CREATE TABLE triggered_webhooks (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        event_id INTEGER NOT NULL REFERENCES outbox_events(id),
        webhook_uuid TEXT NOT NULL,
        event_name TEXT NOT NULL,
        trigger_key TEXT NOT NULL,
        consumer TEXT NOT NULL,
        provider TEXT NOT NULL,
        consumer_version TEXT,
        verification_id INTEGER,
        parameters TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        claimed_until TEXT,
        claim_token TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (event_id, webhook_uuid, event_name, trigger_key)
      );
      CREATE INDEX triggered_webhooks_due ON triggered_webhooks (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
      CREATE INDEX triggered_webhooks_by_webhook ON triggered_webhooks (webhook_uuid, id);
      CREATE INDEX triggered_webhooks_by_pair ON triggered_webhooks (provider, consumer, id);
      CREATE INDEX triggered_webhooks_by_verification ON triggered_webhooks (verification_id) WHERE verification_id IS NOT NULL;
      CREATE TABLE webhook_attempts (
        id INTEGER PRIMARY KEY,
        triggered_webhook_id INTEGER NOT NULL REFERENCES triggered_webhooks(id),
        number INTEGER NOT NULL,
        success INTEGER NOT NULL,
        detail TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX webhook_attempts_by_triggered ON webhook_attempts (triggered_webhook_id, id);
    `,
  },
  {
    version: 11,
    name: 'index versions by pacticipant, newest first',
    // The newest versions of a pacticipant (latest version, the versions of a matrix selector with no
    // branch or tag, a pacticipant's version list) read as a range of this index, not by sorting every
    // version of the pacticipant.
    sql: `CREATE INDEX versions_by_pacticipant ON versions (pacticipant_id, id);`,
  },
];
