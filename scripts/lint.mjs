#!/usr/bin/env node
// `npm run lint`: the formatter and linter (Biome), the line width, and unused files, exports and
// dependencies (knip). Every step runs, so one pass shows every problem; exits non-zero if any failed.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const steps = [
  { name: 'format and lint (Biome)', command: bin('biome'), args: ['ci', '--max-diagnostics=50', '.'] },
  { name: 'line width', command: process.execPath, args: [join(root, 'scripts/check-line-width.mjs')] },
  { name: 'unused files, exports and dependencies (knip)', command: bin('knip'), args: ['--no-progress'] },
];

const failed = [];
for (const step of steps) {
  const started = performance.now();
  const { status, error } = spawnSync(step.command, step.args, { cwd: root, stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const ok = status === 0 && error === undefined;
  console.log(`${ok ? '✓' : '✗'} ${step.name} (${seconds} s)${error ? `: ${error.message}` : ''}`);
  if (!ok) failed.push(step.name);
}
if (failed.length > 0) {
  console.log(`\nLint failed: ${failed.join('; ')}. \`npm run fix\` formats and applies the safe fixes.`);
  process.exitCode = 1;
}
