import { ConsumerContract, datetime, eachLike, integer, like, number, regex, string } from '@treaty/core';
import { OrderNotFoundError, OrdersClient } from '../src/client.js';
import type { Order } from '../src/order.js';

/** What the storefront's contract tests observed through its real client. */
export interface Observed {
  order: Order;
  notFound: unknown;
  placed: Order;
}

/**
 * The storefront's contract with the orders API, recorded by running the real client against
 * Treaty's mock server. `alsoNeeds` adds fields the storefront starts to read (the demo uses it to
 * play a consumer change the provider does not support yet).
 */
export async function recordOrdersContract(
  dir: string,
  options: { alsoNeeds?: string[] } = {},
): Promise<Observed> {
  const contract = new ConsumerContract({ consumer: 'storefront', provider: 'orders', dir });
  const extra = Object.fromEntries((options.alsoNeeds ?? []).map((field) => [field, string('some value')]));
  const orderShape = {
    id: integer(1),
    status: regex(/pending|shipped/, 'shipped'),
    total: number(25),
    currency: regex(/[A-Z]{3}/, 'EUR'),
    items: eachLike({ sku: string('BOOK-1'), quantity: integer(2), price: number(12.5) }),
    createdAt: datetime("yyyy-MM-dd'T'HH:mm:ss.SSSX", '2026-01-15T10:00:00.000Z'),
    ...extra,
  };

  const order = await contract
    .addInteraction()
    .given('order 1 exists', { id: 1 })
    .uponReceiving('a request for order 1')
    .withRequest('GET', '/orders/1', (req) => req.headers({ Accept: 'application/json' }))
    .willRespondWith(200, (res) =>
      res
        .headers({ 'Content-Type': regex(/application\/json.*/, 'application/json') })
        .jsonBody(like(orderShape)),
    )
    .executeTest((mock) => new OrdersClient(mock.url).getOrder(1));

  const notFound = await contract
    .addInteraction()
    .given('no orders')
    .uponReceiving('a request for an order that does not exist')
    .withRequest('GET', '/orders/404')
    .willRespondWith(404)
    .executeTest((mock) =>
      new OrdersClient(mock.url).getOrder(404).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );

  const placed = await contract
    .addInteraction()
    .given('no orders')
    .uponReceiving('a new order')
    .withRequest('POST', '/orders', (req) =>
      req.jsonBody({
        currency: 'EUR',
        items: eachLike({ sku: string('BOOK-1'), quantity: integer(2), price: number(12.5) }),
      }),
    )
    .willRespondWith(201, (res) => res.jsonBody(like({ ...orderShape, status: regex(/pending/, 'pending') })))
    .executeTest((mock) =>
      new OrdersClient(mock.url).placeOrder({
        currency: 'EUR',
        items: [{ sku: 'BOOK-1', quantity: 2, price: 12.5 }],
      }),
    );

  return { order, notFound, placed };
}

export { OrderNotFoundError };
