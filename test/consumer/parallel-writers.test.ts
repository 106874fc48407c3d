import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseContract } from '@treaty/core';

// Real worker processes (plain Node on the built package) write one contract file at once.
const writer = fileURLToPath(new URL('./writer.mjs', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [writer, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('contract files written by parallel processes', () => {
  it('4 processes adding 50 interactions each at the same time leave all 200 in one valid file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-parallel-'));
    const results = await Promise.all(
      ['1', '2', '3', '4'].map((w) => run([dir, w, '50'], { TREATY_RUN_ID: 'parallel-test' })),
    );
    expect(results.map((r) => r.stderr)).toEqual(['', '', '', '']);
    const contract = parseContract(readFileSync(join(dir, 'web-orders.json'), 'utf8'));
    expect(contract.interactions).toHaveLength(200);
    expect(new Set(contract.interactions.map((i) => i.description)).size).toBe(200);
  }, 60_000);

  it('the same description and state with different content from another process is an error, never an overwrite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-conflict-'));
    const env = { TREATY_RUN_ID: 'conflict-test' };
    expect((await run([dir, 'shared', '1', 'a'], env)).code).toBe(0);
    const second = await run([dir, 'shared', '1', 'b'], env);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('TREATY_CONTRACT_DUPLICATE_INTERACTION');
    const contract = parseContract(readFileSync(join(dir, 'web-orders.json'), 'utf8'));
    const body =
      contract.interactions[0]?.type === 'Synchronous/HTTP'
        ? contract.interactions[0].response.body
        : undefined;
    expect(body).toMatchObject({ kind: 'json', value: { variant: 'a' } });
  }, 60_000);

  const variants = (dir: string) =>
    Object.fromEntries(
      parseContract(readFileSync(join(dir, 'web-orders.json'), 'utf8')).interactions.map((i) => [
        i.description,
        i.type === 'Synchronous/HTTP' && i.response.body?.kind === 'json'
          ? (i.response.body.value as { variant: string }).variant
          : undefined,
      ]),
    );

  it('a later run keeps the interactions it did not record and replaces those it did', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-rerun-'));
    expect((await run([dir, 'shared', '3', 'a'], { TREATY_RUN_ID: 'run-1' })).code).toBe(0);
    expect((await run([dir, 'shared', '1', 'b'], { TREATY_RUN_ID: 'run-2' })).code).toBe(0);
    expect(variants(dir)).toEqual({
      'shared interaction 0': 'b',
      'shared interaction 1': 'a',
      'shared interaction 2': 'a',
    });
  }, 60_000);

  it('with TREATY_DROP_STALE_INTERACTIONS=1, 4 processes of a new run leave only their 200 interactions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-rerun-drop-'));
    expect((await run([dir, 'shared', '3', 'a'], { TREATY_RUN_ID: 'run-1' })).code).toBe(0);
    const env = { TREATY_RUN_ID: 'run-2', TREATY_DROP_STALE_INTERACTIONS: '1' };
    const results = await Promise.all(['1', '2', '3', '4'].map((w) => run([dir, w, '50'], env)));
    expect(results.map((r) => r.stderr)).toEqual(['', '', '', '']);
    const descriptions = Object.keys(variants(dir));
    expect(descriptions).toHaveLength(200);
    expect(descriptions.filter((d) => d.startsWith('shared'))).toEqual([]);
  }, 60_000);
});
