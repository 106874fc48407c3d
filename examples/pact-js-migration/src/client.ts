import type { NewUser, User } from './user.js';

/** The user does not exist (the API answered 404). */
export class UserNotFoundError extends Error {
  constructor(readonly id: number) {
    super(`User ${id} does not exist.`);
    this.name = 'UserNotFoundError';
  }
}

/** The admin web app's client for the users API. */
export class UsersClient {
  constructor(private readonly baseUrl: string) {}

  async getUser(id: number): Promise<User> {
    const res = await fetch(`${this.baseUrl}/users/${id}`, { headers: { Accept: 'application/json' } });
    if (res.status === 404) throw new UserNotFoundError(id);
    if (!res.ok) throw new Error(`GET /users/${id} answered ${res.status}.`);
    return (await res.json()) as User;
  }

  async createUser(user: NewUser): Promise<User> {
    const res = await fetch(`${this.baseUrl}/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(user),
    });
    if (res.status !== 201) throw new Error(`POST /users answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as User;
  }
}
