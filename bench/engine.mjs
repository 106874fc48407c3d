// Matching-engine throughput: the whole Pact spec corpus, a typical interaction body, and a ~1 MB
// body with nested eachLike rules. Runs against the built @treaty/core (npm run build first).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseMessage,
  parseRequest,
  parseResponse,
  matchMessage,
  matchRequest,
  matchResponse,
} from '@treaty/core';
import { fmt, measure, table } from './lib.mjs';
import { largeActual, largeExpected, typicalActual, typicalExpected } from './data.mjs';

const casesDir = fileURLToPath(new URL('../test/reference/pact-spec-testcases/', import.meta.url));
const versions = { v1: '1.0.0', 'v1.1': '1.1.0', v2: '2.0.0', v3: '3.0.0', v4: '4.0' };
const parsers = { request: parseRequest, response: parseResponse, message: parseMessage };
const matchers = { request: matchRequest, response: matchResponse, message: matchMessage };

function loadCorpus() {
  const cases = [];
  for (const entry of readdirSync(casesDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const file = join(entry.parentPath, entry.name);
    const [version, category] = relative(casesDir, file).split('/');
    const data = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    const parse = parsers[category];
    cases.push({
      match: matchers[category],
      expected: parse(data.expected, versions[version]),
      actual: parse(data.actual, versions[version]),
    });
  }
  return cases;
}

export function runEngineBench({ quick = false } = {}) {
  const opts = quick ? { ms: 300, rounds: 3, warmup: 100 } : { ms: 1000, rounds: 5, warmup: 300 };
  const rows = [['workload', 'matches/s (median)', 'min', 'max', 'note']];
  const results = {};

  const corpus = loadCorpus();
  const corpusRun = measure(() => {
    for (const c of corpus) c.match(c.expected, c.actual);
  }, opts);
  results.corpus = corpusRun.median * corpus.length;
  rows.push([
    'spec corpus (803 cases)',
    fmt(results.corpus),
    fmt(corpusRun.min * corpus.length),
    fmt(corpusRun.max * corpus.length),
    `${corpus.length} cases per pass`,
  ]);

  const expected = parseResponse(typicalExpected(), '4.0');
  const actual = typicalActual();
  const typicalBytes = actual.body.text.length;
  const typicalMismatches = matchResponse(expected, actual).length;
  if (typicalMismatches !== 0)
    throw new Error(`the typical body should match its rules, got ${typicalMismatches} mismatches`);
  const typical = measure(() => matchResponse(expected, actual), opts);
  results.typical = typical.median;
  rows.push([
    'typical response (JSON text in)',
    fmt(typical.median),
    fmt(typical.min),
    fmt(typical.max),
    `${fmt(typicalBytes)} B body, 10 rules`,
  ]);

  const large = largeActual();
  const largeExp = parseResponse(largeExpected(), '4.0');
  const largeAct = large.response;
  const big = measure(() => matchResponse(largeExp, largeAct), {
    ...opts,
    ms: quick ? 1000 : 3000,
    rounds: quick ? 1 : 3,
    warmup: 0,
  });
  results.large = big.median;
  results.largeMBps = (big.median * large.bytes) / 1e6;
  rows.push([
    '1 MB response (nested eachLike)',
    fmt(big.median, 1),
    fmt(big.min, 1),
    fmt(big.max, 1),
    `${fmt(large.bytes)} B, ${fmt(large.orders)} orders, ${fmt(results.largeMBps, 1)} MB/s`,
  ]);

  const mismatches = matchResponse(largeExp, largeAct).length;
  if (mismatches !== 0) throw new Error(`the 1 MB body should match its rules, got ${mismatches} mismatches`);
  return { rows, results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = runEngineBench({ quick: process.argv.includes('--quick') });
  console.log('Matching engine (@treaty/core), one process, medians of repeated rounds\n');
  console.log(table(rows));
}
