import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsumerContract, integer, like, parseContract, string } from '@treaty/core';
import { InvalidEventError, handleOrderShipped } from '../src/consumer.js';
import {
  CONSUMER,
  ORDER_SHIPPED,
  PROVIDER,
  READY_TO_SHIP,
  orderShippedExample,
  recordNotificationsContract,
} from './contract.js';

describe('notifications ← orders (message consumer contract test)', () => {
  it('runs the real handler on the example event and writes the contract', async () => {
    const { file, notification } = await recordNotificationsContract();

    expect(notification).toEqual({
      orderId: 'ORD-1001',
      subject: 'Your order ORD-1001 has shipped',
      text: 'Your order ORD-1001 left our warehouse on 2026-01-15: 2 x BOOK-1 (2 items).',
    });

    // The file is a Pact V4 contract; parseContract reads it back as Treaty's model.
    const written = parseContract(readFileSync(file, 'utf8'));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      metadata: { pactSpecification: { version: '4.0' } },
    });
    expect([written.consumer.name, written.provider.name]).toEqual([CONSUMER, PROVIDER]);
    expect(written.interactions).toHaveLength(1);
    const message = written.interactions[0];
    if (message?.type !== 'Asynchronous/Messages')
      throw new Error(`expected one asynchronous message, got ${message?.type}`);
    expect(message.description).toBe(ORDER_SHIPPED);
    expect(message.providerStates).toEqual([{ name: READY_TO_SHIP, params: { orderId: 'ORD-1001' } }]);
    expect(message.message.contents).toMatchObject({ kind: 'json', value: orderShippedExample });
    expect(message.message.metadata).toEqual({ topic: 'orders.shipped', contentType: 'application/json' });
    // The rules the producer will be held to.
    const rule = (path: string): string | undefined =>
      message.message.matchingRules.body?.[path]?.rules[0]?.match;
    expect([
      rule('$.orderId'),
      rule('$.shippedAt'),
      rule('$.items'),
      rule('$.items[*].sku'),
      rule('$.items[*].quantity'),
    ]).toEqual(['regex', 'datetime', 'type', 'type', 'integer']);
  });

  it('rejects malformed events, naming what is wrong', () => {
    expect(() => handleOrderShipped('not an event')).toThrow(InvalidEventError);
    expect(() => handleOrderShipped({ ...orderShippedExample, items: [] })).toThrow(
      'items must be a non-empty array',
    );
    expect(() =>
      handleOrderShipped({ ...orderShippedExample, items: [{ sku: 'BOOK-1', quantity: '2' }] }),
    ).toThrow('items[0].quantity must be a positive integer');
    expect(() => handleOrderShipped({ ...orderShippedExample, shippedAt: 'yesterday' })).toThrow(
      'shippedAt must be a UTC date-time',
    );
    const { orderId: _dropped, ...withoutId } = orderShippedExample;
    expect(() => handleOrderShipped(withoutId)).toThrow('orderId must be a non-empty string');
  });

  it('writes no contract when the handler rejects the example message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notifications-pacts-'));
    const contract = new ConsumerContract({ consumer: CONSUMER, provider: PROVIDER, dir });
    // An expectation the handler cannot work with: no shippedAt.
    const run = contract
      .addAsynchronousMessage()
      .expectsToReceive('an order shipped event without a date', (m) =>
        m.withJSONContent(
          like({ orderId: string('ORD-1001'), items: [{ sku: string('BOOK-1'), quantity: integer(2) }] }),
        ),
      )
      .executeTest((message) => handleOrderShipped(message.contents));
    await expect(run).rejects.toThrow(InvalidEventError);
    expect(existsSync(join(dir, `${CONSUMER}-${PROVIDER}.json`))).toBe(false);
  });
});
