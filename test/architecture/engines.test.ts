import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// engines.node is a promise to users: every package we install must run on every Node version it
// names. vite 8 (under vitest) and a cookie release under fastify once broke it silently.
const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(root(path), 'utf8'));

interface Manifest {
  engines?: { node?: string };
  workspaces?: string[];
}
interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  optional?: boolean;
}

const manifest = readJson('package.json') as Manifest;
const range = manifest.engines?.node ?? '';
const lock = readJson('package-lock.json') as { packages: Record<string, LockEntry> };

/** Optional packages for other platforms (native builds, their wasm fallbacks) are not installed here. */
function installsHere(path: string, entry: LockEntry): boolean {
  return entry.optional !== true || existsSync(root(path));
}

describe('engines.node', () => {
  it('is a valid semver range', () => {
    expect(semver.validRange(range)).not.toBeNull();
  });

  it('is accepted by every package in the lockfile', () => {
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || wanted === undefined || !installsHere(path, entry)) continue;
      if (!semver.subset(range, wanted)) refused.push(`${path}@${entry.version ?? '?'} wants ${wanted}`);
    }
    expect(refused).toEqual([]);
  });

  it('is the same in every published workspace', () => {
    for (const workspace of ['core', 'broker', 'cli']) {
      const own = readJson(`${workspace}/package.json`) as Manifest;
      expect({ workspace, node: own.engines?.node }).toEqual({ workspace, node: range });
    }
  });
});
