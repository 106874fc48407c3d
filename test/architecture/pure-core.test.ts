import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// contract/ and matching/ are the pure heart of Treaty: no I/O, no clock, no randomness, so the
// same inputs always give the same answer and the engine runs anywhere (browsers included).
const coreSrc = fileURLToPath(new URL('../../core/src/', import.meta.url));
const pureFolders = ['contract', 'matching'];

const forbidden: Array<[RegExp, string]> = [
  [
    /\bfrom\s+['"](node:)?(fs|fs\/promises|net|http|https|http2|child_process|worker_threads|os|dgram|dns|tls|cluster|process|timers|readline|stream|buffer|crypto|path|url)['"]/,
    'a Node I/O module import',
  ],
  [/\bimport\(\s*['"]node:/, 'a dynamic node: import'],
  [/\brequire\(/, 'require()'],
  [/\bDate\.now\(|\bnew Date\(\s*\)/, 'the clock'],
  [/\bMath\.random\(/, 'randomness'],
  [/\bprocess\./, 'the process object'],
  [/\bBuffer\./, 'Buffer (use Uint8Array)'],
  [/\bfetch\(/, 'the network'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('the pure core', () => {
  for (const folder of pureFolders) {
    it(`core/src/${folder} has no I/O, clock or randomness`, () => {
      const files = sourceFiles(join(coreSrc, folder));
      expect(files.length).toBeGreaterThan(0);
      const offences: string[] = [];
      for (const file of files) {
        const lines = readFileSync(file, 'utf8').split('\n');
        lines.forEach((line, i) => {
          if (/^\s*(\/\/|\*)/.test(line)) return;
          for (const [pattern, what] of forbidden) {
            if (pattern.test(line)) offences.push(`${file}:${i + 1} uses ${what}: ${line.trim()}`);
          }
        });
      }
      expect(offences).toEqual([]);
    });
  }
});
