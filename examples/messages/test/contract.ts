import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsumerContract, datetime, eachLike, integer, regex, reify, string } from '@treaty/core';
import { handleOrderShipped, type ShipmentNotification } from '../src/consumer.js';
import { ORDER_SHIPPED_TOPIC, type OrderShipped } from '../src/order-events.js';

export const CONSUMER = 'notifications';
export const PROVIDER = 'orders';
/** The description of the message: the producer side looks its message provider up by it. */
export const ORDER_SHIPPED = 'an order shipped event';
/** The provider state the message needs. */
export const READY_TO_SHIP = 'an order is ready to ship';

/** What the notifications service relies on in an OrderShipped event. */
const orderShippedTemplate = {
  orderId: regex(/ORD-\d+/, 'ORD-1001'),
  shippedAt: datetime("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", '2026-01-15T10:00:00.000Z'),
  items: eachLike({ sku: string('BOOK-1'), quantity: integer(2) }),
};

// The template describes an OrderShipped: this stops compiling if the two drift apart.
export const orderShippedExample: OrderShipped = reify(orderShippedTemplate);

/** The contract's folder and file, and what the real handler returned for the example message. */
export interface Recorded {
  dir: string;
  file: string;
  notification: ShipmentNotification;
}

/**
 * The notifications service's contract test: Treaty hands the example OrderShipped message to the
 * real handler, and writes `notifications-orders.json` into `dir` (a new temp folder by default)
 * once the handler has accepted it.
 */
export async function recordNotificationsContract(
  dir: string = mkdtempSync(join(tmpdir(), 'notifications-pacts-')),
): Promise<Recorded> {
  const contract = new ConsumerContract({ consumer: CONSUMER, provider: PROVIDER, dir });
  const notification = await contract
    .addAsynchronousMessage()
    .given(READY_TO_SHIP, { orderId: 'ORD-1001' })
    .expectsToReceive(ORDER_SHIPPED, (m) =>
      m.withJSONContent(orderShippedTemplate).withMetadata({ topic: ORDER_SHIPPED_TOPIC }),
    )
    .executeTest((message) => handleOrderShipped(message.contents));
  return { dir, file: join(dir, `${CONSUMER}-${PROVIDER}.json`), notification };
}
