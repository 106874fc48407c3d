// Start-up: what a fresh process pays before it does anything, for the entries people run most.
// Each measure is a new Node process; runs are interleaved (measure by measure, checkout by checkout,
// in alternating order), so that a noisy moment of a shared machine hits every column alike.
//   node bench/start-up.mjs [--runs 11] [--against <another built checkout>]...
// `--against` compares with other checkouts (each built, with its own node_modules/@treaty links), for
// example the commit before a change: `git worktree add /tmp/before <commit>`, then build it there.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generateContract } from './verifier.mjs';
import { fmt, table } from './lib.mjs';

const here = fileURLToPath(new URL('../', import.meta.url));

/** Milliseconds from the process's first line to an import's end, printed by the process itself. */
const importTime = (specifier) => [
  '--input-type=module',
  '-e',
  `const t = performance.now(); await import('${specifier}'); console.log(performance.now() - t);`,
];

function measures(verifyArgs) {
  return [
    { name: "Node alone (node -e '')", args: () => ['-e', ''] },
    { name: "import '@treaty/core' (in process)", args: () => importTime('@treaty/core'), reported: true },
    {
      name: "import '@treaty/core/provider' (in process)",
      args: () => importTime('@treaty/core/provider'),
      reported: true,
    },
    {
      name: "import '@treaty/broker' (in process)",
      args: () => importTime('@treaty/broker'),
      reported: true,
    },
    { name: 'treaty --version', args: (root) => [join(root, 'cli/bin/treaty.js'), '--version'] },
    { name: 'treaty --help', args: (root) => [join(root, 'cli/bin/treaty.js'), '--help'] },
    {
      name: 'treaty verify, 1 interaction',
      args: (root) => [join(root, 'cli/bin/treaty.js'), 'verify', ...verifyArgs],
    },
  ];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The bench provider of verifier.mjs in a process of its own: this one blocks while it measures. */
async function startProvider() {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startProvider } = await import(${JSON.stringify(join(here, 'bench/verifier.mjs'))});
       const { port } = await startProvider(1);
       console.log(port);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise((done, fail) => {
    child.stdout.once('data', (d) => done(String(d).trim()));
    child.once('exit', (code) => fail(new Error(`the bench provider exited (${code})`)));
  });
  return { base: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

export async function runStartUpBench({ runs = 11, against = [] } = {}) {
  const roots = [here, ...against.map((r) => resolve(r))];
  const dir = mkdtempSync(join(tmpdir(), 'treaty-bench-start-up-'));
  const pact = join(dir, 'contract.json');
  writeFileSync(pact, JSON.stringify(generateContract(1)));
  const provider = await startProvider();
  const { base } = provider;
  const list = measures([
    '--provider-base-url',
    base,
    '--pact',
    pact,
    '--provider-states-setup-url',
    `${base}/_states`,
  ]);
  const times = list.map(() => roots.map(() => []));
  try {
    for (let i = 0; i < runs; i++)
      list.forEach((m, k) => {
        const order = roots.map((root, j) => ({ root, j }));
        for (const { root, j } of i % 2 === 0 ? order : order.reverse()) {
          const start = performance.now();
          const r = spawnSync(process.execPath, m.args(root), { cwd: root, encoding: 'utf8' });
          const ms = performance.now() - start;
          if (r.status !== 0) throw new Error(`${m.name} in ${root}: exit ${r.status}\n${r.stderr}`);
          times[k][j].push(m.reported ? Number(r.stdout) : ms);
        }
      });
  } finally {
    provider.stop();
  }
  const rows = [
    ['measure (median ms, min in brackets)', ...roots.map((r) => (r === here ? 'this checkout' : r))],
    ...list.map((m, k) => [
      m.name,
      ...times[k].map((xs) => `${fmt(median(xs), 1)} (${fmt(Math.min(...xs), 1)})`),
    ]),
  ];
  return { rows, times: Object.fromEntries(list.map((m, k) => [m.name, times[k]])) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 11;
  const against = args.flatMap((a, i) => (args[i - 1] === '--against' ? [a] : []));
  const { rows } = await runStartUpBench({ runs, against });
  console.log(
    `Start-up, new processes, ${runs} interleaved runs each (wall time; imports timed in process)\n`,
  );
  console.log(table(rows));
}
