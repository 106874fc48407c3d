import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseContract } from '@treaty/core';

// A user's project in a temp folder: one vitest file with two consumer tests on the built
// @treaty/core, run by vitest itself in a child process, once in full and then filtered with -t.
const root = fileURLToPath(new URL('../../', import.meta.url));

const testFile = `import { it } from 'vitest';
import { ConsumerContract, integer, like } from '@treaty/core';

const contract = new ConsumerContract({ consumer: 'shop', provider: 'inventory', dir: './pacts' });

it('reserves stock', async () => {
  await contract
    .addInteraction()
    .uponReceiving('a reservation')
    .withRequest('POST', '/reservations', (req) => req.jsonBody({ sku: like('A-1'), quantity: integer(2) }))
    .willRespondWith(201)
    .executeTest(async (mock) => {
      const res = await fetch(mock.url + '/reservations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ sku: 'A-1', quantity: 2 }),
      });
      if (res.status !== 201) throw new Error('inventory answered ' + res.status);
    });
});

it('reads the stock level', async () => {
  await contract
    .addInteraction()
    .uponReceiving('a stock level request')
    .withRequest('GET', '/stock/A-1')
    .willRespondWith(200, (res) => res.jsonBody({ quantity: integer(5) }))
    .executeTest(async (mock) => {
      const res = await fetch(mock.url + '/stock/A-1');
      if (res.status !== 200) throw new Error('inventory answered ' + res.status);
    });
});
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-filtered-'));
  writeFileSync(join(dir, 'inventory.test.mjs'), testFile);
  mkdirSync(join(dir, 'node_modules/@treaty'), { recursive: true });
  symlinkSync(join(root, 'core'), join(dir, 'node_modules/@treaty/core'), 'dir');
  symlinkSync(join(root, 'node_modules/vitest'), join(dir, 'node_modules/vitest'), 'dir');
  return dir;
}

/** Runs vitest in `dir` as its own process, as `npx vitest run …` would, with a clean environment. */
function vitest(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('VITEST') && !k.startsWith('TREATY_') && k !== 'FORCE_COLOR',
    ),
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...args], {
      cwd: dir,
      env: { ...inherited, NO_COLOR: '1', ...env },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const descriptions = (dir: string): string[] =>
  parseContract(readFileSync(join(dir, 'pacts/shop-inventory.json'), 'utf8')).interactions.map(
    (i) => i.description,
  );

describe('a filtered vitest run (vitest run -t …)', () => {
  it('keeps the interactions of the tests it did not run; with TREATY_DROP_STALE_INTERACTIONS=1 it does not', async () => {
    const dir = project();
    const full = await vitest(dir, []);
    expect(full.code, full.output).toBe(0);
    expect(descriptions(dir)).toEqual(['a reservation', 'a stock level request']);

    const filtered = await vitest(dir, ['-t', 'reserves']);
    expect(filtered.code, filtered.output).toBe(0);
    expect(filtered.output).toMatch(/1 passed \| 1 skipped/);
    expect(descriptions(dir)).toEqual(['a reservation', 'a stock level request']);

    // The opt-in is for full runs: a filtered run with it keeps only the test that ran.
    const dropping = await vitest(dir, ['-t', 'reserves'], { TREATY_DROP_STALE_INTERACTIONS: '1' });
    expect(dropping.code, dropping.output).toBe(0);
    expect(descriptions(dir)).toEqual(['a reservation']);
  }, 60_000);
});
