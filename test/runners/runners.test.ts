import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseContract } from '@treaty/core';

// Treaty relies on no test-runner globals: the same kind of consumer test runs under node:test and
// Jest (vitest runs everything else here), each in its own process on the built package.
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function run(args: string[], dir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, PACT_DIR: dir, TREATY_RUN_ID: dir },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function descriptions(dir: string): string[] {
  return parseContract(readFileSync(join(dir, 'runner-web-runner-orders.json'), 'utf8')).interactions.map(
    (i) => i.description,
  );
}

describe('test runners', () => {
  it('node:test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-node-test-'));
    const { code, output } = await run(['--test', join(fixtures, 'orders.node-test.mjs')], dir);
    expect(code, output).toBe(0);
    expect(descriptions(dir)).toEqual([
      'a request for order 1 (node:test)',
      'a request for order 2 (node:test)',
    ]);
  }, 60_000);

  const jest = join(root, 'node_modules/jest/bin/jest.js');
  it('Jest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-jest-'));
    const { code, output } = await run(
      [
        '--experimental-vm-modules',
        jest,
        '--rootDir',
        fixtures,
        '--testMatch',
        '**/*.jest.test.mjs',
        '--transform',
        '{}',
        '--ci',
      ],
      dir,
    );
    expect(code, output).toBe(0);
    expect(descriptions(dir)).toEqual(['a request for order 3 (jest)']);
  }, 60_000);
});
