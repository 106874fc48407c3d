import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
