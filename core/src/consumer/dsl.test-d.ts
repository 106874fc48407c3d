import { describe, expectTypeOf, it } from 'vitest';
import { eachLike, integer, like, regex, statusCode, type Reify } from '../matchers/matchers.js';
import { ConsumerContract } from './contract.js';
import type { MockServerInfo } from './builders.js';
import type { ReifiedMessage, ReifiedSyncMessage } from './message-builders.js';

const contract = new ConsumerContract({ consumer: 'web', provider: 'orders' });

describe('the consumer DSL types', () => {
  it('executeTest hands the mock server to the callback and returns what the callback returns', () => {
    const result = contract
      .addInteraction()
      .uponReceiving('a request')
      .withRequest('GET', '/orders/1')
      .willRespondWith(200)
      .executeTest(async (mock) => {
        expectTypeOf(mock).toEqualTypeOf<MockServerInfo>();
        expectTypeOf(mock.url).toBeString();
        return 42 as const;
      });
    expectTypeOf(result).toEqualTypeOf<Promise<42>>();
  });

  it('takes matchers where values go: path, query, headers, status, bodies', () => {
    contract
      .addInteraction()
      .given('order 1 exists', { id: 1 })
      .uponReceiving('a request for order 1')
      .withRequest('GET', regex('/orders/\\d+', '/orders/1'), (req) =>
        req.query({ page: regex('\\d+', '1'), tag: ['a', 'b'] }).headers({ Accept: 'application/json' }),
      )
      .willRespondWith(statusCode('success'), (res) => res.jsonBody(like({ id: integer(1) })));
  });

  it('rejects values of the wrong type at compile time', () => {
    const i = contract.addInteraction().uponReceiving('x');
    // @ts-expect-error a path is a string or a string matcher
    i.withRequest('GET', 42);
    // @ts-expect-error a path matcher must have a string example
    i.withRequest('GET', integer(1));
    // @ts-expect-error query values are strings
    i.withRequest('GET', '/', (req) => req.query({ page: 1 }));
    // @ts-expect-error a status is a number or a status matcher
    i.withRequest('GET', '/').willRespondWith('200');
    // @ts-expect-error contracts need a consumer and a provider
    new ConsumerContract({ consumer: 'web' });
    // @ts-expect-error only V3 and V4 are written
    new ConsumerContract({ consumer: 'web', provider: 'orders', specVersion: 2 });
  });

  it('types the example a client will see from the response template', () => {
    const order = like({ id: integer(1), items: eachLike({ sku: 'A-1' }) });
    expectTypeOf<Reify<typeof order>>().toEqualTypeOf<{ id: number; items: Array<{ sku: string }> }>();
  });

  it('gives message tests the reified message', () => {
    void contract
      .addAsynchronousMessage()
      .expectsToReceive('an event', (m) => m.withJSONContent({ id: integer(1) }))
      .executeTest((message) => {
        expectTypeOf(message).toEqualTypeOf<ReifiedMessage>();
      });
    void contract
      .addSynchronousMessage('a request')
      .withRequest((m) => m.withJSONContent({ a: 1 }))
      .withResponse((m) => m.withJSONContent({ b: 2 }))
      .executeTest((exchange) => {
        expectTypeOf(exchange).toEqualTypeOf<ReifiedSyncMessage>();
      });
  });
});
