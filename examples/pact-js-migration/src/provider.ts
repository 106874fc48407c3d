import Fastify, { type FastifyInstance } from 'fastify';
import type { NewUser, User } from './user.js';

/** The users service's storage: in memory, with the operations its provider states need. */
export class UserRepository {
  private readonly users = new Map<number, User>();
  private nextId = 1;

  constructor(private readonly now: () => Date = () => new Date()) {}

  create(input: NewUser, id = this.nextId): User {
    const user: User = {
      id,
      name: input.name,
      email: input.email,
      roles: ['member'],
      createdAt: this.now().toISOString(),
    };
    this.users.set(id, user);
    this.nextId = Math.max(this.nextId, id + 1);
    return user;
  }

  get(id: number): User | undefined {
    return this.users.get(id);
  }

  grant(id: number, role: string): void {
    const user = this.users.get(id);
    if (user !== undefined && !user.roles.includes(role)) user.roles.push(role);
  }

  clear(): void {
    this.users.clear();
    this.nextId = 1;
  }
}

const newUserSchema = {
  type: 'object',
  required: ['name', 'email'],
  properties: {
    name: { type: 'string', minLength: 1 },
    email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' },
  },
} as const;

/** The users API: GET /users/:id and POST /users (a bad body is fastify's 400 with a message). */
export function buildUsersApp(repository: UserRepository): FastifyInstance {
  const app = Fastify();

  app.get<{ Params: { id: string } }>('/users/:id', async (req, reply) => {
    const id = Number(req.params.id);
    const user = Number.isInteger(id) ? repository.get(id) : undefined;
    if (user === undefined) return reply.code(404).send({ message: `No user with id ${req.params.id}.` });
    return user;
  });

  app.post<{ Body: NewUser }>('/users', { schema: { body: newUserSchema } }, async (req, reply) => {
    return reply.code(201).send(repository.create(req.body));
  });

  return app;
}
