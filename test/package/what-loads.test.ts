import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Start-up time is what a module costs to load, so each command and entry point loads only what it
// uses. These run the built packages with plain Node and a module hook that lists every module
// resolved (times are for bench/; here only what is loaded is checked).
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

/** The modules a Node process loads while it runs `args`: paths below the repository, or node: names. */
function loaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', register, ...args], { cwd: root, encoding: 'utf8' });
  return [...r.stderr.matchAll(/^LOADED (.+)$/gm)].map((m) =>
    (m[1] as string).replace(`file://${root}`, '').replace(/^.*\/node_modules\//, 'node_modules/'),
  );
}

const heavy = ['node_modules/ajv', 'node_modules/yaml', 'node_modules/@apidevtools', 'node_modules/fastify'];

describe('what each entry loads', () => {
  it('treaty --help loads commander and the CLI entry, --version not even commander; neither core or the broker', () => {
    const help = loaded(['cli/bin/treaty.js', '--help']);
    expect(help).toContain('node_modules/commander/index.js');
    expect(help.filter((m) => /core\/|broker\/|node_modules\/(?!commander\/)/.test(m))).toEqual([]);
    const version = loaded(['cli/bin/treaty.js', '--version']);
    expect(version).toContain('cli/dist/bin.js');
    expect(version.filter((m) => /core\/|broker\/|node_modules\/|cli\/dist\/main/.test(m))).toEqual([]);
  });

  it('treaty verify loads the provider side of core: not the consumer DSL and mock server, the OpenAPI check or the broker', () => {
    // A usage error is reported after the command's module has loaded.
    const modules = loaded(['cli/bin/treaty.js', 'verify', '--pact', 'x.json']);
    expect(modules).toContain('core/dist/provider/verify.js');
    expect(
      modules.filter(
        (m) => /core\/dist\/(consumer|openapi)\/|broker\//.test(m) || heavy.some((h) => m.startsWith(h)),
      ),
    ).toEqual([]);
  });

  it('@treaty/core loads no OpenAPI, YAML or JSON Schema library until a document is checked', () => {
    const modules = loaded(['--input-type=module', '-e', "await import('@treaty/core')"]);
    expect(modules).toContain('core/dist/consumer/mock-server.js');
    expect(modules.filter((m) => heavy.some((h) => m.startsWith(h)))).toEqual([]);
  });
});
