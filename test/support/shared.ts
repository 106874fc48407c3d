import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A folder of the shared reference material that sits beside the repository (`../shared/<name>/`):
 * the Pact spec cases and the Pact compatibility suite. Fails loudly when it is missing.
 */
export function sharedDir(name: 'pact-spec-testcases' | 'pact-compatibility-suite'): string {
  const dir = fileURLToPath(new URL(`../../../shared/${name}/`, import.meta.url));
  if (!existsSync(dir)) {
    throw new Error(`The shared reference material is missing: expected ${dir} (the folder shared/ beside the repository).`);
  }
  return dir;
}
