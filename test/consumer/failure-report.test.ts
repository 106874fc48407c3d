import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsumerContract, TreatyError, integer, like } from '@treaty/core';

// A real client throws on an answer that is not 2xx, as most do; the mock answers an unmatched
// request 500, so the test callback throws before the mock's report is looked at.
class InventoryClient {
  constructor(private readonly baseUrl: string) {}

  async reserve(sku: string, quantity: unknown): Promise<{ id: number }> {
    const res = await fetch(`${this.baseUrl}/reservations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sku, quantity }),
    });
    if (!res.ok) throw new Error(`inventory answered ${res.status}`);
    return (await res.json()) as { id: number };
  }
}

const newContract = (dir: string) => new ConsumerContract({ consumer: 'shop', provider: 'inventory', dir });

function reservation(contract: ConsumerContract) {
  return contract
    .addInteraction()
    .uponReceiving('reserve two of A-1')
    .withRequest('POST', '/reservations', (req) => req.jsonBody({ sku: like('A-1'), quantity: integer(2) }))
    .willRespondWith(201, (res) => res.jsonBody({ id: integer(7) }));
}

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected the test to fail');
}

describe('a consumer test whose callback throws', () => {
  it('fails with the mismatch report first, the callback error as its cause and named on the last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-report-'));
    let clientError: unknown;
    const failure = reservation(newContract(dir)).executeTest(async (mock) => {
      try {
        return await new InventoryClient(mock.url).reserve('A-1', '2');
      } catch (error) {
        clientError = error;
        throw error;
      }
    });
    // What vitest prints for the failing test: the message names the path and the reason.
    await expect(failure).rejects.toThrow('$.body.quantity: expected an integer but got "2"');
    const error = await rejectionOf(failure);
    if (!(error instanceof TreatyError)) throw error;
    expect(error.code).toBe('TREATY_CONSUMER_TEST_FAILED');
    expect(error.message).toMatch(
      /^The consumer test did not meet its contract, so no contract file was written\.\n\nUnexpected request: POST \/reservations\n {2}closest interaction 'reserve two of A-1' differs:\n {4}- \$\.body\.quantity: expected an integer but got "2"\n/,
    );
    expect(clientError).toBeInstanceOf(Error);
    expect(error.cause).toBe(clientError);
    expect(error.message.split('\n').at(-1)).toBe(
      'The test callback then threw: Error: inventory answered 500',
    );
    expect(existsSync(join(dir, 'shop-inventory.json'))).toBe(false);
  });

  it('lets the callback error through unchanged when the mock saw nothing wrong, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-report-'));
    const own = new Error('the reservation id should be positive');
    const error = await rejectionOf(
      reservation(newContract(dir)).executeTest(async (mock) => {
        await new InventoryClient(mock.url).reserve('A-1', 2);
        throw own;
      }),
    );
    expect(error).toBe(own);
    expect(existsSync(join(dir, 'shop-inventory.json'))).toBe(false);
  });

  it('names the interactions never requested when the callback threw before making them', async () => {
    const error = await rejectionOf(
      reservation(newContract(mkdtempSync(join(tmpdir(), 'treaty-report-')))).executeTest(() => {
        throw new TypeError('client is not configured');
      }),
    );
    if (!(error instanceof TreatyError)) throw error;
    expect(error.code).toBe('TREATY_CONSUMER_TEST_FAILED');
    expect(error.message).toContain("Expected but not received: 'reserve two of A-1' (POST /reservations)");
    expect(error.message.split('\n').at(-1)).toBe(
      'The test callback threw: TypeError: client is not configured',
    );
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('lets a message handler error through unchanged: there is no mock to report on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-report-'));
    const own = new Error('handler failed');
    const contract = newContract(dir);
    const async = await rejectionOf(
      contract
        .addAsynchronousMessage()
        .expectsToReceive('a stock changed event', (m) => m.withJSONContent({ sku: like('A-1') }))
        .executeTest(() => {
          throw own;
        }),
    );
    expect(async).toBe(own);
    const sync = await rejectionOf(
      contract
        .addSynchronousMessage('a stock query')
        .withRequest((m) => m.withJSONContent({ sku: 'A-1' }))
        .withResponse((m) => m.withJSONContent({ quantity: 3 }))
        .executeTest(async () => Promise.reject(own)),
    );
    expect(sync).toBe(own);
    expect(existsSync(join(dir, 'shop-inventory.json'))).toBe(false);
  });
});
