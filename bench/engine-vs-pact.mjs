// Request matching inside a server, Treaty vs Pact. Pact JS (its Rust core) records one POST
// interaction whose JSON body carries matchers, serves it from its mock server, and we drive it with
// the load generator. Treaty then reads the pact file Pact wrote — the very same rules — and a bare
// node:http server matches every request with Treaty's engine. Both run in this process on this
// machine, with the same client, bodies and concurrency.
import http from 'node:http';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PactV4, MatchersV3 } from '@pact-foundation/pact';
import { matchRequest, parseContract, parseRequest } from '@treaty/core';
import { fmt, table } from './lib.mjs';
import { order, ordersText } from './data.mjs';
import { medianLoad } from './load.mjs';

const { like, eachLike, integer, decimal, number, regex, datetime } = MatchersV3;

function orderTemplate() {
  const o = order(0);
  return {
    id: integer(o.id),
    status: regex('PENDING|SHIPPED|DELIVERED', o.status),
    createdAt: datetime("yyyy-MM-dd'T'HH:mm:ssX", o.createdAt),
    customer: like(o.customer),
    items: eachLike({
      sku: regex('[A-Z]-\\d+', o.items[0].sku),
      quantity: integer(1),
      price: decimal(9.5),
      note: null,
    }),
    total: number(o.total),
    tags: like(o.tags),
  };
}

const bodyOfSize = (bytes) => ordersText(bytes).text;

async function treatyServer(expected) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const [path, query = ''] = (req.url ?? '/').split('?');
      const actual = parseRequest(
        {
          method: req.method,
          path,
          query,
          headers: req.headers,
          body: { content: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'] },
        },
        '4.0',
      );
      const mismatches = matchRequest(expected, actual);
      res.writeHead(mismatches.length === 0 ? 200 : 500, { 'content-type': 'application/json' });
      res.end(mismatches.length === 0 ? '{"ok":true}' : JSON.stringify(mismatches));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

export async function runEngineVsPact({ quick = false } = {}) {
  const ms = quick ? 500 : 2000;
  const rounds = quick ? 1 : 3;
  const sizes = [
    ['typical body', 0],
    ['1 MB body', 1_000_000],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'treaty-bench-'));
  const pact = new PactV4({ consumer: 'bench-web', provider: 'bench-orders', dir, logLevel: 'error' });
  const pactResults = {};
  await pact
    .addInteraction()
    .uponReceiving('a batch of orders')
    .withRequest('POST', '/orders', (b) =>
      b
        .headers({ 'Content-Type': 'application/json' })
        .jsonBody({ orders: eachLike(orderTemplate()), count: integer(1) }),
    )
    .willRespondWith(200)
    .executeTest(async (mock) => {
      for (const [name, bytes] of sizes) {
        pactResults[name] = await medianLoad({
          url: `${mock.url}/orders`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bodyOfSize(bytes),
          ms,
          connections: 4,
          rounds,
        });
      }
    });
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  const contract = parseContract(readFileSync(join(dir, file), 'utf8'));
  const expected = contract.interactions[0].request;
  const server = await treatyServer(expected);
  const rows = [
    ['body', 'Treaty req/s', 'Pact req/s', 'ratio', 'Treaty p99 ms', 'Pact p99 ms', 'errors T/P'],
  ];
  const results = {};
  try {
    for (const [name, bytes] of sizes) {
      const t = await medianLoad({
        url: `${server.url}/orders`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodyOfSize(bytes),
        ms,
        connections: 4,
        rounds,
      });
      const p = pactResults[name];
      results[name] = { treaty: t, pact: p, ratio: t.rps / p.rps };
      rows.push([
        name,
        fmt(t.rps),
        fmt(p.rps),
        `${fmt(t.rps / p.rps, 2)}x`,
        fmt(t.p99, 2),
        fmt(p.p99, 2),
        `${t.errors}/${p.errors}`,
      ]);
    }
  } finally {
    await server.close();
  }
  return { rows, results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = await runEngineVsPact({ quick: process.argv.includes('--quick') });
  console.log(
    'Request matching in a server: Treaty engine behind node:http vs Pact JS 16.5 mock server (Rust core)',
  );
  console.log('same process, same load generator (4 keep-alive connections), medians of rounds\n');
  console.log(table(rows));
}
