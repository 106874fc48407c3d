import type { Product } from './catalog.js';

/** The checkout's view of the catalog: what it reads, typed. */
export class CatalogClient {
  constructor(private readonly baseUrl: string) {}

  async product(id: string): Promise<{ product: Product; apiVersion: string }> {
    const res = await fetch(`${this.baseUrl}/products/${encodeURIComponent(id)}`, {
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`GET /products/${id} answered ${res.status}`);
    return { product: (await res.json()) as Product, apiVersion: res.headers.get('x-api-version') ?? '' };
  }

  async booksInStock(): Promise<Product[]> {
    const res = await fetch(`${this.baseUrl}/products?tag=books`, {
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`GET /products answered ${res.status}`);
    return ((await res.json()) as { items: Product[] }).items.filter((p) => p.inStock);
  }
}
