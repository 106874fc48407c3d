import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordWithPactJs, UserNotFoundError } from './pact-js-contract.js';

// Before the migration: the admin web app's contract tests run with Pact JS and its mock server.
describe('admin-web → users with Pact JS (before)', () => {
  it('reads a user, understands a 404, creates a user, and Pact JS writes the contract', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-web-pact-js-'));
    const seen = await recordWithPactJs(dir);
    expect(seen.found).toEqual({
      id: 1,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      roles: ['admin'],
      createdAt: '2026-01-15T10:00:00.000Z',
    });
    expect(seen.missing).toBeInstanceOf(UserNotFoundError);
    expect(seen.created).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com' });
    const written = JSON.parse(readFileSync(join(dir, 'admin-web-users.json'), 'utf8')) as {
      interactions: unknown[];
      metadata: Record<string, unknown>;
    };
    expect(written.interactions).toHaveLength(3);
    expect(written.metadata).toHaveProperty('pact-js');
  });
});
