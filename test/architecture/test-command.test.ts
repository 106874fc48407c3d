import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's two commands are the whole set-up: CI runs exactly `npm ci` then `npm test`, and
// `npm test` gets Chromium itself (or says in one line how to), so a fresh machine needs nothing else.
const root = fileURLToPath(new URL('../../', import.meta.url));
const script = `${root}scripts/ensure-chromium.mjs`;

describe('the test command', () => {
  it('is what CI runs after a clean install, and starts by making sure Chromium is there', () => {
    const ci = readFileSync(`${root}.ci/run`, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
    expect(ci).toEqual(['npm ci', 'npm test']);
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.test).toMatch(/^node scripts\/ensure-chromium\.mjs && npm run lint && /);
    expect(readFileSync(`${root}README.md`, 'utf8')).toContain('\nnpm test ');
  });

  it('accepts the Chromium it is pointed at, and stops with one line when that is not one', () => {
    const ok = spawnSync(process.execPath, [script], {
      env: { ...process.env, TREATY_CHROMIUM: process.execPath },
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stderr).toBe('');
    const bad = spawnSync(process.execPath, [script], {
      env: { ...process.env, TREATY_CHROMIUM: `${root}no-such-chromium` },
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([
      `npm test: TREATY_CHROMIUM points at ${root}no-such-chromium, which is not an executable Chromium. Fix the path.`,
    ]);
  });
});
