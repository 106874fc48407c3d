import { ORDER_SHIPPED_TOPIC, type OrderShipped } from './order-events.js';

/** One line of an order, as the orders service stores it. */
export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** An order in the orders service. */
export interface Order {
  id: string;
  status: 'placed' | 'shipped';
  lines: OrderLine[];
  placedAt: string;
  shippedAt?: string;
}

/** A message as the orders service hands it to its broker: the JSON contents and the metadata. */
export interface OutgoingMessage<T> {
  contents: T;
  metadata: { topic: string; contentType: string };
}

const copy = (order: Order): Order => ({ ...order, lines: order.lines.map((line) => ({ ...line })) });

/** The orders service's storage, in memory. `now` is the clock used for placedAt and shippedAt. */
export class OrderRepository {
  private readonly orders = new Map<string, Order>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  place(id: string, lines: OrderLine[]): Order {
    if (id === '') throw new Error('An order needs an id.');
    if (this.orders.has(id)) throw new Error(`Order ${id} already exists.`);
    if (lines.length === 0) throw new Error(`Order ${id} has no lines.`);
    for (const line of lines) {
      if (!Number.isInteger(line.quantity) || line.quantity < 1)
        throw new Error(
          `Order ${id}: the quantity of ${line.sku} must be a positive integer, got ${line.quantity}.`,
        );
    }
    const order: Order = {
      id,
      status: 'placed',
      lines: lines.map((line) => ({ ...line })),
      placedAt: this.now().toISOString(),
    };
    this.orders.set(id, order);
    return copy(order);
  }

  /** Marks a placed order as shipped, now. */
  ship(id: string): Order {
    const order = this.orders.get(id);
    if (order === undefined) throw new Error(`Order ${id} does not exist.`);
    if (order.status === 'shipped') throw new Error(`Order ${id} has already shipped.`);
    order.status = 'shipped';
    order.shippedAt = this.now().toISOString();
    return copy(order);
  }

  get(id: string): Order | undefined {
    const order = this.orders.get(id);
    return order === undefined ? undefined : copy(order);
  }

  remove(id: string): boolean {
    return this.orders.delete(id);
  }
}

/**
 * The OrderShipped event of a shipped order: one item per SKU (lines of the same SKU are added up), no
 * prices.
 */
export function orderShippedEvent(order: Order): OrderShipped {
  if (order.status !== 'shipped' || order.shippedAt === undefined)
    throw new Error(`Order ${order.id} has not shipped.`);
  const quantities = new Map<string, number>();
  for (const line of order.lines) quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
  return {
    orderId: order.id,
    shippedAt: order.shippedAt,
    items: [...quantities].map(([sku, quantity]) => ({ sku, quantity })),
  };
}

/** The message the orders service publishes when an order ships. */
export function orderShippedMessage(order: Order): OutgoingMessage<OrderShipped> {
  return {
    contents: orderShippedEvent(order),
    metadata: { topic: ORDER_SHIPPED_TOPIC, contentType: 'application/json' },
  };
}
