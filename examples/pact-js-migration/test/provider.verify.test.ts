import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import { verifyProvider } from '@treaty/core';
import { buildUsersApp, UserRepository } from '../src/provider.js';
import { recordWithPactJs } from './pact-js-contract.js';
import { recordWithTreaty } from './treaty-contract.js';

// One users API, two contracts for it (one written by Pact JS, one by Treaty), two verifiers.
// A team can move its consumer tests and its provider verification to Treaty one side at a time.
let pactJsContract = '';
let treatyContract = '';
let app: FastifyInstance | undefined;

beforeAll(async () => {
  const before = mkdtempSync(join(tmpdir(), 'users-pact-js-'));
  const after = mkdtempSync(join(tmpdir(), 'users-treaty-'));
  await recordWithPactJs(before);
  await recordWithTreaty(after);
  pactJsContract = join(before, 'admin-web-users.json');
  treatyContract = join(after, 'admin-web-users.json');
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const idOf = (params: unknown): number => Number((params as { id?: unknown } | undefined)?.id ?? 1);

/**
 * Provider states in Pact JS's `{ setup }` form. The same object serves Treaty's `verifyProvider`
 * and Pact JS's `Verifier`. (Pact JS runs this form but its types refuse it, pact-js issue #1164,
 * hence the cast in `pactJsStateHandlers`; Treaty's types accept it.)
 */
function stateHandlers(repository: UserRepository) {
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

const pactJsStateHandlers = (repository: UserRepository) =>
  stateHandlers(repository) as unknown as VerifierOptions['stateHandlers'];

/** Starts the users API on a free port; `dropField` plays a provider build that stopped sending it. */
async function startProvider(dropField?: string): Promise<{ url: string; repository: UserRepository }> {
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

describe('the users API verified against both contracts', () => {
  it('passes with Treaty, for the contract Pact JS wrote and the one Treaty wrote', async () => {
    const { url, repository } = await startProvider();
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [pactJsContract, treatyContract],
      stateHandlers: stateHandlers(repository),
    });
    expect(result.passed, JSON.stringify(result, null, 2)).toBe(true);
    expect(result.contracts).toHaveLength(2);
    for (const contract of result.contracts) expect(contract.interactions).toHaveLength(3);
  });

  it('passes with Pact JS, for the contract Pact JS wrote and the one Treaty wrote', async () => {
    const { url, repository } = await startProvider();
    const verifier = new Verifier({
      provider: 'users',
      providerBaseUrl: url,
      pactUrls: [pactJsContract, treatyContract],
      stateHandlers: pactJsStateHandlers(repository),
      logLevel: 'error',
    });
    await expect(verifier.verifyProvider()).resolves.toBeDefined();
  }, 60_000);

  it('fails with both verifiers when the provider stops sending a field the consumer reads', async () => {
    const { url, repository } = await startProvider('email');
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [pactJsContract, treatyContract],
      stateHandlers: stateHandlers(repository),
    });
    expect(result.passed).toBe(false);
    for (const contract of result.contracts) {
      const failed = contract.interactions
        .filter((i) => i.status === 'failed')
        .map((i) => i.description)
        .sort();
      expect(failed).toEqual(['a request for user 1', 'a request to create a user']);
    }
    const messages = result.contracts.flatMap((c) =>
      c.interactions.flatMap((i) => i.mismatches.map((m) => m.message)),
    );
    expect(messages).toContain(`$.body.email: expected "ada@example.com" but the key 'email' is missing`);
    const verifier = new Verifier({
      provider: 'users',
      providerBaseUrl: url,
      pactUrls: [treatyContract],
      stateHandlers: pactJsStateHandlers(repository),
      logLevel: 'error',
    });
    await expect(verifier.verifyProvider()).rejects.toThrow();
  }, 60_000);
});
