/** The topic the orders service publishes shipment events on. */
export const ORDER_SHIPPED_TOPIC = 'orders.shipped';

/** One line of a shipment: what left the warehouse, and how many. */
export interface ShippedItem {
  sku: string;
  quantity: number;
}

/** Published by the orders service when an order leaves the warehouse. */
export interface OrderShipped {
  orderId: string;
  /** ISO 8601 date-time in UTC, e.g. `2026-01-15T10:00:00.000Z`. */
  shippedAt: string;
  items: ShippedItem[];
}
