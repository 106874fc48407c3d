import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../support/process.js';

// `npm run lint` must fail on the faults it promises to catch. It runs here on a copy of the
// repository (every tracked file but the reference sets, which no lint step reads) with one fault of
// each kind added, so the real configuration is what is tested.
const repo = fileURLToPath(new URL('../..', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'treaty-lint-'));

afterAll(() => rmSync(copy, { recursive: true, force: true }));

function copyRepository(): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repo,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f !== '' && !f.startsWith('test/reference/'));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repo, file), join(copy, file));
  }
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: copy, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes start with ESC
const plain = (text: string): string => text.replace(/\x1b\]8;;[^\x1b]*\x1b\\|\x1b\[[0-9;]*m/g, '');

describe('npm run lint', () => {
  it('fails on a floating promise, unformatted code, an unused export and an over-long line', async () => {
    copyRepository();
    // The package entry: whatever it exports is public, so only the faults themselves are reported.
    appendFileSync(
      join(copy, 'core/src/index.ts'),
      [
        '',
        'async function saveProbe(): Promise<void> {}',
        'export function floatingProbe(): void {',
        '  saveProbe();',
        '}',
        'export const formatProbe = {a:1};',
        `// ${'A comment that runs on and on. '.repeat(4)}`,
        '',
      ].join('\n'),
    );
    // A module that is not an entry: an export nobody imports is dead code.
    appendFileSync(join(copy, 'core/src/matching/rules.ts'), '\nexport const unusedProbe = 1;\n');

    const { code, output } = await runProcess(process.execPath, [join(copy, 'scripts/lint.mjs')], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    const text = plain(output);

    expect(code).not.toBe(0);
    expect(text).toMatch(/core\/src\/index\.ts:\d+:\d+ lint\/nursery\/noFloatingPromises/);
    expect(text).toMatch(/core\/src\/index\.ts format/);
    expect(text).toMatch(/unusedProbe\s+(\S+\s+)?core\/src\/matching\/rules\.ts/);
    expect(text).toMatch(/core\/src\/index\.ts:\d+ {2}1\d\d columns: \/\/ A comment that runs on/);
    for (const step of ['format and lint (Biome)', 'line width', 'unused files, exports and dependencies']) {
      expect(text).toContain(`✗ ${step}`);
    }
  }, 120_000);
});
