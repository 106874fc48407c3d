import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, main, type CliIo } from '@treaty/cli';
import { runProcess } from '../support/process.js';

// The CLI speaks one language: --output is the format and --output-file the file, in every command;
// a mistake gets a suggestion, the usage line and exit 2; verify says what it could not do. Each
// is checked on the built binary as a process and in-process through main().

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'cli/bin/treaty.js');

let server: Server;
let url = '';
/** State change requests the provider received. */
const states: string[] = [];
beforeAll(async () => {
  // A provider that answers { id: 1 } to GET /orders/1 and 404 to anything else; POST /_states
  // is its provider state setup URL.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/_states') {
        states.push(body);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      } else if (req.url === '/orders/1')
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":1}');
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** A folder with one contract: order 1 (passes) and order 2 (fails), each in a provider state. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-language-'));
  const interaction = (n: number, state: string) => ({
    description: `order ${n}`,
    providerState: state,
    request: { method: 'GET', path: `/orders/${n}` },
    response: { status: 200, body: { id: n } },
  });
  writeFileSync(
    join(dir, 'web-orders.json'),
    JSON.stringify({
      consumer: { name: 'web' },
      provider: { name: 'orders' },
      interactions: [interaction(1, 'order 1 exists'), interaction(2, 'order 2 exists')],
      metadata: { pactSpecification: { version: '2.0.0' } },
    }),
  );
  writeFileSync(join(dir, 'broken.json'), 'consumer: web\n');
  return dir;
}

/** The built binary, run in `cwd`. */
async function treaty(
  cwd: string,
  ...args: string[]
): Promise<{ code: number | null; out: string; err: string }> {
  const r = await runProcess(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '' },
  });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** main() in-process, with stdout and stderr apart. */
async function inProcess(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { cwd, env: {}, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
  const code = await main(args, io);
  return { code, out: out.join(''), err: err.join('') };
}

describe('--output is the format, --output-file the file', () => {
  it('verify --output json, --json and --output-file agree (process)', async () => {
    const dir = workspace();
    const a = await treaty(dir, 'verify', 'web-orders.json', '--provider-base-url', url, '--output', 'json');
    expect(a.code).toBe(1);
    const b = await inProcess(dir, 'verify', 'web-orders.json', '--provider-base-url', url, '--json');
    const c = await inProcess(
      dir,
      'verify',
      'web-orders.json',
      '--provider-base-url',
      url,
      '--output-file',
      'report.json',
    );
    const shape = (text: string) =>
      (JSON.parse(text) as { summary: { passed: number; failed: number } }).summary;
    expect(shape(a.out)).toMatchObject({
      passed: 1,
      failed: 1,
    });
    expect(shape(b.out)).toMatchObject({ passed: 1, failed: 1 });
    // --output-file writes the report beside the table on stdout.
    expect(c.out).toContain('FAIL  order 2');
    expect(shape(readFileSync(join(dir, 'report.json'), 'utf8'))).toMatchObject({ passed: 1, failed: 1 });
    expect([a.err, b.err, c.err].join('')).not.toContain('deprecated');
  });

  it('the old --reporter and --output <file> still work, with one warning line each', async () => {
    const dir = workspace();
    const p = await treaty(
      dir,
      'verify',
      'web-orders.json',
      '--provider-base-url',
      url,
      '--reporter',
      'junit',
      '--output',
      'report.xml',
    );
    expect(p.code).toBe(1);
    expect(p.out).toContain('<testsuites name="treaty verify"');
    expect(readFileSync(join(dir, 'report.xml'), 'utf8')).toContain('<testsuites name="treaty verify"');
    const r = await inProcess(
      dir,
      'verify',
      'web-orders.json',
      '--provider-base-url',
      url,
      '--reporter',
      'json',
      '--output',
      'old.json',
    );
    const warnings = r.err.split('\n').filter((l) => l.includes('deprecated'));
    expect(warnings).toEqual([
      'treaty: warning: --output <file> is deprecated and goes in the next release; use --output-file old.json (--output now names the format)',
      'treaty: warning: --reporter json is deprecated and goes in the next release; use --output json',
    ]);
    expect(JSON.parse(r.out)).toMatchObject({ summary: { failed: 1 } });
    expect(JSON.parse(readFileSync(join(dir, 'old.json'), 'utf8'))).toMatchObject({ summary: { failed: 1 } });
  });

  it('every command takes --output <format> and --json, and no command --reporter', async () => {
    for (const c of commands) {
      const help = await inProcess(root, c.name, '--help');
      expect(help.code, c.name).toBe(0);
      expect(help.out, c.name).toMatch(/^ {2}-o, --output <format> +output format: table, json/m);
      expect(help.out, c.name).toMatch(/^ {2}--json +same as --output json/m);
      expect(help.out, c.name).not.toMatch(/^ {2}--reporter/m);
    }
    const dir = workspace();
    const json = await inProcess(dir, 'validate', 'web-orders.json', '--output', 'json');
    expect(JSON.parse(json.out)).toMatchObject({ valid: true });
    expect((await inProcess(dir, 'validate', 'web-orders.json', '--json')).out).toBe(json.out);
  });

  it("every command's help lines its option descriptions up in one column", async () => {
    for (const c of commands) {
      const { out } = await inProcess(root, c.name, '--help');
      const options = out.slice(out.indexOf('\nOptions:\n'));
      const starts = new Set(
        options
          .split('\n')
          .filter((l) => /^ {2}-/.test(l))
          .map((l) => /^ {2}\S.*? {2,}(?=\S)/.exec(l)?.[0].length),
      );
      expect([...starts], `${c.name}\n${out}`).toHaveLength(1);
    }
  });
});

describe('a mistake gets a suggestion, the usage line and exit 2', () => {
  it('an unknown flag (process)', async () => {
    const r = await treaty(root, 'verify', 'x.json', '--provider-states-setup', 'http://127.0.0.1:1/');
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toEqual([
      "treaty: Unknown option '--provider-states-setup' — did you mean --provider-states-setup-url? [TREATY_CLI_USAGE]",
      'Usage: treaty verify --provider-base-url <url> | --openapi <file|url> [--pact] <file|dir|url>... [options]',
      'Every option: npx --no treaty verify --help',
    ]);
  });

  it('a misspelt flag and an unknown command (in-process)', async () => {
    const flag = await inProcess(
      root,
      'can-i-deploy',
      '--pacticipant',
      'web',
      '--latest',
      '--to-enviroment',
      'x',
    );
    expect(flag.code).toBe(2);
    expect(flag.err).toContain(
      'did you mean --to-environment? [TREATY_CLI_USAGE]\nUsage: treaty can-i-deploy ',
    );
    expect(flag.err).not.toContain('Options:');
    const command = await inProcess(root, 'verfy', '--pact', 'x.json');
    expect(command.code).toBe(2);
    expect(command.err).toContain("Unknown command 'verfy' — did you mean verify? [TREATY_CLI_USAGE]");
    expect(command.err).toContain('The commands: npx --no treaty --help');
  });

  it('a usage error found by the command itself also ends with the usage line, not the help', async () => {
    const r = await inProcess(root, 'verify', 'x.json');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'treaty: --provider-base-url is required (or --openapi, to check the contracts against an OpenAPI document). [TREATY_CLI_USAGE]\n' +
        'Usage: treaty verify --provider-base-url <url> | --openapi <file|url> [--pact] <file|dir|url>... [options]\n' +
        'Every option: npx --no treaty verify --help\n',
    );
  });

  it('--version is the version, and `can-i-deploy --version 1` is not', async () => {
    expect((await treaty(root, '--version')).out).toBe('0.1.0\n');
    const gate = await inProcess(root, 'can-i-deploy', '--pacticipant', 'web', '--version', '1');
    expect(gate.code).toBe(2);
    expect(gate.err).toContain('--broker-base-url (or PACT_BROKER_BASE_URL) is required.');
  });
});

describe('verify says what it could not do', () => {
  it('warns once when interactions have provider states and nothing sets them up (process)', async () => {
    const dir = workspace();
    const r = await treaty(dir, 'verify', 'web-orders.json', '--provider-base-url', url);
    expect(r.code).toBe(1);
    const lines = r.err.split('\n').filter((l) => l.includes('--provider-states-setup-url'));
    expect(lines).toEqual([
      'treaty: warning: 2 provider state(s) were not set up (order 1 exists, order 2 exists): give --provider-states-setup-url <url> to set them up before each interaction',
    ]);
    const given = await inProcess(
      dir,
      'verify',
      'web-orders.json',
      '--provider-base-url',
      url,
      '--provider-states-setup-url',
      `${url}/_states`,
    );
    expect(given.err).not.toContain('were not set up');
    expect(states.some((s) => s.includes('order 2 exists'))).toBe(true);
  });

  it('a --pact path that does not exist is a usage mistake (exit 2), not "1 errors"', async () => {
    const dir = workspace();
    const r = await treaty(dir, 'verify', '--pact', 'nope.json', '--provider-base-url', url);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Cannot read the contract source 'nope.json' (no such file or folder)");
    expect(r.err).toContain('[TREATY_CLI_FILE_NOT_FOUND]');
    expect(r.out).not.toMatch(/errors|interactions/);
  });

  it('a contract that cannot be read is named once, and counted as a contract, not an interaction', async () => {
    const dir = workspace();
    const r = await inProcess(dir, 'verify', 'broken.json', 'web-orders.json', '--provider-base-url', url);
    expect(r.code).toBe(1);
    const path = join(dir, 'broken.json');
    expect(r.out.split(path)).toHaveLength(2);
    expect(r.out).toMatch(/\n1\) .*broken\.json: .*\[TREATY_CONTRACT_NOT_A_CONTRACT\]/);
    expect(r.out).toContain(
      '2 contracts (1 could not be read), 2 interactions: 1 passed, 1 failed, 0 pending, 0 errors',
    );
  });
});
