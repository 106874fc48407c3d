// Mock server throughput: Treaty's mock server vs Pact JS's (Rust core) vs a bare fastify server,
// with 1 and with 100 registered interactions, all driven by the same load generator in this
// process. Each server answers GET /orders/<k> with a small JSON order.
import Fastify from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PactV4, MatchersV3 } from '@pact-foundation/pact';
import { ConsumerContract, integer, like, regex } from '@treaty/core';
import { fmt, table } from './lib.mjs';
import { medianLoad } from './load.mjs';

const orderBody = (k) => ({ id: k, status: 'PENDING', total: 10.5, items: [{ sku: 'A-1', quantity: 2 }] });
const tmp = () => mkdtempSync(join(tmpdir(), 'treaty-bench-mock-'));

async function touchAll(url, n) {
  for (let k = 0; k < n; k++) await (await fetch(`${url}/orders/${k}`)).arrayBuffer();
}

/** One unmeasured round first, so every server is measured warm. */
async function warmLoad(options) {
  await medianLoad({ ...options, rounds: 1, ms: 1000 });
  return medianLoad(options);
}

async function treaty(n, opts) {
  const contract = new ConsumerContract({ consumer: 'bench-web', provider: 'bench-orders', dir: tmp() });
  for (let k = 0; k < n; k++) {
    contract
      .addInteraction()
      .uponReceiving(`order ${k}`)
      .withRequest('GET', `/orders/${k}`)
      .willRespondWith(200, (res) =>
        res.jsonBody(
          like({
            id: integer(k),
            status: regex('PENDING|SHIPPED', 'PENDING'),
            total: 10.5,
            items: [{ sku: 'A-1', quantity: 2 }],
          }),
        ),
      );
  }
  return contract.executeTest(async (mock) => {
    await touchAll(mock.url, n);
    return warmLoad({ url: `${mock.url}/orders/${n - 1}`, ...opts });
  });
}

async function pact(n, opts) {
  const p = new PactV4({ consumer: 'bench-web', provider: 'bench-orders', dir: tmp(), logLevel: 'error' });
  let last;
  for (let k = 0; k < n; k++) {
    last = p
      .addInteraction()
      .uponReceiving(`order ${k}`)
      .withRequest('GET', `/orders/${k}`)
      .willRespondWith(200, (b) =>
        b.jsonBody(
          MatchersV3.like({
            id: MatchersV3.integer(k),
            status: MatchersV3.regex('PENDING|SHIPPED', 'PENDING'),
            total: 10.5,
            items: [{ sku: 'A-1', quantity: 2 }],
          }),
        ),
      );
  }
  let result;
  await last.executeTest(async (mock) => {
    await touchAll(mock.url, n);
    result = await warmLoad({ url: `${mock.url}/orders/${n - 1}`, ...opts });
  });
  return result;
}

async function bareFastify(n, opts) {
  const app = Fastify();
  for (let k = 0; k < n; k++) app.get(`/orders/${k}`, async () => orderBody(k));
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await warmLoad({ url: `http://127.0.0.1:${app.server.address().port}/orders/${n - 1}`, ...opts });
  } finally {
    await app.close();
  }
}

export async function runMockServerBench({ quick = false } = {}) {
  const opts = { ms: quick ? 1000 : 3000, connections: 8, client: 'autocannon' };
  const rounds = quick ? 1 : 3;
  const rows = [
    [
      'interactions',
      'Treaty req/s',
      'Pact JS req/s',
      'fastify req/s',
      'Treaty/Pact',
      'Treaty/fastify',
      'p99 ms T / P / F',
    ],
  ];
  const results = {};
  for (const n of [1, 100]) {
    const t = await treaty(n, { ...opts, rounds });
    const p = await pact(n, { ...opts, rounds });
    const f = await bareFastify(n, { ...opts, rounds });
    results[n] = { treaty: t, pact: p, fastify: f, vsPact: t.rps / p.rps, vsFastify: t.rps / f.rps };
    rows.push([
      String(n),
      fmt(t.rps),
      fmt(p.rps),
      fmt(f.rps),
      `${fmt(t.rps / p.rps, 2)}x`,
      `${fmt((100 * t.rps) / f.rps)}%`,
      `${fmt(t.p99, 2)} / ${fmt(p.p99, 2)} / ${fmt(f.p99, 2)}`,
    ]);
  }
  return { rows, results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = await runMockServerBench({ quick: process.argv.includes('--quick') });
  console.log(
    'Mock servers: Treaty vs Pact JS 16.5 vs bare fastify, same process and load generator (8 connections)\n',
  );
  console.log(table(rows));
}
