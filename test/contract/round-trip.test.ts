import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  matchMessage,
  matchRequest,
  matchResponse,
  parseContract,
  parseMessage,
  parseRequest,
  parseResponse,
  serializeContract,
  type Body,
  type Contract,
  type Interaction,
} from '@treaty/core';
import { referenceDir } from '../support/reference.js';

const fixtures = fileURLToPath(new URL('../fixtures/pact-js/', import.meta.url));
const casesDir = referenceDir('pact-spec-testcases');
const versions: Record<string, string> = {
  v1: '1.0.0',
  'v1.1': '1.1.0',
  v2: '2.0.0',
  v3: '3.0.0',
  v4: '4.0',
};

function withoutKeys(contract: Contract): Contract {
  return {
    ...contract,
    interactions: contract.interactions.map(({ key: _key, ...rest }) => rest as Interaction),
  };
}

/** Drops `key` from V4 interactions so a file without keys compares with ours. */
function stripKeys(json: unknown): unknown {
  const copy = structuredClone(json) as { interactions?: Array<Record<string, unknown>> };
  for (const i of copy.interactions ?? []) delete i.key;
  return copy;
}

describe('files written by Pact JS 16.5 (Rust core)', () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.json'));

  it('has fixtures for V3 and V4, HTTP and messages', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    const text = readFileSync(join(fixtures, file), 'utf8');
    const original = JSON.parse(text) as { metadata: { pactSpecification: { version: string } } };

    it(`${file}: parse → serialize → parse gives the same model, and serializing is byte-stable`, () => {
      const contract = parseContract(text);
      const out = serializeContract(contract);
      const again = parseContract(out);
      expect(withoutKeys(again)).toEqual({ ...withoutKeys(contract), specVersion: '4.0' });
      expect(serializeContract(again)).toBe(out);
      expect(serializeContract(parseContract(text))).toBe(out);
    });

    if (original.metadata.pactSpecification.version === '4.0') {
      it(`${file}: our V4 output is the same JSON as Pact's, rule for rule`, () => {
        const ours = JSON.parse(serializeContract(parseContract(text)));
        expect(stripKeys(ours)).toEqual(stripKeys(original));
      });
    }
  }

  for (const file of files) {
    const text = readFileSync(join(fixtures, file), 'utf8');
    if (
      (JSON.parse(text) as { metadata: { pactSpecification: { version: string } } }).metadata
        .pactSpecification.version !== '3.0.0'
    )
      continue;
    it(`${file}: written back as V3, it is byte for byte the file Pact wrote`, () => {
      // Pact writes no trailing newline; Treaty ends its files with one.
      expect(serializeContract(parseContract(text), { specVersion: 3 })).toBe(`${text.replace(/\n$/, '')}\n`);
    });
  }

  /*
   * What V3 cannot say, and so is compared modulo: V4 annotations (key, pending, comments, plugin
   * configuration, markup); several values of one header (V3 joins them with ', '); a body's own
   * content type when a Content-Type header says otherwise (V3 has only the header).
   */
  function asV3Sees(i: Interaction): unknown {
    const {
      key: _k,
      pending: _p,
      comments: _c,
      pluginConfiguration: _pc,
      interactionMarkup: _m,
      ...rest
    } = i;
    if (rest.type !== 'Synchronous/HTTP') return rest;
    const part = <T extends { headers: Record<string, string[]>; body?: { contentType?: string } }>(
      p: T,
    ): T => {
      const headers = Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, [v.join(', ')]]));
      const declared = Object.entries(p.headers)
        .find(([k]) => k.toLowerCase() === 'content-type')?.[1]
        .join(', ');
      const body =
        p.body === undefined || declared === undefined ? p.body : { ...p.body, contentType: declared };
      return { ...p, headers, ...(body === undefined ? {} : { body }) };
    };
    return { ...rest, request: part(rest.request), response: part(rest.response) };
  }

  for (const file of ['pactjs-web-pactjs-orders-v4.json', 'pactjs-web-pactjs-annotated.json']) {
    it(`${file}: the V3 file Treaty writes for it reads back as the same HTTP interactions`, () => {
      const contract = parseContract(readFileSync(join(fixtures, file), 'utf8'));
      const v3 = serializeContract(contract, { specVersion: 3 });
      const back = parseContract(v3);
      expect(back.specVersion).toBe('3.0.0');
      // Bytes under a textual content type (the Content-Type header first, as a V3 reader goes by it)
      // are written to V3 as their text and read back as text; bytes under any other content type are
      // written as base64 and read back as the same bytes, as Pact's Rust core reads them.
      const bytesAsV3Text = (i: Interaction): Interaction => {
        if (i.type !== 'Synchronous/HTTP') return i;
        const part = <T extends { body?: Body; headers: Record<string, string[]> }>(p: T): T => {
          const header = Object.entries(p.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1][0];
          if (p.body?.kind !== 'binary' || !/^text\//.test(header ?? p.body.contentType ?? '')) return p;
          const { bytes, ...rest } = p.body;
          return { ...p, body: { ...rest, kind: 'text', text: new TextDecoder().decode(bytes) } };
        };
        return { ...i, request: part(i.request), response: part(i.response) };
      };
      expect(
        contract.interactions.some(
          (i) =>
            i.type === 'Synchronous/HTTP' &&
            (i.request.body?.kind === 'binary' || i.response.body?.kind === 'binary'),
        ),
      ).toBe(true);
      expect(back.interactions.map(asV3Sees)).toEqual(contract.interactions.map(bytesAsV3Text).map(asV3Sees));
      expect(serializeContract(back, { specVersion: 3 })).toBe(v3);
    });
  }

  it('keeps the V4 annotations, states, rules and generators of the Pact JS V4 file', () => {
    const contract = parseContract(readFileSync(join(fixtures, 'pactjs-web-pactjs-annotated.json'), 'utf8'));
    const [search, upload] = contract.interactions;
    if (search?.type !== 'Synchronous/HTTP' || upload?.type !== 'Synchronous/HTTP')
      throw new Error('expected HTTP interactions');
    expect(search.pending).toBe(true);
    expect(search.comments).toEqual({
      text: ['searches are paged'],
      testname: 'search.spec.ts > pages results',
      owner: 'team-web',
      references: { jira: { ticket: 'WEB-42' } },
    });
    expect(search.providerStates).toEqual([
      { name: 'catalogue has items', params: { count: 2, kinds: ['book', 'game'] } },
      { name: 'the user is an admin' },
    ]);
    expect(search.request.query).toEqual({ q: ['book'], since: ['2024-05-01T10:00:00'], tag: ['a', 'b'] });
    expect(search.request.headers.Accept).toEqual(['application/json', 'text/plain']);
    expect(search.response.matchingRules.status?.rules).toEqual([{ match: 'statusCode', status: 'success' }]);
    const results = search.response.matchingRules.body?.['$.results']?.rules[0];
    expect(results?.match === 'arrayContains' && results.variants.map((v) => v.generators)).toEqual([
      { '$.id': { type: 'RandomInt', min: 0, max: 10 } },
      { '$.rating': { type: 'RandomDecimal', digits: 10 } },
    ]);
    expect(search.response.generators.body?.['$.next']).toMatchObject({ type: 'MockServerURL' });
    expect(upload.request.generators.path).toEqual({
      type: 'ProviderState',
      expression: '/images/${imageId}',
    });
    expect(upload.request.body).toEqual({
      kind: 'binary',
      bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]),
      contentType: 'image/png',
    });
    // Pact JS writes no keys; Treaty computes one per interaction, distinct and stable.
    const keys = (
      JSON.parse(serializeContract(contract)) as { interactions: Array<{ key: string }> }
    ).interactions.map((i) => i.key);
    expect(new Set(keys).size).toBe(2);
    expect(parseContract(serializeContract(contract)).interactions.map((i) => i.key)).toEqual(keys);
  });

  it('keeps every matching rule, generator and provider state of the Pact JS V3 file', () => {
    const contract = parseContract(readFileSync(join(fixtures, 'pactjs-web-pactjs-orders-v3.json'), 'utf8'));
    const first = contract.interactions[0];
    if (first?.type !== 'Synchronous/HTTP') throw new Error('expected an HTTP interaction');
    expect(first.providerStates).toEqual([
      { name: 'order 1 exists', params: { id: 1 } },
      { name: 'the user is logged in' },
    ]);
    expect(first.request.matchingRules.path?.rules[0]).toEqual({ match: 'regex', regex: '/orders/\\d+' });
    const body = first.response.matchingRules.body ?? {};
    expect(body['$.items']?.rules).toEqual([{ match: 'type', min: 1 }]);
    expect(body['$.createdAt']?.rules).toEqual([{ match: 'datetime', format: "yyyy-MM-dd'T'HH:mm:ss" }]);
    expect(body['$.attributes']?.rules[0]?.match).toBe('eachKey');
    expect(first.response.generators.body?.['$.selfLink']).toMatchObject({
      type: 'ProviderState',
      expression: '/orders/${id}',
    });
  });
});

/** `again` with body content types removed wherever `model` had none. */
function withoutDefaultedTypes(again: unknown, model: unknown): unknown {
  if (
    again === null ||
    typeof again !== 'object' ||
    model === null ||
    typeof model !== 'object' ||
    again instanceof Uint8Array
  )
    return again;
  if (Array.isArray(again)) return again.map((x, i) => withoutDefaultedTypes(x, (model as unknown[])[i]));
  const a = again as Record<string, unknown>;
  const m = model as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (k === 'contentType' && 'kind' in a && !('contentType' in m)) continue;
    out[k] = withoutDefaultedTypes(v, m[k]);
  }
  return out;
}

describe('the spec cases wrapped in contract files of their own version', () => {
  const files = readdirSync(casesDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => relative(casesDir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();

  function wrap(folder: string, category: string, expected: unknown): unknown {
    const version = versions[folder] as string;
    const metadata = { pactSpecification: { version } };
    const base = { consumer: { name: 'c' }, provider: { name: 'p' }, metadata };
    if (category === 'request')
      return { ...base, interactions: [{ description: 'd', request: expected, response: { status: 200 } }] };
    if (category === 'response')
      return {
        ...base,
        interactions: [{ description: 'd', request: { method: 'GET', path: '/' }, response: expected }],
      };
    if (version === '4.0')
      return {
        ...base,
        interactions: [{ type: 'Asynchronous/Messages', description: 'd', ...(expected as object) }],
      };
    return { ...base, messages: [{ description: 'd', ...(expected as object) }] };
  }

  function verdict(category: string, i: Interaction, actual: unknown, version: string): boolean {
    if (category === 'request' && i.type === 'Synchronous/HTTP')
      return matchRequest(i.request, parseRequest(actual, version)).length === 0;
    if (category === 'response' && i.type === 'Synchronous/HTTP')
      return matchResponse(i.response, parseResponse(actual, version)).length === 0;
    if (category === 'message' && i.type === 'Asynchronous/Messages')
      return matchMessage(i.message, parseMessage(actual, version)).length === 0;
    throw new Error(`unexpected interaction ${i.type} for ${category}`);
  }

  it('every case keeps its model through V4 and its verdict after a round trip through V4, and through V3 where V3 can hold it', () => {
    const failures: string[] = [];
    for (const file of files) {
      const [folder = '', category = ''] = file.split('/');
      const data = JSON.parse(readFileSync(join(casesDir, file), 'utf8').replace(/^\uFEFF/, '')) as {
        match: boolean;
        expected: unknown;
        actual: unknown;
      };
      const contract = parseContract(JSON.stringify(wrap(folder, category, data.expected)));
      const version = versions[folder] as string;
      // V1 compares query strings literally; V3 and V4 files cannot say that, so after the upgrade
      // the V1.1+ rules apply (as in Pact's reference implementation): that is the verdict to keep.
      const original = contract.interactions[0] as Interaction;
      let want = data.match;
      if (original.type === 'Synchronous/HTTP' && original.request.rawQuery !== undefined) {
        const { rawQuery: _e, ...exp } = original.request;
        const { rawQuery: _a, ...act } = parseRequest(data.actual, version);
        want = matchRequest(exp, act).length === 0;
      }
      const v4 = parseContract(serializeContract(contract));
      const { rawQuery: _raw, ...withoutRaw } =
        original.type === 'Synchronous/HTTP' ? original.request : { rawQuery: undefined };
      const model = original.type === 'Synchronous/HTTP' ? { ...original, request: withoutRaw } : original;
      // A V4 body object always names its content type, so a body that had none gains the default.
      const [again] = withoutKeys(v4).interactions;
      if (!isDeepStrictEqual(again, model) && !isDeepStrictEqual(withoutDefaultedTypes(again, model), model))
        failures.push(`${file}: model changed through V4`);
      for (const target of [4, 3] as const) {
        const text = serializeContract(contract, { specVersion: target });
        const back = parseContract(text);
        const interaction = back.interactions[0] as Interaction;
        if (serializeContract(back, { specVersion: target }) !== text)
          failures.push(`${file}: V${target} bytes not stable`);
        if (verdict(category, interaction, data.actual, version) !== want)
          failures.push(`${file}: verdict changed after V${target}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('number forms', () => {
  it('keeps 100.0 as 100.0 through parse and serialize', () => {
    const text = JSON.stringify({
      consumer: { name: 'c' },
      provider: { name: 'p' },
      interactions: [
        {
          description: 'd',
          request: { method: 'GET', path: '/' },
          response: { status: 200, body: { a: 1, b: 2.5 } },
        },
      ],
      metadata: { pactSpecification: { version: '3.0.0' } },
    }).replace('"a":1', '"a":100.0');
    const out = serializeContract(parseContract(text));
    expect(out).toContain('"a": 100.0');
    expect(out).toContain('"b": 2.5');
  });

  it('tells integer from decimal by the written form of the actual body', () => {
    const expected = parseResponse(
      {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: { n: 1 },
        matchingRules: { body: { '$.n': { matchers: [{ match: 'integer' }] } } },
      },
      '3.0.0',
    );
    const written = (n: string) =>
      parseResponse(
        {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
          // `encoded: 'JSON'`: the content is the JSON text as written (an unencoded string under a
          // JSON content type would be a JSON string value).
          body: { content: `{"n": ${n}}`, encoded: 'JSON' },
        },
        '4.0',
      );
    expect(matchResponse(expected, written('100'))).toEqual([]);
    expect(matchResponse(expected, written('100.0'))).toHaveLength(1);
    expect(matchResponse(expected, written('100.0'))[0]?.message).toContain('written as a decimal');
  });
});
