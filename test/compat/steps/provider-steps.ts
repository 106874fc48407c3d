import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, SqliteStore } from '@treaty/broker';
import {
  verifyProvider,
  type InteractionResult,
  type JsonObject,
  type VerificationResult,
  type VerifyOptions,
} from '@treaty/core';
import { expect } from 'vitest';
import {
  isJson,
  isText,
  parseBodyCell,
  parseHeaderCell,
  parseQuery,
  readInteractions,
  type BodySpec,
  type InteractionRow,
  type RawRules,
} from './interactions.js';
import { StepRegistry } from './runner.js';

interface StateCall {
  state: string;
  params: JsonObject;
  action: string;
}

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/**
 * The provider under test: a real HTTP server on loopback answering the responses of some
 * interactions (by method, path and query; anything else gets a 500), with a state-change endpoint
 * standing for the scenarios' "provider state callback".
 */
class ProviderServer {
  readonly requests: RecordedRequest[] = [];
  readonly stateCalls: StateCall[] = [];
  /** Everything the provider was sent, in order: `setup`, `request` and `teardown`. */
  readonly events: string[] = [];
  stateFails = false;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(rows: InteractionRow[]): Promise<ProviderServer> {
    let self: ProviderServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const me = self as ProviderServer;
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'POST' && url.pathname === '/_compat/state') {
          const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StateCall;
          me.stateCalls.push(call);
          me.events.push(call.action);
          res.writeHead(me.stateFails ? 500 : 200, { 'Content-Type': 'application/json' });
          res.end(me.stateFails ? '{"error":"state change failed"}' : '{}');
          return;
        }
        me.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
        me.events.push('request');
        const row = rows.find(
          (r) =>
            r.method === req.method &&
            r.path === url.pathname &&
            (r.query === '' ||
              JSON.stringify(parseQuery(r.query)) === JSON.stringify(parseQuery(url.search))),
        );
        if (row === undefined) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`no response for ${req.method} ${req.url}`);
          return;
        }
        const headers: Record<string, string[]> = {};
        for (const [k, v] of row.responseHeaders) headers[k] = [...(headers[k] ?? []), v];
        if (row.responseBody !== undefined) headers['Content-Type'] = [row.responseBody.contentType];
        res.writeHead(row.status, headers);
        res.end(row.responseBody?.bytes);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new ProviderServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** A Treaty broker as it runs: fastify on loopback over a SQLite file in a temp folder. */
interface RunningBroker {
  url: string;
  store: SqliteStore;
  close: () => Promise<void>;
}

async function startBroker(dir: string): Promise<RunningBroker> {
  const store = SqliteStore.open(join(dir, 'broker.sqlite'));
  const app = await buildApp({ store, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    store,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

interface PactOptions {
  states?: Array<{ name: string; params?: JsonObject }>;
  pending?: boolean;
  comments?: { text?: string[]; testname?: string };
}

export class ProviderWorld {
  interactions: InteractionRow[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'treaty-compat-provider-'));
  provider: ProviderServer | undefined;
  pactFiles: string[] = [];
  broker: RunningBroker | undefined;
  publish = false;
  stateCallback = false;
  filterHeaders: Array<[string, string]> | undefined;
  result: VerificationResult | undefined;

  constructor(readonly specVersion: number) {}

  row(n: string | number): InteractionRow {
    const r = this.interactions.find((i) => i.n === Number(n));
    if (r === undefined) throw new Error(`no interaction ${n} in the table`);
    return r;
  }

  async startProvider(rows: InteractionRow[]): Promise<void> {
    this.provider = await ProviderServer.start(rows);
  }

  /** The pact file for one interaction, written as the feature's spec version writes it. */
  pact(row: InteractionRow, options: PactOptions = {}): Record<string, unknown> {
    return pactDocument(this.specVersion, `c_${row.n}`, row, options);
  }

  addPactFile(row: InteractionRow, options: PactOptions = {}): void {
    const file = join(this.dir, `c_${row.n}-p-${this.pactFiles.length}.json`);
    writeFileSync(file, JSON.stringify(this.pact(row, options)));
    this.pactFiles.push(file);
  }

  async addBrokerPact(row: InteractionRow): Promise<void> {
    this.broker ??= await startBroker(this.dir);
    const consumer = `c_${row.n}`;
    const res = await fetch(`${this.broker.url}/contracts/publish`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        pacticipantName: consumer,
        pacticipantVersionNumber: '1.0.0',
        branch: 'main',
        contracts: [
          {
            consumerName: consumer,
            providerName: 'p',
            specification: 'pact',
            contentType: 'application/json',
            content: Buffer.from(JSON.stringify(this.pact(row))).toString('base64'),
          },
        ],
      }),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
  }

  /** The verifications the broker holds for a consumer's pact. */
  async verifications(n: string): Promise<boolean[]> {
    if (this.broker === undefined) throw new Error('no broker was started');
    const pact = await this.broker.store.latestPact(`c_${n}`, 'p');
    if (pact === undefined) throw new Error(`the broker has no pact of c_${n}`);
    const list = await this.broker.store.verificationsFor(`c_${n}`, 'p', pact.sha);
    return list.map((v) => v.success);
  }

  async verify(): Promise<void> {
    const provider = this.provider;
    if (provider === undefined) throw new Error('no provider was started');
    const filter = this.filterHeaders;
    const options: VerifyOptions = {
      providerBaseUrl: provider.url,
      ...(this.pactFiles.length === 0 ? {} : { pacts: this.pactFiles }),
      ...(this.broker === undefined
        ? {}
        : { provider: 'p', broker: { baseUrl: this.broker.url, consumerVersionSelectors: [] } }),
      ...(this.publish ? { publishVerificationResults: true, providerVersion: '1.2.3' } : {}),
      ...(this.stateCallback ? { providerStatesSetupUrl: `${provider.url}/_compat/state` } : {}),
      ...(filter === undefined
        ? {}
        : {
            requestFilter: (r) => ({ ...r, headers: { ...r.headers, ...Object.fromEntries(filter) } }),
          }),
      timeoutMs: 5000,
    };
    this.result = await verifyProvider(options);
  }

  /** What the verification said, short enough for an assertion message. */
  summary(): string {
    return this.results()
      .map((r) => {
        const why = [r.error, ...r.mismatches.map((m) => m.message)].filter((x) => x !== undefined);
        return `${r.status} ${r.description}: ${why.map((x) => x.slice(0, 160)).join('; ')}`;
      })
      .join('\n');
  }

  results(): InteractionResult[] {
    if (this.result === undefined) throw new Error('the verification was not run');
    return this.result.contracts.flatMap((c) => c.interactions);
  }

  async close(): Promise<void> {
    await this.provider?.close();
    await this.broker?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A body in a V1–V3 pact: JSON as JSON, text as a string, bytes base64-encoded (as Pact writes them). */
function bodyValue(body: BodySpec): unknown {
  if (isJson(body.contentType)) return JSON.parse(body.bytes.toString('utf8')) as unknown;
  if (isText(body.contentType)) return body.bytes.toString('utf8');
  return body.bytes.toString('base64');
}

function v4Body(body: BodySpec): Record<string, unknown> {
  if (isJson(body.contentType))
    return { content: bodyValue(body), contentType: body.contentType, encoded: false };
  if (isText(body.contentType))
    return { content: body.bytes.toString('utf8'), contentType: body.contentType, encoded: false };
  return { content: body.bytes.toString('base64'), contentType: body.contentType, encoded: 'base64' };
}

function headerMap(
  headers: Array<[string, string]>,
  body: BodySpec | undefined,
  lists: boolean,
): Record<string, string | string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const [k, v] of headers) out[k] = [...(out[k] ?? []), v];
  if (body !== undefined) out['Content-Type'] = [body.contentType];
  if (Object.keys(out).length === 0) return undefined;
  return lists ? out : Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.join(', ')]));
}

/** V2 rule paths (`$.body.one`, `$.header.x-test`) in the V3/V4 layout: by category, `matchers` lists. */
function v3Rules(rules: RawRules): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  const put = (category: string, key: string | undefined, rule: Record<string, unknown>): void => {
    const entry = { combine: 'AND', matchers: [rule] };
    if (key === undefined) out[category] = entry;
    else out[category] = { ...out[category], [key]: entry };
  };
  for (const [path, rule] of Object.entries(rules)) {
    if (path === '$.path') put('path', undefined, rule);
    else if (path.startsWith('$.query.')) put('query', path.slice(8), rule);
    else if (path.startsWith('$.header.')) put('header', path.slice(9), rule);
    else if (path.startsWith('$.body')) put('body', `$${path.slice(6)}`, rule);
    else throw new Error(`unsupported matching rule path ${path}`);
  }
  return out;
}

function pactDocument(
  spec: number,
  consumer: string,
  row: InteractionRow,
  options: PactOptions,
): Record<string, unknown> {
  const v4 = spec >= 4;
  const rules = (r: RawRules | undefined): Record<string, unknown> =>
    r === undefined ? {} : { matchingRules: spec >= 3 ? v3Rules(r) : r };
  const body = (b: BodySpec | undefined): Record<string, unknown> =>
    b === undefined ? {} : { body: v4 ? v4Body(b) : bodyValue(b) };
  const headers = (h: Array<[string, string]>, b: BodySpec | undefined): Record<string, unknown> => {
    const map = headerMap(h, b, v4);
    return map === undefined ? {} : { headers: map };
  };
  const query = row.query === '' ? {} : { query: spec >= 3 ? parseQuery(row.query) : row.query };
  const states = options.states ?? [];
  const interaction: Record<string, unknown> = {
    ...(v4 ? { type: 'Synchronous/HTTP' } : {}),
    description: `interaction ${row.n}`,
    ...(states.length === 0
      ? {}
      : spec >= 3
        ? { providerStates: states.map((s) => ({ name: s.name, ...(s.params ? { params: s.params } : {}) })) }
        : { providerState: states[0]?.name }),
    request: {
      method: row.method,
      path: row.path,
      ...query,
      ...headers(row.headers, row.body),
      ...body(row.body),
      ...rules(row.rules),
    },
    response: {
      status: row.status,
      ...headers(row.responseHeaders, row.responseBody),
      ...body(row.responseBody),
      ...rules(row.responseRules),
    },
    ...(v4 && options.pending === true ? { pending: true } : {}),
    ...(v4 && options.comments !== undefined ? { comments: options.comments } : {}),
  };
  const version = ['1.0.0', '1.0.0', '2.0.0', '3.0.0', '4.0'][spec] ?? '4.0';
  return {
    consumer: { name: consumer },
    provider: { name: 'p' },
    interactions: [interaction],
    metadata: { pactSpecification: { version } },
  };
}

/** The changes table of "a provider is started … with the following changes" applied to a row. */
function changedResponse(row: InteractionRow, changes: Record<string, string>): InteractionRow {
  const out: InteractionRow = { ...row };
  for (const [field, value] of Object.entries(changes)) {
    if (field === 'response' || field === 'status') out.status = Number(value);
    else if (field === 'response headers' || field === 'headers')
      out.responseHeaders = [...row.responseHeaders, ...parseHeaderCell(value)];
    else if (field === 'response body' || field === 'body')
      out.responseBody = parseBodyCell(value, row.responseBody?.contentType);
    else throw new Error(`unsupported change '${field}'`);
  }
  return out;
}

/** The JSON values of a one-row table: `| name | age |` / `| "Bob" | 22 |`. */
function tableParams(rows: string[][]): JsonObject {
  const [names = [], values = []] = rows;
  return Object.fromEntries(names.map((n, i) => [n, JSON.parse(values[i] ?? 'null') as JsonObject[string]]));
}

/*
 * What the reference implementation's verifier reports, read for its meaning: "Response status did
 * not match" is a status mismatch, "Headers had differences" a header mismatch, "Body had
 * differences" a body mismatch, and "State change request failed" an interaction that could not be
 * verified because the state change failed.
 */
function hasError(results: InteractionResult[], error: string): boolean {
  const part: Record<string, string> = {
    'Response status did not match': 'status',
    'Headers had differences': 'header',
    'Body had differences': 'body',
  };
  const p = part[error];
  if (p !== undefined) return results.some((r) => r.mismatches.some((m) => m.part === p));
  if (error === 'State change request failed')
    return results.some((r) => r.status === 'error' && /state change/i.test(r.error ?? ''));
  throw new Error(`no reading of the expected error: ${error}`);
}

function calls(w: ProviderWorld, action: string): StateCall[] {
  return (w.provider?.stateCalls ?? []).filter((c) => c.action === action);
}

export const providerSteps = new StepRegistry<ProviderWorld>()
  .define(/the following HTTP interactions have been defined:/, (w, _a, step) => {
    w.interactions = readInteractions(step.table);
  })
  .define(/a provider is started that returns the response from interaction (\d+)/, (w, [n]) =>
    w.startProvider([w.row(n ?? '')]),
  )
  .define(/a provider is started that returns the responses from interactions "([^"]*)"/, (w, [ids]) =>
    w.startProvider((ids ?? '').split(',').map((id) => w.row(id.trim()))),
  )
  .define(
    /a provider is started that returns the response from interaction (\d+), with the following changes:/,
    (w, [n], step) => w.startProvider([changedResponse(w.row(n ?? ''), step.table[0] ?? {})]),
  )
  .define(/a Pact file for interaction (\d+) is to be verified/, (w, [n]) => w.addPactFile(w.row(n ?? '')))
  .define(/a Pact file for interaction (\d+) is to be verified, but is marked pending/, (w, [n]) =>
    w.addPactFile(w.row(n ?? ''), { pending: true }),
  )
  .define(
    /a Pact file for interaction (\d+) is to be verified with a provider state "([^"]*)" defined/,
    (w, [n, s]) => w.addPactFile(w.row(n ?? ''), { states: [{ name: s ?? '' }] }),
  )
  .define(
    /a Pact file for interaction (\d+) is to be verified with the following provider states defined:/,
    (w, [n], step) =>
      w.addPactFile(w.row(n ?? ''), {
        states: step.table.map((r) => ({
          name: r['State Name'] ?? '',
          ...(r.Parameters ? { params: JSON.parse(r.Parameters) as JsonObject } : {}),
        })),
      }),
  )
  .define(
    /a Pact file for interaction (\d+) is to be verified with the following comments:/,
    (w, [n], step) => {
      const comments: { text?: string[]; testname?: string } = {};
      for (const r of step.table) {
        if (r.type === 'text') comments.text = [...(comments.text ?? []), r.comment ?? ''];
        else if (r.type === 'testname') comments.testname = r.comment ?? '';
      }
      w.addPactFile(w.row(n ?? ''), { comments });
    },
  )
  .define(/a Pact file for interaction (\d+) is to be verified from a Pact broker/, (w, [n]) =>
    w.addBrokerPact(w.row(n ?? '')),
  )
  .define(/publishing of verification results is enabled/, (w) => {
    w.publish = true;
  })
  .define(/a provider state callback is configured/, (w) => {
    w.stateCallback = true;
  })
  .define(/a provider state callback is configured, but will return a failure/, (w) => {
    w.stateCallback = true;
    if (w.provider === undefined) throw new Error('no provider was started');
    w.provider.stateFails = true;
  })
  .define(/a request filter is configured to make the following changes:/, (w, _a, step) => {
    const changes = step.table[0] ?? {};
    for (const field of Object.keys(changes))
      if (field !== 'headers') throw new Error(`unsupported request filter change '${field}'`);
    w.filterHeaders = parseHeaderCell(changes.headers ?? '');
  })
  .define(/the verification is run/, (w) => w.verify())
  .define(/the verification will be successful/, (w) => {
    expect(w.result?.passed, w.summary()).toBe(true);
  })
  .define(/the verification will NOT be successful/, (w) => {
    expect(w.result?.passed, w.summary()).toBe(false);
  })
  .define(/the verification results will contain a "([^"]+)" error/, (w, [error]) => {
    expect(hasError(w.results(), error ?? ''), w.summary()).toBe(true);
  })
  .define(/there will be a pending "([^"]+)" error/, (w, [error]) => {
    const pending = w.results().filter((r) => r.status === 'pending');
    expect(hasError(pending, error ?? ''), w.summary()).toBe(true);
  })
  .define(/a verification result will NOT be published back/, async (w) => {
    if (w.broker === undefined) throw new Error('no broker was started');
    expect((await w.broker.store.stats()).verifications).toBe(0);
    expect(w.result?.contracts.every((c) => c.published === undefined)).toBe(true);
  })
  .define(
    /a successful verification result will be published back for interaction \{(\d+)\}/,
    async (w, [n]) => {
      expect(await w.verifications(n ?? '')).toEqual([true]);
    },
  )
  .define(
    /a failed verification result will be published back for the interaction \{(\d+)\}/,
    async (w, [n]) => {
      expect(await w.verifications(n ?? '')).toEqual([false]);
    },
  )
  .define(/the provider state callback will be called before the verification is run/, (w) => {
    const events = w.provider?.events ?? [];
    expect(events).toContain('setup');
    if (events.includes('request')) expect(events.indexOf('setup')).toBeLessThan(events.indexOf('request'));
  })
  .define(/the provider state callback will be called after the verification is run/, (w) => {
    const events = w.provider?.events ?? [];
    expect(events.lastIndexOf('teardown')).toBeGreaterThan(events.lastIndexOf('request'));
  })
  .define(
    /the provider state callback will receive a setup call with "([^"]*)" as the provider state parameter/,
    (w, [s]) => {
      expect(calls(w, 'setup').map((c) => c.state)).toContain(s);
    },
  )
  .define(
    /the provider state callback will receive a teardown call "([^"]*)" as the provider state parameter/,
    (w, [s]) => {
      expect(calls(w, 'teardown').map((c) => c.state)).toContain(s);
    },
  )
  .define(
    /the provider state callback will receive a (setup|teardown) call (?:with )?"([^"]*)" and the following parameters:/,
    (w, [action, s], step) => {
      expect(calls(w, action ?? '')).toContainEqual({ state: s, params: tableParams(step.rows), action });
    },
  )
  .define(/the provider state callback will NOT receive a teardown call/, (w) => {
    expect(calls(w, 'teardown')).toEqual([]);
  })
  // verifyProvider prints nothing: what the reference verifier prints to the console (warnings, the
  // interaction's comments and test name), Treaty's verifier reports on each interaction's result.
  .define(
    /a warning will be displayed that there was no provider state callback configured for provider state "([^"]*)"/,
    (w, [s]) => {
      const warnings = w.results().flatMap((r) => r.warnings ?? []);
      expect(
        warnings.some((x) => x.includes(`'${s}'`)),
        warnings.join('\n'),
      ).toBe(true);
    },
  )
  .define(/the request to the provider will contain the header "([^"]+)"/, (w, [h]) => {
    const [[name, value] = ['', '']] = parseHeaderCell(h ?? '');
    const requests = w.provider?.requests ?? [];
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) expect(r.headers[name.toLowerCase()]).toBe(value);
  })
  .define(/the comment "([^"]+)" will have been printed to the console/, (w, [c]) => {
    expect(w.results().flatMap((r) => r.comments?.text ?? [])).toContain(c);
  })
  .define(/the "([^"]+)" will displayed as the original test name/, (w, [name]) => {
    expect(w.results().map((r) => r.comments?.testname)).toContain(name);
  });
