import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConsumerContract,
  isTreatyError,
  parseContract,
  type Contract,
  type HttpInteraction,
  type HttpInteractionBuilder,
  type MultiTemplate,
  type RequestBuilder,
  type ResponseBuilder,
  type StringTemplate,
} from '@treaty/core';
import { expect } from 'vitest';
import { send, type OutgoingRequest, type ReceivedResponse } from './http.js';
import {
  fixture,
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
import { expectMismatch, parseConsumerReport, type ConsumerReport } from './mismatches.js';
import { StepRegistry } from './runner.js';

/** What a consumer scenario builds up: its interactions, the running test and what came back. */
export class ConsumerWorld {
  interactions: InteractionRow[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'treaty-compat-consumer-'));
  contract = new ConsumerContract({
    consumer: 'compat-consumer',
    provider: 'compat-provider',
    dir: this.dir,
  });
  mockUrl = '';
  response: ReceivedResponse | undefined;
  /** Ends the running consumer test; resolves with its error, if it failed. */
  private finish: (() => Promise<unknown>) | undefined;
  private outcome: { error: unknown } | undefined;
  pact: Contract | undefined;
  /** The pact file as JSON, for the V3/V4 scenarios that read its fields. */
  pactJson: Record<string, unknown> | undefined;
  builder: HttpInteractionBuilder | undefined;

  get pactFile(): string {
    return join(this.dir, 'compat-consumer-compat-provider.json');
  }

  /**
   * Runs the consumer test the way a user writes one: `executeTest` holds the mock server open while
   * the scenario's steps send their requests, and the test ends when the scenario says it is done.
   */
  async start(rows: InteractionRow[]): Promise<void> {
    for (const row of rows) defineInteraction(this.contract, row);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started: (url: string) => void = () => undefined;
    const ready = new Promise<string>((r) => {
      started = r;
    });
    const done = this.contract.executeTest(async (mock) => {
      started(mock.url);
      await gate;
    });
    const settled = done.then(
      () => ({ error: undefined }),
      (error: unknown) => ({ error }),
    );
    this.finish = async () => {
      release();
      return (await settled).error;
    };
    this.mockUrl = await Promise.race([
      ready,
      settled.then(({ error }) => {
        throw new Error(`the consumer test ended before it ran: ${String(error)}`);
      }),
    ]);
  }

  /** Ends the consumer test (once) and returns how it went. */
  async done(): Promise<{ error: unknown }> {
    if (this.outcome === undefined) {
      if (this.finish === undefined) throw new Error('no consumer test was started');
      this.outcome = { error: await this.finish() };
    }
    return this.outcome;
  }

  /** The failure report of the finished test (the error's message), parsed. */
  async report(): Promise<ConsumerReport> {
    const { error } = await this.done();
    if (error === undefined) throw new Error('the consumer test passed, so there is no failure report');
    if (!isTreatyError(error) || error.code !== 'TREATY_CONSUMER_TEST_FAILED') throw error;
    return parseConsumerReport(error.message);
  }

  async close(): Promise<void> {
    if (this.finish !== undefined) await this.done();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function matcherFor(rule: Record<string, unknown>, value: unknown): Record<string, unknown> {
  const { match, ...rest } = rule;
  return { 'pact:matcher:type': match, ...rest, value };
}

function segments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[1] ?? m[3] ?? '');
  }
  return out;
}

function replaceAt(value: unknown, path: Array<string | number>, rule: Record<string, unknown>): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return matcherFor(rule, value);
  if (Array.isArray(value) && typeof head === 'number')
    return value.map((v, i) => (i === head ? replaceAt(v, rest, rule) : v));
  if (typeof value === 'object' && value !== null && typeof head === 'string' && head in value)
    return { ...value, [head]: replaceAt((value as Record<string, unknown>)[head], rest, rule) };
  throw new Error(`no value at ${String(head)} for a matching rule`);
}

interface Templates {
  path: unknown;
  query: Record<string, unknown[]>;
  headers: Record<string, unknown[]>;
  body: unknown;
}

/**
 * The request as DSL templates. The fixtures' matching rules (V2 paths) become Pact JS matcher
 * objects at their places, which the DSL takes as they are; the typed matchers would refuse the
 * scenarios' examples that break their own rule (`'a'` for `\w{3}\d{3}`), which is the point there.
 */
function requestTemplates(row: InteractionRow, rules: RawRules | undefined, body: unknown): Templates {
  const t: Templates = { path: row.path, query: {}, headers: {}, body };
  for (const [k, v] of Object.entries(parseQuery(row.query))) t.query[k] = v;
  for (const [k, v] of row.headers) t.headers[k] = [...(t.headers[k] ?? []), v];
  for (const [path, rule] of Object.entries(rules ?? {})) {
    if (path === '$.path') t.path = matcherFor(rule, row.path);
    else if (path.startsWith('$.query.')) {
      const name = path.slice('$.query.'.length);
      const values = t.query[name] ?? [];
      t.query[name] = values.map((v) => matcherFor(rule, v));
    } else if (path.startsWith('$.header.') || path.startsWith('$.headers.')) {
      const name = path.replace(/^\$\.headers?\./, '').toLowerCase();
      const key = Object.keys(t.headers).find((k) => k.toLowerCase() === name);
      if (key === undefined) throw new Error(`no header ${name} for the rule at ${path}`);
      t.headers[key] = (t.headers[key] ?? []).map((v) => matcherFor(rule, v));
    } else if (path === '$.body' || path.startsWith('$.body.') || path.startsWith('$.body[')) {
      t.body = replaceAt(t.body, segments(path.slice('$.body'.length)), rule);
    } else throw new Error(`unsupported matching rule path ${path}`);
  }
  return t;
}

function multi(values: Record<string, unknown[]>): MultiTemplate {
  return values as unknown as MultiTemplate;
}

function setBody(part: RequestBuilder | ResponseBuilder, body: BodySpec, template: unknown): void {
  if (isJson(body.contentType)) part.jsonBody(template, body.contentType);
  else if (isText(body.contentType)) part.body(body.contentType, body.bytes.toString('utf8'));
  else part.body(body.contentType, new Uint8Array(body.bytes));
}

function defineInteraction(contract: ConsumerContract, row: InteractionRow): void {
  const jsonBody =
    row.body !== undefined && isJson(row.body.contentType)
      ? (JSON.parse(row.body.bytes.toString('utf8')) as unknown)
      : undefined;
  const t = requestTemplates(row, row.rules, jsonBody);
  contract
    .addInteraction()
    .uponReceiving(`interaction ${row.n}`)
    .withRequest(row.method, t.path as StringTemplate, (req) => {
      if (Object.keys(t.query).length > 0) req.query(multi(t.query));
      if (Object.keys(t.headers).length > 0) req.headers(multi(t.headers));
      if (row.body !== undefined) setBody(req, row.body, t.body);
    })
    .willRespondWith(row.status, (res) => {
      const headers: Record<string, unknown[]> = {};
      for (const [k, v] of row.responseHeaders) headers[k] = [...(headers[k] ?? []), v];
      if (Object.keys(headers).length > 0) res.headers(multi(headers));
      const b = row.responseBody;
      if (b !== undefined)
        setBody(
          res,
          b,
          isJson(b.contentType) ? (JSON.parse(b.bytes.toString('utf8')) as unknown) : undefined,
        );
    });
}

function outgoing(row: InteractionRow): OutgoingRequest {
  const headers: Array<[string, string]> = [...row.headers];
  if (row.body !== undefined) headers.push(['Content-Type', row.body.contentType]);
  return {
    method: row.method,
    path: row.path,
    query: row.query,
    headers,
    ...(row.body === undefined ? {} : { body: row.body.bytes }),
  };
}

/** The changes table of a step applied to a row (method, path, query, headers, body). */
function changed(row: InteractionRow, changes: Record<string, string>): InteractionRow {
  const out: InteractionRow = { ...row };
  for (const [field, value] of Object.entries(changes)) {
    if (field === 'method') out.method = value;
    else if (field === 'path') out.path = value;
    else if (field === 'query') out.query = value;
    else if (field === 'headers') out.headers = parseHeaderCell(value);
    else if (field === 'body') out.body = parseBodyCell(value, row.body?.contentType);
    else if (field !== 'raw headers') throw new Error(`unsupported change '${field}'`);
  }
  return out;
}

function row(world: ConsumerWorld, n: string | number): InteractionRow {
  const r = world.interactions.find((i) => i.n === Number(n));
  if (r === undefined) throw new Error(`no interaction ${n} in the table`);
  return r;
}

const ordinal: Record<string, number> = { first: 0, second: 1, third: 2 };

function pactInteraction(world: ConsumerWorld, which: string): HttpInteraction {
  if (world.pact === undefined) throw new Error('no pact file was read');
  const i = world.pact.interactions[ordinal[which] ?? -1];
  if (i === undefined || i.type !== 'Synchronous/HTTP') throw new Error(`no ${which} HTTP interaction`);
  return i;
}

function bodyText(b: HttpInteraction['request']['body']): unknown {
  if (b === undefined) return undefined;
  if (b.kind === 'json') return b.value;
  if (b.kind === 'text') return b.text;
  return Buffer.from(b.bytes).toString('base64');
}

/** A fixture as a body value: JSON documents parsed (the pact stores them as JSON, not bytes). */
function fixtureValue(name: string): unknown {
  const bytes = fixture(name);
  return name.endsWith('.json') ? (JSON.parse(bytes.toString('utf8')) as unknown) : bytes.toString('utf8');
}

function header(response: ReceivedResponse, name: string): string | undefined {
  const v = response.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export const consumerSteps = new StepRegistry<ConsumerWorld>()
  .define(/the following HTTP interactions have been defined:/, (w, _a, step) => {
    w.interactions = readInteractions(step.table);
  })
  .define(/the mock server is started with interaction (\d+)/, (w, [n]) => w.start([row(w, n ?? '')]))
  .define(/the mock server is started with interactions "([^"]*)"/, (w, [ids]) =>
    w.start((ids ?? '').split(',').map((id) => row(w, id.trim()))),
  )
  .define(/the mock server is started with interaction (\d+) but with the following changes:/, (w, [n], s) =>
    w.start([changed(row(w, n ?? ''), s.table[0] ?? {})]),
  )
  .define(/request (\d+) is made to the mock server/, async (w, [n]) => {
    w.response = await send(w.mockUrl, outgoing(row(w, n ?? '')));
  })
  .define(/request (\d+) is made to the mock server with the following changes:/, async (w, [n], s) => {
    const changes = s.table[0] ?? {};
    const req = outgoing(changed(row(w, n ?? ''), changes));
    if (changes['raw headers'] !== undefined) req.headers.push(...parseHeaderCell(changes['raw headers']));
    w.response = await send(w.mockUrl, req);
  })
  .define(/a (\d+) (?:success|error) response is returned/, (w, [status]) => {
    expect(w.response?.status, w.response?.body.toString('utf8')).toBe(Number(status));
  })
  // The mock server writes JSON compactly, the fixture is indented: the same document, other bytes.
  .define(/the payload will contain the "([^"]+)" JSON document/, (w, [name]) => {
    expect(JSON.parse(w.response?.body.toString('utf8') ?? '')).toEqual(fixtureValue(`${name}.json`));
  })
  .define(/the content type will be set as "([^"]+)"/, (w, [type]) => {
    expect(w.response && header(w.response, 'content-type')).toBe(type);
  })
  .define(/the pact test is done/, async (w) => {
    await w.done();
  })
  .define(/the mock server status will be OK/, async (w) => {
    const { error } = await w.done();
    expect(error === undefined ? undefined : String(error)).toBeUndefined();
  })
  .define(/the mock server status will NOT be OK/, async (w) => {
    await w.report();
  })
  .define(/the mock server status will be mismatches/, async (w) => {
    const report = await w.report();
    expect(report.unexpected.flatMap((u) => u.mismatches).length).toBeGreaterThan(0);
  })
  // The reference checks that a V1 file was written; Treaty writes V4 (V3 when asked) and reads V1, so
  // the file is read back as a contract and its interactions are what the next steps check.
  .define(/the mock server will write out a Pact file for the interactions? when done/, (w) => {
    expect(existsSync(w.pactFile), 'the pact file is written').toBe(true);
    const text = readFileSync(w.pactFile, 'utf8');
    w.pact = parseContract(text);
    w.pactJson = JSON.parse(text) as Record<string, unknown>;
  })
  .define(/the mock server will NOT write out a Pact file for the interactions? when done/, async (w) => {
    await w.done();
    expect(existsSync(w.pactFile), 'no pact file is written').toBe(false);
  })
  .define(/the pact file will contain \{(\d+)\} interactions?/, (w, [n]) => {
    expect(w.pact?.interactions.length).toBe(Number(n));
  })
  .define(
    /the \{(first|second|third)\} interaction request will be for a "([^"]+)"/,
    (w, [which, method]) => {
      expect(pactInteraction(w, which ?? '').request.method).toBe(method);
    },
  )
  .define(
    /the \{(first|second|third)\} interaction response will contain the "([^"]+)" document/,
    (w, [which, name]) => {
      expect(bodyText(pactInteraction(w, which ?? '').response.body)).toEqual(fixtureValue(name ?? ''));
    },
  )
  .define(
    /the \{(first|second|third)\} interaction request will contain the "([^"]+)" document/,
    (w, [which, name]) => {
      expect(bodyText(pactInteraction(w, which ?? '').request.body)).toEqual(fixtureValue(name ?? ''));
    },
  )
  .define(
    /the \{(first|second|third)\} interaction request query parameters will be "([^"]*)"/,
    (w, [which, query]) => {
      expect(pactInteraction(w, which ?? '').request.query).toEqual(parseQuery(query ?? ''));
    },
  )
  .define(
    /the \{(first|second|third)\} interaction request will contain the header "([^"]+)" with value "([^"]*)"/,
    (w, [which, name, value]) => {
      const headers = pactInteraction(w, which ?? '').request.headers;
      const key = Object.keys(headers).find((k) => k.toLowerCase() === name?.toLowerCase());
      expect(key === undefined ? undefined : headers[key]).toEqual([value]);
    },
  )
  .define(
    /the \{(first|second|third)\} interaction request content type will be "([^"]+)"/,
    (w, [which, ct]) => {
      const request = pactInteraction(w, which ?? '').request;
      const key = Object.keys(request.headers).find((k) => k.toLowerCase() === 'content-type');
      expect(key === undefined ? request.body?.contentType : request.headers[key]?.[0]).toBe(ct);
    },
  )
  .define(
    /the mock server status will be an expected but not received error for interaction \{(\d+)\}/,
    async (w, [n]) => {
      const r = row(w, n ?? '');
      const report = await w.report();
      expect(report.missing).toContainEqual({
        description: `interaction ${r.n}`,
        method: r.method,
        path: r.path,
      });
    },
  )
  .define(
    /the mock server status will be an unexpected "([^"]+)" request received error for interaction \{(\d+)\}/,
    async (w, [method, n]) => {
      const r = row(w, n ?? '');
      const report = await w.report();
      expect(
        report.unexpected.map((u) => ({ method: u.method, path: u.path, query: u.query })),
      ).toContainEqual({
        method,
        path: r.path,
        query: parseQuery(r.query),
      });
    },
  )
  .define(
    /the mock server status will be an unexpected "([^"]+)" request received error for path "([^"]+)"/,
    async (w, [method, path]) => {
      const report = await w.report();
      expect(report.unexpected.map((u) => `${u.method} ${u.path}`)).toContain(`${method} ${path}`);
    },
  )
  .define(/the mismatches will contain a "([\w-]+)" mismatch with error "(.*)"/, async (w, [kind, error]) => {
    expectMismatch(await w.report(), kind ?? '', undefined, error ?? '');
  })
  .define(
    /the mismatches will contain a "([\w-]+)" mismatch with path "([^"]+)" with error "(.*)"/,
    async (w, [kind, path, error]) => {
      expectMismatch(await w.report(), kind ?? '', path, error ?? '');
    },
  );

function builder(w: ConsumerWorld): HttpInteractionBuilder {
  if (w.builder === undefined) throw new Error('no interaction is being defined');
  return w.builder;
}

function firstInteraction(w: ConsumerWorld): Record<string, unknown> {
  const list = w.pactJson?.interactions;
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  if (typeof first !== 'object' || first === null) throw new Error('the pact file has no interaction');
  return first as Record<string, unknown>;
}

function providerStates(w: ConsumerWorld): Array<{ name: string; params?: unknown }> {
  const states = firstInteraction(w).providerStates;
  return Array.isArray(states) ? (states as Array<{ name: string; params?: unknown }>) : [];
}

// The V3 and V4 scenarios define one interaction with the DSL and read the pact file it writes.
consumerSteps
  .define(/an (?:integration|HTTP interaction) is being defined for a consumer test/, (w) => {
    w.builder = w.contract.addInteraction().uponReceiving('interaction for a consumer test');
  })
  .define(/a provider state "([^"]+)" is specified/, (w, [state]) => {
    builder(w).given(state ?? '');
  })
  .define(/a provider state "([^"]+)" is specified with the following data:/, (w, [state], step) => {
    const [names = [], values = []] = step.rows;
    const params = Object.fromEntries(names.map((n, i) => [n, JSON.parse(values[i] ?? 'null') as unknown]));
    builder(w).given(state ?? '', params);
  })
  .define(/a key of "([^"]+)" is specified for the HTTP interaction/, (w, [key]) => {
    builder(w).key(key ?? '');
  })
  .define(/the HTTP interaction is marked as pending/, (w) => {
    builder(w).pending();
  })
  .define(/a comment "([^"]+)" is added to the HTTP interaction/, (w, [text]) => {
    builder(w).comment(text ?? '');
  })
  .define(/the Pact file for the test is generated/, async (w) => {
    builder(w).withRequest('GET', '/compat').willRespondWith(200);
    // A real consumer test: the request goes to the mock server, and the passing test writes the file.
    const response = await builder(w).executeTest((m) =>
      send(m.url, { method: 'GET', path: '/compat', query: '', headers: [] }),
    );
    expect(response.status).toBe(200);
    w.pactJson = JSON.parse(readFileSync(w.pactFile, 'utf8')) as Record<string, unknown>;
  })
  .define(/the interaction in the Pact file will contain (\d+) provider states?/, (w, [n]) => {
    expect(providerStates(w).length).toBe(Number(n));
  })
  .define(/the interaction in the Pact file will contain provider state "([^"]+)"/, (w, [state]) => {
    expect(providerStates(w).map((s) => s.name)).toContain(state);
  })
  .define(
    /the provider state "([^"]+)" in the Pact file will contain the following parameters:/,
    (w, [state], step) => {
      const expected = JSON.parse(step.table[0]?.parameters ?? 'null') as unknown;
      expect(providerStates(w).find((s) => s.name === state)?.params).toEqual(expected);
    },
  )
  .define(/the first interaction in the Pact file will have a type of "([^"]+)"/, (w, [type]) => {
    expect(firstInteraction(w).type).toBe(type);
  })
  .define(/the first interaction in the Pact file will have "([^"]+)" = '(.*)'/, (w, [field, json]) => {
    expect(firstInteraction(w)[field ?? '']).toEqual(JSON.parse(json ?? 'null'));
  });
