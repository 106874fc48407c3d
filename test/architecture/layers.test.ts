import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The arrows between core's folders run one way. The contract model is the vocabulary everything
// else speaks, so it depends on nothing but the error type; the provider side never reaches into the
// consumer side (what both need, such as generators, has its own folder).
const coreSrc = fileURLToPath(new URL('../../core/src/', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(join(coreSrc, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Every module a file imports, as a path relative to core/src (`contract/model.ts`, `errors.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1] ?? '',
  );
  return specifiers.map((s) => relative(coreSrc, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
}

function offences(folder: string, allowed: (target: string) => boolean): string[] {
  const files = sourceFiles(folder);
  expect(files.length).toBeGreaterThan(0);
  return files.flatMap((file) =>
    importsOf(file)
      .filter((target) => !allowed(target))
      .map((target) => `${relative(coreSrc, file)} imports ${target}`),
  );
}

describe('the layers of core/src', () => {
  it('contract/ imports nothing of core/src but itself and errors.ts', () => {
    expect(offences('contract', (t) => t.startsWith('contract/') || t === 'errors.ts')).toEqual([]);
  });

  it('provider/ imports nothing of consumer/', () => {
    expect(offences('provider', (t) => !t.startsWith('consumer/'))).toEqual([]);
  });

  it('matching/ and generators/ import nothing of consumer/ or provider/', () => {
    const inward = (t: string) => !t.startsWith('consumer/') && !t.startsWith('provider/');
    expect([...offences('matching', inward), ...offences('generators', inward)]).toEqual([]);
  });
});
