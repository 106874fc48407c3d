import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm run demo` from the repository root, as a newcomer runs it: a fresh broker and database every
// time, the whole story, exit 0 only when the gate said yes and then no for the breaking change.
describe('npm run demo', () => {
  it('runs the whole story and exits 0', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = spawnSync('npm', ['run', '--silent', 'demo'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 170_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toContain('Started a Treaty broker on a fresh SQLite database');
    expect(out).toContain('Pact published for storefront version 1.0.0 and provider orders.');
    expect(out).toMatch(/3 interactions: 3 passed, 0 failed.*verification passed/);
    expect(out).toContain('→ yes (exit 0)');
    expect(out).toContain(
      '$.body.estimatedDelivery: expected "some value" but the key \'estimatedDelivery\' is missing',
    );
    expect(out).toContain(
      'orders 1.0.0 (currently in production) failed to verify the pact of storefront 1.1.0',
    );
    expect(out).toContain('→ no (exit 1)');
    // The broker stops with the demo, so no address is offered; the ways to keep or reopen it are.
    expect(out).not.toMatch(/pages are at http:/);
    expect(out).toContain("the demo's broker has stopped");
    expect(out).toContain('npm run demo -- --keep');
    expect(out).toMatch(/npx treaty broker --database \S+broker\.sqlite/);
  }, 180_000);
});
