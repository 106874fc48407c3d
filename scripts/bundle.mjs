#!/usr/bin/env node
// Bundles each package's compiled modules (tsc's dist/) into a few ES module files under dist/bundle/,
// which the packages' exports and the `treaty` binary point at. Node 20 reads each ES module with
// several thread-pool round trips, so fifty small files take about twice as long to import as the
// same code in a few. Every package stays external: third-party ones, and Treaty's own from each
// other, so that a process has one @treaty/core (TreatyError's `instanceof` holds across entries).
// Entries share their modules through common chunks, and each dynamic import() stays in a chunk that
// loads when it runs. `npm run build` and `npm test` run this after `tsc -b`.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * One rolldown build each: its entries (name → tsc's output below dist/) and where it writes (below
 * dist/). Left alone, rolldown makes a chunk for each set of entries (dynamic imports included) that
 * share modules; `chunks` merges some of them: each named chunk holds what its modules import,
 * statically and transitively, themselves included, that no entry, no chunk before it and nothing
 * `leave` imports holds. Their modules always load together, so one file instead of several saves
 * round trips and loads nothing more.
 */
const builds = [
  {
    pkg: 'core',
    out: 'bundle',
    entries: { index: 'index.js', provider: 'provider/index.js' },
    chunks: {
      // What @treaty/core/provider loads, which the root entry loads too.
      shared: ['provider/index.js'],
      // What the OpenAPI check loads on top: the root entry loads it, the verifier with --openapi.
      openapi: ['openapi/check.js', 'openapi/load.js'],
    },
  },
  // @treaty/broker: its 60-odd modules in one file took about 30 ms off its import (fastify, pg and
  // better-sqlite3, external, are most of the rest).
  { pkg: 'broker', out: 'bundle', entries: { index: 'index.js' } },
  // The `treaty` program, apart from @treaty/cli's library entry so that `--version` reads one file
  // and `--help` one more (the list of commands). Any other command line loads the parser (main.js
  // with commander) and what every command shares (options, the redactor, the broker client), then
  // the command's own chunk.
  {
    pkg: 'cli',
    out: 'bundle',
    entries: { bin: 'bin.js' },
    chunks: { main: ['main.js'], command: ['options.js', 'secrets.js', 'broker-client.js'] },
    // What these import stays where rolldown puts it: in bin.js, and in the chunk of help.js.
    leave: ['bin.js', 'help.js'],
  },
  {
    pkg: 'cli',
    out: 'bundle/lib',
    entries: { index: 'index.js' },
    // Its entry exports `validate`, which the command list also imports lazily.
    quiet: ['INEFFECTIVE_DYNAMIC_IMPORT'],
  },
];

/** Reads tsc's output with its source map, so that the bundle's maps lead back to the TypeScript. */
const tscSourceMaps = {
  name: 'tsc-source-maps',
  load(id) {
    if (!id.endsWith('.js')) return null;
    const code = readFileSync(id, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    let map = null;
    try {
      map = readFileSync(`${id}.map`, 'utf8');
    } catch {
      // A module without a map is bundled as it is.
    }
    return { code, map };
  },
};

/** rolldown's chunk group for `chunks` (see above): each module's chunk name, worked out once. */
function chunkGroup(dist, { chunks, leave = [] }) {
  let chunkOf;
  /** The modules `files` import, statically and transitively, themselves included. */
  const closure = (ctx, files, skip = new Set()) => {
    const seen = new Set();
    const stack = files.map((f) => join(dist, f));
    while (stack.length > 0) {
      const id = stack.pop();
      if (seen.has(id) || skip.has(id)) continue;
      const info = ctx.getModuleInfo(id);
      if (info === null || info.code === null) throw new Error(`bundle: no module ${id}`);
      seen.add(id);
      stack.push(...info.importedIds.filter((i) => i.startsWith(`${dist}/`)));
    }
    return seen;
  };
  const assign = (ctx) => {
    chunkOf = new Map();
    const left = closure(ctx, leave);
    for (const [name, files] of Object.entries(chunks))
      for (const id of closure(ctx, files, left))
        if (!ctx.getModuleInfo(id)?.isEntry && !chunkOf.has(id)) chunkOf.set(id, name);
  };
  return {
    debugName: 'chunks',
    name: (id, ctx) => {
      if (chunkOf === undefined) assign(ctx);
      return chunkOf.get(id) ?? null;
    },
    includeDependenciesRecursively: false,
  };
}

for (const pkg of new Set(builds.map((b) => b.pkg)))
  rmSync(join(root, pkg, 'dist', 'bundle'), { recursive: true, force: true });
for (const b of builds) {
  const dist = join(root, b.pkg, 'dist');
  await build({
    input: Object.fromEntries(Object.entries(b.entries).map(([name, f]) => [name, join(dist, f)])),
    // Bare specifiers (packages, @treaty/* among them) and node: built-ins are never bundled.
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    platform: 'node',
    // An entry exports what its module exports, no more (rolldown would otherwise merge a shared chunk
    // into an entry and export its internals too). Chunk groups need 'allow-extension'; with them,
    // test/package/exports.test.ts checks that the entries still export exactly tsc's names.
    preserveEntrySignatures: b.chunks ? 'allow-extension' : 'strict',
    plugins: [tscSourceMaps],
    onLog(level, log, handle) {
      if (!b.quiet?.includes(log.code)) handle(level, log);
    },
    output: {
      dir: join(dist, b.out),
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name].js',
      ...(b.chunks && { codeSplitting: { groups: [chunkGroup(dist, b)] } }),
    },
  });
}
