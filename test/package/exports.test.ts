import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// These run the built packages with plain Node from the repository root, the way a user's
// project resolves them after `npm install` (no vitest, no TypeScript source conditions).
const root = fileURLToPath(new URL('../../', import.meta.url));

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built packages', () => {
  it('@treaty/core resolves from plain Node and exports the engine and the contract functions', () => {
    const r = node(['-e', "import('@treaty/core').then((m) => console.log(JSON.stringify(Object.keys(m))))"]);
    expect(r.stderr).toBe('');
    const names = JSON.parse(r.stdout) as string[];
    for (const name of [
      'parseRequest',
      'parseResponse',
      'parseMessage',
      'matchRequest',
      'matchResponse',
      'matchMessage',
      'parseContract',
      'serializeContract',
      'TreatyError',
      'like',
      'eachLike',
      'regex',
      'integer',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('the treaty binary is linked and prints its commands', () => {
    const bin = `${root}node_modules/.bin/treaty`;
    expect(existsSync(bin)).toBe(true);
    const r = node([bin, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: treaty <command>');
    expect(r.stdout).toContain('validate');
  });

  it('an unknown command is a usage error with exit code 2 and no stack trace', () => {
    const r = node([`${root}node_modules/.bin/treaty`, 'frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown command 'frobnicate'");
    expect(r.stderr).toContain('TREATY_CLI_USAGE');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
