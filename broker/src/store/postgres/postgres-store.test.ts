import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { usePostgres } from '../../../../test/support/postgres.js';
import { buildApp } from '../../app.js';
import { storeConformance } from '../store.test-suite.js';
import { migrations } from './migrations.js';
import { PostgresStore } from './postgres-store.js';
import { smallPact } from '../../../../test/support/pacts.js';

const postgres = usePostgres();

const pact = (n: number) => JSON.stringify(smallPact('web', 'orders', n));

/** Rows of one query on the database at `url`, through a connection of its own. */
async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Two brokers' stores on one database, as two instances behind a load balancer have. */
async function twoInstances(): Promise<{ url: string; stores: PostgresStore[]; close: () => Promise<void> }> {
  const url = await postgres.server().database();
  const stores = [await PostgresStore.open(url), await PostgresStore.open(url)];
  return { url, stores, close: async () => void (await Promise.all(stores.map((s) => s.close()))) };
}

/** Settles every promise; the outcomes as `ok` or the error's code. */
async function outcomes(work: Array<Promise<unknown>>): Promise<string[]> {
  return (await Promise.allSettled(work)).map((r) =>
    r.status === 'fulfilled' ? 'ok' : String((r.reason as { code?: string }).code ?? r.reason),
  );
}

/** The error opening a store fails with (a test failure if it opens). */
async function refusal(url: string): Promise<Error & { code?: string }> {
  const store = await PostgresStore.open(url).catch((e: unknown) => e as Error);
  if (store instanceof PostgresStore) {
    await store.close();
    throw new Error('the store opened');
  }
  return store;
}

describe.skipIf(!postgres.available)('PostgresStore', () => {
  storeConformance('PostgreSQL (a real server)', async () =>
    PostgresStore.open(await postgres.server().database()),
  );

  it('runs as an ordinary database owner, on a database whose own collation sorts otherwise', async () => {
    const url = await postgres.server().database();
    const [role] = await query<{ rolsuper: boolean; rolcreatedb: boolean; owner: string; sorted: boolean }>(
      url,
      `SELECT r.rolsuper, r.rolcreatedb, pg_get_userbyid(d.datdba) AS owner, 'Zed' < 'alpha' AS sorted
         FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()`,
    );
    // Not a superuser, cannot create databases, owns this one; and the database's collation is
    // language-aware (alpha before Zed), so the conformance suite's code-point order comes from the schema.
    expect(role).toEqual({ rolsuper: false, rolcreatedb: false, owner: 'treaty', sorted: false });
    const store = await PostgresStore.open(url);
    expect(await store.schemaVersions()).toEqual(migrations.map((m) => m.version));
    await store.close();
  });

  it('migrates a fresh database once when several brokers start on it at the same moment', async () => {
    const url = await postgres.server().database();
    const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresStore.open(url)));
    const applied = await query<{ version: number; n: string }>(
      url,
      'SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version ORDER BY version',
    );
    expect(applied).toEqual(migrations.map((m) => ({ version: m.version, n: '1' })));
    // Every one of them is up and sees what the others write.
    await stores[0]?.publishPact({
      consumer: 'web',
      consumerVersion: '1',
      provider: 'orders',
      content: pact(1),
    });
    for (const store of stores) expect((await store.getPact('web', '1', 'orders'))?.content).toBe(pact(1));
    await Promise.all(stores.map((s) => s.close()));
    // Opening again finds nothing to do and keeps the data.
    const again = await PostgresStore.open(url);
    expect(await again.schemaVersions()).toEqual(migrations.map((m) => m.version));
    expect(await again.countVersions('web')).toBe(1);
    await again.close();
  });

  it('takes identical publishes of one version arriving at once through two brokers: all succeed, one row', async () => {
    const { stores, close } = await twoInstances();
    const publish = (i: number) =>
      stores[i % 2]?.publishPact({
        consumer: 'web',
        consumerVersion: '1.0.0',
        provider: 'orders',
        content: pact(1),
        branch: 'main',
        tags: ['dev'],
      });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => publish(i)));
    expect(results.map((r) => r?.publication.sha)).toEqual(Array(10).fill(results[0]?.publication.sha));
    // Exactly one of them stored the content and the publication; the others found them.
    expect(results.filter((r) => r?.contentExisted === false)).toHaveLength(1);
    expect(results.filter((r) => r?.unchanged === false)).toHaveLength(1);
    expect(await stores[1]?.stats()).toEqual({
      pacticipants: 2,
      versions: 1,
      pactContents: 1,
      pactPublications: 1,
      verifications: 0,
    });
    expect(await stores[0]?.getVersion('web', '1.0.0')).toMatchObject({ branches: ['main'], tags: ['dev'] });
    expect((await stores[0]?.getPacticipant('web'))?.mainBranch).toBe('main');
    await close();
  });

  it('takes one of several different pacts for one version arriving at once: the others are conflicts', async () => {
    const { stores, close } = await twoInstances();
    const results = await outcomes(
      Array.from(
        { length: 8 },
        (_, i) =>
          stores[i % 2]?.publishPact({
            consumer: 'web',
            consumerVersion: '2.0.0',
            provider: 'orders',
            content: pact(i),
            tags: [`t${i}`],
          }) as Promise<unknown>,
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'TREATY_BROKER_PACT_CONFLICT')).toHaveLength(7);
    const winner = results.indexOf('ok');
    expect((await stores[0]?.getPact('web', '2.0.0', 'orders'))?.content).toBe(pact(winner));
    // Nothing of the refused ones stayed: their content, their tags, a second version row.
    expect(await stores[1]?.stats()).toMatchObject({ versions: 1, pactContents: 1, pactPublications: 1 });
    expect((await stores[1]?.getVersion('web', '2.0.0'))?.tags).toEqual([`t${winner}`]);
    await close();
  });

  it('answers 201/200 to identical publishes and 409 to the losers of different ones, through two apps', async () => {
    const { stores, close } = await twoInstances();
    const apps = await Promise.all(stores.map((store) => buildApp({ store })));
    const put = (i: number, content: string) =>
      apps[i % 2]?.inject({
        method: 'PUT',
        url: '/pacts/provider/orders/consumer/web/version/3.0.0',
        headers: { 'content-type': 'application/json' },
        payload: content,
      });
    const same = await Promise.all(Array.from({ length: 6 }, (_, i) => put(i, pact(1))));
    expect(same.map((r) => r?.statusCode).every((s) => s === 200 || s === 201)).toBe(true);
    const different = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        apps[i % 2]?.inject({
          method: 'PUT',
          url: '/pacts/provider/orders/consumer/web/version/4.0.0',
          headers: { 'content-type': 'application/json' },
          payload: pact(10 + i),
        }),
      ),
    );
    const statuses = different.map((r) => r?.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    expect(different.find((r) => r?.statusCode === 409)?.json()).toMatchObject({
      code: 'TREATY_BROKER_PACT_CONFLICT',
    });
    await Promise.all(apps.map((app) => app.close()));
    await close();
  });

  it('gives versions created at once through two brokers orders that only grow, in the order readers see them', async () => {
    const { stores, close } = await twoInstances();
    const numbers = Array.from({ length: 40 }, (_, i) => `1.${i}.0`);
    // A reader polls the versions meanwhile: a version it sees for the first time must come after
    // (have a higher order than) every version it saw before.
    const late: string[] = [];
    let writing = true;
    const reader = (async () => {
      const seen = new Set<string>();
      let highest = 0;
      while (writing) {
        const snapshot = (await stores[0]?.listVersions('api', { limit: 1000 })) ?? [];
        for (const v of snapshot) if (!seen.has(v.number) && v.order <= highest) late.push(v.number);
        for (const v of snapshot) seen.add(v.number);
        highest = Math.max(highest, ...snapshot.map((v) => v.order));
      }
    })();
    await Promise.all(numbers.map((n, i) => stores[i % 2]?.ensureVersion('api', n, { branch: 'main' })));
    writing = false;
    await reader;
    expect(late).toEqual([]);
    const versions = (await stores[1]?.listVersions('api', { limit: 1000 })) ?? [];
    expect(versions).toHaveLength(40);
    expect(new Set(versions.map((v) => v.order)).size).toBe(40);
    // Newest first by order is also newest first by creation time.
    const times = versions.map((v) => v.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    await close();
  });

  it('publishes crossed contracts at once without a deadlock: rows are written in one order', async () => {
    const { url, stores, close } = await twoInstances();
    // Two consumers publish the same two new contents, in opposite orders, to two new providers, at
    // once. Written in the order given, each transaction would wait for a row the other wrote first,
    // and PostgreSQL would end one of them after a second.
    const crossed = (i: number) => {
      const [x, y] = [pact(100 + i), pact(200 + i)];
      const [p, r] = [`p${i}`, `r${i}`];
      return [
        stores[0]?.publishContracts({
          consumer: `a${i}`,
          consumerVersion: '1',
          contracts: [
            { provider: p, content: x },
            { provider: r, content: y },
          ],
        }),
        stores[1]?.publishContracts({
          consumer: `b${i}`,
          consumerVersion: '1',
          contracts: [
            { provider: r, content: y },
            { provider: p, content: x },
          ],
        }),
      ] as Array<Promise<unknown>>;
    };
    const results = await outcomes(Array.from({ length: 20 }, (_, i) => crossed(i)).flat());
    expect(results).toEqual(Array(40).fill('ok'));
    expect(await stores[0]?.stats()).toMatchObject({ pactContents: 40, pactPublications: 80 });
    await close(); // its connections report their statistics as they end
    const [stats] = await query<{ deadlocks: string }>(
      url,
      'SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()',
    );
    expect(stats?.deadlocks).toBe('0');
  });

  it('never shows the password: not when it is wrong, nor when nothing listens', async () => {
    const server = postgres.server();
    const url = await server.database();
    const wrong = url.replace(`:${server.role.password}@`, ':not-the-password-xyz@');
    const refused = await refusal(wrong);
    expect(refused).toMatchObject({ code: 'TREATY_BROKER_DATABASE' });
    expect(refused.message).toContain('postgres://treaty:[redacted]@127.0.0.1:');
    expect(refused.message).toContain('password authentication failed');
    expect(`${refused.message}${String(refused.cause)}`).not.toContain('not-the-password-xyz');
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const nowhere = url.replace(`:${server.port}/`, ':1/');
    const unreachable = await refusal(nowhere);
    expect(unreachable).toMatchObject({ code: 'TREATY_BROKER_DATABASE' });
    expect(unreachable.message).toContain('ECONNREFUSED');
    expect(unreachable.message).not.toContain(server.role.password);
  });

  it('refuses, without a trace of the password, a role that may not create tables', async () => {
    const server = postgres.server();
    const url = await server.database();
    const name = new URL(url).pathname.slice(1);
    await server.admin(`CREATE ROLE visitor LOGIN PASSWORD 'visitor-secret-123'`);
    await server.admin(`GRANT CONNECT ON DATABASE ${name} TO visitor`);
    const visitor = url.replace(/\/\/[^@]+@/, '//visitor:visitor-secret-123@');
    const error = await refusal(visitor);
    expect(error).toMatchObject({ code: 'TREATY_BROKER_DATABASE' });
    expect(error.message).toMatch(/permission denied for schema public.*owns the database/);
    expect(error.message).not.toContain('visitor-secret-123');
  });

  it('refuses a database migrated by a newer broker', async () => {
    const url = await postgres.server().database();
    await (await PostgresStore.open(url)).close();
    await query(
      url,
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', now())",
    );
    await expect(PostgresStore.open(url)).rejects.toMatchObject({
      code: 'TREATY_BROKER_DATABASE',
      message: expect.stringContaining('schema version 999, newer than this broker knows'),
    });
  });

  it('answers the heartbeat 503 while the database refuses connections, and 200 again once it is back', async () => {
    const server = postgres.server();
    const url = await server.database();
    const name = new URL(url).pathname.slice(1);
    const store = await PostgresStore.open(url);
    const app = await buildApp({ store });
    const heartbeat = () => app.inject({ method: 'GET', url: '/diagnostic/status/heartbeat' });
    expect((await heartbeat()).statusCode).toBe(200);
    // As when PostgreSQL restarts: the broker's connections are ended, and new ones refused for now.
    await server.admin(`ALTER DATABASE ${name} CONNECTION LIMIT 0`);
    await server.admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    const down = await heartbeat();
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ statusCode: 503, code: 'TREATY_BROKER_DATABASE_UNAVAILABLE' });
    expect(down.body).toContain('postgres://treaty:[redacted]@');
    expect(down.body).not.toContain(server.role.password);
    const publish = await app.inject({
      method: 'PUT',
      url: '/pacts/provider/orders/consumer/web/version/1',
      headers: { 'content-type': 'application/json' },
      payload: pact(1),
    });
    expect(publish.json()).toMatchObject({ statusCode: 503, code: 'TREATY_BROKER_DATABASE_UNAVAILABLE' });
    await server.admin(`ALTER DATABASE ${name} CONNECTION LIMIT -1`);
    expect((await heartbeat()).statusCode).toBe(200);
    await app.close();
    await store.close();
  });

  it('opens no more connections than its pool size: with all of them held, a query times out as unavailable', async () => {
    const server = postgres.server();
    const url = await server.database();
    const small = await PostgresStore.open(url, { max: 2, connectionTimeoutMillis: 1000 });
    const larger = await PostgresStore.open(url, { max: 3 });
    await small.updatePacticipant('web', {});
    // Both of the small pool's connections open now (two queries at once), so none is opened later.
    await Promise.all([small.ping(), small.ping()]);
    // Another session locks pacticipants: reading one waits for the lock, holding its connection.
    const lock = await server.holding('LOCK TABLE pacticipants IN ACCESS EXCLUSIVE MODE', new URL(url));
    const held = [small, small, larger, larger].map((s) => s.getPacticipant('web'));
    let refused: unknown;
    let opened: Array<{ n: string }>;
    try {
      await server.lockWaiters(new URL(url), 4);
      // The small pool has no connection left: a query that needs no lock waits for one, then gives up.
      refused = await small.ping().catch((error: unknown) => error);
      // The larger pool opens a third connection for it.
      await larger.ping();
      opened = await server.admin<{ n: string }>(
        "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'treaty-broker'",
        [new URL(url).pathname.slice(1)],
      );
    } finally {
      await lock.end();
    }
    expect(refused).toMatchObject({
      code: 'TREATY_BROKER_DATABASE_UNAVAILABLE',
      message: expect.stringContaining('timeout exceeded when trying to connect'),
    });
    expect(opened).toEqual([{ n: '5' }]);
    for (const p of await Promise.all(held)) expect(p?.name).toBe('web');
    await small.ping();
    await Promise.all([small.close(), larger.close()]);
  });

  it('refuses text PostgreSQL cannot hold (a NUL character) as a bad request', async () => {
    const store = await PostgresStore.open(await postgres.server().database());
    await expect(
      store.publishProviderContract({
        provider: 'orders',
        providerVersion: '1',
        content: 'openapi: 3.0.0\u0000',
        contentType: 'application/yaml',
        specification: 'oas',
      }),
    ).rejects.toMatchObject({ code: 'TREATY_BROKER_BAD_REQUEST' });
    expect(await store.getVersion('orders', '1')).toBeUndefined();
    await store.close();
  });

  it('migration 9 reads which document each earlier comparison was made with from its verifiedBy', async () => {
    const url = await postgres.server().database();
    // What the broker before migration 9 wrote: a replay, and comparisons that named their document only
    // in verifiedBy (reports that are not JSON, or that jsonb refuses, must not stop the migration).
    const store = await PostgresStore.open(url);
    const { publication } = await store.publishPact({
      consumer: 'web',
      consumerVersion: '1',
      provider: 'orders',
      content: pact(1),
    });
    const pair = { consumer: 'web', provider: 'orders', providerVersion: 'p1', sha: publication.sha };
    const compare = (verifiedBy: string) =>
      store.recordVerification({
        ...pair,
        success: true,
        evidence: 'openapi',
        report: { verifiedBy, truncated: false },
      });
    const replay = await store.recordVerification({ ...pair, success: true });
    const garbled = await compare('not json');
    const nul = await compare('{"document":{"sha":"\\u0000"}}');
    const array = await compare('[1, 2]');
    const compared = await compare(
      JSON.stringify({ implementation: 'Treaty OpenAPI comparison', document: { sha: 'doc-a' } }),
    );
    await store.close();
    await postgres
      .server()
      .admin(
        'ALTER TABLE verifications DROP COLUMN compared_with; DELETE FROM schema_migrations WHERE version = 9',
        [],
        new URL(url),
      );

    const migrated = await PostgresStore.open(url);
    expect(await migrated.schemaVersions()).toEqual(migrations.map((m) => m.version));
    const seen = async (id: number) => (await migrated.getVerification(id))?.verification.comparedWith;
    const ids = [replay, garbled, nul, array, compared].map((v) => v.id);
    expect(await Promise.all(ids.map(seen))).toEqual([undefined, undefined, undefined, undefined, 'doc-a']);
    // The comparison with doc-a counts as made: comparing the pair with doc-a again records nothing.
    expect((await migrated.recordComparison({ ...pair, success: true, comparedWith: 'doc-a' })).created).toBe(
      false,
    );
    await migrated.close();
  });

  it('records one first comparison when two brokers compare the same pair with the same document at once', async () => {
    const { stores, close } = await twoInstances();
    const { publication } = await (stores[0] as PostgresStore).publishPact({
      consumer: 'web',
      consumerVersion: '1',
      provider: 'orders',
      content: pact(1),
    });
    const compare = (i: number, providerVersion: string) =>
      (stores[i % 2] as PostgresStore).recordComparison({
        consumer: 'web',
        provider: 'orders',
        providerVersion,
        sha: publication.sha,
        success: true,
        comparedWith: 'doc-a',
      });
    // Each round: a provider version never compared, eight comparisons of it at once through two brokers.
    for (const version of ['p1', 'p2', 'p3']) {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => compare(i, version)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.verification.id)).size).toBe(1);
    }
    expect(
      await (stores[1] as PostgresStore).verificationsFor('web', 'orders', publication.sha),
    ).toHaveLength(3);
    await close();
  });

  it('gives each outbox event and each delivery to one of several brokers claiming at once', async () => {
    const { stores, close } = await twoInstances();
    const [a, b] = stores as [PostgresStore, PostgresStore];
    for (let n = 1; n <= 12; n++)
      await a.publishPact({
        consumer: 'web',
        consumerVersion: String(n),
        provider: 'orders',
        content: pact(n),
      });
    const now = new Date().toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    /** Claims with `claim` until nothing is left; what this claimer got. */
    const drain = async <T>(
      claim: (token: string) => Promise<T | undefined>,
      token: string,
    ): Promise<T[]> => {
      const got: T[] = [];
      for (let t = await claim(token); t !== undefined; t = await claim(token)) got.push(t);
      return got;
    };
    // Events are claimed two at a time (a batch), deliveries one at a time.
    const claimers = ['a1', 'a2', 'b1', 'b2'].map((token) =>
      drain(async (t) => {
        const batch = await (token.startsWith('a') ? a : b).claimEvents({ now, until, token: t }, 2);
        return batch.length === 0 ? undefined : batch;
      }, token),
    );
    const events = (await Promise.all(claimers)).flat(2);
    expect(events.map((e) => e.id).sort((x, y) => x - y)).toEqual(
      [...new Set(events.map((e) => e.id))].sort((x, y) => x - y),
    );
    expect(events).toHaveLength(12);
    await b.expandEvents(
      events.map((e) => ({
        eventId: e.id,
        triggered: [
          {
            uuid: `tw-${e.id}`,
            webhookUuid: 'hook-aaaaaaaaaaaaaaaa',
            eventName: 'contract_published' as const,
            key: 'k',
            parameters: {},
            consumer: 'web',
            provider: 'orders',
          },
        ],
      })),
      now,
    );
    const deliveries = (
      await Promise.all(
        ['a1', 'a2', 'b1', 'b2'].map((token) =>
          drain((t) => (token.startsWith('a') ? a : b).claimDelivery({ now, until, token: t }), token),
        ),
      )
    ).flat();
    expect(deliveries.map((d) => d.uuid).sort()).toEqual(events.map((e) => `tw-${e.id}`).sort());
    await close();
  });
});
