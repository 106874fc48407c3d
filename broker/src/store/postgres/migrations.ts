/**
 * Numbered migrations for PostgreSQL, applied in order at start in one transaction under an advisory
 * lock (see postgres-store.ts). They carry the same numbers and meaning as SQLite's (sqlite/migrations.ts),
 * so "schema version 8" says the same of either store. A migration is never edited once released:
 * changes come as new numbers, in both files.
 *
 * Names, version numbers, branches and tags compare and sort as SQLite's do, by code point, whatever
 * collation the database was created with: their columns are `COLLATE "C"`.
 */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'pacticipants, versions, branches, tags, pacts and verifications',
    // A version's id is its `order`: versions of one pacticipant are created one at a time (the
    // store locks the pacticipant's row), so ids follow the order in which they were committed.
    sql: `
      CREATE TABLE pacticipants (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text COLLATE "C" NOT NULL UNIQUE,
        display_name text COLLATE "C" NOT NULL,
        main_branch text COLLATE "C",
        created_at timestamptz NOT NULL
      );
      CREATE TABLE versions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        pacticipant_id bigint NOT NULL REFERENCES pacticipants(id),
        number text COLLATE "C" NOT NULL,
        created_at timestamptz NOT NULL,
        UNIQUE (pacticipant_id, number)
      );
      CREATE TABLE branch_versions (
        version_id bigint NOT NULL REFERENCES versions(id),
        pacticipant_id bigint NOT NULL REFERENCES pacticipants(id),
        branch text COLLATE "C" NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (version_id, branch)
      );
      CREATE INDEX branch_versions_latest ON branch_versions (pacticipant_id, branch, version_id);
      CREATE TABLE tags (
        version_id bigint NOT NULL REFERENCES versions(id),
        pacticipant_id bigint NOT NULL REFERENCES pacticipants(id),
        name text COLLATE "C" NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (version_id, name)
      );
      CREATE INDEX tags_latest ON tags (pacticipant_id, name, version_id);
      -- Content is stored once per distinct sha, however many versions publish it.
      CREATE TABLE pact_contents (
        sha text COLLATE "C" PRIMARY KEY,
        content text NOT NULL
      );
      CREATE TABLE pact_publications (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        consumer_version_id bigint NOT NULL REFERENCES versions(id),
        consumer_id bigint NOT NULL REFERENCES pacticipants(id),
        provider_id bigint NOT NULL REFERENCES pacticipants(id),
        sha text COLLATE "C" NOT NULL REFERENCES pact_contents(sha),
        created_at timestamptz NOT NULL,
        UNIQUE (consumer_version_id, provider_id)
      );
      CREATE INDEX pact_publications_pair ON pact_publications (consumer_id, provider_id, consumer_version_id);
      CREATE INDEX pact_publications_sha ON pact_publications (consumer_id, provider_id, sha);
      CREATE TABLE verifications (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        consumer_id bigint NOT NULL REFERENCES pacticipants(id),
        provider_id bigint NOT NULL REFERENCES pacticipants(id),
        provider_version_id bigint NOT NULL REFERENCES versions(id),
        sha text COLLATE "C" NOT NULL REFERENCES pact_contents(sha),
        success boolean NOT NULL,
        build_url text,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX verifications_by_content ON verifications (consumer_id, provider_id, sha, id);
      CREATE INDEX verifications_by_provider_version ON verifications (provider_version_id);
    `,
  },
  {
    version: 2,
    name: 'verifications made for work-in-progress pacts',
    sql: `ALTER TABLE verifications ADD COLUMN wip boolean NOT NULL DEFAULT false;`,
  },
  {
    version: 3,
    name: 'environments, deployed versions and released versions',
    sql: `
      CREATE TABLE environments (
        uuid text COLLATE "C" PRIMARY KEY,
        name text COLLATE "C" NOT NULL UNIQUE,
        display_name text COLLATE "C" NOT NULL,
        production boolean NOT NULL,
        contacts text NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL,
        updated_at timestamptz
      );
      CREATE TABLE deployed_versions (
        uuid text COLLATE "C" PRIMARY KEY,
        version_id bigint NOT NULL REFERENCES versions(id),
        pacticipant_id bigint NOT NULL REFERENCES pacticipants(id),
        environment_uuid text COLLATE "C" NOT NULL REFERENCES environments(uuid),
        application_instance text COLLATE "C",
        created_at timestamptz NOT NULL,
        undeployed_at timestamptz
      );
      CREATE INDEX deployed_current ON deployed_versions (environment_uuid, pacticipant_id, undeployed_at);
      CREATE TABLE released_versions (
        uuid text COLLATE "C" PRIMARY KEY,
        version_id bigint NOT NULL REFERENCES versions(id),
        pacticipant_id bigint NOT NULL REFERENCES pacticipants(id),
        environment_uuid text COLLATE "C" NOT NULL REFERENCES environments(uuid),
        created_at timestamptz NOT NULL,
        support_ended_at timestamptz,
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
    sql: `ALTER TABLE pacticipants ADD COLUMN repository_url text;`,
  },
  {
    version: 6,
    name: 'indexes for the gate and pacts for verification under load',
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
    sql: `
      CREATE TABLE verification_results (
        verification_id bigint PRIMARY KEY REFERENCES verifications(id),
        test_results text,
        verified_by text,
        truncated boolean NOT NULL DEFAULT false
      );
    `,
  },
  {
    version: 8,
    name: 'provider contracts (OpenAPI documents) and document comparisons',
    sql: `
      CREATE TABLE provider_contracts (
        version_id bigint PRIMARY KEY REFERENCES versions(id),
        provider_id bigint NOT NULL REFERENCES pacticipants(id),
        sha text COLLATE "C" NOT NULL,
        content text NOT NULL,
        content_type text NOT NULL,
        specification text NOT NULL,
        self_verification text,
        build_url text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz
      );
      CREATE INDEX provider_contracts_by_provider ON provider_contracts (provider_id, version_id);
      ALTER TABLE verifications ADD COLUMN evidence text;
    `,
  },
  {
    version: 9,
    name: 'which document a comparison was made with',
    // As SQLite's 9: earlier comparisons named the document's sha only in their verifiedBy JSON. Text
    // that is not JSON (or that jsonb refuses, such as \u0000) leaves the column empty, row by row.
    sql: `
      ALTER TABLE verifications ADD COLUMN compared_with text COLLATE "C";
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT ve.id, vr.verified_by FROM verifications ve
                 JOIN verification_results vr ON vr.verification_id = ve.id
                 WHERE ve.evidence = 'openapi' AND vr.verified_by IS NOT NULL LOOP
          BEGIN
            UPDATE verifications SET compared_with = r.verified_by::jsonb #>> '{document,sha}' WHERE id = r.id;
          EXCEPTION WHEN data_exception THEN
            NULL;
          END;
        END LOOP;
      END $$;
    `,
  },
  {
    version: 10,
    name: 'pacticipant labels, webhooks, the outbox of domain events, triggered webhooks and their attempts',
    // As SQLite's 10. A publication or verification writes its event in its own transaction; workers in
    // any number of brokers claim events and deliveries with a conditional UPDATE (a lease), so each is
    // worked on by one at a time. JSON is kept as text, exactly as it was written.
    sql: `
      CREATE TABLE pacticipant_labels (
        pacticipant_id bigint NOT NULL REFERENCES pacticipants(id),
        name text COLLATE "C" NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (pacticipant_id, name)
      );
      CREATE INDEX pacticipant_labels_by_name ON pacticipant_labels (name);
      CREATE TABLE webhooks (
        uuid text COLLATE "C" PRIMARY KEY,
        definition text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz
      );
      CREATE TABLE outbox_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        payload text NOT NULL,
        created_at timestamptz NOT NULL,
        claimed_until timestamptz,
        claim_token text,
        expanded_at timestamptz
      );
      CREATE INDEX outbox_events_pending ON outbox_events (id) WHERE expanded_at IS NULL;
      CREATE TABLE triggered_webhooks (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        uuid text COLLATE "C" NOT NULL UNIQUE,
        event_id bigint NOT NULL REFERENCES outbox_events(id),
        webhook_uuid text COLLATE "C" NOT NULL,
        event_name text COLLATE "C" NOT NULL,
        trigger_key text COLLATE "C" NOT NULL,
        consumer text COLLATE "C" NOT NULL,
        provider text COLLATE "C" NOT NULL,
        consumer_version text COLLATE "C",
        verification_id bigint,
        parameters text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        claimed_until timestamptz,
        claim_token text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (event_id, webhook_uuid, event_name, trigger_key)
      );
      CREATE INDEX triggered_webhooks_due ON triggered_webhooks (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
      CREATE INDEX triggered_webhooks_by_webhook ON triggered_webhooks (webhook_uuid, id);
      CREATE INDEX triggered_webhooks_by_pair ON triggered_webhooks (provider, consumer, id);
      CREATE INDEX triggered_webhooks_by_verification ON triggered_webhooks (verification_id) WHERE verification_id IS NOT NULL;
      CREATE TABLE webhook_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        triggered_webhook_id bigint NOT NULL REFERENCES triggered_webhooks(id),
        number integer NOT NULL,
        success boolean NOT NULL,
        detail text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX webhook_attempts_by_triggered ON webhook_attempts (triggered_webhook_id, id);
    `,
  },
  {
    version: 11,
    name: 'index versions by pacticipant, newest first',
    // The newest versions of a pacticipant (latest version, the versions of a matrix selector with no
    // branch or tag, a pacticipant's version list) read as a range of this index, not by sorting every
    // version of the pacticipant. As SQLite's 11.
    sql: `CREATE INDEX versions_by_pacticipant ON versions (pacticipant_id, id);`,
  },
];
