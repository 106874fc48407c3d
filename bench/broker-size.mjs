// Does the broker's database grow with distinct contract content, or with consumer versions?
// Three seeds through the Store, each with 10 consumers publishing a 20-interaction contract (~6 KB)
// to one provider:
//   A: 2,000 consumer versions that share 100 distinct contents
//   B: 20,000 consumer versions that share the same 100 distinct contents (10× the versions)
//   C: 2,000 consumer versions with 1,000 distinct contents (10× the content)
// It prints the database size of each, the bytes each extra version costs, and what storing the
// content once per publication (as a naive schema would) would have cost.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '@treaty/broker';
import { pactFor } from './broker.mjs';
import { fmt, table } from './lib.mjs';

function sizeOf(database) {
  let bytes = statSync(database).size;
  try {
    bytes += statSync(`${database}-wal`).size;
  } catch {
    // no WAL left after a clean close
  }
  return bytes;
}

async function seed(versions, distinct) {
  const database = join(mkdtempSync(join(tmpdir(), 'treaty-bench-size-')), 'broker.sqlite');
  const store = SqliteStore.open(database);
  const consumers = 10;
  const perConsumer = versions / consumers;
  const contentsPerConsumer = distinct / consumers;
  let contentBytes = 0;
  const seen = new Set();
  for (let c = 0; c < consumers; c++) {
    for (let v = 0; v < perConsumer; v++) {
      const revision = Math.floor((v * contentsPerConsumer) / perConsumer);
      const content = pactFor(`consumer-${c}`, 'provider', revision, 20);
      contentBytes += content.length;
      seen.add(`${c}|${revision}`);
      await store.publishPact({
        consumer: `consumer-${c}`,
        consumerVersion: `${v}`,
        provider: 'provider',
        content,
        branch: v % 4 === 3 ? 'feature' : 'main',
      });
    }
  }
  const stats = await store.stats();
  await store.close();
  const db = new Database(database, { readonly: true });
  const stored = db.prepare('SELECT SUM(length(content)) AS n FROM pact_contents').get().n;
  db.close();
  return {
    versions,
    distinct: stats.pactContents,
    publications: stats.pactPublications,
    bytes: sizeOf(database),
    storedContentBytes: stored,
    naiveContentBytes: contentBytes,
    distinctSeen: seen.size,
  };
}

export async function runBrokerSizeBench({ quick = false } = {}) {
  const k = quick ? 0.1 : 1;
  const a = await seed(2000 * k, 100 * k);
  const b = await seed(20000 * k, 100 * k);
  const c = await seed(2000 * k, 1000 * k);
  const perVersion = (b.bytes - a.bytes) / (b.versions - a.versions);
  const perContent = (c.bytes - a.bytes) / (c.distinct - a.distinct);
  const rows = [
    [
      'seed',
      'consumer versions',
      'distinct contents',
      'database',
      'of which contract content',
      'content once per publication would be',
    ],
  ];
  for (const [name, r] of [
    ['A', a],
    ['B (10× versions)', b],
    ['C (10× content)', c],
  ]) {
    rows.push([
      name,
      fmt(r.versions),
      fmt(r.distinct),
      `${fmt(r.bytes / 1e6, 2)} MB`,
      `${fmt(r.storedContentBytes / 1e6, 2)} MB`,
      `${fmt(r.naiveContentBytes / 1e6, 2)} MB`,
    ]);
  }
  return {
    rows,
    perVersionBytes: perVersion,
    perContentBytes: perContent,
    growth: { versions10x: b.bytes / a.bytes, content10x: c.bytes / a.bytes },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runBrokerSizeBench({ quick: process.argv.includes('--quick') });
  console.log('Broker database size: distinct content vs consumer versions (SQLite)\n');
  console.log(table(r.rows));
  console.log(
    `\nEach extra consumer version costs ${fmt(r.perVersionBytes)} bytes; each extra distinct content ${fmt(r.perContentBytes)} bytes.`,
  );
  console.log(
    `10× the versions grows the database ${fmt(r.growth.versions10x, 2)}×; 10× the distinct content grows it ${fmt(r.growth.content10x, 2)}×.`,
  );
}
