import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseContract } from '@treaty/core';
import { recordWithPactJs } from './pact-js-contract.js';
import { recordWithTreaty, UserNotFoundError } from './treaty-contract.js';

/** A written contract without what names the tool that wrote it (metadata, interaction keys). */
function whatTheContractSays(file: string): Array<Record<string, unknown>> {
  const pact = JSON.parse(readFileSync(file, 'utf8')) as { interactions: Array<Record<string, unknown>> };
  return pact.interactions
    .map(({ key: _key, ...interaction }) => interaction)
    .sort((a, b) => String(a.description).localeCompare(String(b.description)));
}

// After the migration: the same tests, the same client, run with Treaty's mock server.
describe('admin-web → users with Treaty (after)', () => {
  it('reads a user, understands a 404, creates a user, and Treaty writes the contract', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-web-treaty-'));
    const seen = await recordWithTreaty(dir);
    expect(seen.found).toEqual({
      id: 1,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      roles: ['admin'],
      createdAt: '2026-01-15T10:00:00.000Z',
    });
    expect(seen.missing).toBeInstanceOf(UserNotFoundError);
    expect(seen.created).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.com' });
    const contract = parseContract(readFileSync(join(dir, 'admin-web-users.json'), 'utf8'));
    expect(contract.specVersion).toBe('4.0');
    expect(contract.interactions).toHaveLength(3);
  });

  it('writes the contract Pact JS writes for the same test: same interactions, rules and states', async () => {
    const before = mkdtempSync(join(tmpdir(), 'admin-web-pact-js-'));
    const after = mkdtempSync(join(tmpdir(), 'admin-web-treaty-'));
    await recordWithPactJs(before);
    await recordWithTreaty(after);
    const pactJs = whatTheContractSays(join(before, 'admin-web-users.json'));
    const treaty = whatTheContractSays(join(after, 'admin-web-users.json'));
    expect(treaty).toEqual(pactJs);
    // Not vacuous: the contracts carry the matchers and states the tests declared.
    expect(JSON.stringify(treaty)).toContain('"match":"integer"');
    expect(JSON.stringify(treaty)).toContain('"user 1 exists"');
  });
});
