import type { OrderShipped, ShippedItem } from './order-events.js';

/** The event is not an OrderShipped event the notifications service can use. */
export class InvalidEventError extends Error {
  constructor(readonly problems: string[]) {
    super(`Not a valid OrderShipped event: ${problems.join('; ')}.`);
    this.name = 'InvalidEventError';
  }
}

/** The e-mail the notifications service sends when an order ships. */
export interface ShipmentNotification {
  orderId: string;
  subject: string;
  text: string;
}

// What toISOString() writes: UTC, with milliseconds.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function parseItem(value: unknown, index: number, problems: string[]): ShippedItem | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`items[${index}] must be an object`);
    return undefined;
  }
  const item = value as Record<string, unknown>;
  const before = problems.length;
  if (typeof item.sku !== 'string' || item.sku === '')
    problems.push(`items[${index}].sku must be a non-empty string`);
  if (typeof item.quantity !== 'number' || !Number.isInteger(item.quantity) || item.quantity < 1)
    problems.push(`items[${index}].quantity must be a positive integer`);
  return problems.length === before
    ? { sku: item.sku as string, quantity: item.quantity as number }
    : undefined;
}

/** Checks an incoming event and returns it typed; throws {@link InvalidEventError} naming every problem. */
export function parseOrderShipped(value: unknown): OrderShipped {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidEventError(['the event must be a JSON object']);
  const event = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof event.orderId !== 'string' || event.orderId === '')
    problems.push('orderId must be a non-empty string');
  if (
    typeof event.shippedAt !== 'string' ||
    !ISO_UTC.test(event.shippedAt) ||
    Number.isNaN(Date.parse(event.shippedAt))
  ) {
    problems.push('shippedAt must be a UTC date-time such as 2026-01-15T10:00:00.000Z');
  }
  const items: ShippedItem[] = [];
  if (!Array.isArray(event.items) || event.items.length === 0)
    problems.push('items must be a non-empty array');
  else
    event.items.forEach((v: unknown, i) => {
      const item = parseItem(v, i, problems);
      if (item !== undefined) items.push(item);
    });
  if (problems.length > 0) throw new InvalidEventError(problems);
  return { orderId: event.orderId as string, shippedAt: event.shippedAt as string, items };
}

/**
 * The notifications service's handler for `orders.shipped`: checks the event and returns the e-mail
 * to send to the customer. Malformed events are rejected with {@link InvalidEventError}.
 */
export function handleOrderShipped(message: unknown): ShipmentNotification {
  const event = parseOrderShipped(message);
  const units = event.items.reduce((sum, item) => sum + item.quantity, 0);
  const lines = event.items.map((item) => `${item.quantity} x ${item.sku}`).join(', ');
  return {
    orderId: event.orderId,
    subject: `Your order ${event.orderId} has shipped`,
    text: `Your order ${event.orderId} left our warehouse on ${event.shippedAt.slice(0, 10)}: ${lines} (${units} ${units === 1 ? 'item' : 'items'}).`,
  };
}
