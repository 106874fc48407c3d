import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Start-up time is what a module costs to load, so each command and entry point loads only what it
// uses, in few files. These run the built packages (the bundles under dist/bundle/ that
// scripts/bundle.mjs makes) with plain Node and a module hook that lists every file resolved; a
// bundle file counts as the TypeScript modules its source map names. (Times are for bench/; here only
// what is loaded is checked.)
const root = fileURLToPath(new URL('../../', import.meta.url));
// ES modules are listed as they are resolved; CommonJS ones (commander, required) from the require
// cache when the process exits.
const hook = `data:text/javascript,${encodeURIComponent(
  `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('LOADED ' + r.url + '\\n'); return r; }`,
)}`;
const register = `data:text/javascript,${encodeURIComponent(
  [
    `import { register, createRequire } from 'node:module';`,
    `register(${JSON.stringify(hook)});`,
    `const cache = createRequire(process.cwd() + '/').cache;`,
    `process.on('exit', () => { for (const f of Object.keys(cache)) process.stderr.write('LOADED file://' + f + '\\n'); });`,
  ].join('\n'),
)}`;

interface Loaded {
  /** Files of Treaty's packages, from the repository root (`cli/dist/bundle/bin.js`). */
  files: string[];
  /** Treaty's modules by their sources (`core/src/provider/verify.ts`), and other files by path. */
  modules: string[];
}

/** The TypeScript sources a bundle file holds, from its source map. */
function sources(file: string): string[] {
  const map = join(root, `${file}.map`);
  if (!existsSync(map)) return [];
  const { sources: names } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
  return names.map((s) => relative(root, join(dirname(map), s)));
}

/** What a Node process loads while it runs `args`. */
function loaded(args: string[]): Loaded {
  const r = spawnSync(process.execPath, ['--import', register, ...args], { cwd: root, encoding: 'utf8' });
  const paths = [...r.stderr.matchAll(/^LOADED (.+)$/gm)].map((m) =>
    (m[1] as string).replace(`file://${root}`, '').replace(/^.*\/node_modules\//, 'node_modules/'),
  );
  const files = [...new Set(paths.filter((p) => /^(core|broker|cli)\//.test(p)))];
  const others = paths.filter((p) => !/^(core|broker|cli)\//.test(p));
  return { files, modules: [...files.flatMap(sources), ...others] };
}

const heavy = ['node_modules/ajv', 'node_modules/yaml', 'node_modules/@apidevtools', 'node_modules/fastify'];
const ours = (m: string) => /^(core|broker|cli)\//.test(m);

describe('what each entry loads', () => {
  it('every entry runs the bundles, never the modules tsc wrote beside them', () => {
    const verify = loaded(['cli/bin/treaty.js', 'verify', '--pact', 'x.json']).files;
    expect(verify).toContain('cli/dist/bundle/bin.js');
    expect(verify).toContain('core/dist/bundle/provider.js');
    const packages = loaded([
      '--input-type=module',
      '-e',
      "await import('@treaty/core'); await import('@treaty/broker'); await import('@treaty/cli')",
    ]).files;
    for (const entry of [
      'core/dist/bundle/index.js',
      'broker/dist/bundle/index.js',
      'cli/dist/bundle/lib/index.js',
    ])
      expect(packages).toContain(entry);
    for (const files of [verify, packages])
      expect(files.filter((f) => /\/dist\//.test(f) && !/\/dist\/bundle\//.test(f))).toEqual([]);
  });

  it('treaty --version reads one file after the binary, --help one more with the commands list; neither commander, core or the broker', () => {
    const version = loaded(['cli/bin/treaty.js', '--version']);
    expect(version.files).toEqual(['cli/bin/treaty.js', 'cli/dist/bundle/bin.js']);
    expect(version.modules.filter((m) => !ours(m))).toEqual([]);
    expect(version.modules.filter((m) => /\/src\//.test(m)).sort()).toEqual([
      'cli/src/bin.ts',
      'cli/src/io.ts',
      'cli/src/version.ts',
    ]);
    const help = loaded(['cli/bin/treaty.js', '--help']);
    expect(help.files).toHaveLength(3);
    expect(help.modules).toContain('cli/src/help.ts');
    expect(help.modules).toContain('cli/src/commands/index.ts');
    expect(
      help.modules.filter((m) => /^(core|broker)\/|^cli\/src\/(main|commander)\.ts|^node_/.test(m)),
    ).toEqual([]);
  });

  it('treaty verify loads the provider side of core: not the consumer DSL and mock server, the OpenAPI check or the broker', () => {
    // A usage error is reported after the command's module has loaded.
    const { files, modules } = loaded(['cli/bin/treaty.js', 'verify', '--pact', 'x.json']);
    expect(modules).toContain('cli/src/commands/verify/index.ts');
    expect(modules).toContain('core/src/provider/verify.ts');
    expect(modules).toContain('node_modules/commander/index.js');
    expect(
      modules.filter(
        (m) => /core\/src\/(consumer|openapi)\/|^broker\//.test(m) || heavy.some((h) => m.startsWith(h)),
      ),
    ).toEqual([]);
    // Treaty's 60-odd modules on this path, in this many files (each costs Node thread-pool round trips).
    expect(files.length).toBeLessThanOrEqual(9);
  });

  it('@treaty/core loads no OpenAPI, YAML or JSON Schema library until a document is checked', () => {
    const { files, modules } = loaded(['--input-type=module', '-e', "await import('@treaty/core')"]);
    expect(modules).toContain('core/src/consumer/mock-server.ts');
    expect(modules).toContain('core/src/openapi/check.ts');
    expect(modules.filter((m) => heavy.some((h) => m.startsWith(h)))).toEqual([]);
    expect(files.length).toBeLessThanOrEqual(4);
  });

  it('@treaty/broker loads node-postgres only for a PostgreSQL database', () => {
    const { modules } = loaded(['--input-type=module', '-e', "await import('@treaty/broker')"]);
    expect(modules).toContain('broker/src/store/sqlite/sqlite-store.ts');
    expect(modules.filter((m) => /^node_modules\/pg(-[a-z]+)?\/|store\/postgres\//.test(m))).toEqual([]);
  });
});
