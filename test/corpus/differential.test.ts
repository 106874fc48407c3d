import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../support/process.js';
import { runPactTool } from '../support/pact-tools.js';
import { corpusFiles, isolationProblem, mapLimit, pactEnv, rustLoads, type CorpusFile } from './corpus.js';
import { headerMap, startRecordingProxy, startStub, type RecordedRequest } from './stub.js';

/*
 * Differential verification: each real-world Pact file with HTTP interactions is served by the real
 * pact-stub-server, and both pact-verifier and `treaty verify` verify it through a recording proxy.
 * They must agree on the exit code, on each interaction's verdict, and on the request sent for each
 * interaction. The only differences allowed are listed in `treatyIsRight`, each with its reason.
 * Every difference found is written to test-artifacts/corpus-report.json.
 *
 * How requests are compared: both tools verify the interactions one after another in file order, so
 * the n-th request at a tool's proxy belongs to the n-th interaction it reports, except a request to
 * the Location of a redirect the proxy just passed on, which belongs to the one before. Method; path
 * percent-decoded; query as decoded values by name; headers by lower-case name, leaving out those
 * of the connection (host, length, connection) and, unless the interaction names them, a client's
 * defaults (user-agent, accept-encoding, accept); the body as a JSON value when it is JSON (see
 * bodyValue), as bytes otherwise. Values drawn by random generators (a date, a UUID) are not compared.
 * Files run three at a time; the stub server of each is closed whatever happens.
 */

type Verdict = 'pass' | 'fail';

/** One way in which the two verifiers disagreed. */
interface Difference {
  file: string;
  /** The interaction's position among those verified, and its description; absent for the whole file. */
  interaction?: { index: number; description: string };
  aspect: string;
  pactVerifier: unknown;
  treaty: unknown;
  /** For a verdict: why each tool failed the interaction, as it said. */
  why?: { pactVerifier: unknown[]; treaty: unknown[] };
}

/** A difference where Treaty does what the contract says and pact-verifier does not. */
interface Accepted {
  file: string;
  /** The interaction's description; absent for a difference of the whole file (the exit code). */
  description?: string;
  aspect: string;
  reason: string;
}

const redirect = 'pact-foundation__pact-reference__rust_pact_verifier_tests_redirect.json';
const followsRedirect =
  'the contract expects the 302 itself (status and Location); pact-verifier 1.4.7 follows the redirect to ' +
  '/myapp/test2, which the stub server does not serve, and reports an error for what was a correct answer';
const treatyIsRight: Accepted[] = [
  { file: redirect, aspect: 'exit code', reason: followsRedirect },
  {
    file: redirect,
    description: 'request that receives a redirect',
    aspect: 'verdict',
    reason: followsRedirect,
  },
  {
    file: redirect,
    description: 'request that receives a redirect',
    aspect: 'requests sent',
    reason: `${followsRedirect} (its second request is the redirect followed)`,
  },
];

interface FileRun {
  file: string;
  exitCodes: { pactVerifier: number | null; treaty: number | null };
  verdicts: { pactVerifier: Array<[string, string]>; treaty: Array<[string, string]> };
  requests: { pactVerifier: number; treaty: number };
  differences: Difference[];
  error?: string;
}

const files = corpusFiles();
const isolation = await isolationProblem();
const loads = isolation === null ? await rustLoads(files.map((f) => f.path)) : [];

/** Why a file is not run, or undefined when it is. */
function skipReason(file: CorpusFile, index: number): string | undefined {
  const load = loads[index];
  if (load !== undefined && !load.loaded) return `the Pact core refuses it: ${load.error}`;
  const json = JSON.parse(file.text) as { interactions?: Array<{ type?: string }> };
  const http = (json.interactions ?? []).filter((i) => i.type === undefined || i.type === 'Synchronous/HTTP');
  return http.length === 0 ? 'no HTTP interactions' : undefined;
}

const candidates = files.map((file, index) => ({ file, skip: skipReason(file, index) }));
const runs = new Map<string, FileRun>();
const root = fileURLToPath(new URL('../../', import.meta.url));

function verdictOf(tool: 'pactVerifier' | 'treaty', result: string): Verdict {
  return (tool === 'pactVerifier' ? result.toUpperCase() === 'OK' : result === 'passed') ? 'pass' : 'fail';
}

/**
 * A body as compared: the JSON value under a JSON content type, or with no content type when it is a
 * JSON object or array (Pact takes such a body as JSON, and pact-verifier writes its keys sorted);
 * the bytes otherwise.
 */
function bodyValue(req: RecordedRequest, declared: Declared | undefined): unknown {
  const type = headerMap(req.rawHeaders).get('content-type')?.join(', ');
  if (type === undefined || /^application\/(.+\+)?json/i.test(type.trim())) {
    try {
      const json = JSON.parse(req.body.toString('utf8')) as unknown;
      if (type !== undefined || (json !== null && typeof json === 'object'))
        return { json: (declared?.generated.body ?? []).reduce(markGenerated, json) };
    } catch {
      // Not JSON after all: compared as bytes.
    }
  }
  return { bytes: req.body.toString('base64') };
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function queryMap(raw: string, declared: Declared | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(raw))
    out[name] = [...(out[name] ?? []), declared?.generated.query.has(name) ? '<generated>' : value];
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// Set by each client's connection handling, not by the contract: the proxy port (host), the body
// length (the body is compared) and the connection management.
const transportHeaders = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding']);
// What an HTTP client sends when nobody asked it for anything (pact-verifier sends `user-agent:
// pact_verifier/1.4.7`, `accept-encoding: gzip,deflate` and `accept: */*`; Treaty sends none): compared
// only when the interaction's request names the header.
const clientDefaults = new Set(['user-agent', 'accept-encoding', 'accept']);

function comparableHeaders(req: RecordedRequest, declared: Declared | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of [...headerMap(req.rawHeaders)].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (!transportHeaders.has(name) && (!clientDefaults.has(name) || declared?.headers.has(name)))
      out[name] = declared?.generated.header.has(name) ? '<generated>' : values.join(', ');
  return out;
}

// Generators whose values differ from one run to the next: each tool draws its own, so the values at
// their places are not compared (ProviderState and MockServerURL are deterministic and are compared).
const random = new Set([
  'RandomInt',
  'RandomDecimal',
  'RandomHexadecimal',
  'RandomString',
  'RandomBoolean',
  'Regex',
  'Uuid',
  'Date',
  'Time',
  'DateTime',
]);

/** What each interaction of the file says of its request, in file order. */
interface Declared {
  description: string;
  /** The header names it names, in lower case. */
  headers: Set<string>;
  /** The places of random generators: body paths (`$.a.b`), header and query parameter names, path. */
  generated: { body: string[]; header: Set<string>; query: Set<string>; path: boolean };
}

function declaredRequests(file: CorpusFile): Declared[] {
  type Generators = Record<string, unknown>;
  const json = JSON.parse(file.text) as {
    interactions?: Array<{
      description?: string;
      request?: { headers?: Record<string, unknown>; generators?: Record<string, Generators | undefined> };
    }>;
  };
  const randomIn = (category: Generators | undefined): string[] =>
    Object.entries(category ?? {})
      .filter(([, g]) => random.has((g as { type?: string } | null)?.type ?? ''))
      .map(([k]) => k);
  return (json.interactions ?? []).map((i) => {
    const g = i.request?.generators ?? {};
    return {
      description: i.description ?? '',
      headers: new Set(Object.keys(i.request?.headers ?? {}).map((n) => n.toLowerCase())),
      generated: {
        body: randomIn(g.body),
        header: new Set(randomIn(g.header).map((n) => n.toLowerCase())),
        query: new Set(randomIn(g.query)),
        path: random.has((g.path as { type?: string } | undefined)?.type ?? ''),
      },
    };
  });
}

/** `value` with what is at `path` (`$.a.b[0]` forms) replaced by a mark. */
function markGenerated(value: unknown, path: string): unknown {
  const steps = [...path.replace(/^\$/, '').matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)].map(
    (m) => m[1] ?? m[3] ?? Number(m[2]),
  );
  const go = (v: unknown, i: number): unknown => {
    if (i === steps.length) return '<generated>';
    const step = steps[i] as string | number;
    if (Array.isArray(v) && typeof step === 'number' && step < v.length)
      return v.map((x, j) => (j === step ? go(x, i + 1) : x));
    if (v !== null && typeof v === 'object' && typeof step === 'string' && Object.hasOwn(v, step))
      return { ...(v as Record<string, unknown>), [step]: go((v as Record<string, unknown>)[step], i + 1) };
    return v;
  };
  return go(value, 0);
}

/** The requests of each verified interaction: a new group at every request that follows no redirect. */
function perInteraction(requests: RecordedRequest[]): RecordedRequest[][] {
  const groups: RecordedRequest[][] = [];
  for (const r of requests) {
    const last = groups.at(-1);
    if (r.followsRedirect && last !== undefined) last.push(r);
    else groups.push([r]);
  }
  return groups;
}

function compareRequests(
  file: string,
  interaction: { index: number; description: string },
  declared: Declared | undefined,
  pv: RecordedRequest[] | undefined,
  tr: RecordedRequest[] | undefined,
): Difference[] {
  const out: Difference[] = [];
  const add = (aspect: string, a: unknown, b: unknown): void => {
    if (!isDeepStrictEqual(a, b))
      out.push({ file, interaction, aspect, pactVerifier: a ?? null, treaty: b ?? null });
  };
  add('requests sent', pv?.length ?? 0, tr?.length ?? 0);
  const a = pv?.[0];
  const b = tr?.[0];
  if (a === undefined || b === undefined) return out;
  add('request method', a.method, b.method);
  if (!declared?.generated.path) add('request path', decodedPath(a.path), decodedPath(b.path));
  add('request query', queryMap(a.rawQuery, declared), queryMap(b.rawQuery, declared));
  const ha = comparableHeaders(a, declared);
  const hb = comparableHeaders(b, declared);
  for (const name of new Set([...Object.keys(ha), ...Object.keys(hb)]))
    add(`request header ${name}`, ha[name], hb[name]);
  add('request body', bodyValue(a, declared), bodyValue(b, declared));
  return out;
}

async function runFile(file: CorpusFile): Promise<FileRun> {
  const dir = await mkdtemp(join(tmpdir(), 'treaty-corpus-'));
  const run: FileRun = {
    file: file.name,
    exitCodes: { pactVerifier: null, treaty: null },
    verdicts: { pactVerifier: [], treaty: [] },
    requests: { pactVerifier: 0, treaty: 0 },
    differences: [],
  };
  const closers: Array<() => unknown> = [];
  try {
    const stub = await startStub(file.path, join(dir, 'stub.sock'));
    closers.push(stub.close);
    const pvProxy = await startRecordingProxy(stub);
    closers.push(pvProxy.close);
    const trProxy = await startRecordingProxy(stub);
    closers.push(trProxy.close);

    const pvReport = join(dir, 'pact-verifier.json');
    const pv = await runProcess(
      fileURLToPath(new URL('../../node_modules/.bin/pact-verifier', import.meta.url)),
      [
        ...['--file', file.path, '--hostname', '127.0.0.1', '--port', String(pvProxy.port)],
        ...['--request-timeout', '10000', '--json', pvReport],
      ],
      { env: pactEnv },
    );
    const trReport = join(dir, 'treaty.json');
    const tr = await runPactTool('treaty', [
      'verify',
      file.path,
      '--provider-base-url',
      `http://127.0.0.1:${trProxy.port}`,
      '--output',
      'json',
      '--output-file',
      trReport,
      '--request-timeout',
      '10000',
    ]);
    run.exitCodes = { pactVerifier: pv.code, treaty: tr.code };

    const pvJson = JSON.parse(await readFile(pvReport, 'utf8')) as {
      interactionResults?: Array<{ description: string; result: string }>;
      errors?: Array<{ interaction: string; mismatch: unknown }>;
    };
    const trJson = JSON.parse(await readFile(trReport, 'utf8')) as {
      contracts: Array<{
        interactions: Array<{ description: string; status: string; mismatches?: unknown[]; error?: string }>;
      }>;
    };
    const trInteractions = trJson.contracts.flatMap((c) => c.interactions);
    const why = (index: number, description: string): NonNullable<Difference['why']> => {
      const t = trInteractions[index];
      return {
        pactVerifier: (pvJson.errors ?? [])
          .filter((e) => e.interaction.endsWith(` - ${description}`))
          .map((e) => e.mismatch),
        treaty: t === undefined ? [] : [...(t.mismatches ?? []), ...(t.error === undefined ? [] : [t.error])],
      };
    };
    const pvResults = (pvJson.interactionResults ?? []).map((r): [string, string] => [
      r.description,
      r.result,
    ]);
    const trResults = trInteractions.map((i): [string, string] => [i.description, i.status]);
    run.verdicts = { pactVerifier: pvResults, treaty: trResults };
    run.requests = { pactVerifier: pvProxy.requests.length, treaty: trProxy.requests.length };

    const diff = (aspect: string, a: unknown, b: unknown, interaction?: Difference['interaction']): void => {
      if (!isDeepStrictEqual(a, b))
        run.differences.push({
          file: file.name,
          ...(interaction === undefined ? {} : { interaction }),
          aspect,
          pactVerifier: a ?? null,
          treaty: b ?? null,
        });
    };
    diff('exit code', pv.code, tr.code);
    diff(
      'interactions verified',
      pvResults.map(([d]) => d),
      trResults.map(([d]) => d),
    );
    const declared = declaredRequests(file);
    const pvGroups = perInteraction(pvProxy.requests);
    const trGroups = perInteraction(trProxy.requests);
    const count = Math.max(pvResults.length, trResults.length);
    for (let index = 0; index < count; index++) {
      const description = pvResults[index]?.[0] ?? trResults[index]?.[0] ?? '';
      const interaction = { index, description };
      const pvResult = pvResults[index];
      const trResult = trResults[index];
      // The tools word their results differently (OK, Error; passed, failed): pass or fail is compared.
      const pvVerdict = pvResult && verdictOf('pactVerifier', pvResult[1]);
      const trVerdict = trResult && verdictOf('treaty', trResult[1]);
      if (pvVerdict !== trVerdict)
        run.differences.push({
          file: file.name,
          interaction,
          aspect: 'verdict',
          pactVerifier: pvResult === undefined ? null : `${pvVerdict} (${pvResult[1]})`,
          treaty: trResult === undefined ? null : `${trVerdict} (${trResult[1]})`,
          why: why(index, description),
        });
      const own =
        declared[index]?.description === description
          ? declared[index]
          : declared.find((d) => d.description === description);
      run.differences.push(...compareRequests(file.name, interaction, own, pvGroups[index], trGroups[index]));
    }
    if (pvGroups.length !== count || trGroups.length !== count)
      diff('request groups', pvGroups.length, trGroups.length);
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    for (const close of closers.reverse()) await close();
    await rm(dir, { recursive: true, force: true });
  }
  return run;
}

function accepted(d: Difference): Accepted | undefined {
  return treatyIsRight.find(
    (a) => a.file === d.file && a.description === d.interaction?.description && a.aspect === d.aspect,
  );
}

describe('real-world Pact files: treaty verify and pact-verifier against pact-stub-server agree', () => {
  beforeAll(async () => {
    if (isolation !== null) return;
    const todo = candidates.filter((c) => c.skip === undefined).map((c) => c.file);
    const results = await mapLimit(todo, 3, runFile);
    for (const r of results) runs.set(r.file, r);
  }, 180_000);

  afterAll(async () => {
    const out = join(root, 'test-artifacts');
    await mkdir(out, { recursive: true });
    const report = {
      files: candidates.map(({ file, skip }) => ({
        file: file.name,
        ...(skip === undefined ? { run: runs.get(file.name) } : { skipped: skip }),
      })),
      differences: [...runs.values()].flatMap((r) =>
        r.differences.map((d) => ({ ...d, acceptedBecause: accepted(d)?.reason })),
      ),
    };
    await writeFile(join(out, 'corpus-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  });

  it('runs the Pact tools in a network namespace of their own', () => {
    expect(isolation).toBeNull();
  });

  for (const { file, skip } of candidates) {
    if (skip !== undefined) {
      it.skip(`${file.name}: skipped, ${skip}`, () => {});
      continue;
    }
    it(`${file.name}: same exit code, verdicts and requests`, () => {
      const run = runs.get(file.name);
      expect(run, 'the file was not run').toBeDefined();
      expect(run?.error).toBeUndefined();
      // The harness saw what pact-verifier did: a request at the proxy for each interaction it verified.
      expect(run?.requests.pactVerifier).toBeGreaterThanOrEqual(run?.verdicts.pactVerifier.length ?? 1);
      expect(run?.verdicts.pactVerifier.length).toBeGreaterThan(0);
      expect(run?.differences.filter((d) => accepted(d) === undefined)).toEqual([]);
    });
  }

  it('every difference accepted as Treaty being right still occurs', () => {
    const all = [...runs.values()].flatMap((r) => r.differences);
    const unused = treatyIsRight.filter((a) => !all.some((d) => accepted(d) === a));
    expect(unused).toEqual([]);
  });
});
