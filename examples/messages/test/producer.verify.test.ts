import { beforeAll, describe, expect, it } from 'vitest';
import { verifyProvider, type JsonObject, type ProviderState, type VerificationResult } from '@treaty/core';
import { OrderRepository, orderShippedMessage, type Order } from '../src/producer.js';
import { ORDER_SHIPPED, READY_TO_SHIP, recordNotificationsContract } from './contract.js';

let pacts = '';

beforeAll(async () => {
  // The consumer's contract test writes the contract into a fresh temp folder first, so this file
  // does not depend on the order the test files run in.
  pacts = (await recordNotificationsContract()).dir;
});

const orderIdOf = (params: JsonObject | undefined): string => {
  if (typeof params?.orderId !== 'string')
    throw new Error(`the state '${READY_TO_SHIP}' needs an orderId, got ${JSON.stringify(params)}`);
  return params.orderId;
};

/**
 * Verifies the orders service's messages against the contract. The provider state places the order
 * in a real repository; the message provider ships it and returns the message `toMessage` builds.
 */
async function verifyOrdersMessages(
  toMessage: (order: Order) => unknown,
): Promise<{ result: VerificationResult; sent: unknown[] }> {
  const repository = new OrderRepository(() => new Date('2026-03-02T09:30:00.000Z'));
  const sent: unknown[] = [];
  const result = await verifyProvider({
    pacts: [pacts],
    stateHandlers: {
      [READY_TO_SHIP]: {
        setup: (params) =>
          repository.place(orderIdOf(params), [
            { sku: 'BOOK-1', quantity: 2, unitPrice: 12.5 },
            { sku: 'MUG-7', quantity: 1, unitPrice: 8 },
            { sku: 'BOOK-1', quantity: 1, unitPrice: 12.5 },
          ]),
        teardown: (params) => repository.remove(orderIdOf(params)),
      },
    },
    messageProviders: {
      [ORDER_SHIPPED]: (states: ProviderState[]) => {
        const message = toMessage(
          repository.ship(orderIdOf(states.find((s) => s.name === READY_TO_SHIP)?.params)),
        );
        sent.push(message);
        return message;
      },
    },
  });
  return { result, sent };
}

describe('orders (message producer) verified against the notifications contract', () => {
  it('passes: the OrderShipped message the orders service builds is what notifications expects', async () => {
    const { result, sent } = await verifyOrdersMessages(orderShippedMessage);
    expect(result.passed, JSON.stringify(result, null, 2)).toBe(true);
    expect(result.summary).toMatchObject({ passed: 1, failed: 0, errors: 0 });
    expect(result.contracts[0]?.interactions.map((i) => [i.description, i.type, i.status])).toEqual([
      [ORDER_SHIPPED, 'Asynchronous/Messages', 'passed'],
    ]);
    // What was checked is the real event: other values than the consumer's example, same shape.
    expect(sent).toEqual([
      {
        contents: {
          orderId: 'ORD-1001',
          shippedAt: '2026-03-02T09:30:00.000Z',
          items: [
            { sku: 'BOOK-1', quantity: 3 },
            { sku: 'MUG-7', quantity: 1 },
          ],
        },
        metadata: { topic: 'orders.shipped', contentType: 'application/json' },
      },
    ]);
  });

  it('fails, naming the field, when the producer sends quantity as a string', async () => {
    const quantitiesAsText = (order: Order): unknown => {
      const { contents, metadata } = orderShippedMessage(order);
      return {
        metadata,
        contents: {
          ...contents,
          items: contents.items.map((item) => ({ sku: item.sku, quantity: String(item.quantity) })),
        },
      };
    };
    const { result } = await verifyOrdersMessages(quantitiesAsText);
    expect(result.passed).toBe(false);
    const [interaction] = result.contracts[0]?.interactions ?? [];
    expect(interaction?.status).toBe('failed');
    expect(interaction?.mismatches.map((m) => [m.path, m.rule])).toEqual([
      ['$.body.items[0].quantity', 'integer'],
      ['$.body.items[1].quantity', 'integer'],
    ]);
    expect(interaction?.mismatches[0]?.message).toBe(
      '$.body.items[0].quantity: expected an integer but got "3"',
    );
  });

  it('fails when the producer drops a field the consumer reads', async () => {
    const withoutShippedAt = (order: Order): unknown => {
      const {
        contents: { shippedAt: _dropped, ...contents },
        metadata,
      } = orderShippedMessage(order);
      return { contents, metadata };
    };
    const { result } = await verifyOrdersMessages(withoutShippedAt);
    expect(result.passed).toBe(false);
    expect(result.contracts[0]?.interactions[0]?.mismatches.map((m) => m.path)).toEqual(['$.body.shippedAt']);
  });
});
