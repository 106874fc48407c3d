// Verification speed: `treaty verify` vs the real `pact-verifier` (Pact's Rust verifier, npm
// @pact-foundation/pact-cli) on the same generated contracts (100, 300 and 1,000 interactions, ~6 KB
// bodies with type and regex rules, a provider state each) against the same local fastify provider.
// Both run as command-line processes, as CI runs them.
import Fastify from 'fastify';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { fmt, table } from './lib.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const treatyBin = join(root, 'cli/bin/treaty.js');
const pactVerifier = join(root, 'node_modules/.bin/pact-verifier');

function item(k) {
  return {
    id: k,
    name: `item ${k}`,
    sku: `SKU-${k}`,
    updatedAt: '2024-05-01T10:00:00Z',
    variants: Array.from({ length: 40 }, (_, j) => ({
      code: `V-${k}-${j}`,
      colour: j % 2 ? 'red' : 'blue',
      stock: j * 3,
      price: 9.5 + j,
      tags: ['a', 'b'],
    })),
  };
}

const m = (...matchers) => ({ combine: 'AND', matchers });

export function generateContract(n) {
  const interactions = Array.from({ length: n }, (_, k) => ({
    type: 'Synchronous/HTTP',
    key: `k${k}`,
    description: `a request for item ${k}`,
    pending: false,
    providerStates: [{ name: `item ${k} exists`, params: { id: k } }],
    request: { method: 'GET', path: `/items/${k}`, headers: { Accept: ['application/json'] } },
    response: {
      status: 200,
      headers: { 'Content-Type': ['application/json'] },
      body: { contentType: 'application/json', encoded: false, content: item(k) },
      matchingRules: {
        body: {
          $: m({ match: 'type' }),
          '$.sku': m({ match: 'regex', regex: 'SKU-\\d+' }),
          '$.variants': m({ match: 'type', min: 1 }),
          '$.variants[*].code': m({ match: 'regex', regex: 'V-\\d+-\\d+' }),
          '$.variants[*].colour': m({ match: 'regex', regex: 'red|blue|green' }),
        },
      },
    },
  }));
  return {
    consumer: { name: 'bench-web' },
    provider: { name: 'bench-items' },
    interactions,
    metadata: { pactSpecification: { version: '4.0' } },
  };
}

export async function startProvider(n) {
  const app = Fastify();
  const bodies = Array.from({ length: n }, (_, k) =>
    JSON.stringify({ ...item(k), sku: `SKU-${k + 1}`, name: `renamed ${k}` }),
  );
  app.get('/items/:id', async (req, reply) =>
    reply.type('application/json').send(bodies[Number(req.params.id)]),
  );
  app.post('/_states', async () => ({}));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: app.server.address().port };
}

function timed(cmd, args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, {
      env: { ...process.env, PACT_DO_NOT_TRACK: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0
        ? resolve(performance.now() - start)
        : reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 500)}`)),
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runVerifierBench({ quick = false } = {}) {
  const sizes = quick ? [100] : [100, 300, 1000];
  const rows = [
    [
      'interactions',
      'treaty verify s',
      'pact-verifier s',
      'speed-up',
      'treaty interactions/s',
      'pact interactions/s',
    ],
  ];
  const results = {};
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-bench-verify-'));
    const file = join(dir, 'contract.json');
    writeFileSync(file, JSON.stringify(generateContract(n)));
    const { app, port } = await startProvider(n);
    const base = `http://127.0.0.1:${port}`;
    // pact-verifier takes about 45 s at 1,000 interactions, so it runs once there; Treaty's runs are
    // cheap, so it runs five times at every size, interleaved with Pact's so that noise hits both.
    const pactRuns = quick || n >= 1000 ? 1 : 3;
    const treatyRuns = quick ? 3 : 5;
    const t = [];
    const p = [];
    const treaty = () =>
      timed(process.execPath, [
        treatyBin,
        'verify',
        '--provider-base-url',
        base,
        '--pact',
        file,
        '--provider-states-setup-url',
        `${base}/_states`,
      ]);
    const pact = () =>
      timed(pactVerifier, [
        '--file',
        file,
        '--hostname',
        '127.0.0.1',
        '--port',
        String(port),
        '--state-change-url',
        `${base}/_states`,
        '--state-change-teardown',
      ]);
    try {
      // One unmeasured run each warms the provider (fastify's routes, the JIT) and the file cache.
      await treaty();
      for (let i = 0; i < Math.max(treatyRuns, pactRuns); i++) {
        if (i < treatyRuns) t.push(await treaty());
        if (i < pactRuns) p.push(await pact());
      }
    } finally {
      await app.close();
    }
    const tm = median(t) / 1000;
    const pm = median(p) / 1000;
    results[n] = {
      treatySeconds: tm,
      treatyRange: [Math.min(...t) / 1000, Math.max(...t) / 1000],
      pactSeconds: pm,
      speedUp: pm / tm,
    };
    rows.push([String(n), fmt(tm, 2), fmt(pm, 2), `${fmt(pm / tm, 1)}x`, fmt(n / tm), fmt(n / pm)]);
  }
  return { rows, results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = await runVerifierBench({ quick: process.argv.includes('--quick') });
  console.log(
    'Verification: treaty verify vs pact-verifier (@pact-foundation/pact-cli 18.1.2), same contracts and provider\n',
  );
  console.log(table(rows));
}
