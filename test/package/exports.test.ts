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

  it("each bundled entry exports what tsc's module of it exports, and core's two entries share one TreatyError", () => {
    const script = [
      'const pairs = [',
      "  ['@treaty/core', './core/dist/index.js'],",
      "  ['@treaty/core/provider', './core/dist/provider/index.js'],",
      "  ['@treaty/broker', './broker/dist/index.js'],",
      "  ['@treaty/cli', './cli/dist/index.js'],",
      '];',
      'const names = {};',
      'for (const [entry, tsc] of pairs) {',
      '  const keys = async (s) => Object.keys(await import(s)).sort();',
      '  names[entry] = { bundle: await keys(entry), tsc: await keys(tsc) };',
      '}',
      "const core = await import('@treaty/core');",
      "const provider = await import('@treaty/core/provider');",
      "const error = new provider.TreatyError('TREATY_CLI_USAGE', 'x');",
      'const shared = provider.TreatyError === core.TreatyError && error instanceof core.TreatyError;',
      'console.log(JSON.stringify({ names, shared }));',
    ].join('\n');
    const r = node(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    const { names, shared } = JSON.parse(r.stdout) as {
      names: Record<string, { bundle: string[]; tsc: string[] }>;
      shared: boolean;
    };
    for (const [entry, { bundle, tsc }] of Object.entries(names)) {
      expect(tsc.length, entry).toBeGreaterThan(3);
      expect(bundle, entry).toEqual(tsc);
    }
    expect(shared).toBe(true);
  });

  it("with --enable-source-maps, an error's stack leads back to the TypeScript source", () => {
    const script =
      "import('@treaty/core').then((m) => { try { m.parseContract('{') } catch (e) { console.log(e.stack) } })";
    const r = node(['--enable-source-maps', '-e', script]);
    expect(r.stdout).toMatch(/^TreatyError: /);
    expect(r.stdout).toMatch(/\(.*core\/src\/contract\/parse\.ts:\d+:\d+\)/);
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
