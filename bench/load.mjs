// A small closed-loop HTTP load generator: `connections` keep-alive clients each send the same
// request back to back for `ms` milliseconds. The same generator drives Treaty and the Pact tools,
// so their figures differ only by the server under test.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export async function load({ url, method = 'GET', headers = {}, body, connections = 4, ms = 2000, expectStatus = 200 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const payload = body === undefined ? undefined : Buffer.from(body);
  const latencies = [];
  let errors = 0;
  const once = () =>
    new Promise((resolve) => {
      const start = performance.now();
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers: payload ? { ...headers, 'content-length': payload.length } : headers },
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
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { requests: latencies.length, rps: (latencies.length * 1000) / elapsed, p50: pct(50), p99: pct(99), errors };
}

/** Runs `load` `rounds` times and keeps the round with the median rate. */
export async function medianLoad(options, rounds = 3) {
  const runs = [];
  for (let i = 0; i < rounds; i++) runs.push(await load(options));
  runs.sort((a, b) => a.rps - b.rps);
  return runs[Math.floor(runs.length / 2)];
}
