import {
  ConsumerContract,
  arrayContaining,
  atLeastOneLike,
  boolean,
  date,
  datetime,
  decimal,
  eachKeyMatches,
  fromProviderState,
  integer,
  like,
  notEmpty,
  nullValue,
  regex,
  semver,
  string,
} from '@treaty/core';
import { CatalogClient } from '../src/checkout-client.js';

/**
 * The checkout's contract with the catalog: each matcher says what the checkout relies on and
 * nothing more. `wantsRating` plays a change on a feature branch: the checkout starts to read a
 * `rating` the catalog does not send yet.
 */
export async function recordCheckoutContract(
  dir: string,
  options: { wantsRating?: boolean } = {},
): Promise<void> {
  const contract = new ConsumerContract({ consumer: 'checkout', provider: 'catalog', dir });
  await contract
    .addInteraction()
    .given('a product exists', { id: 'p-42' })
    .uponReceiving('a request for a product')
    // The id comes from the provider state, so the provider may use its own ids.
    .withRequest('GET', fromProviderState('/products/${id}', '/products/p-42'), (req) =>
      req.headers({ Accept: 'application/json' }),
    )
    .willRespondWith(200, (res) =>
      res.headers({ 'X-Api-Version': semver('2.4.0') }).jsonBody(
        like({
          id: fromProviderState('${id}', 'p-42'),
          name: notEmpty('The Pragmatic Programmer'),
          price: decimal(39.9),
          currency: regex(/^[A-Z]{3}$/, 'EUR'),
          inStock: boolean(true),
          tags: arrayContaining('books'),
          discontinuedAt: nullValue(),
          releasedOn: date('yyyy-MM-dd', '2019-09-13'),
          attributes: eachKeyMatches({ format: 'paperback' }, regex(/^[a-z]+$/, 'format')),
          ...(options.wantsRating === true ? { rating: decimal(4.5) } : {}),
        }),
      ),
    )
    .executeTest(async (mock) => {
      const { product, apiVersion } = await new CatalogClient(mock.url).product('p-42');
      if (product.id !== 'p-42' || apiVersion !== '2.4.0')
        throw new Error('the client read the product wrongly');
    });

  await contract
    .addInteraction()
    .given('books are in the catalog')
    .uponReceiving('a search for books')
    .withRequest('GET', '/products', (req) =>
      req.query({ tag: 'books' }).headers({ Accept: 'application/json' }),
    )
    .willRespondWith(200, (res) =>
      res.jsonBody({
        items: atLeastOneLike(
          {
            id: string('p-1'),
            name: string('The Pragmatic Programmer'),
            price: decimal(39.9),
            inStock: boolean(true),
          },
          1,
        ),
        total: integer(1),
        generatedAt: datetime("yyyy-MM-dd'T'HH:mm:ss.SSSX", '2026-11-22T10:00:00.000Z'),
      }),
    )
    .executeTest(async (mock) => {
      const books = await new CatalogClient(mock.url).booksInStock();
      if (books.length !== 1) throw new Error('the client should keep the book in stock');
    });
}
