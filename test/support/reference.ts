import { fileURLToPath } from 'node:url';

/** The names of the reference sets kept in test/reference/ (see its README.md). */
export type ReferenceSet = 'pact-spec-testcases' | 'pact-compatibility-suite' | 'real-world-pacts';

/**
 * A reference set kept in the repository so that a clone runs every conformance test on its own:
 * the Pact spec cases, the Pact compatibility suite (copied verbatim, with their licences) or the
 * Pact files other projects wrote (verbatim, each with its source and licence in SOURCES.md).
 */
export function referenceDir(name: ReferenceSet): string {
  return fileURLToPath(new URL(`../reference/${name}/`, import.meta.url));
}
