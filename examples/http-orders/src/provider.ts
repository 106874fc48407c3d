import Fastify, { type FastifyInstance } from 'fastify';
import type { NewOrder, Order } from './order.js';
import type { OrderStore } from './store.js';

const isItem = (v: unknown): boolean => {
  const i = v as Record<string, unknown>;
  return (
    typeof i === 'object' &&
    i !== null &&
    typeof i.sku === 'string' &&
    Number.isInteger(i.quantity) &&
    (i.quantity as number) > 0 &&
    typeof i.price === 'number'
  );
};

/** Options of {@link buildOrdersApp}. */
export interface OrdersAppOptions {
  /**
   * Serve `POST /_provider-states` so that `treaty verify --provider-states-setup-url` can set up data. Test
   * builds only.
   */
  providerStates?: boolean;
}

/** Sets up the data a provider state names; used by the state endpoint and by in-process verification. */
export function applyProviderState(
  store: OrderStore,
  state: string,
  params: Record<string, unknown> = {},
): void {
  if (state === 'no orders') store.clear();
  else if (state === 'order 1 exists' || state === 'an order exists') {
    store.clear();
    const id = typeof params.id === 'number' ? params.id : 1;
    store.place(
      { currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 2, price: 12.5 }] },
      { id, status: 'shipped', createdAt: '2026-01-15T10:00:00.000Z' },
    );
  } else throw new Error(`Unknown provider state '${state}'.`);
}

/** The orders API. */
export function buildOrdersApp(store: OrderStore, options: OrdersAppOptions = {}): FastifyInstance {
  const app = Fastify();

  app.get<{ Params: { id: string } }>('/orders/:id', async (req, reply) => {
    const order = store.get(Number(req.params.id));
    if (order === undefined)
      return reply.code(404).send({ error: 'not_found', message: `Order ${req.params.id} does not exist.` });
    return order;
  });

  app.get<{ Querystring: { status?: Order['status'] } }>('/orders', async (req) => ({
    orders: store.list(req.query.status),
  }));

  app.post<{ Body: NewOrder }>('/orders', async (req, reply) => {
    const body = req.body as Partial<NewOrder> | undefined;
    if (
      body === undefined ||
      typeof body.currency !== 'string' ||
      !Array.isArray(body.items) ||
      body.items.length === 0 ||
      !body.items.every(isItem)
    ) {
      return reply
        .code(400)
        .send({ error: 'invalid_order', message: 'Send { currency, items: [{ sku, quantity, price }] }.' });
    }
    const order = store.place({ currency: body.currency, items: body.items });
    return reply.code(201).header('Location', `/orders/${order.id}`).send(order);
  });

  if (options.providerStates === true) {
    app.post<{ Body: { state?: string; action?: string; params?: Record<string, unknown> } }>(
      '/_provider-states',
      async (req, reply) => {
        const { state, action, params } = req.body ?? {};
        if (typeof state !== 'string')
          return reply.code(400).send({ error: 'Send { state, action, params }.' });
        if (action !== 'teardown') applyProviderState(store, state, params);
        return {};
      },
    );
  }
  return app;
}
