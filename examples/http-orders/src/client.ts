import type { NewOrder, Order } from './order.js';

/** The order does not exist (the API answered 404). */
export class OrderNotFoundError extends Error {
  constructor(readonly id: number) {
    super(`Order ${id} does not exist.`);
    this.name = 'OrderNotFoundError';
  }
}

/** The storefront's client for the orders API: typed, with the errors it can expect. */
export class OrdersClient {
  constructor(private readonly baseUrl: string) {}

  async getOrder(id: number): Promise<Order> {
    const res = await fetch(`${this.baseUrl}/orders/${id}`, { headers: { Accept: 'application/json' } });
    if (res.status === 404) throw new OrderNotFoundError(id);
    if (!res.ok) throw new Error(`GET /orders/${id} answered ${res.status}.`);
    return (await res.json()) as Order;
  }

  async listOrders(status?: Order['status']): Promise<Order[]> {
    const query = status === undefined ? '' : `?status=${encodeURIComponent(status)}`;
    const res = await fetch(`${this.baseUrl}/orders${query}`, { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`GET /orders answered ${res.status}.`);
    return ((await res.json()) as { orders: Order[] }).orders;
  }

  async placeOrder(order: NewOrder): Promise<Order> {
    const res = await fetch(`${this.baseUrl}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(order),
    });
    if (res.status !== 201) throw new Error(`POST /orders answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Order;
  }
}
