import Fastify, { type FastifyInstance } from 'fastify';

/** A product as the catalog API serves it. */
export interface Product {
  id: string;
  name: string;
  price: number;
  currency: string;
  inStock: boolean;
  tags: string[];
  discontinuedAt: string | null;
  releasedOn: string;
  attributes: Record<string, string>;
}

/** The catalog's products in memory; provider states fill it. */
export class Catalog {
  private readonly products = new Map<string, Product>();

  add(product: Product): Product {
    this.products.set(product.id, product);
    return product;
  }

  get(id: string): Product | undefined {
    return this.products.get(id);
  }

  search(tag: string | undefined): Product[] {
    return [...this.products.values()]
      .filter((p) => tag === undefined || p.tags.includes(tag))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  clear(): void {
    this.products.clear();
  }
}

/**
 * Sets up the data a provider state names, and returns the values it created: the verifier fills
 * them into the request where the contract says `fromProviderState('${id}')`.
 */
export function applyState(
  catalog: Catalog,
  state: string,
  params: Record<string, unknown> = {},
): Record<string, unknown> {
  catalog.clear();
  if (state === 'a product exists') {
    // The catalog picks its own id; the contract does not depend on it.
    const product = catalog.add(
      sampleProduct(`p-${typeof params.id === 'string' ? params.id.replace(/^p-/, '') : '1'}00`),
    );
    return { id: product.id };
  }
  if (state === 'books are in the catalog') {
    catalog.add(sampleProduct('p-1'));
    catalog.add(sampleProduct('p-2', { name: 'Refactoring', price: 44.5, tags: ['books'], inStock: false }));
    catalog.add(sampleProduct('p-3', { name: 'Coffee mug', price: 9.5, tags: ['kitchen'] }));
    return {};
  }
  throw new Error(`Unknown provider state '${state}'.`);
}

/**
 * The catalog API: a product by id, and a search by tag. `apiVersion` goes out in a header. With
 * `providerStates`, a test build also serves `POST /_provider-states` for `treaty verify`.
 */
export function buildCatalogApp(
  catalog: Catalog,
  options: { apiVersion?: string; providerStates?: boolean } = {},
): FastifyInstance {
  const apiVersion = options.apiVersion ?? '2.4.0';
  const app = Fastify();
  if (options.providerStates === true) {
    app.post<{ Body: { state?: string; action?: string; params?: Record<string, unknown> } }>(
      '/_provider-states',
      async (req, reply) => {
        const { state, action, params } = req.body ?? {};
        if (typeof state !== 'string')
          return reply.code(400).send({ error: 'Send { state, action, params }.' });
        return action === 'teardown' ? {} : applyState(catalog, state, params);
      },
    );
  }
  app.addHook('onSend', async (_req, reply) => {
    reply.header('X-Api-Version', apiVersion);
  });
  app.get<{ Params: { id: string } }>('/products/:id', async (req, reply) => {
    const product = catalog.get(req.params.id);
    if (product === undefined) return reply.code(404).send({ error: 'not_found' });
    return product;
  });
  app.get<{ Querystring: { tag?: string } }>('/products', async (req) => {
    const items = catalog.search(req.query.tag);
    return { items, total: items.length, generatedAt: new Date().toISOString() };
  });
  return app;
}

/** A product the provider states create, with the id the state asks for. */
export function sampleProduct(id: string, overrides: Partial<Product> = {}): Product {
  return {
    id,
    name: 'The Pragmatic Programmer',
    price: 39.9,
    currency: 'EUR',
    inStock: true,
    tags: ['books', 'software'],
    discontinuedAt: null,
    releasedOn: '2019-09-13',
    attributes: { format: 'paperback', language: 'en' },
    ...overrides,
  };
}
