import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsumerContract, TreatyError, integer, like } from '@treaty/core';
import { OrdersClient } from '../src/client.js';
import { OrderNotFoundError, recordOrdersContract } from './orders-contract.js';

// The storefront's contract tests: its real OrdersClient against Treaty's mock server.
// TREATY_PACT_DIR chooses where the contract is written (the demo sets it); otherwise a temp folder.
describe('storefront → orders (consumer contract tests)', () => {
  it('reads an order, understands a 404 and places an order, and writes the contract', async () => {
    const dir = process.env.TREATY_PACT_DIR ?? mkdtempSync(join(tmpdir(), 'storefront-pacts-'));
    const alsoNeeds = process.env.STOREFRONT_ALSO_NEEDS?.split(',').filter(Boolean) ?? [];
    const seen = await recordOrdersContract(dir, { alsoNeeds });
    expect(seen.order).toMatchObject({
      id: 1,
      status: 'shipped',
      currency: 'EUR',
      items: [{ sku: 'BOOK-1', quantity: 2 }],
    });
    expect(seen.notFound).toBeInstanceOf(OrderNotFoundError);
    expect(seen.placed.status).toBe('pending');
    const written = JSON.parse(readFileSync(join(dir, 'storefront-orders.json'), 'utf8')) as {
      interactions: Array<{ description: string }>;
      metadata: { pactSpecification: { version: string } };
    };
    expect(written.metadata.pactSpecification.version).toBe('4.0');
    expect(written.interactions.map((i) => i.description).sort()).toEqual([
      'a new order',
      'a request for an order that does not exist',
      'a request for order 1',
    ]);
  });

  it('a client that sends the wrong order fails with what differs, though the client throws on the 500', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storefront-pacts-'));
    const contract = new ConsumerContract({ consumer: 'storefront', provider: 'orders', dir });
    const failure = contract
      .addInteraction()
      .given('no orders')
      .uponReceiving('a new order in euros')
      .withRequest('POST', '/orders', (req) =>
        req.jsonBody({ currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: integer(2), price: 12.5 }] }),
      )
      .willRespondWith(201, (res) => res.jsonBody(like({ id: integer(1) })))
      // A storefront bug: the basket's currency is not passed on.
      .executeTest((mock) =>
        new OrdersClient(mock.url).placeOrder({
          currency: 'USD',
          items: [{ sku: 'BOOK-1', quantity: 2, price: 12.5 }],
        }),
      );
    const error = await failure.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TreatyError);
    const { code, message, cause } = error as TreatyError;
    expect(code).toBe('TREATY_CONSUMER_TEST_FAILED');
    // First what the mock server saw, by JSON path; last, what the client then threw.
    expect(message).toMatch(/^The consumer test did not meet its contract/);
    expect(message).toContain('$.body.currency');
    expect(message).toMatch(/The test callback then threw: Error: POST \/orders answered 500: .*$/);
    expect(cause).toBeInstanceOf(Error);
  });
});
