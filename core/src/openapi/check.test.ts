import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Contract, JsonObject, JsonValue } from '../contract/model.js';
import { parseContract } from '../contract/parse.js';
import { OpenApiChecker, checkAgainstOpenApi } from './check.js';
import { loadOpenApi } from './load.js';

// The Petstore 3.0 document as @readme/oas-examples ships it (MIT): written by nobody here.
const petstore = fileURLToPath(import.meta.resolve('@readme/oas-examples/3.0/yaml/petstore.yaml'));

/** A V3 contract with these interactions. */
function contract(...interactions: JsonObject[]): Contract {
  return parseContract(
    JSON.stringify({
      consumer: { name: 'web' },
      provider: { name: 'pets' },
      interactions: interactions.map((i, n) => ({ description: `interaction ${n}`, ...i })),
      metadata: { pactSpecification: { version: '3.0.0' } },
    }),
  );
}

const json = { 'Content-Type': 'application/json' };
const getPet = (body: JsonObject, extra: JsonObject = {}): JsonObject => ({
  request: { method: 'GET', path: '/v2/pet/1', headers: { api_key: 'k' } },
  response: { status: 200, headers: json, body, ...extra },
});

async function findings(doc: string | JsonObject, ...interactions: JsonObject[]) {
  const [result] = await checkAgainstOpenApi(doc as never, [contract(...interactions)]);
  return (result?.interactions ?? []).map((i) => ({
    status: i.status,
    errors: i.findings.filter((f) => f.level === 'error').map((f) => `${f.code} ${f.path} ${f.pointer}`),
    warnings: i.findings.filter((f) => f.level === 'warning').map((f) => f.code),
  }));
}

describe('checking contracts against the Petstore (3.0, YAML)', () => {
  it('passes a contract that fits, matchers counted', async () => {
    const [r] = await findings(
      petstore,
      getPet(
        { id: 1, name: 'doggie', photoUrls: ['https://x/1.png'], status: 'whatever', tags: [{ id: 1 }] },
        // a type matcher accepts any string, so the example need not be one of the enum's values
        { matchingRules: { body: { '$.status': { matchers: [{ match: 'type' }] } } } },
      ),
    );
    expect(r).toEqual({ status: 'passed', errors: [], warnings: [] });
  });

  it('fails a field the schema does not declare (a removed field)', async () => {
    const loaded = await loadOpenApi(petstore);
    const schemas = (loaded.document.components as JsonObject).schemas as Record<string, JsonObject>;
    const properties = schemas.Pet?.properties as JsonObject;
    delete properties.status;
    const checker = new OpenApiChecker(loaded);
    const c = contract(getPet({ id: 1, name: 'doggie', status: 'sold' }));
    const [r] = checker.checkContract(c).interactions;
    expect(r?.status).toBe('failed');
    const errors = r?.findings.filter((f) => f.level === 'error');
    expect(errors?.map((f) => [f.code, f.path, f.pointer])).toEqual([
      ['response.body.incompatible', '$.interactions[0].response.body.status', '/components/schemas/Pet'],
    ]);
  });

  it('fails a wrong type, naming the schema keyword', async () => {
    const [r] = await findings(petstore, getPet({ id: 1, name: 5 }));
    expect(r?.errors).toEqual([
      'response.body.incompatible $.interactions[0].response.body.name /components/schemas/Pet/properties/name/type',
    ]);
  });

  it('fails an undocumented status and an unknown path', async () => {
    const rs = await findings(
      petstore,
      {
        request: { method: 'GET', path: '/v2/store/inventory', headers: { api_key: 'k' } },
        response: { status: 418 },
      },
      { request: { method: 'GET', path: '/v2/pets/1' }, response: { status: 200 } },
      { request: { method: 'PATCH', path: '/v2/pet/1' }, response: { status: 200 } },
    );
    expect(rs.map((r) => r.errors)).toEqual([
      ['response.status.unknown $.interactions[0].response.status /paths/~1store~1inventory/get/responses'],
      ['request.path-or-method.unknown $.interactions[1].request.path /paths'],
      ['request.path-or-method.unknown $.interactions[2].request.path /paths/~1pet~1{petId}'],
    ]);
  });

  it('fails a missing required parameter and a path parameter of the wrong type', async () => {
    const auth = { Authorization: 'Bearer t' };
    const rs = await findings(
      petstore,
      { request: { method: 'GET', path: '/v2/pet/findByStatus', headers: auth }, response: { status: 200 } },
      {
        request: { method: 'GET', path: '/v2/pet/findByStatus', query: 'status=sold', headers: auth },
        response: { status: 200 },
      },
      {
        request: { method: 'GET', path: '/v2/pet/abc', headers: { api_key: 'k' } },
        response: { status: 404 },
      },
    );
    expect(rs.map((r) => r.errors)).toEqual([
      [
        'request.query.incompatible $.interactions[0].request.query.status /paths/~1pet~1findByStatus/get/parameters/0',
      ],
      [],
      [
        'request.path-or-method.unknown $.interactions[2].request.path /paths/~1pet~1{petId}/get/parameters/0',
      ],
    ]);
  });

  it('fails a request body that breaks its schema, and missing credentials', async () => {
    const order = { request: { method: 'POST', path: '/v2/store/order', headers: json } };
    const rs = await findings(
      petstore,
      {
        ...order,
        request: { ...order.request, body: { petId: 1, quantity: 'many' } },
        response: { status: 200 },
      },
      { ...order, request: { ...order.request, body: { petId: 1, quantity: 2 } }, response: { status: 200 } },
      { request: { method: 'GET', path: '/v2/pet/1' }, response: { status: 404 } },
      { request: { method: 'GET', path: '/v2/pet/1' }, response: { status: 200 } },
    );
    expect(rs.map((r) => r.errors)).toEqual([
      [
        'request.body.incompatible $.interactions[0].request.body.quantity /components/schemas/Order/properties/quantity/type',
      ],
      [],
      // a contract of an error response sends a bad request on purpose: its request is not checked
      [],
      ['request.authorization.missing $.interactions[3].request.headers /paths/~1pet~1{petId}/get/security'],
    ]);
  });

  it('warns, silenceably, about a status only the default response documents', async () => {
    const i = {
      request: { method: 'GET', path: '/v2/pet/1', headers: { api_key: 'k' } },
      response: { status: 418 },
    };
    expect((await findings(petstore, i))[0]).toEqual({
      status: 'passed',
      errors: [],
      warnings: ['response.status.default'],
    });
    const [r] = await checkAgainstOpenApi(petstore, [contract(i)], {
      ignoreWarnings: ['response.status.default'],
    });
    expect(r?.interactions[0]?.findings).toEqual([]);
  });
});

const composed = {
  openapi: '3.0.3',
  info: { title: 'zoo', version: '1' },
  servers: [
    {
      url: 'https://{host}/api/{version}',
      variables: { host: { default: 'x' }, version: { default: 'v1' } },
    },
  ],
  paths: {
    '/dogs/{id}': {
      get: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: {
          '2XX': {
            description: 'a dog',
            content: { 'application/vnd.zoo+json': { schema: { $ref: '#/components/schemas/Dog' } } },
          },
        },
      },
    },
    '/pets': {
      get: {
        responses: {
          '200': {
            description: 'pets',
            content: {
              'application/json': {
                schema: { type: 'array', maxItems: 2, items: { $ref: '#/components/schemas/Pet' } },
              },
            },
          },
        },
      },
      post: {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
        },
        responses: { '201': { description: 'made' } },
      },
    },
  },
  components: {
    schemas: {
      Base: {
        type: 'object',
        required: ['id', 'petType'],
        properties: {
          id: { type: 'integer', readOnly: true },
          petType: { type: 'string' },
          secret: { type: 'string', writeOnly: true },
        },
      },
      Dog: {
        allOf: [
          { $ref: '#/components/schemas/Base' },
          {
            type: 'object',
            properties: { bark: { type: 'boolean' }, name: { type: 'string', nullable: true } },
          },
        ],
        additionalProperties: false,
      },
      Cat: {
        allOf: [
          { $ref: '#/components/schemas/Base' },
          { type: 'object', properties: { meow: { type: 'integer', minimum: 0, exclusiveMinimum: true } } },
        ],
        additionalProperties: false,
      },
      Pet: {
        oneOf: [{ $ref: '#/components/schemas/Dog' }, { $ref: '#/components/schemas/Cat' }],
        discriminator: { propertyName: 'petType', mapping: { dog: '#/components/schemas/Dog', cat: 'Cat' } },
      },
    },
  },
} as unknown as JsonObject;

describe('composed schemas, discriminators and the consumer subset', () => {
  const dog = (body: JsonObject, extra: JsonObject = {}): JsonObject => ({
    request: { method: 'GET', path: '/api/v1/dogs/1' },
    response: { status: 200, headers: { 'Content-Type': 'application/vnd.zoo+json' }, body, ...extra },
  });

  it('reads allOf with additionalProperties: false as the fields the whole composition declares', async () => {
    const rs = await findings(
      composed,
      dog({ id: 1, petType: 'dog', bark: true, name: null }),
      dog({ bark: true, meow: 1 }),
    );
    expect(rs[0]).toEqual({ status: 'passed', errors: [], warnings: [] });
    expect(rs[1]?.errors).toEqual([
      'response.body.incompatible $.interactions[1].response.body.meow /components/schemas/Dog',
    ]);
    // the consumer reads fewer fields than the schema requires: shown, not failed
    expect(new Set(rs[1]?.warnings)).toEqual(new Set(['response.body.required-ignored']));
  });

  it('picks the oneOf branch by the discriminator, mapping included, and accepts a subset', async () => {
    const pets = (body: JsonObject[]): JsonObject => ({
      request: { method: 'GET', path: '/api/v1/pets' },
      response: { status: 200, body },
    });
    const rs = await findings(
      composed,
      pets([
        { petType: 'dog', bark: true },
        { petType: 'cat', meow: 2 },
      ]),
      pets([{ petType: 'cat', bark: true }]),
      pets([{ bark: true }]),
      pets([{ petType: 'cat', meow: 0 }]),
    );
    expect(rs.map((r) => r.status)).toEqual(['passed', 'failed', 'passed', 'failed']);
    // the branch the discriminator names is the one that refuses the field
    expect(rs[1]?.errors).toEqual([
      'response.body.incompatible $.interactions[1].response.body[0].bark /components/schemas/Cat',
    ]);
    expect(rs[3]?.errors).toEqual([
      'response.body.incompatible $.interactions[3].response.body[0].meow /components/schemas/Cat/allOf/1/properties/meow/exclusiveMinimum',
    ]);
  });

  it('compares eachLike limits with minItems and maxItems', async () => {
    const each = (min: number): JsonObject => ({
      request: { method: 'GET', path: '/api/v1/pets' },
      response: {
        status: 200,
        body: [{ petType: 'dog' }],
        matchingRules: { body: { $: { matchers: [{ match: 'type', min }] } } },
      },
    });
    const rs = await findings(composed, each(1), each(3));
    expect(rs[0]?.status).toBe('passed');
    expect(rs[0]?.warnings).toContain('response.body.matcher-narrower');
    expect(rs[1]?.errors).toEqual([
      'response.body.incompatible $.interactions[1].response.body /paths/~1pets/get/responses/200/content/application~1json/schema',
    ]);
  });

  it('holds writeOnly fields out of responses and readOnly fields out of requests', async () => {
    const rs = await findings(
      composed,
      dog({ bark: true, secret: 's' }),
      {
        request: {
          method: 'POST',
          path: '/api/v1/pets',
          headers: json,
          body: { id: 1, petType: 'dog', secret: 's' },
        },
        response: { status: 201 },
      },
      {
        request: {
          method: 'POST',
          path: '/api/v1/pets',
          headers: json,
          body: { petType: 'dog', bark: 'loud' },
        },
        response: { status: 201 },
      },
      { request: { method: 'POST', path: '/api/v1/pets', headers: json }, response: { status: 201 } },
    );
    expect(rs[0]?.errors).toEqual([
      'response.body.incompatible $.interactions[0].response.body.secret /components/schemas/Base/properties/secret',
    ]);
    // id is required but readOnly: a request need not send it; sending it is shown
    expect(rs[1]).toEqual({ status: 'passed', errors: [], warnings: ['request.body.read-only'] });
    expect(rs[2]?.status).toBe('failed');
    expect(rs[3]?.errors).toEqual([
      'request.body.incompatible $.interactions[3].request.body /paths/~1pets/post/requestBody',
    ]);
  });
});

describe('reading documents', () => {
  it('brings in file-relative $refs from YAML files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'treaty-openapi-'));
    await mkdir(join(dir, 'schemas'));
    await writeFile(
      join(dir, 'schemas', 'thing.yaml'),
      'Thing:\n  type: object\n  properties:\n    n: { type: integer }\n',
    );
    await writeFile(
      join(dir, 'api.yaml'),
      [
        'openapi: 3.1.0',
        'info: { title: t, version: "1" }',
        'paths:',
        '  /things:',
        '    get:',
        '      responses:',
        '        "200":',
        '          description: ok',
        '          content:',
        '            application/json:',
        '              schema: { $ref: "./schemas/thing.yaml#/Thing" }',
      ].join('\n'),
    );
    const get = (body: JsonObject): JsonObject => ({
      request: { method: 'GET', path: '/things' },
      response: { status: 200, body },
    });
    const rs = await findings(join(dir, 'api.yaml'), get({ n: 1 }), get({ n: 'one' }));
    expect(rs.map((r) => r.status)).toEqual(['passed', 'failed']);
  });

  it('refuses a document that is not OpenAPI, naming where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'treaty-openapi-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'openapi: 3.0.0\ninfo: { title: t, version: "1" }\npaths:\n  /x:\n    get:\n      responses:\n        "200": { $ref: "#/components/responses/Nope" }\n',
    );
    await expect(loadOpenApi(file)).rejects.toMatchObject({
      code: 'TREATY_OPENAPI_INVALID',
      message: expect.stringMatching(
        /\/paths\/~1x\/get\/responses\/200\/\$ref \(line 7, column \d+\).*points at nothing/,
      ),
    });
    await writeFile(file, 'swagger: "2.0"\n');
    await expect(loadOpenApi(file)).rejects.toMatchObject({
      code: 'TREATY_OPENAPI_INVALID',
      message: expect.stringContaining('Swagger 2.0'),
    });
    await writeFile(file, 'openapi: 3.0.0\ninfo: [1\n');
    await expect(loadOpenApi(file)).rejects.toMatchObject({
      code: 'TREATY_OPENAPI_INVALID',
      message: expect.stringMatching(/bad.yaml \(line 3, column 1\) is not YAML or JSON: Flow sequence/),
    });
    await expect(loadOpenApi(join(dir, 'missing.yaml'))).rejects.toMatchObject({
      code: 'TREATY_VERIFY_SOURCE',
    });
  });

  it('compiles each schema once per document, whatever the number of contracts', async () => {
    const checker = new OpenApiChecker(await loadOpenApi(petstore));
    const c = contract(getPet({ id: 1, name: 'a' }));
    const first = checker.checkContract(c);
    const again = await checkAgainstOpenApi(checker, [c, c]);
    expect(again.map((r) => r.passed)).toEqual([first.passed, first.passed]);
    expect(first.passed).toBe(true);
  });
});

const examples = (file: string): string =>
  fileURLToPath(import.meta.resolve(`@readme/oas-examples/3.0/json/${file}`));

/** A 3.0 document with `GET /thing` answering `schema` and `POST /thing` taking it. */
function serving(schema: JsonObject, schemas: JsonObject = {}): JsonObject {
  return {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/thing': {
        get: {
          responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } },
        },
        post: {
          requestBody: { content: { 'application/json': { schema } } },
          responses: { '204': { description: 'done' } },
        },
      },
    },
    components: { schemas },
  };
}
const getThing = (body: JsonValue): JsonObject => ({
  request: { method: 'GET', path: '/thing' },
  response: { status: 200, headers: json, body },
});
const postThing = (body: JsonValue): JsonObject => ({
  request: { method: 'POST', path: '/thing', headers: json, body },
  response: { status: 204 },
});

describe('closed objects over compositions', () => {
  it('does not let one allOf member’s additionalProperties schema refuse what another member declares', async () => {
    const doc = serving({
      allOf: [
        { type: 'object', properties: { id: { type: 'integer' } } },
        {
          type: 'object',
          properties: { name: { type: 'string' } },
          additionalProperties: { type: 'string' },
        },
      ],
    });
    const rs = await findings(
      doc,
      getThing({ id: 1, name: 'a', extra: 'fine' }),
      postThing({ id: 1, name: 'a', extra: 'fine' }),
      getThing({ id: 1, extra: 2 }),
      postThing({ id: 'one' }),
    );
    expect(rs.map((r) => r.errors)).toEqual([
      [],
      [],
      [
        'response.body.incompatible $.interactions[2].response.body.extra /paths/~1thing/get/responses/200/content/application~1json/schema/allOf/1/additionalProperties/type',
      ],
      [
        'request.body.incompatible $.interactions[3].request.body.id /paths/~1thing/post/requestBody/content/application~1json/schema/allOf/0/properties/id/type',
      ],
    ]);
  });

  it('reads unevaluatedProperties (3.1) in one member the same way', async () => {
    const doc = {
      ...serving({
        allOf: [
          { type: 'object', properties: { id: { type: 'integer' } } },
          { properties: { name: { type: 'string' } }, unevaluatedProperties: { type: 'string' } },
        ],
      }),
      openapi: '3.1.0',
    };
    const rs = await findings(doc, getThing({ id: 1, name: 'a', extra: 'x' }), getThing({ id: 1, extra: 2 }));
    expect(rs.map((r) => r.status)).toEqual(['passed', 'failed']);
    expect(rs[1]?.errors).toHaveLength(1);
  });

  it('reads additionalProperties: false inside one member as closing the whole composition', async () => {
    const doc = serving(
      {
        allOf: [
          { $ref: '#/components/schemas/Named' },
          { type: 'object', properties: { age: { type: 'integer' } }, additionalProperties: false },
        ],
      },
      { Named: { type: 'object', properties: { name: { type: 'string' } } } },
    );
    const rs = await findings(
      doc,
      getThing({ name: 'a', age: 1 }),
      postThing({ name: 'a', age: 1 }),
      getThing({ name: 'a', colour: 'red' }),
      postThing({ name: 'a', colour: 'red' }),
    );
    expect(rs.map((r) => r.errors.map((e) => e.split(' ').slice(0, 2).join(' ')))).toEqual([
      [],
      [],
      ['response.body.incompatible $.interactions[2].response.body.colour'],
      ['request.body.incompatible $.interactions[3].request.body.colour'],
    ]);
  });

  it('checks the allOf of closed members in a document nobody here wrote', async () => {
    const field = 'object with `additionalPropeties` within an allOf';
    const post = (value: JsonObject): JsonObject => ({
      request: { method: 'POST', path: '/post', headers: json, body: { [field]: value } },
      response: { status: 200 },
    });
    const rs = await findings(
      examples('schema-additional-properties.json'),
      post({ primitiveProperty: 'a', alt_primitiveProperty: 'b' }),
      post({ primitiveProperty: 'a', other: 'b' }),
    );
    expect(rs[0]).toEqual({ status: 'passed', errors: [], warnings: [] });
    expect(rs[1]?.errors).toHaveLength(1);
    expect(rs[1]?.errors[0]).toMatch(
      /^request\.body\.incompatible \$\.interactions\[1\]\.request\.body\['object with .*'\]\.other /,
    );
  });

  it('takes a subset of a oneOf of closed objects when one branch takes all of it', async () => {
    const doc = serving(
      {
        type: 'object',
        properties: { kind: { type: 'string' } },
        oneOf: [{ $ref: '#/components/schemas/Card' }, { $ref: '#/components/schemas/Bank' }],
      },
      {
        Card: {
          type: 'object',
          properties: { kind: { type: 'string' }, number: { type: 'string' }, expiry: { type: 'string' } },
          additionalProperties: false,
        },
        Bank: {
          type: 'object',
          properties: { kind: { type: 'string' }, iban: { type: 'string' } },
          additionalProperties: false,
        },
      },
    );
    const rs = await findings(
      doc,
      getThing({ kind: 'card', number: '4111' }),
      getThing({ iban: 'DE00' }),
      getThing({ number: '4111', iban: 'DE00' }),
      postThing({ kind: 'card', number: '4111', iban: 'DE00' }),
      postThing({ kind: 'bank', iban: 'DE00' }),
    );
    expect(rs.map((r) => r.status)).toEqual(['passed', 'passed', 'failed', 'failed', 'passed']);
  });
});

describe('a discriminator on a base schema that subschemas include through allOf', () => {
  const doc = serving(
    { $ref: '#/components/schemas/Pet' },
    {
      Pet: {
        type: 'object',
        required: ['petType'],
        properties: { petType: { type: 'string' }, name: { type: 'string' } },
        discriminator: { propertyName: 'petType', mapping: { kitty: '#/components/schemas/Cat' } },
      },
      Cat: {
        allOf: [
          { $ref: '#/components/schemas/Pet' },
          { type: 'object', required: ['hunts'], properties: { hunts: { type: 'boolean' } } },
        ],
      },
      Dog: {
        allOf: [
          { $ref: '#/components/schemas/Pet' },
          { type: 'object', properties: { bark: { type: 'boolean' } } },
        ],
      },
      // a subschema of a subschema is named too
      Puppy: { allOf: [{ $ref: '#/components/schemas/Dog' }, { properties: { age: { type: 'integer' } } }] },
    },
  );

  it('checks a response against the subschema its value names, by mapping or by component name', async () => {
    const rs = await findings(
      doc,
      getThing({ petType: 'Cat', name: 'Tom', hunts: true }),
      getThing({ petType: 'kitty', hunts: false }),
      getThing({ petType: 'Puppy', bark: true, age: 1 }),
      getThing({ petType: 'Dog', hunts: true }),
      getThing({ petType: 'Bird', name: 'Tweety' }),
      // a consumer may leave the property out: any of them may take the rest
      getThing({ hunts: true }),
      getThing({ petType: 'Cat', hunts: 'yes' }),
    );
    expect(rs.map((r) => r.status)).toEqual([
      'passed',
      'passed',
      'passed',
      'failed',
      'failed',
      'passed',
      'failed',
    ]);
    expect(rs[0]).toEqual({ status: 'passed', errors: [], warnings: [] });
    expect(rs[3]?.errors).toEqual([
      'response.body.incompatible $.interactions[3].response.body.hunts /components/schemas/Dog',
    ]);
    expect(rs[4]?.errors).toEqual([
      'response.body.incompatible $.interactions[4].response.body.petType /components/schemas/Pet/discriminator',
    ]);
    expect(rs[6]?.errors).toEqual([
      'response.body.incompatible $.interactions[6].response.body.hunts /components/schemas/Cat/allOf/1/properties/hunts/type',
    ]);
  });

  it('says which values the discriminator takes', async () => {
    const [result] = await checkAgainstOpenApi(doc as never, [contract(getThing({ petType: 'Bird' }))]);
    expect(result?.interactions[0]?.findings[0]?.message).toBe(
      'response.body.petType is "Bird", which names no schema for the discriminator petType (it takes "kitty", "Cat", "Dog", "Puppy", "Pet")',
    );
  });

  it('enforces the named subschema’s required fields on a request, and shows them on a response', async () => {
    const rs = await findings(
      doc,
      postThing({ petType: 'Cat' }),
      postThing({ petType: 'Dog' }),
      getThing({ petType: 'Cat' }),
    );
    expect(rs[0]?.errors).toEqual([
      'request.body.incompatible $.interactions[0].request.body /components/schemas/Cat/allOf/1/required',
    ]);
    expect(rs[1]?.status).toBe('passed');
    expect(rs[2]).toEqual({ status: 'passed', errors: [], warnings: ['response.body.required-ignored'] });
  });

  it('checks the Redocly-style discriminator of a document nobody here wrote', async () => {
    const patch = (vehicle: JsonObject): JsonObject => ({
      request: { method: 'PATCH', path: '/redocly-flavored-discriminator', headers: json, body: { vehicle } },
      response: { status: 200 },
    });
    const rs = await findings(
      examples('discriminators.json'),
      patch({ powerSource: 'electricity', chargeSpeed: 150 }),
      patch({ powerSource: 'human-energy', handlebars: 'drop' }),
      patch({ powerSource: 'electricity', chargeSpeed: 'fast' }),
      patch({ powerSource: 'human-energy', handlebars: 'ape-hanger' }),
      patch({ powerSource: 'steam' }),
    );
    expect(rs.map((r) => r.errors)).toEqual([
      [],
      [],
      [
        'request.body.incompatible $.interactions[2].request.body.vehicle.chargeSpeed /components/schemas/ElectricVehicle/allOf/1/properties/chargeSpeed/type',
      ],
      [
        'request.body.incompatible $.interactions[3].request.body.vehicle.handlebars /components/schemas/PedaledVehicle/allOf/1/properties/handlebars/enum',
      ],
      [
        'request.body.incompatible $.interactions[4].request.body.vehicle.powerSource /components/schemas/BaseVehicle/discriminator',
      ],
    ]);
  });
});

describe('cookie parameters', () => {
  const doc = {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/cart': {
        get: {
          parameters: [
            {
              name: 'session',
              in: 'cookie',
              required: true,
              schema: { type: 'string', pattern: '^[a-f0-9]+$' },
            },
            { name: 'items', in: 'cookie', schema: { type: 'integer', minimum: 0 } },
            {
              name: 'ids',
              in: 'cookie',
              explode: false,
              schema: { type: 'array', items: { type: 'integer' } },
            },
          ],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  } as unknown as JsonObject;
  const cart = (headers: JsonObject, extra: JsonObject = {}): JsonObject => ({
    request: { method: 'GET', path: '/cart', headers, ...extra },
    response: { status: 200 },
  });

  it('checks the cookies an operation declares, read from the Cookie header', async () => {
    const rs = await findings(
      doc,
      cart({ Cookie: 'session=abc123; items=2; ids=1,2,3' }),
      cart({}),
      cart({ Cookie: 'items=many; session=XYZ' }),
      cart({ Cookie: 'session=abc; ids=1,two' }),
      cart({ Cookie: 'session=abc; tracker=1' }),
    );
    expect(rs.map((r) => r.errors)).toEqual([
      [],
      ['request.cookie.incompatible $.interactions[1].request.headers.Cookie /paths/~1cart/get/parameters/0'],
      [
        'request.cookie.incompatible $.interactions[2].request.headers.Cookie /paths/~1cart/get/parameters/0/schema',
        'request.cookie.incompatible $.interactions[2].request.headers.Cookie /paths/~1cart/get/parameters/1/schema',
      ],
      [
        'request.cookie.incompatible $.interactions[3].request.headers.Cookie /paths/~1cart/get/parameters/2/schema',
      ],
      [],
    ]);
    expect(rs[4]?.warnings).toEqual(['request.cookie.unknown']);
  });

  it('holds a cookie under a matcher to its type only', async () => {
    const [r] = await findings(
      doc,
      cart(
        { Cookie: 'session=XYZ' },
        { matchingRules: { header: { Cookie: { matchers: [{ match: 'type' }] } } } },
      ),
    );
    expect(r).toEqual({ status: 'passed', errors: [], warnings: [] });
  });

  it('checks the cookies of a document nobody here wrote', async () => {
    const post = (cookie: string): JsonObject => ({
      request: { method: 'POST', path: '/post', headers: { Cookie: cookie } },
      response: { status: 200 },
    });
    const rs = await findings(
      examples('parameters-cookies.json'),
      post('foo=1; bar=two'),
      post('foo=1; baz=2'),
    );
    expect(rs[0]).toEqual({ status: 'passed', errors: [], warnings: [] });
    expect(rs[1]).toEqual({ status: 'passed', errors: [], warnings: ['request.cookie.unknown'] });
  });
});

describe('form and multipart bodies', () => {
  const form = (body: string): JsonObject => ({
    request: {
      method: 'POST',
      path: '/anything',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    },
    response: { status: 200, headers: json, body: { access_token: 1, token_type: 'bearer', expires_in: 60 } },
  });

  it('reads a form body as its fields, typed by the schema', async () => {
    const rs = await findings(
      examples('form-data.json'),
      form('client_id=a&client_secret=b&scope=3'),
      form('client_id=a&scope=all'),
    );
    expect(rs[0]).toEqual({ status: 'passed', errors: [], warnings: [] });
    expect(rs[1]?.errors).toEqual([
      'request.body.incompatible $.interactions[1].request.body /paths/~1anything/post/requestBody/content/application~1x-www-form-urlencoded/schema/required',
      'request.body.incompatible $.interactions[1].request.body.scope /paths/~1anything/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/scope/type',
    ]);
  });

  it('splits a form field by its encoding’s style, and repeats an exploded one', async () => {
    const doc = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/search': {
          post: {
            requestBody: {
              content: {
                'application/x-www-form-urlencoded': {
                  schema: {
                    type: 'object',
                    properties: {
                      tags: { type: 'array', items: { type: 'integer' } },
                      flags: { type: 'array', items: { type: 'boolean' } },
                      filter: { type: 'object', properties: { max: { type: 'number' } } },
                    },
                  },
                  encoding: { flags: { style: 'pipeDelimited' } },
                },
              },
            },
            responses: { '204': { description: 'done' } },
          },
        },
      },
    } as unknown as JsonObject;
    const search = (body: string): JsonObject => ({
      request: {
        method: 'POST',
        path: '/search',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      },
      response: { status: 204 },
    });
    const rs = await findings(
      doc,
      search(`tags=1&tags=2&flags=true|false&filter=${encodeURIComponent('{"max":2.5}')}`),
      search('tags=1&tags=x&flags=true|maybe'),
      search(`filter=${encodeURIComponent('{"max":"high"}')}`),
    );
    expect(rs.map((r) => r.errors.map((e) => e.split(' ')[1]))).toEqual([
      [],
      ['$.interactions[1].request.body.tags[1]', '$.interactions[1].request.body.flags[1]'],
      ['$.interactions[2].request.body.filter.max'],
    ]);
  });

  const multipart = (
    method: string,
    parts: Array<{ name: string; file?: string; text: string }>,
  ): JsonObject => {
    const body = parts
      .map(
        (p) =>
          `--XyZ\r\nContent-Disposition: form-data; name="${p.name}"${p.file === undefined ? '' : `; filename="${p.file}"\r\nContent-Type: application/octet-stream`}\r\n\r\n${p.text}\r\n`,
      )
      .join('');
    return {
      request: {
        method,
        path: '/anything/multipart-formdata',
        headers: { 'Content-Type': 'multipart/form-data; boundary=XyZ' },
        body: `${body}--XyZ--\r\n`,
      },
      response: { status: 200 },
    };
  };

  it('reads a multipart/form-data body part by part: fields typed, files taken as binary', async () => {
    const rs = await findings(
      examples('file-uploads.json'),
      multipart('POST', [
        { name: 'orderId', text: '12' },
        { name: 'userId', text: '7' },
        { name: 'documentFile', file: 'a.pdf', text: '%PDF-1.4 \u0000\u00ff' },
      ]),
      multipart('POST', [
        { name: 'orderId', text: 'twelve' },
        { name: 'documentFile', file: 'a.pdf', text: 'x' },
      ]),
      multipart('PUT', [
        { name: 'filename', file: 'a.png', text: 'one' },
        { name: 'filename', file: 'b.png', text: 'two, three' },
      ]),
    );
    expect(rs.map((r) => r.errors)).toEqual([
      [],
      [
        'request.body.incompatible $.interactions[1].request.body.orderId /paths/~1anything~1multipart-formdata/post/requestBody/content/multipart~1form-data/schema/properties/orderId/type',
      ],
      [],
    ]);
    expect(rs[0]?.warnings).toEqual([]);
  });

  it('warns that an XML body is not checked, and says so', async () => {
    const doc = serving({ type: 'object' });
    const paths = doc.paths as JsonObject;
    (((paths['/thing'] as JsonObject).post as JsonObject).requestBody as JsonObject).content = {
      'application/xml': { schema: { type: 'object' } },
    };
    const [result] = await checkAgainstOpenApi(doc as never, [
      contract({
        request: {
          method: 'POST',
          path: '/thing',
          headers: { 'Content-Type': 'application/xml' },
          body: '<a/>',
        },
        response: { status: 204 },
      }),
    ]);
    expect(result?.interactions[0]?.findings.map((f) => [f.code, f.message])).toEqual([
      [
        'request.body.unvalidatable',
        'a request body of application/xml is not checked: Treaty reads JSON, form and multipart/form-data bodies, not XML',
      ],
    ]);
  });
});

describe('a contract’s regex against a schema’s pattern', () => {
  const field = (schema: JsonObject): JsonObject => serving({ type: 'object', properties: { code: schema } });
  const regexAt = (regex: string) => ({ body: { '$.code': { matchers: [{ match: 'regex', regex }] } } });
  const answer = (code: string, regex: string): JsonObject => ({
    ...getThing({ code }),
    response: { status: 200, headers: json, body: { code }, matchingRules: regexAt(regex) },
  });
  const send = (code: string, regex: string): JsonObject => ({
    request: { method: 'POST', path: '/thing', headers: json, body: { code }, matchingRules: regexAt(regex) },
    response: { status: 204 },
  });
  const messages = async (doc: JsonObject, i: JsonObject) => {
    const [result] = await checkAgainstOpenApi(doc as never, [contract(i)]);
    return (result?.interactions[0]?.findings ?? []).map((f) => `${f.code}: ${f.message}`);
  };

  it('fails a response whose pattern allows a value the consumer’s regex refuses, naming it', async () => {
    const doc = field({ type: 'string', pattern: '^[A-Za-z]{3}$' });
    const [m] = await messages(doc, answer('ABC', '[A-Z]{3}'));
    expect(m).toMatch(
      /^response\.body\.incompatible: response\.body\.code: the schema's pattern \^\[A-Za-z\]\{3\}\$ allows "[A-Za-z]*[a-z][A-Za-z]*", which the contract's regex \[A-Z\]\{3\} refuses$/,
    );
  });

  it('warns, precisely, when no generated value breaks the regex; says nothing when the pattern is the regex', async () => {
    const doc = field({ type: 'string', pattern: '^[A-Z]{3}$' });
    const [warning, ...rest] = await messages(doc, answer('ABC', '[A-Z]+'));
    expect(rest).toEqual([]);
    expect(warning).toMatch(
      /^response\.body\.matcher-narrower: response\.body\.code: the contract's regex \[A-Z\]\+ differs from the schema's pattern \^\[A-Z\]\{3\}\$; the \d+ values Treaty generated from the pattern all fit the regex, which does not prove that every value the provider may send does$/,
    );
    expect(await messages(doc, answer('ABC', '[A-Z]{3}'))).toEqual([]);
    // only values that fit the rest of the schema count: maxLength holds the pattern's strings to 4
    const short = field({ type: 'string', pattern: '^[a-z]+$', maxLength: 4 });
    expect((await messages(short, answer('abc', '[a-z]{1,4}')))[0]).toMatch(
      /^response\.body\.matcher-narrower/,
    );
  });

  it('decides a small finite pattern completely, and says why it cannot decide another', async () => {
    const colours = field({ type: 'string', pattern: '^(red|green)$' });
    expect(await messages(colours, answer('red', 'red|green|blue'))).toEqual([]);
    expect(await messages(colours, answer('red', 'red|blue'))).toEqual([
      'response.body.incompatible: response.body.code: the schema\'s pattern ^(red|green)$ allows "green", which the contract\'s regex red|blue refuses',
    ]);
    const look = field({ type: 'string', pattern: '^(?!x)\\w+$' });
    expect(await messages(look, answer('abc', '\\w+'))).toEqual([
      "response.body.matcher-narrower: response.body.code: the contract's regex \\w+ differs from the schema's pattern ^(?!x)\\w+$, which has a lookahead or lookbehind, so Treaty cannot generate values from it: whether every value the provider may send fits the regex cannot be decided",
    ]);
  });

  it('fails a request whose regex allows a value the schema refuses: generated, or the example itself', async () => {
    const doc = field({ type: 'string', pattern: '^[a-z]+$' });
    const [generated] = await messages(doc, send('abc', '[a-z0-9]+'));
    expect(generated).toMatch(
      /^request\.body\.incompatible: request\.body\.code: the consumer may send "[a-z0-9]*[0-9][a-z0-9]*" \(its regex \[a-z0-9\]\+ allows it\), which the schema's pattern \^\[a-z\]\+\$ refuses$/,
    );
    expect(await messages(doc, send('ABC', '[A-Za-z]+'))).toEqual([
      'request.body.incompatible: request.body.code: the consumer may send "ABC" (its example), which the schema\'s pattern ^[a-z]+$ refuses',
    ]);
    expect(await messages(doc, send('abc', '[a-z]{2,4}'))).toEqual([
      expect.stringMatching(
        /^request\.body\.matcher-wider: request\.body\.code: the contract's regex \[a-z\]\{2,4\} differs from the schema's pattern \^\[a-z\]\+\$; the \d+ values Treaty generated from the regex all fit the schema, which does not prove that every value the consumer may send does$/,
      ),
    ]);
    const animals = field({ type: 'string', enum: ['cat', 'dog', 'bird'] });
    expect(await messages(animals, send('cat', 'cat|dog'))).toEqual([]);
    expect(await messages(animals, send('cat', 'cat|cow'))).toEqual([
      'request.body.incompatible: request.body.code: the consumer may send "cow" (its regex cat|cow allows it), which is not one of the schema\'s values ["cat","dog","bird"]',
    ]);
  });

  it('compares a request regex with the pattern of a document nobody here wrote', async () => {
    const put = (regex: string): JsonObject => ({
      request: {
        method: 'PUT',
        path: '/anything/strings',
        headers: json,
        body: { 'binary (with default)': 'x', 'date (with pattern)': '2024-01-31' },
        matchingRules: { body: { "$['date (with pattern)']": { matchers: [{ match: 'regex', regex }] } } },
      },
      response: { status: 200 },
    });
    const rs = await findings(
      examples('schema-types.json'),
      put('\\d{4}-\\d{2}-\\d{2}'),
      put('\\d{4}-\\d{1,2}-\\d{1,2}'),
    );
    expect(rs[0]).toEqual({ status: 'passed', errors: [], warnings: ['request.body.matcher-wider'] });
    expect(rs[1]?.errors).toEqual([
      "request.body.incompatible $.interactions[1].request.body['date (with pattern)'] /paths/~1anything~1strings/put/requestBody/content/application~1json/schema/properties/date (with pattern)/pattern",
    ]);
  });
});
