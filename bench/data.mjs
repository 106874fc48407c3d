// Realistic bodies for the benchmarks: a typical order response with the rules a consumer test
// would write, and a ~1 MB document of orders with nested eachLike rules.

export function order(i) {
  return {
    id: 1000 + i,
    status: i % 3 === 0 ? 'SHIPPED' : 'PENDING',
    createdAt: `2024-05-${String((i % 28) + 1).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00Z`,
    customer: { id: 17 + i, name: `Customer ${i}`, email: `c${i}@example.com`, vip: i % 5 === 0 },
    items: Array.from({ length: 3 }, (_, j) => ({
      sku: `A-${i}${j}`,
      quantity: j + 1,
      price: 9.5 + j,
      note: null,
    })),
    total: 31.5 + i,
    tags: ['priority', 'web'],
  };
}

const m = (...matchers) => ({ matchers });

/** Body rules (V4 form) for one order at `prefix` ('$' or '$.orders[*]'). */
export function orderRules(prefix) {
  return {
    [`${prefix}.id`]: m({ match: 'integer' }),
    [`${prefix}.status`]: m({ match: 'regex', regex: 'PENDING|SHIPPED|DELIVERED' }),
    [`${prefix}.createdAt`]: m({ match: 'datetime', format: "yyyy-MM-dd'T'HH:mm:ssX" }),
    [`${prefix}.customer`]: m({ match: 'type' }),
    [`${prefix}.items`]: m({ match: 'type', min: 1 }),
    [`${prefix}.items[*].sku`]: m({ match: 'regex', regex: '[A-Z]-\\d+' }),
    [`${prefix}.items[*].quantity`]: m({ match: 'integer' }),
    [`${prefix}.items[*].price`]: m({ match: 'decimal' }),
    [`${prefix}.total`]: m({ match: 'number' }),
    [`${prefix}.tags`]: m({ match: 'type', min: 0 }),
  };
}

const jsonHeaders = { 'Content-Type': ['application/json'] };

/** A V4 expected response for one order, as a Pact file holds it. */
export function typicalExpected() {
  return {
    status: 200,
    headers: jsonHeaders,
    body: { contentType: 'application/json', encoded: false, content: order(0) },
    matchingRules: { body: orderRules('$') },
  };
}

/**
 * An actual response as verification reads it off the wire: its body is text, which matching parses
 * as JSON. (A V4 body object with string content would be a JSON string, not text to parse.)
 */
export function wireResponse(text, contentType = 'application/json; charset=utf-8') {
  return {
    status: 200,
    headers: { 'content-type': [contentType] },
    matchingRules: {},
    generators: {},
    body: { kind: 'text', text, contentType },
  };
}

/** An actual response whose body is the JSON text of one order. */
export function typicalActual(i = 7) {
  return wireResponse(JSON.stringify(order(i)));
}

/** A V4 expected response with a list of orders under eachLike, each with nested eachLike items. */
export function largeExpected() {
  return {
    status: 200,
    headers: jsonHeaders,
    body: { contentType: 'application/json', encoded: false, content: { orders: [order(0)], count: 1 } },
    matchingRules: {
      body: {
        '$.orders': m({ match: 'type', min: 1 }),
        '$.count': m({ match: 'integer' }),
        ...orderRules('$.orders[*]'),
      },
    },
  };
}

/** JSON text of `{ orders, count }` with enough orders to reach about `bytes` bytes (at least one). */
export function ordersText(bytes) {
  const orders = [];
  let size = 0;
  for (let i = 0; orders.length === 0 || size < bytes; i++) {
    const o = order(i + 7);
    size += JSON.stringify(o).length + 1;
    orders.push(o);
  }
  return { text: JSON.stringify({ orders, count: orders.length }), orders };
}

/** An actual response of about `bytes` bytes of JSON text. */
export function largeActual(bytes = 1_000_000) {
  const { text, orders } = ordersText(bytes);
  return {
    response: wireResponse(text, 'application/json'),
    bytes: text.length,
    orders: orders.length,
  };
}
