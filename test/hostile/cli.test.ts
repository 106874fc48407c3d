import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '@treaty/cli';

// Every command of the built `treaty` binary, fed what a careless script or a hostile caller might
// pass. Each must end with a non-zero exit code (2 for a usage error), name a TREATY_ code on stderr,
// and neither print a stack trace nor call itself an internal error.

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'cli/bin/treaty.js');
const long = 'x'.repeat(10_000);

interface Fixtures {
  dir: string;
  notJson: string;
  empty: string;
  deepPact: string;
  deepJson: string;
  emptyDir: string;
  pact: string;
  /** A port on 127.0.0.1 that nothing listens on. */
  closed: string;
}
let f: Fixtures;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-hostile-'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const pact = (body: string): string =>
    `{"consumer":{"name":"web"},"provider":{"name":"orders"},"interactions":[{"description":"x","request":{"method":"GET","path":"/"},"response":{"status":200,"body":${body}}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`;
  const emptyDir = join(dir, 'empty-folder');
  mkdirSync(emptyDir);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  f = {
    dir,
    notJson: file('not-json.json', 'consumer: web\nprovider: orders\n'),
    empty: file('empty.json', ''),
    deepPact: file('deep-pact.json', pact(`${'['.repeat(5000)}${']'.repeat(5000)}`)),
    deepJson: file('deep.json', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`),
    emptyDir,
    pact: file('web-orders.json', pact('{"id":1}')),
    closed: `http://127.0.0.1:${port}`,
  };
});

/** Runs the binary; a command still running after 15 s is killed and reported as such. */
function treaty(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: f.dir,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += '\n(killed: still running after 15 s)';
      child.kill('SIGKILL');
    }, 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Row {
  name: string;
  args: () => string[];
  /** 2 for a usage error; 1 for anything else the user must fix. */
  exit: 1 | 2;
  /** The code stderr must name; any TREATY_ code when left out. */
  code?: string;
}

/** A row that must end as a usage error. */
const usage = (name: string, args: () => string[]): Row => ({
  name,
  args,
  exit: 2,
  code: 'TREATY_CLI_USAGE',
});
/** A row that must fail with `code` (exit 1 unless said). */
const fails = (name: string, args: () => string[], code: string, exit: 1 | 2 = 1): Row => ({
  name,
  args,
  exit,
  code,
});

const provider = (): string[] => ['--provider-base-url', f.closed];
const broker = (): string[] => ['--broker-base-url', f.closed];
/** can-i-deploy for web version 1 against the closed port, with more flags. */
const gate = (...more: string[]): string[] => [
  'can-i-deploy',
  '--pacticipant',
  'web',
  '--version',
  '1',
  ...more,
  ...broker(),
];

const rows: Record<string, Row[]> = {
  verify: [
    usage('an unknown flag', () => ['verify', '--bogus']),
    usage('a flag without its value', () => ['verify', f.pact, '--provider-base-url']),
    usage('no contracts', () => ['verify', ...provider()]),
    usage('a timeout that is not a number', () => [
      'verify',
      f.pact,
      ...provider(),
      '--request-timeout',
      'soon',
    ]),
    usage('a negative timeout', () => ['verify', f.pact, ...provider(), '--request-timeout=-5']),
    usage('a timeout longer than a timer can wait', () => [
      'verify',
      f.pact,
      ...provider(),
      '--request-timeout',
      '99999999999',
    ]),
    usage('an infinite timeout', () => ['verify', f.pact, ...provider(), '--request-timeout', '1e400']),
    usage('a byte limit that is not whole', () => [
      'verify',
      f.pact,
      ...provider(),
      '--max-response-bytes',
      '1.5',
    ]),
    usage('a byte limit beyond exact numbers', () => [
      'verify',
      f.pact,
      ...provider(),
      '--max-pact-bytes',
      '99999999999999999999',
    ]),
    usage('a zero byte limit', () => ['verify', f.pact, ...provider(), '--max-pact-bytes', '0']),
    usage('an unknown reporter', () => ['verify', f.pact, ...provider(), '--reporter', 'yaml']),
    usage('selectors that are not JSON', () => [
      'verify',
      ...provider(),
      ...broker(),
      '--provider',
      'orders',
      '--consumer-version-selectors',
      '[[[',
    ]),
    fails(
      'a custom header without a colon',
      () => ['verify', f.pact, ...provider(), '--custom-header', 'Bearer abc'],
      'TREATY_VERIFY_CONFIG',
      2,
    ),
    fails(
      'a custom header with a newline in its value',
      () => ['verify', f.pact, ...provider(), '--custom-header', 'X-Team: web\r\nX-Injected: 1'],
      'TREATY_VERIFY_CONFIG',
      2,
    ),
    fails(
      'a provider URL with a bad scheme',
      () => ['verify', f.pact, '--provider-base-url', 'ftp://127.0.0.1/x'],
      'TREATY_VERIFY_CONFIG',
      2,
    ),
    fails(
      'a provider URL with a newline',
      () => ['verify', f.pact, '--provider-base-url', `${f.closed}/\nx`],
      'TREATY_VERIFY_CONFIG',
      2,
    ),
    fails(
      'a broker URL with a bad scheme',
      () => ['verify', ...provider(), '--provider', 'orders', '--broker-base-url', 'ftp://127.0.0.1/x'],
      'TREATY_VERIFY_CONFIG',
      2,
    ),
    fails(
      'a pact URL with a bad scheme',
      () => ['verify', 'ftp://127.0.0.1/x', ...provider()],
      'TREATY_VERIFY_SOURCE',
    ),
    fails(
      'a broker on a closed port',
      () => ['verify', ...provider(), ...broker(), '--provider', 'orders'],
      'TREATY_BROKER_UNREACHABLE',
    ),
    fails(
      'a provider on a closed port',
      () => ['verify', f.pact, ...provider()],
      'TREATY_VERIFY_INTERACTION',
    ),
    fails(
      'a provider name with a newline',
      () => ['verify', ...provider(), ...broker(), '--provider', 'orders\nX-Injected: 1'],
      'TREATY_BROKER_UNREACHABLE',
    ),
    fails(
      'a 10,000-character contract path',
      () => ['verify', long, ...provider()],
      'TREATY_CLI_FILE_NOT_FOUND',
      2,
    ),
    fails(
      'a contract that does not exist',
      () => ['verify', 'nope.json', ...provider()],
      'TREATY_CLI_FILE_NOT_FOUND',
      2,
    ),
    fails(
      'a 10,000-character provider name and header',
      () => ['verify', f.pact, ...provider(), '--provider', 'orders', '--custom-header', `X-Long: ${long}`],
      'TREATY_VERIFY_INTERACTION',
    ),
    fails(
      'a contract that is not JSON',
      () => ['verify', f.notJson, ...provider()],
      'TREATY_CONTRACT_NOT_A_CONTRACT',
    ),
    fails(
      'an empty contract file',
      () => ['verify', f.empty, ...provider()],
      'TREATY_CONTRACT_NOT_A_CONTRACT',
    ),
    fails(
      'a contract nested 5,000 levels deep',
      () => ['verify', f.deepPact, ...provider()],
      'TREATY_INPUT_TOO_DEEP',
    ),
    fails('a folder without contracts', () => ['verify', f.emptyDir, ...provider()], 'TREATY_VERIFY_SOURCE'),
    fails(
      'a folder where the report file should go',
      () => ['verify', f.pact, ...provider(), '--output-file', f.emptyDir],
      'TREATY_CLI_FILE_NOT_FOUND',
      2,
    ),
    fails(
      'a folder where the report file should go, by the old --output <file>',
      () => ['verify', f.pact, ...provider(), '--output', f.emptyDir],
      'TREATY_CLI_FILE_NOT_FOUND',
      2,
    ),
    usage('a format by both --output and the old --reporter', () => [
      'verify',
      f.pact,
      ...provider(),
      '--reporter',
      'junit',
      '--output',
      'table',
    ]),
    usage('a format and an old report file together', () => [
      'verify',
      f.pact,
      ...provider(),
      '--output',
      'out.json',
      '--output-file',
      'other.json',
    ]),
  ],
  publish: [
    usage('an unknown flag', () => ['publish', '--bogus']),
    usage('a flag without its value', () => ['publish', f.pact, ...broker(), '--consumer-app-version']),
    usage('no version', () => ['publish', f.pact, ...broker()]),
    fails(
      'a contract that is not JSON',
      () => ['publish', f.notJson, '--consumer-app-version', '1', ...broker()],
      'TREATY_CONTRACT_NOT_A_CONTRACT',
    ),
    fails(
      'an empty contract file',
      () => ['publish', f.empty, '--consumer-app-version', '1', ...broker()],
      'TREATY_CONTRACT_NOT_A_CONTRACT',
    ),
    fails(
      'a contract nested 5,000 levels deep, to a closed port',
      () => ['publish', f.deepPact, '--consumer-app-version', '1', ...broker()],
      'TREATY_INPUT_TOO_DEEP',
    ),
    usage('a folder without contracts', () => [
      'publish',
      f.emptyDir,
      '--consumer-app-version',
      '1',
      ...broker(),
    ]),
    fails(
      'a file that does not exist, named with 10,000 characters',
      () => ['publish', long, '--consumer-app-version', '1', ...broker()],
      'TREATY_CLI_FILE_NOT_FOUND',
      2,
    ),
    fails(
      'a version with a newline and a 10,000-character tag, to a closed port',
      () => ['publish', f.pact, '--consumer-app-version', '1\n2', '--tag', long, ...broker()],
      'TREATY_BROKER_UNREACHABLE',
    ),
    usage('a broker URL with a bad scheme', () => [
      'publish',
      f.pact,
      '--consumer-app-version',
      '1',
      '--broker-base-url',
      'ftp://127.0.0.1/x',
    ]),
    usage('no broker URL', () => ['publish', f.pact, '--consumer-app-version', '1']),
  ],
  validate: [
    usage('an unknown flag', () => ['validate', '--bogus']),
    usage('no files', () => ['validate']),
    fails('a file that is not JSON', () => ['validate', f.notJson], 'TREATY_CONTRACT_NOT_A_CONTRACT'),
    fails('an empty file', () => ['validate', f.empty], 'TREATY_CONTRACT_NOT_A_CONTRACT'),
    fails('JSON nested 5,000 levels deep', () => ['validate', f.deepJson, '--json'], 'TREATY_INPUT_TOO_DEEP'),
    usage('a folder without contracts', () => ['validate', f.emptyDir]),
    fails('a 10,000-character path', () => ['validate', long], 'TREATY_CLI_FILE_NOT_FOUND', 2),
    fails('a path with a newline', () => ['validate', `${f.pact}\n`], 'TREATY_CLI_FILE_NOT_FOUND', 2),
  ],
  'can-i-deploy': [
    usage('an unknown flag', () => gate('--bogus')),
    usage('a flag without its value', () => ['can-i-deploy', '--pacticipant']),
    usage('a version before its pacticipant', () => [
      'can-i-deploy',
      '--version',
      '1',
      '--pacticipant',
      'web',
      ...broker(),
    ]),
    usage('retries that are not a number', () => gate('--retry-while-unknown', 'many')),
    usage('huge retries and an infinite interval', () =>
      gate('--retry-while-unknown', '1e300', '--retry-interval', '1e400'),
    ),
    usage('a negative interval', () => gate('--retry-interval=-1')),
    usage('an unknown output', () => gate('--output', 'yaml')),
    usage('a broker URL with a bad scheme', () => [
      'can-i-deploy',
      '--pacticipant',
      'web',
      '--version',
      '1',
      '--broker-base-url',
      'ftp://127.0.0.1/x',
    ]),
    fails(
      'a 10,000-character name with a newline, to a closed port',
      () => ['can-i-deploy', '--pacticipant', `${long}\n`, '--version', '1', ...broker()],
      'TREATY_BROKER_UNREACHABLE',
    ),
  ],
  'broker client commands': [
    usage('create-environment without a name', () => ['create-environment', ...broker()]),
    fails(
      'create-environment with a 10,000-character name, to a closed port',
      () => ['create-environment', '--name', long, ...broker()],
      'TREATY_BROKER_UNREACHABLE',
    ),
    usage('list-environments with a broker URL with a bad scheme', () => [
      'list-environments',
      '--broker-base-url',
      'ftp://127.0.0.1/x',
    ]),
    usage('list-environments with an unknown output', () => [
      'list-environments',
      '--output',
      'yaml',
      ...broker(),
    ]),
    usage('record-deployment without an environment', () => [
      'record-deployment',
      '--pacticipant',
      'web',
      '--version',
      '1',
      ...broker(),
    ]),
    usage('describe-version with an extra argument', () => [
      'describe-version',
      '--pacticipant',
      'web',
      'extra',
      ...broker(),
    ]),
    fails(
      'create-version-tag to a closed port',
      () => ['create-version-tag', '--pacticipant', 'web', '--version', '1', '--tag', 'a\nb', ...broker()],
      'TREATY_BROKER_UNREACHABLE',
    ),
    usage('an unknown command', () => ['frobnicate']),
  ],
  broker: [
    usage('an unknown flag', () => ['broker', '--bogus']),
    usage('a port that is not a number', () => ['broker', '--port', 'http']),
    usage('a huge port', () => ['broker', '--port', '1e400']),
    usage('a negative port', () => ['broker', '--port=-1']),
    usage('a host with a newline', () => ['broker', '--port', '0', '--host', '127.0.0.1\nx']),
    fails(
      'a folder where the database file should be',
      () => ['broker', '--port', '0', '--host', '127.0.0.1', '--database', f.emptyDir],
      'TREATY_BROKER_DATABASE',
    ),
    fails(
      'a file that is not a database',
      () => ['broker', '--port', '0', '--host', '127.0.0.1', '--database', f.notJson],
      'TREATY_BROKER_DATABASE',
    ),
  ],
};

function expectHandled(r: { code: number | null; stdout: string; stderr: string }, row: Row): void {
  const all = `${r.stdout}${r.stderr}`;
  expect(r.code, all).toBe(row.exit);
  expect(r.stderr, all).toMatch(row.code === undefined ? /TREATY_[A-Z_]+/ : new RegExp(`\\b${row.code}\\b`));
  expect(all).not.toMatch(/^ {4}at /m);
  expect(all).not.toContain('TREATY_INTERNAL');
}

describe.concurrent('treaty given hostile input', () => {
  for (const [command, list] of Object.entries(rows))
    describe(command, () => {
      for (const row of list)
        it(`${row.name}: exit ${row.exit}${row.code === undefined ? '' : `, ${row.code}`}`, async () => {
          expectHandled(await treaty(row.args()), row);
        });
    });
});

// No process can be given an argument with a NUL byte (the kernel takes C strings), so these run the
// same entry point in-process, as a program embedding the CLI would.
describe('treaty given NUL bytes', () => {
  const nul: Row[] = [
    usage('a contract path', () => ['validate', `${f.pact}\0.txt`]),
    usage('a provider name', () => ['verify', f.pact, ...provider(), '--provider', 'orders\0']),
    usage('a database path', () => [
      'broker',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--database',
      join(f.dir, 'db\0.sqlite'),
    ]),
    usage('a pacticipant name', () => [
      'can-i-deploy',
      '--pacticipant',
      'web\0',
      '--version',
      '1',
      ...broker(),
    ]),
  ];
  for (const row of nul)
    it(`${row.name}: exit ${row.exit}, ${row.code ?? ''}`, async () => {
      let stdout = '';
      let stderr = '';
      const code = await main(row.args(), {
        cwd: f.dir,
        env: {},
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
      });
      expectHandled({ code, stdout, stderr }, row);
    });
});

describe('treaty writing to a reader that goes away', () => {
  it('ends quietly, as Unix tools do, when its output is piped to head', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-epipe-'));
    const pact = (n: number) =>
      JSON.stringify({
        consumer: { name: 'web' },
        provider: { name: `p${n}` },
        interactions: [],
        metadata: { pactSpecification: { version: '4.0' } },
      });
    for (let n = 0; n < 2000; n++) writeFileSync(join(dir, `c${n}.json`), pact(n));
    const child = spawn('bash', [
      '--norc',
      '-c',
      `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} validate ${JSON.stringify(dir)} | head -1; echo "exit \${PIPESTATUS[0]}" >&2`,
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(err.trim()).toBe('exit 0');
  }, 30_000);
});
