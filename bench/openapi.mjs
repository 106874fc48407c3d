// A provider's OpenAPI document with hundreds of operations against a 1,000-interaction consumer
// contract: Treaty's check (`checkAgainstOpenApi`) side by side with PactFlow's comparator
// (@pactflow/openapi-pact-comparator), in one process, on the same document and pact. Each run
// starts from the parsed JSON (schemas compiled anew), as a broker comparing a newly published pair does.
import { performance } from 'node:perf_hooks';
import { Comparator } from '@pactflow/openapi-pact-comparator';
import { checkAgainstOpenApi, parseContract } from '@treaty/core';
import { fmt } from './lib.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * An OpenAPI 3.0 document: `resources` collections, each with GET and POST on /rN and GET, PUT and
 * DELETE on /rN/{id}.
 */
export function openApiDocument(resources) {
  const paths = {};
  const schemas = {};
  for (let r = 0; r < resources; r++) {
    schemas[`Thing${r}`] = {
      type: 'object',
      required: ['id', 'name', 'status'],
      additionalProperties: false,
      properties: {
        id: { type: 'integer', format: 'int64' },
        name: { type: 'string', minLength: 1 },
        status: { type: 'string', enum: ['active', 'retired'] },
        price: { type: 'number', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 20 },
        createdAt: { type: 'string', format: 'date-time' },
      },
    };
    const ref = { $ref: `#/components/schemas/Thing${r}` };
    const json = (schema) => ({ content: { 'application/json': { schema } } });
    const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
    paths[`/r${r}`] = {
      get: {
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } }],
        responses: { 200: { description: 'list', ...json({ type: 'array', items: ref }) } },
      },
      post: {
        requestBody: { required: true, ...json(ref) },
        responses: { 201: { description: 'created', ...json(ref) }, 400: { description: 'bad' } },
      },
    };
    paths[`/r${r}/{id}`] = {
      parameters: [id],
      get: { responses: { 200: { description: 'one', ...json(ref) }, 404: { description: 'none' } } },
      put: {
        requestBody: { required: true, ...json(ref) },
        responses: { 200: { description: 'ok', ...json(ref) } },
      },
      delete: { responses: { 204: { description: 'gone' } } },
    };
  }
  return { openapi: '3.0.3', info: { title: 'Things', version: '1' }, paths, components: { schemas } };
}

/** A V4 pact of `n` HTTP interactions spread over the document's operations, all of which fit. */
export function pactFile(n, resources) {
  const thing = (i) => ({ id: i, name: `thing ${i}`, status: 'active', tags: ['a', 'b'], price: 9.5 });
  const json = { 'Content-Type': 'application/json' };
  const interactions = Array.from({ length: n }, (_, i) => {
    const r = i % resources;
    const kind = Math.floor(i / resources) % 4;
    const base = { type: 'Synchronous/HTTP', description: `interaction ${i}`, key: `k${i}` };
    const body = (v) => ({ content: v, contentType: 'application/json', encoded: false });
    if (kind === 0)
      return {
        ...base,
        request: { method: 'GET', path: `/r${r}`, query: { limit: ['10'] } },
        response: { status: 200, headers: json, body: body([thing(i), thing(i + 1)]) },
      };
    if (kind === 1)
      return {
        ...base,
        request: { method: 'POST', path: `/r${r}`, headers: json, body: body(thing(i)) },
        response: { status: 201, headers: json, body: body(thing(i)) },
      };
    if (kind === 2)
      return {
        ...base,
        request: { method: 'GET', path: `/r${r}/${i}` },
        response: { status: 200, headers: json, body: body(thing(i)) },
      };
    return {
      ...base,
      request: { method: 'PUT', path: `/r${r}/${i}`, headers: json, body: body(thing(i)) },
      response: { status: 200, headers: json, body: body(thing(i)) },
    };
  });
  return {
    consumer: { name: 'web' },
    provider: { name: 'things' },
    interactions,
    metadata: { pactSpecification: { version: '4.0' } },
  };
}

export async function runOpenApiBench({ quick = false } = {}) {
  const resources = 100; // 500 operations
  const interactions = 1000;
  const documentText = JSON.stringify(openApiDocument(resources));
  const pactText = JSON.stringify(pactFile(interactions, resources));
  const runs = quick ? 3 : 7;
  const treaty = [];
  const pactflow = [];
  let treatyErrors = 0;
  let pactflowErrors = 0;
  for (let i = 0; i < runs + 1; i++) {
    // Interleaved, so noise hits both alike; the first round of each warms up and is not counted.
    let t = performance.now();
    const [result] = await checkAgainstOpenApi(JSON.parse(documentText), [parseContract(pactText)]);
    const treatyMs = performance.now() - t;
    treatyErrors = result.interactions.filter((x) => x.status === 'failed').length;
    t = performance.now();
    const comparator = new Comparator(JSON.parse(documentText));
    let errors = 0;
    for await (const finding of comparator.compare(JSON.parse(pactText)))
      if (finding.type === 'error') errors++;
    const pactflowMs = performance.now() - t;
    pactflowErrors = errors;
    if (i > 0) {
      treaty.push(treatyMs);
      pactflow.push(pactflowMs);
    }
  }
  const rows = [
    ['checker', 'median ms', 'errors found', 'note'],
    ['Treaty checkAgainstOpenApi', fmt(median(treaty), 1), String(treatyErrors), 'parse + compile + check'],
    [
      '@pactflow/openapi-pact-comparator 1.7.0',
      fmt(median(pactflow), 1),
      String(pactflowErrors),
      'compile + compare',
    ],
  ];
  return {
    rows,
    results: {
      operations: resources * 5,
      interactions,
      runs,
      treatyMs: median(treaty),
      pactflowMs: median(pactflow),
      ratio: median(pactflow) / median(treaty),
      treatyErrors,
      pactflowErrors,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { table } = await import('./lib.mjs');
  const { rows, results } = await runOpenApiBench({ quick: process.argv.includes('--quick') });
  console.log(
    `OpenAPI document of ${results.operations} operations against a ${results.interactions}-interaction contract, median of ${results.runs} runs\n`,
  );
  console.log(table(rows));
  console.log(`\nTreaty / comparator: ${fmt(results.ratio, 2)}× faster`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
}
