import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { VerifierOptions } from '@pact-foundation/pact';
import { buildUsersApp, UserRepository } from '../src/provider.js';
import { recordWithPactJs } from './pact-js-contract.js';
import { recordWithTreaty } from './treaty-contract.js';

// What both verifiers' tests share: the two contracts for the users API (one written by Pact JS,
// one by Treaty), the API itself on a free port, and its provider states.

/** Records both contracts in temp folders and returns their files. */
export async function recordBoth(): Promise<{ pactJsContract: string; treatyContract: string }> {
  const before = mkdtempSync(join(tmpdir(), 'users-pact-js-'));
  const after = mkdtempSync(join(tmpdir(), 'users-treaty-'));
  await recordWithPactJs(before);
  await recordWithTreaty(after);
  return {
    pactJsContract: join(before, 'admin-web-users.json'),
    treatyContract: join(after, 'admin-web-users.json'),
  };
}

let app: FastifyInstance | undefined;

/** Stops the provider the last `startProvider` started, if any. */
export async function stopProvider(): Promise<void> {
  await app?.close();
  app = undefined;
}

const idOf = (params: unknown): number => Number((params as { id?: unknown } | undefined)?.id ?? 1);

/**
 * Provider states in Pact JS's `{ setup }` form. The same object serves Treaty's `verifyProvider`
 * and Pact JS's `Verifier`. (Pact JS runs this form but its types refuse it, pact-js issue #1164,
 * hence the cast in `pactJsStateHandlers`; Treaty's types accept it.)
 */
export function stateHandlers(repository: UserRepository) {
  return {
    'user 1 exists': {
      setup: async (params?: unknown) => {
        repository.clear();
        repository.create({ name: 'Ada Lovelace', email: 'ada@example.com' }, idOf(params));
        repository.grant(idOf(params), 'admin');
      },
    },
    'no users': {
      setup: async () => repository.clear(),
    },
  };
}

export const pactJsStateHandlers = (repository: UserRepository) =>
  stateHandlers(repository) as unknown as VerifierOptions['stateHandlers'];

/** Starts the users API on a free port; `dropField` plays a provider build that stopped sending it. */
export async function startProvider(
  dropField?: string,
): Promise<{ url: string; repository: UserRepository }> {
  const repository = new UserRepository(() => new Date('2026-03-02T09:30:00.000Z'));
  app = buildUsersApp(repository);
  if (dropField !== undefined) {
    app.addHook('preSerialization', async (_req, _reply, payload) => {
      if (typeof payload !== 'object' || payload === null || !(dropField in payload)) return payload;
      const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
      delete copy[dropField];
      return copy;
    });
  }
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), repository };
}
