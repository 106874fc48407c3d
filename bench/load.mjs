// A small closed-loop HTTP load generator: `connections` keep-alive clients each send the same
// request back to back for `ms` milliseconds. The same generator drives Treaty and the Pact tools,
// so their figures differ only by the server under test.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

export async function load({
  url,
  method = 'GET',
  headers = {},
  body,
  connections = 4,
  ms = 2000,
  expectStatus = 200,
}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const payload = body === undefined ? undefined : Buffer.from(body);
  const latencies = [];
  let errors = 0;
  const once = () =>
    new Promise((resolve) => {
      const start = performance.now();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method,
          headers: payload ? { ...headers, 'content-length': payload.length } : headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== expectStatus) errors++;
            latencies.push(performance.now() - start);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(payload);
    });
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  const elapsed = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    rps: (latencies.length * 1000) / elapsed,
    p50: pct(50),
    p99: pct(99),
    errors,
  };
}

/**
 * Runs `load` in a child process, so the client does not share a thread with a server under test
 * that runs in this process (Treaty's, fastify), as it never does with Pact's Rust server.
 */
export function loadInChild(options) {
  return new Promise((resolve, reject) => {
    // Options go through stdin: a 1 MB body does not fit in a command line.
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(JSON.stringify(options));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

/** Runs the load `rounds` times (each in a fresh child process) and keeps the median round. */
export async function medianLoad({ rounds = 3, ...options }) {
  const runs = [];
  for (let i = 0; i < rounds; i++) runs.push(await loadInChild(options));
  runs.sort((a, b) => a.rps - b.rps);
  return runs[Math.floor(runs.length / 2)];
}

/** The same load through autocannon (a faster client), for servers that outrun node's http client. */
export async function autocannonLoad({
  url,
  method = 'GET',
  headers = {},
  body,
  connections = 4,
  ms = 2000,
  expectStatus = 200,
}) {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url,
    method,
    headers,
    body,
    connections,
    duration: ms / 1000,
    pipelining: 1,
  });
  const errors = result.errors + result.timeouts + result.non2xx + (expectStatus === 200 ? 0 : 0);
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const options = JSON.parse(input);
  const run = options.client === 'autocannon' ? autocannonLoad : load;
  process.stdout.write(JSON.stringify(await run(options)));
}
