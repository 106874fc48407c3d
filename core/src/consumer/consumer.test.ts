import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TreatyError } from '../errors.js';
import { parseContract } from '../contract/parse.js';
import { eachLike, integer, like, regex, statusCode, url } from '../matchers/matchers.js';
import { ConsumerContract } from './contract.js';

const dirs = () => mkdtempSync(join(tmpdir(), 'treaty-consumer-'));
const contractFor = (dir: string, extra: Partial<ConstructorParameters<typeof ConsumerContract>[0]> = {}) =>
  new ConsumerContract({ consumer: 'web', provider: 'orders', dir, ...extra });
const fileOf = (dir: string) => join(dir, 'web-orders.json');

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<TreatyError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof TreatyError) return e;
    throw e;
  }
  throw new Error('expected a TreatyError');
}

describe('ConsumerContract with a real mock server', () => {
  it('answers the expected request and writes a V4 contract with states, query, headers and rules', async () => {
    const dir = dirs();
    const order = await contractFor(dir)
      .addInteraction()
      .given('order 1 exists', { id: 1 })
      .uponReceiving('a request for order 1')
      .withRequest('GET', regex('/orders/\\d+', '/orders/1'), (req) =>
        req.query({ expand: 'items' }).headers({ Accept: 'application/json' }),
      )
      .willRespondWith(200, (res) => res.jsonBody(like({ id: integer(1), items: eachLike({ sku: 'A-1' }) })))
      .executeTest(async (mock) => {
        expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const res = await fetch(`${mock.url}/orders/7?expand=items`, {
          headers: { Accept: 'application/json' },
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { id: number; items: Array<{ sku: string }> };
      });
    expect(order).toEqual({ id: 1, items: [{ sku: 'A-1' }] });
    const contract = parseContract(readFileSync(fileOf(dir), 'utf8'));
    expect(contract.specVersion).toBe('4.0');
    const i = contract.interactions[0];
    if (i?.type !== 'Synchronous/HTTP') throw new Error('expected HTTP');
    expect(i.providerStates).toEqual([{ name: 'order 1 exists', params: { id: 1 } }]);
    expect(i.request.query).toEqual({ expand: ['items'] });
    expect(i.request.matchingRules.path?.rules).toEqual([{ match: 'regex', regex: '/orders/\\d+' }]);
    expect(i.response.matchingRules.body?.['$.items']?.rules).toEqual([{ match: 'type', min: 1 }]);
  });

  it('fails the test with a readable report and writes nothing when a request does not match', async () => {
    const dir = dirs();
    const e = await errorOf(
      contractFor(dir)
        .addInteraction()
        .uponReceiving('create an order')
        .withRequest('POST', '/orders', (req) => req.jsonBody({ sku: like('A-1'), quantity: integer(1) }))
        .willRespondWith(201)
        .executeTest(async (mock) => {
          const res = await fetch(`${mock.url}/orders`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ sku: 'A-1', quantity: 'two' }),
          });
          expect(res.status).toBe(500);
          const body = (await res.json()) as {
            closest: Array<{ description: string; mismatches: string[] }>;
          };
          expect(body.closest[0]?.description).toBe('create an order');
          expect(body.closest[0]?.mismatches.join()).toContain('$.body.quantity');
        }),
    );
    expect(e.code).toBe('TREATY_CONSUMER_TEST_FAILED');
    expect(e.message).toContain('Unexpected request: POST /orders');
    expect(e.message).toContain("closest interaction 'create an order' differs");
    expect(e.message).toContain('$.body.quantity: expected an integer');
    expect(e.message).toContain("Expected but not received: 'create an order'");
    expect(existsSync(fileOf(dir))).toBe(false);
  });

  it('closes the server and writes nothing when the test throws', async () => {
    const dir = dirs();
    let seen = '';
    await expect(
      contractFor(dir)
        .addInteraction()
        .uponReceiving('ping')
        .withRequest('GET', '/ping')
        .willRespondWith(204)
        .executeTest(async (mock) => {
          seen = mock.url;
          throw new Error('boom');
        }),
    ).rejects.toThrow('boom');
    await expect(fetch(`${seen}/ping`)).rejects.toThrow();
    expect(existsSync(fileOf(dir))).toBe(false);
  });

  it('serves several interactions in one test and generates values such as the mock server URL', async () => {
    const dir = dirs();
    const contract = contractFor(dir);
    contract
      .addInteraction()
      .uponReceiving('list orders')
      .withRequest('GET', '/orders')
      .willRespondWith(200, (res) => res.jsonBody({ next: url(['orders', regex('\\d+', '2')]) }));
    await contract
      .addInteraction()
      .uponReceiving('an unknown order')
      .withRequest('GET', '/orders/999')
      .willRespondWith(statusCode('clientError'), (res) => res.jsonBody({ error: 'not found' }))
      .executeTest(async (mock) => {
        const list = (await (await fetch(`${mock.url}/orders`)).json()) as { next: string };
        expect(list.next).toBe(`${mock.url}/orders/2`);
        expect((await fetch(`${mock.url}/orders/999`)).status).toBe(400);
      });
    expect(
      parseContract(readFileSync(fileOf(dir), 'utf8'))
        .interactions.map((i) => i.description)
        .sort(),
    ).toEqual(['an unknown order', 'list orders']);
  });

  it('answers CORS preflight requests when asked', async () => {
    await contractFor(dirs(), { cors: true })
      .addInteraction()
      .uponReceiving('a browser request')
      .withRequest('GET', '/x')
      .willRespondWith(200)
      .executeTest(async (mock) => {
        const pre = await fetch(`${mock.url}/x`, {
          method: 'OPTIONS',
          headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'GET' },
        });
        expect(pre.status).toBe(204);
        expect(pre.headers.get('access-control-allow-origin')).toBe('http://app.test');
        expect(
          (await fetch(`${mock.url}/x`, { headers: { Origin: 'http://app.test' } })).headers.get(
            'access-control-allow-origin',
          ),
        ).toBe('http://app.test');
      });
  });

  it('writes V3 when asked, for older tools', async () => {
    const dir = dirs();
    await contractFor(dir, { specVersion: 3 })
      .addInteraction()
      .uponReceiving('ping')
      .withRequest('GET', '/ping')
      .willRespondWith(200, (res) => res.body('text/plain', 'pong'))
      .executeTest(async (mock) => expect(await (await fetch(`${mock.url}/ping`)).text()).toBe('pong'));
    const json = JSON.parse(readFileSync(fileOf(dir), 'utf8')) as {
      metadata: { pactSpecification: { version: string } };
    };
    expect(json.metadata.pactSpecification.version).toBe('3.0.0');
  });
});

describe('messages', () => {
  it('hands the example message to the handler and writes an async message interaction', async () => {
    const dir = dirs();
    const handled: unknown[] = [];
    await contractFor(dir)
      .addAsynchronousMessage()
      .given('an order was created')
      .expectsToReceive('an order created event', (m) =>
        m.withJSONContent({ id: integer(7) }).withMetadata({ topic: 'orders' }),
      )
      .executeTest(async (message) => {
        handled.push(message.contents);
        expect(message.metadata).toEqual({ contentType: 'application/json', topic: 'orders' });
      });
    expect(handled).toEqual([{ id: 7 }]);
    const i = parseContract(readFileSync(fileOf(dir), 'utf8')).interactions[0];
    expect(i).toMatchObject({
      type: 'Asynchronous/Messages',
      description: 'an order created event',
      message: { matchingRules: { body: { '$.id': { rules: [{ match: 'integer' }] } } } },
    });
  });

  it('does not write a message the handler rejects', async () => {
    const dir = dirs();
    await expect(
      contractFor(dir)
        .addAsynchronousMessage()
        .expectsToReceive('a bad event', (m) => m.withJSONContent({ id: 1 }))
        .executeTest(() => {
          throw new Error('handler failed');
        }),
    ).rejects.toThrow('handler failed');
    expect(existsSync(fileOf(dir))).toBe(false);
  });

  it('records synchronous messages with several responses', async () => {
    const dir = dirs();
    await contractFor(dir)
      .addSynchronousMessage('a price request')
      .withRequest((m) => m.withJSONContent({ sku: like('A-1') }))
      .withResponse((m) => m.withJSONContent({ price: 9.99 }))
      .withResponse((m) => m.withJSONContent({ price: 8.5 }))
      .executeTest(({ request, responses }) => {
        expect(request.contents).toEqual({ sku: 'A-1' });
        expect(responses.map((r) => r.contents)).toEqual([{ price: 9.99 }, { price: 8.5 }]);
      });
    const i = parseContract(readFileSync(fileOf(dir), 'utf8')).interactions[0];
    expect(i?.type === 'Synchronous/Messages' && i.response.length).toBe(2);
  });
});

describe('misuse fails at the call', () => {
  const c = () => contractFor(dirs());

  it('names what is missing', async () => {
    expect(
      (await errorOf(() => c().addInteraction().withRequest('GET', '/').willRespondWith(200))).code,
    ).toBe('TREATY_DSL_INCOMPLETE');
    expect(
      (await errorOf(() => c().addInteraction().uponReceiving('x').willRespondWith(200))).message,
    ).toContain('has no request');
    expect(
      (
        await errorOf(() =>
          c()
            .addInteraction()
            .uponReceiving('x')
            .withRequest('GET', '/')
            .executeTest(() => 1),
        )
      ).message,
    ).toContain('has no response');
    expect((await errorOf(c().executeTest(() => 1))).code).toBe('TREATY_DSL_INCOMPLETE');
    expect(
      (
        await errorOf(() =>
          c()
            .addAsynchronousMessage()
            .executeTest(() => 1),
        )
      ).code,
    ).toBe('TREATY_DSL_INCOMPLETE');
  });

  it('rejects bad arguments with TREATY_DSL_INVALID', async () => {
    expect(
      (await errorOf(() => c().addInteraction().uponReceiving('x').withRequest('FETCH', '/'))).message,
    ).toContain("'FETCH' is not an HTTP method");
    expect(
      (await errorOf(() => c().addInteraction().uponReceiving('x').withRequest('GET', 'orders'))).message,
    ).toContain("must start with '/'");
    expect(
      (
        await errorOf(() =>
          c().addInteraction().uponReceiving('x').withRequest('GET', '/').willRespondWith(700),
        )
      ).message,
    ).toContain('700 is not an HTTP status');
    expect((await errorOf(() => new ConsumerContract({ consumer: '', provider: 'p' }))).code).toBe(
      'TREATY_DSL_INVALID',
    );
  });

  it('rejects an unserialisable body and a matcher that breaks its own rule where they are written', async () => {
    const body = await errorOf(() =>
      c()
        .addInteraction()
        .uponReceiving('x')
        .withRequest('POST', '/', (r) => r.jsonBody({ when: () => 1 })),
    );
    expect(body.code).toBe('TREATY_MATCHER_INVALID');
    expect((await errorOf(() => regex('\\d+', 'abc'))).code).toBe('TREATY_MATCHER_INVALID');
  });

  it('rejects the same description and state with different content', async () => {
    const contract = c();
    contract.addInteraction().uponReceiving('x').withRequest('GET', '/a').willRespondWith(200);
    const e = await errorOf(() =>
      contract.addInteraction().uponReceiving('x').withRequest('GET', '/b').willRespondWith(200),
    );
    expect(e.code).toBe('TREATY_CONTRACT_DUPLICATE_INTERACTION');
  });
});

describe('what the contract file records', () => {
  it('writes pending, comments and the test name (V4)', async () => {
    const dir = dirs();
    await contractFor(dir)
      .addInteraction()
      .uponReceiving('a pending one')
      .pending()
      .comment('added for the new checkout')
      .testName('checkout > gets the basket')
      .withRequest('GET', '/basket')
      .willRespondWith(200)
      .executeTest(async (mock) => void (await fetch(`${mock.url}/basket`)));
    const json = JSON.parse(readFileSync(fileOf(dir), 'utf8')) as {
      interactions: Array<Record<string, unknown>>;
    };
    expect(json.interactions[0]).toMatchObject({
      pending: true,
      comments: { text: ['added for the new checkout'], testname: 'checkout > gets the basket' },
      type: 'Synchronous/HTTP',
    });
    expect(typeof json.interactions[0]?.key).toBe('string');
  });

  it('writes the key the test gives (V4), and refuses an empty one', async () => {
    const dir = dirs();
    await contractFor(dir)
      .addInteraction()
      .uponReceiving('a keyed one')
      .key('123ABC')
      .withRequest('GET', '/basket')
      .willRespondWith(200)
      .executeTest(async (mock) => void (await fetch(`${mock.url}/basket`)));
    const json = JSON.parse(readFileSync(fileOf(dir), 'utf8')) as {
      interactions: Array<Record<string, unknown>>;
    };
    expect(json.interactions[0]?.key).toBe('123ABC');
    const error = await errorOf(() => contractFor(dir).addInteraction().key(''));
    expect(error.code).toBe('TREATY_DSL_INVALID');
  });

  it('gives the same bytes for the same interactions, whatever order the tests ran in', async () => {
    const write = async (order: number[]) => {
      const dir = dirs();
      for (const k of order) {
        await contractFor(dir)
          .addInteraction()
          .uponReceiving(`order ${k}`)
          .withRequest('GET', `/orders/${k}`)
          .willRespondWith(200, (res) => res.jsonBody({ id: k }))
          .executeTest(async (mock) => void (await fetch(`${mock.url}/orders/${k}`)));
      }
      return readFileSync(fileOf(dir), 'utf8');
    };
    expect(await write([1, 2, 3])).toBe(await write([3, 1, 2]));
  });
});

describe('the mock server reads requests as sent', () => {
  it('treats repeated header lines as several values, each checked by the rule', async () => {
    const { request } = await import('node:http');
    const send = (url: string, values: string[]) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(url);
        const req = request(
          { host: u.hostname, port: u.port, path: '/h', headers: { 'X-N': values } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    const contract = contractFor(dirs());
    contract
      .addInteraction()
      .uponReceiving('repeated ok')
      .withRequest('GET', '/h', (r) => r.headers({ 'X-N': regex('\\d+', '1') }))
      .willRespondWith(200);
    await expect(
      contract.executeTest(async (mock) => {
        expect(await send(mock.url, ['1', '22'])).toBe(200);
        expect(await send(mock.url, ['1', 'x'])).toBe(500);
      }),
    ).rejects.toThrow(/Unexpected request: GET \/h/);
  });
});

describe('the mock server request body limit (maxRequestBytes)', () => {
  /**
   * Streams a chunked POST: `first` bytes, then waits for the answer before sending `rest` more, so
   * a server that buffered until the end of the body would never answer.
   */
  const streamed = (url: string, first: number, rest: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      void import('node:http').then(({ request }) => {
        const u = new URL(url);
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path: '/upload',
            method: 'POST',
            headers: { 'Content-Type': 'text/plain' },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            req.end('y'.repeat(rest));
          },
        );
        req.on('error', reject);
        req.write('y'.repeat(first));
      });
    });

  it('answers a larger body 413 with a Treaty error without waiting for it, and fails the test naming it', async () => {
    const contract = contractFor(dirs(), { maxRequestBytes: 1024 });
    contract
      .addInteraction()
      .uponReceiving('an upload of exactly the limit')
      .withRequest('POST', '/upload', (r) => r.body('text/plain', 'x'.repeat(1024)))
      .willRespondWith(201);
    const e = await errorOf(
      contract.executeTest(async (mock) => {
        const declared = await fetch(`${mock.url}/upload`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: 'x'.repeat(4096),
        });
        expect(declared.status).toBe(413);
        expect(declared.headers.get('x-treaty-mismatch')).toBe('true');
        expect(await declared.json()).toEqual({
          statusCode: 413,
          code: 'TREATY_MOCK_REQUEST_TOO_LARGE',
          error: 'TreatyError',
          message: expect.stringMatching(
            /^The request body is larger than 1 KiB \(maxRequestBytes\)/,
          ) as unknown,
        });
        // Chunked, with no length declared: refused once 1 KiB has come, before the rest is sent.
        const chunked = await streamed(mock.url, 2048, 64 * 1024);
        expect(chunked.status).toBe(413);
        expect(JSON.parse(chunked.body)).toMatchObject({ code: 'TREATY_MOCK_REQUEST_TOO_LARGE' });
        // A body of exactly the limit is read and matched as usual.
        const ok = await fetch(`${mock.url}/upload`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: 'x'.repeat(1024),
        });
        expect(ok.status).toBe(201);
      }),
    );
    expect(e.code).toBe('TREATY_CONSUMER_TEST_FAILED');
    expect(
      e.message.match(/Unexpected request: POST \/upload\n {2}The request body is larger than 1 KiB/g),
    ).toHaveLength(2);
    expect(e.message).not.toMatch(/Expected but not received/);
  });

  it('refuses a limit that is not a whole number of bytes when the contract is made', async () => {
    for (const maxRequestBytes of [-1, 1.5, Number.NaN])
      expect((await errorOf(() => contractFor(dirs(), { maxRequestBytes }))).code).toBe('TREATY_DSL_INVALID');
  });
});

describe('contract files across test runs', () => {
  afterEach(() => vi.unstubAllEnvs());

  /** One test of a run: records `description` answering `{ id, variant }`. */
  const record = (dir: string, description: string, variant: string, extra = {}) =>
    contractFor(dir, extra)
      .addInteraction()
      .uponReceiving(description)
      .withRequest('GET', '/orders/1')
      .willRespondWith(200, (res) => res.jsonBody({ id: 1, variant }))
      .executeTest(async (mock) => void (await fetch(`${mock.url}/orders/1`)));
  const inFile = (dir: string) =>
    Object.fromEntries(
      parseContract(readFileSync(fileOf(dir), 'utf8')).interactions.map((i) => [
        i.description,
        i.type === 'Synchronous/HTTP' && i.response.body?.kind === 'json' ? i.response.body.value : undefined,
      ]),
    );

  it('keeps what an earlier run wrote when a later run records only some of it', async () => {
    const dir = dirs();
    vi.stubEnv('TREATY_RUN_ID', 'run-1');
    await record(dir, 'order one', 'a');
    await record(dir, 'order two', 'a');
    expect(inFile(dir)).toEqual({
      'order one': { id: 1, variant: 'a' },
      'order two': { id: 1, variant: 'a' },
    });
    vi.stubEnv('TREATY_RUN_ID', 'run-2');
    await record(dir, 'order one', 'a');
    expect(inFile(dir)).toEqual({
      'order one': { id: 1, variant: 'a' },
      'order two': { id: 1, variant: 'a' },
    });
  });

  it("replaces an earlier run's content with what this run records, but refuses two contents within one run", async () => {
    const dir = dirs();
    vi.stubEnv('TREATY_RUN_ID', 'run-1');
    await record(dir, 'order one', 'a');
    await record(dir, 'order two', 'a');
    vi.stubEnv('TREATY_RUN_ID', 'run-2');
    await record(dir, 'order two', 'b');
    expect(inFile(dir)).toEqual({
      'order one': { id: 1, variant: 'a' },
      'order two': { id: 1, variant: 'b' },
    });
    const e = await errorOf(record(dir, 'order two', 'c'));
    expect(e.code).toBe('TREATY_CONTRACT_DUPLICATE_INTERACTION');
    // The interaction this run did not record is still the earlier run's, and may still be replaced.
    await record(dir, 'order one', 'b');
    expect(inFile(dir)).toEqual({
      'order one': { id: 1, variant: 'b' },
      'order two': { id: 1, variant: 'b' },
    });
  });

  it("with staleInteractions: 'drop', a new run's file holds only what it recorded", async () => {
    const dir = dirs();
    vi.stubEnv('TREATY_RUN_ID', 'run-1');
    await record(dir, 'order one', 'a');
    await record(dir, 'order two', 'a');
    vi.stubEnv('TREATY_RUN_ID', 'run-2');
    await record(dir, 'order two', 'b', { staleInteractions: 'drop' });
    expect(inFile(dir)).toEqual({ 'order two': { id: 1, variant: 'b' } });
    // Later tests of the same run add to it; they do not drop each other.
    await record(dir, 'order three', 'b', { staleInteractions: 'drop' });
    expect(Object.keys(inFile(dir))).toEqual(['order three', 'order two']);
    expect((await errorOf(record(dir, 'order two', 'c', { staleInteractions: 'drop' }))).code).toBe(
      'TREATY_CONTRACT_DUPLICATE_INTERACTION',
    );
  });

  it('TREATY_DROP_STALE_INTERACTIONS=1 drops too, unless the option says keep; other values are refused', async () => {
    const dir = dirs();
    vi.stubEnv('TREATY_RUN_ID', 'run-1');
    await record(dir, 'order one', 'a');
    vi.stubEnv('TREATY_RUN_ID', 'run-2');
    vi.stubEnv('TREATY_DROP_STALE_INTERACTIONS', '1');
    await record(dir, 'order two', 'a', { staleInteractions: 'keep' });
    expect(Object.keys(inFile(dir))).toEqual(['order one', 'order two']);
    vi.stubEnv('TREATY_RUN_ID', 'run-3');
    await record(dir, 'order three', 'a');
    expect(Object.keys(inFile(dir))).toEqual(['order three']);
    vi.stubEnv('TREATY_DROP_STALE_INTERACTIONS', 'yes please');
    const e = await errorOf(() => contractFor(dir));
    expect(e.code).toBe('TREATY_DSL_INVALID');
    expect(e.message).toContain('TREATY_DROP_STALE_INTERACTIONS must be 1');
    vi.stubEnv('TREATY_DROP_STALE_INTERACTIONS', '');
    expect(
      (await errorOf(() => contractFor(dir, { staleInteractions: 'forget' as 'drop' }))).message,
    ).toContain("staleInteractions must be 'keep' or 'drop'");
  });

  it('reads a run file from before runs recorded their interactions as owning the whole file', async () => {
    const dir = dirs();
    vi.stubEnv('TREATY_RUN_ID', 'run-1');
    await record(dir, 'order one', 'a');
    writeFileSync(join(dir, '.web-orders.json.treaty-run'), 'run-1');
    expect((await errorOf(record(dir, 'order one', 'b'))).code).toBe('TREATY_CONTRACT_DUPLICATE_INTERACTION');
    vi.stubEnv('TREATY_RUN_ID', 'run-2');
    await record(dir, 'order one', 'b');
    expect(inFile(dir)).toEqual({ 'order one': { id: 1, variant: 'b' } });
  });

  it('refuses to merge into a file that is not a contract, and names it; a dropping run replaces it', async () => {
    const dir = dirs();
    writeFileSync(fileOf(dir), 'not json');
    vi.stubEnv('TREATY_RUN_ID', 'run-1');
    const e = await errorOf(record(dir, 'order one', 'a'));
    expect(e.code).toBe('TREATY_PACT_FILE_WRITE');
    expect(e.message).toContain(`${fileOf(dir)} is not a contract Treaty can merge into`);
    expect(readFileSync(fileOf(dir), 'utf8')).toBe('not json');
    await record(dir, 'order one', 'a', { staleInteractions: 'drop' });
    expect(Object.keys(inFile(dir))).toEqual(['order one']);
  });
});
