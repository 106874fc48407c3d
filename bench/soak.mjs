// Soak: the broker under minutes of mixed load with bursts of heavy queries, while a separate loop
// asks for the heartbeat every 50 ms. The broker runs in a child process (its RSS is its own); the
// load comes from async loops in this process over keep-alive HTTP on loopback.
//
// Seed (through the Store): 25 consumers × 3 providers, 3,000 consumer versions on main and feature
// branches (every consumer has a pact with every provider), 300 provider versions with ~7,500
// verification results, deployments and releases in 3 environments.
// Load: reads (pacts, versions, index, UI pages), publishes, verification results and heavy queries
// (WIP pacts for verification, a 300-row matrix, can-i-deploy), with a burst of 40 concurrent heavy
// requests for the same few integrations every 20 s (5 s with --quick), then quiet.
//
//   node bench/soak.mjs [--quick] [--minutes N] [--json]
// SOAK_NODE_ARGS passes node flags to the broker child (e.g. SOAK_NODE_ARGS=--trace-gc).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteStore, contentSha, startBroker } from '@treaty/broker';
import { pactFor } from './broker.mjs';
import { fmt, table } from './lib.mjs';

const CONSUMERS = 25;
const PROVIDERS = 3;
const VERSIONS_PER_CONSUMER = 120;
const PROVIDER_VERSIONS = 100;
const ENVIRONMENTS = ['production', 'staging', 'test'];
const WIP_SINCE = '2000-01-01';

const pct = (xs, p) =>
  xs.length === 0
    ? NaN
    : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const branchOf = (v) => (v % 5 === 4 ? `feat-${v % 3}` : 'main');
const revisionOf = (v) => Math.floor(v / 10);

/** Seeds the history through the Store and returns what the load needs to know about it. */
export async function seedSoak(database) {
  const store = SqliteStore.open(database);
  const started = performance.now();
  const envs = [];
  for (const name of ENVIRONMENTS)
    envs.push(await store.createEnvironment({ name, production: name === 'production' }));
  for (let c = 0; c < CONSUMERS; c++) {
    for (let v = 0; v < VERSIONS_PER_CONSUMER; v++) {
      await store.publishContracts({
        consumer: `consumer-${c}`,
        consumerVersion: `${c}.${v}`,
        branch: branchOf(v),
        tags: v % 30 === 0 ? ['release'] : [],
        contracts: Array.from({ length: PROVIDERS }, (_, p) => ({
          provider: `provider-${p}`,
          content: pactFor(
            `consumer-${c}`,
            `provider-${p}`,
            revisionOf(v) * 10 + (branchOf(v) === 'main' ? 0 : 1),
          ),
        })),
      });
    }
  }
  // Each provider version on main verifies what each consumer's main branch had at the time, so
  // feature-branch heads stay unverified (work in progress) and main contents have many results.
  for (let p = 0; p < PROVIDERS; p++) {
    const provider = `provider-${p}`;
    for (let pv = 0; pv < PROVIDER_VERSIONS; pv++) {
      await store.ensureVersion(provider, `${p}.${pv}`, { branch: pv % 10 === 9 ? 'feat-p' : 'main' });
      for (let c = 0; c < CONSUMERS; c++) {
        const v = Math.floor(((pv + 1) / PROVIDER_VERSIONS) * (VERSIONS_PER_CONSUMER - 1));
        const sha = contentSha(pactFor(`consumer-${c}`, provider, revisionOf(v) * 10));
        await store.recordVerification({
          consumer: `consumer-${c}`,
          provider,
          providerVersion: `${p}.${pv}`,
          sha,
          success: (pv + c) % 11 !== 0,
        });
      }
    }
    for (const env of envs) {
      await store.recordDeployment({
        pacticipant: provider,
        version: `${p}.${PROVIDER_VERSIONS - 2}`,
        environmentUuid: env.uuid,
      });
      await store.recordRelease({
        pacticipant: provider,
        version: `${p}.${PROVIDER_VERSIONS - 3}`,
        environmentUuid: env.uuid,
      });
    }
  }
  for (let c = 0; c < CONSUMERS; c++)
    for (const env of envs) {
      await store.recordDeployment({
        pacticipant: `consumer-${c}`,
        version: `${c}.${VERSIONS_PER_CONSUMER - 10}`,
        environmentUuid: env.uuid,
      });
      await store.recordRelease({
        pacticipant: `consumer-${c}`,
        version: `${c}.${VERSIONS_PER_CONSUMER - 40}`,
        environmentUuid: env.uuid,
      });
    }
  const stats = await store.stats();
  await store.close();
  return { ...stats, environments: envs.length, seedSeconds: (performance.now() - started) / 1000 };
}

/** Starts the broker in a child process; resolves with its URL and pid. */
function brokerChild(database) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(process.env.SOAK_NODE_ARGS ?? '').split(' ').filter(Boolean),
        fileURLToPath(import.meta.url),
        '--broker-child',
        database,
      ],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    child.once('message', (m) => resolve({ url: m.url, pid: child.pid, child }));
    child.once('exit', (code) => reject(new Error(`the broker child exited ${code}`)));
  });
}

/** The broker's resident set size in bytes: /proc where there is one, else asked over IPC. */
function rssOf(broker) {
  try {
    const status = readFileSync(`/proc/${broker.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    if (kb !== null) return Promise.resolve(Number(kb[1]) * 1024);
  } catch {
    // not Linux: ask the child
  }
  return new Promise((resolve) => {
    broker.child.once('message', (m) => resolve(m.rss));
    broker.child.send('rss');
  });
}

/** One HTTP request; resolves with status and latency (status 0 on a network error). */
function request(agent, url, { method = 'GET', body, accept = 'application/hal+json' } = {}) {
  const target = new URL(url);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    const start = performance.now();
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: {
          Accept: accept,
          ...(payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': payload.length }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
        res.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
    req.end(payload);
  });
}

/** The heavy requests, by kind: what the review measured as blocking the broker. */
function heavy(url, kind, i) {
  const p = `provider-${i % PROVIDERS}`;
  const c = `consumer-${i % CONSUMERS}`;
  if (kind === 'wip for-verification')
    return [
      `${url}/pacts/provider/${p}/for-verification`,
      {
        method: 'POST',
        body: {
          consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }],
          includePendingStatus: true,
          includeWipPactsSince: WIP_SINCE,
          providerVersionBranch: 'main',
        },
      },
    ];
  if (kind === 'matrix (300 rows)')
    // 100 consumer versions × 3 providers, each against the providers' latest versions.
    return [`${url}/matrix?q[][pacticipant]=${c}&latest=true&latestby=cvp&limit=100`, {}];
  return [
    `${url}/can-i-deploy?pacticipant=${c}&version=${i % CONSUMERS}.${VERSIONS_PER_CONSUMER - 1 - (i % 10)}&environment=production`,
    {},
  ];
}
const HEAVY = ['wip for-verification', 'matrix (300 rows)', 'can-i-deploy'];

export async function runSoakBench({ quick = false, minutes } = {}) {
  const durationMs = (minutes ?? (quick ? 20 / 60 : 3)) * 60_000;
  const burstEveryMs = quick ? 5_000 : 20_000;
  const burstSize = 40;
  const dir = mkdtempSync(join(tmpdir(), 'treaty-bench-soak-'));
  const database = join(dir, 'broker.sqlite');
  const seeded = await seedSoak(database);
  const broker = await brokerChild(database);
  const { url } = broker;

  const samples = new Map(); // kind → latencies
  const counts = new Map(); // kind → requests
  const errors = new Map(); // kind → unexpected answers
  const record = (kind, r, ok = (s) => s >= 200 && s < 300) => {
    if (!samples.has(kind)) {
      samples.set(kind, []);
      counts.set(kind, 0);
      errors.set(kind, 0);
    }
    counts.set(kind, counts.get(kind) + 1);
    samples.get(kind).push(r.ms);
    if (!ok(r.status)) errors.set(kind, errors.get(kind) + 1);
    return r;
  };
  const agent = () => new http.Agent({ keepAlive: true, maxSockets: 64 });

  // Warm up (JIT, SQLite's page cache), unmeasured.
  const warm = agent();
  for (let i = 0; i < 6; i++)
    for (const kind of HEAVY) {
      const [u, o] = heavy(url, kind, i);
      await request(warm, u, o);
    }
  warm.destroy();

  const started = performance.now();
  const deadline = started + durationMs;
  const running = () => performance.now() < deadline;
  let bursting = 0;
  const heartbeat = { all: [], burst: [] };
  const rss = [];

  const heartbeatLoop = async () => {
    const a = agent();
    while (running()) {
      const tick = performance.now();
      const inBurst = bursting > 0;
      const r = record('heartbeat', await request(a, `${url}/diagnostic/status/heartbeat`));
      heartbeat.all.push(r.ms);
      // A heartbeat counts as "during a burst" when a burst was under way as it was sent or answered.
      if (inBurst || bursting > 0) heartbeat.burst.push(r.ms);
      await sleep(Math.max(0, 50 - (performance.now() - tick)));
    }
    a.destroy();
  };
  const rssLoop = async () => {
    while (running()) {
      rss.push({ at: performance.now() - started, bytes: await rssOf(broker) });
      await sleep(1000);
    }
  };
  const reads = [
    (i) => `/pacts/provider/provider-${i % PROVIDERS}/consumer/consumer-${i % CONSUMERS}/latest`,
    (i) => `/pacticipants/consumer-${i % CONSUMERS}/versions`,
    () => '/',
    (i) => `/pacts/provider/provider-${i % PROVIDERS}/latest`,
    (i) => `/pacticipants/consumer-${i % CONSUMERS}/branches/main/latest-version`,
  ];
  const uiPages = [
    (i) => `/ui/matrix?pacticipant=consumer-${i % CONSUMERS}`,
    () => '/ui/network',
    (i) => `/ui/contracts/provider/provider-${i % PROVIDERS}/consumer/consumer-${i % CONSUMERS}`,
    () => '/ui/environments',
  ];
  const readLoop = async (offset) => {
    const a = agent();
    for (let i = offset; running(); i++) {
      record('read (pacts, versions, index)', await request(a, url + reads[i % reads.length](i)));
      if (i % 4 === 0)
        record('UI page', await request(a, url + uiPages[i % uiPages.length](i), { accept: 'text/html' }));
      await sleep(10);
    }
    a.destroy();
  };
  let published = 0;
  const publishLoop = async () => {
    const a = agent();
    for (let i = 0; running(); i++) {
      const c = i % CONSUMERS;
      const v = VERSIONS_PER_CONSUMER + i;
      const contracts = Array.from({ length: PROVIDERS }, (_, p) => ({
        consumerName: `consumer-${c}`,
        providerName: `provider-${p}`,
        specification: 'pact',
        contentType: 'application/json',
        content: Buffer.from(pactFor(`consumer-${c}`, `provider-${p}`, 10_000 + revisionOf(v))).toString(
          'base64',
        ),
      }));
      record(
        'publish',
        await request(a, `${url}/contracts/publish`, {
          method: 'POST',
          body: {
            pacticipantName: `consumer-${c}`,
            pacticipantVersionNumber: `soak-${c}.${v}`,
            branch: branchOf(v),
            contracts,
          },
        }),
      );
      published++;
      await sleep(100);
    }
    a.destroy();
  };
  const verifyLoop = async () => {
    const a = agent();
    for (let i = 0; running(); i++) {
      const c = i % CONSUMERS;
      const p = i % PROVIDERS;
      const sha = contentSha(
        pactFor(`consumer-${c}`, `provider-${p}`, revisionOf(VERSIONS_PER_CONSUMER - 1) * 10),
      );
      record(
        'verification result',
        await request(
          a,
          `${url}/pacts/provider/provider-${p}/consumer/consumer-${c}/pact-version/${sha}/verification-results`,
          {
            method: 'POST',
            body: { success: i % 17 !== 0, providerApplicationVersion: `soak-${p}.${Math.floor(i / 50)}` },
          },
        ),
      );
      await sleep(100);
    }
    a.destroy();
  };
  const heavyLoop = async () => {
    const a = agent();
    for (let i = 0; running(); i++) {
      const kind = HEAVY[i % HEAVY.length];
      const [u, o] = heavy(url, kind, i);
      record(kind, await request(a, u, o));
      await sleep(200);
    }
    a.destroy();
  };
  let bursts = 0;
  const burstLoop = async () => {
    const a = agent();
    await sleep(burstEveryMs / 2);
    while (running()) {
      const t = performance.now();
      bursting++;
      bursts++;
      // The same few integrations at once: providers 0 and 1, consumers 0–2.
      await Promise.all(
        Array.from({ length: burstSize }, (_, j) => {
          const kind = HEAVY[j % HEAVY.length];
          const [u, o] = heavy(url, kind, j % 2 === 0 ? j % 3 : (j % 3) + CONSUMERS);
          return request(a, u, o).then((r) => record(`${kind} (burst)`, r));
        }),
      );
      bursting--;
      await sleep(Math.max(0, burstEveryMs - (performance.now() - t)));
    }
    a.destroy();
  };

  await Promise.all([
    heartbeatLoop(),
    rssLoop(),
    readLoop(0),
    readLoop(2),
    publishLoop(),
    verifyLoop(),
    heavyLoop(),
    burstLoop(),
  ]);
  const elapsedS = (performance.now() - started) / 1000;

  // Matrix throughput on its own: 8 concurrent clients, closed loop, for a few seconds.
  const throughput = {};
  {
    const a = agent();
    const ms = quick ? 3000 : 10_000;
    const end = performance.now() + ms;
    const lat = [];
    let bad = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, k) => {
        for (let i = k; performance.now() < end; i += 8) {
          const [u, o] = heavy(url, 'matrix (300 rows)', i);
          const r = await request(a, u, o);
          lat.push(r.ms);
          if (r.status !== 200) bad++;
        }
      }),
    );
    a.destroy();
    throughput.matrix = { rps: (lat.length * 1000) / ms, p50: pct(lat, 50), p99: pct(lat, 99), errors: bad };
  }

  const eventLoopDelay = await new Promise((resolve) => {
    broker.child.once('message', (m) => resolve(m.delay));
    broker.child.send('delay');
  });
  broker.child.kill('SIGTERM');
  await new Promise((r) => broker.child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });

  const window = Math.min(60, elapsedS / 3) * 1000;
  const first = rss.filter((s) => s.at <= window).map((s) => s.bytes / 1e6);
  const last = rss.filter((s) => s.at >= elapsedS * 1000 - window).map((s) => s.bytes / 1e6);
  const kinds = [...samples.keys()].sort();
  const byKind = Object.fromEntries(
    kinds.map((k) => [
      k,
      {
        requests: counts.get(k),
        errors: errors.get(k),
        p50: pct(samples.get(k), 50),
        p99: pct(samples.get(k), 99),
        max: Math.max(...samples.get(k)),
      },
    ]),
  );
  const totalErrors = [...errors.values()].reduce((a, b) => a + b, 0) + throughput.matrix.errors;
  return {
    seed: seeded,
    seconds: elapsedS,
    bursts,
    burstSize,
    published,
    heartbeat: {
      p50: pct(heartbeat.all, 50),
      p99: pct(heartbeat.all, 99),
      max: Math.max(...heartbeat.all),
      burstP50: pct(heartbeat.burst, 50),
      burstP99: pct(heartbeat.burst, 99),
      burstMax: Math.max(...heartbeat.burst),
      samples: heartbeat.all.length,
    },
    eventLoopDelay,
    byKind,
    throughput,
    rss: {
      windowSeconds: window / 1000,
      firstMedianMB: pct(first, 50),
      firstMaxMB: Math.max(...first),
      lastMedianMB: pct(last, 50),
      lastMaxMB: Math.max(...last),
    },
    errors: totalErrors,
  };
}

export function soakRows(r) {
  const rows = [['kind', 'requests', 'errors', 'p50 ms', 'p99 ms', 'max ms']];
  for (const [k, v] of Object.entries(r.byKind))
    rows.push([k, fmt(v.requests), fmt(v.errors), fmt(v.p50, 1), fmt(v.p99, 1), fmt(v.max, 1)]);
  return rows;
}

export function soakSummary(r) {
  const h = r.heartbeat;
  const m = r.throughput.matrix;
  return [
    `seed: ${fmt(r.seed.pacticipants)} pacticipants, ${fmt(r.seed.versions)} versions, ` +
      `${fmt(r.seed.pactPublications)} publications, ${fmt(r.seed.verifications)} verifications; ` +
      `seeded in ${fmt(r.seed.seedSeconds, 1)} s`,
    `load: ${fmt(r.seconds, 0)} s, ${r.bursts} bursts of ${r.burstSize} concurrent heavy requests, ${fmt(r.published)} publishes`,
    `heartbeat (every 50 ms): p50 ${fmt(h.p50, 1)} ms, p99 ${fmt(h.p99, 1)} ms, max ${fmt(h.max, 1)} ms; during bursts p50 ${fmt(h.burstP50, 1)} / p99 ${fmt(h.burstP99, 1)} / max ${fmt(h.burstMax, 1)} ms`,
    `broker event-loop delay (measured inside the broker, whole run incl. the matrix phase): p50 ${fmt(r.eventLoopDelay.p50, 1)} ms, p99 ${fmt(r.eventLoopDelay.p99, 1)} ms, max ${fmt(r.eventLoopDelay.max, 1)} ms`,
    `matrix (300 rows), 8 concurrent clients alone: ${fmt(m.rps, 1)} req/s, p50 ${fmt(m.p50, 1)} ms, p99 ${fmt(m.p99, 1)} ms`,
    `broker RSS: first ${fmt(r.rss.windowSeconds, 0)} s median ${fmt(r.rss.firstMedianMB, 1)} MB ` +
      `(max ${fmt(r.rss.firstMaxMB, 1)}), last ${fmt(r.rss.windowSeconds, 0)} s median ` +
      `${fmt(r.rss.lastMedianMB, 1)} MB (max ${fmt(r.rss.lastMaxMB, 1)})`,
    `errors (non-2xx or network): ${r.errors}`,
  ].join('\n');
}

if (process.argv[2] === '--broker-child') {
  const broker = await startBroker({ port: 0, host: '127.0.0.1', database: process.argv[3] });
  // How long the broker's event loop was blocked, seen from inside (no client or network in it).
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  process.on('message', (m) => {
    if (m === 'rss') process.send({ rss: process.memoryUsage().rss });
    if (m === 'delay')
      process.send({
        delay: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
      });
  });
  process.send({ url: broker.url });
  process.on('SIGTERM', () => {
    void broker.close().then(() => process.exit(0));
  });
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--minutes');
  const minutes = at >= 0 ? Number(args[at + 1]) : undefined;
  const r = await runSoakBench({ quick: args.includes('--quick'), minutes });
  if (args.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else {
    console.log('Soak: mixed load with bursts of heavy queries, heartbeat every 50 ms\n');
    console.log(soakSummary(r));
    console.log(`\n${table(soakRows(r))}`);
  }
  if (r.errors > 0) process.exitCode = 1;
}
