// AFTER: the same contract test with Treaty. Only the imports and the first line changed.
import { ConsumerContract, datetime, eachLike, integer, like, regex, string } from '@treaty/core';
import { UserNotFoundError, UsersClient } from '../src/client.js';
import type { User } from '../src/user.js';

const user = {
  id: integer(1),
  name: string('Ada Lovelace'),
  email: regex('[^@\\s]+@[^@\\s]+', 'ada@example.com'),
  roles: eachLike(string('admin')),
  createdAt: datetime("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", '2026-01-15T10:00:00.000Z'),
};

/** Runs the consumer's tests with Treaty; the contract lands in `dir/admin-web-users.json`. */
export async function recordWithTreaty(
  dir: string,
): Promise<{ found: User; missing: unknown; created: User }> {
  const pact = new ConsumerContract({ consumer: 'admin-web', provider: 'users', dir });

  const found = await pact
    .addInteraction()
    .given('user 1 exists', { id: 1 })
    .uponReceiving('a request for user 1')
    .withRequest('GET', '/users/1', (req) => req.headers({ Accept: 'application/json' }))
    .willRespondWith(200, (res) =>
      res.headers({ 'Content-Type': regex('application/json.*', 'application/json') }).jsonBody(like(user)),
    )
    .executeTest((mock) => new UsersClient(mock.url).getUser(1));

  const missing = await pact
    .addInteraction()
    .given('no users')
    .uponReceiving('a request for a user that does not exist')
    .withRequest('GET', '/users/99', (req) => req.headers({ Accept: 'application/json' }))
    .willRespondWith(404, (res) => res.jsonBody({ message: string('No user with id 99.') }))
    .executeTest((mock) =>
      new UsersClient(mock.url).getUser(99).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );

  const created = await pact
    .addInteraction()
    .given('no users')
    .uponReceiving('a request to create a user')
    .withRequest('POST', '/users', (req) =>
      req
        .headers({ Accept: 'application/json' })
        .jsonBody({ name: 'Grace Hopper', email: 'grace@example.com' }),
    )
    .willRespondWith(201, (res) =>
      res.jsonBody(
        like({
          ...user,
          name: string('Grace Hopper'),
          email: regex('[^@\\s]+@[^@\\s]+', 'grace@example.com'),
        }),
      ),
    )
    .executeTest((mock) =>
      new UsersClient(mock.url).createUser({ name: 'Grace Hopper', email: 'grace@example.com' }),
    );

  return { found, missing, created };
}

export { UserNotFoundError };
