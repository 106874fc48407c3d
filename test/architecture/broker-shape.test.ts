import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The broker's HTTP layer has the shape fastify is built for: app.ts only composes plugins; what
// applies to every request (errors, credentials, body parsing, HAL helpers) is in http/; every
// resource's routes are a plugin of their own in routes/ (the pages for people in ui/).
const brokerSrc = fileURLToPath(new URL('../../broker/src/', import.meta.url));

/** A route registered on the instance: `app.get(`, `app.post<{ … }>(`, `app.route(`, … */
const routeCall = /\bapp\.(?:get|head|post|put|patch|delete|options|all|route)\s*[<(]/;
/** What only a cross-cutting plugin sets up: error answers, request hooks, body parsing. */
const rootSetup =
  /\bapp\.(?:setErrorHandler|setNotFoundHandler|addContentTypeParser|removeAllContentTypeParsers)\s*[<(]|\bapp\.addHook\(\s*['"](?!onClose|onReady|onListen)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** The file's code without comments, so a comment that mentions `app.get(` counts for nothing. */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

const name = (file: string): string => relative(brokerSrc, file);

describe('the shape of the broker', () => {
  it('app.ts is small and only composes: no route, hook or handler of its own', () => {
    const file = join(brokerSrc, 'app.ts');
    const lines = readFileSync(file, 'utf8').split('\n').length;
    expect(lines).toBeLessThan(80);
    expect(code(file)).not.toMatch(routeCall);
    expect(code(file)).not.toMatch(rootSetup);
    expect(code(file)).toMatch(/\bapp\.register\(/);
  });

  it('every file in routes/ registers routes', () => {
    const files = existsSync(join(brokerSrc, 'routes')) ? sourceFiles(join(brokerSrc, 'routes')) : [];
    expect(files.length).toBeGreaterThan(5);
    expect(files.filter((f) => !routeCall.test(code(f))).map(name)).toEqual([]);
  });

  it('http/ holds the cross-cutting plugins and registers no route', () => {
    const files = existsSync(join(brokerSrc, 'http')) ? sourceFiles(join(brokerSrc, 'http')) : [];
    expect(files.map((f) => name(f).replace(/\\/g, '/'))).toEqual(
      expect.arrayContaining(['http/errors.ts', 'http/auth.ts', 'http/body.ts']),
    );
    expect(files.filter((f) => routeCall.test(code(f))).map(name)).toEqual([]);
  });

  it('routes are registered only in routes/ and ui/, error and auth handling only in http/', () => {
    const files = sourceFiles(brokerSrc).map((f) => ({ file: f, where: name(f).replace(/\\/g, '/') }));
    const routesOutside = files
      .filter(({ where }) => !where.startsWith('routes/') && !where.startsWith('ui/'))
      .filter(({ file }) => routeCall.test(code(file)))
      .map(({ where }) => where);
    const setupOutside = files
      .filter(({ where }) => !where.startsWith('http/'))
      .filter(({ file }) => rootSetup.test(code(file)))
      .map(({ where }) => where);
    expect({ routesOutside, setupOutside }).toEqual({ routesOutside: [], setupOutside: [] });
  });
});
