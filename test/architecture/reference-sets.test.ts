import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referenceDir, type ReferenceSet } from '../support/reference.js';

// The reference sets in test/reference/ are verbatim copies. Where the shared originals sit beside
// the repository, they must be identical file for file and byte for byte.
const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      out.set(
        relative(dir, join(entry.parentPath, entry.name)),
        readFileSync(join(entry.parentPath, entry.name)),
      );
  }
  return out;
}

describe('reference sets', () => {
  it.each<[ReferenceSet, number, string]>([
    ['pact-spec-testcases', 803, 'LICENSE'],
    ['pact-compatibility-suite', 20, 'LICENSE'],
    ['real-world-pacts', 95, 'SOURCES.md'],
  ])('%s is in the repository with its licence (%i files at least, %s)', (name, atLeast, licence) => {
    const kept = files(referenceDir(name));
    expect(kept.has(licence)).toBe(true);
    expect([...kept.keys()].filter((f) => /\.(json|feature)$/.test(f)).length).toBeGreaterThanOrEqual(
      atLeast,
    );
  });

  it
    .skipIf(!existsSync(shared))
    .each<ReferenceSet>(['pact-spec-testcases', 'pact-compatibility-suite', 'real-world-pacts'])(
    '%s is identical to the shared original',
    (name) => {
      const kept = files(referenceDir(name));
      const original = files(join(shared, name));
      expect([...kept.keys()].sort()).toEqual([...original.keys()].sort());
      for (const [file, bytes] of original) expect(kept.get(file)?.equals(bytes), file).toBe(true);
    },
  );
});
