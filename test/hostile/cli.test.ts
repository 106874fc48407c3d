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
const bin = join(root, 'cli/dist/bin.js');
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

const provider = (): string[] => ['--provider-base-url', f.closed];
const broker = (): string[] => ['--broker-base-url', f.closed];

const rows: Record<string, Row[]> = {
  verify: [
    { name: 'an unknown flag', args: () => ['verify', '--bogus'], exit: 2, code: 'TREATY_CLI_USAGE' },
    {
      name: 'a flag without its value',
      args: () => ['verify', f.pact, '--provider-base-url'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    { name: 'no contracts', args: () => ['verify', ...provider()], exit: 2, code: 'TREATY_CLI_USAGE' },
    {
      name: 'a timeout that is not a number',
      args: () => ['verify', f.pact, ...provider(), '--request-timeout', 'soon'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a negative timeout',
      args: () => ['verify', f.pact, ...provider(), '--request-timeout=-5'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a timeout longer than a timer can wait',
      args: () => ['verify', f.pact, ...provider(), '--request-timeout', '99999999999'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'an infinite timeout',
      args: () => ['verify', f.pact, ...provider(), '--request-timeout', '1e400'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a byte limit that is not whole',
      args: () => ['verify', f.pact, ...provider(), '--max-response-bytes', '1.5'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a byte limit beyond exact numbers',
      args: () => ['verify', f.pact, ...provider(), '--max-pact-bytes', '99999999999999999999'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a zero byte limit',
      args: () => ['verify', f.pact, ...provider(), '--max-pact-bytes', '0'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'an unknown reporter',
      args: () => ['verify', f.pact, ...provider(), '--reporter', 'yaml'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'selectors that are not JSON',
      args: () => [
        'verify',
        ...provider(),
        ...broker(),
        '--provider',
        'orders',
        '--consumer-version-selectors',
        '[[[',
      ],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a custom header without a colon',
      args: () => ['verify', f.pact, ...provider(), '--custom-header', 'Bearer abc'],
      exit: 2,
      code: 'TREATY_VERIFY_CONFIG',
    },
    {
      name: 'a custom header with a newline in its value',
      args: () => ['verify', f.pact, ...provider(), '--custom-header', 'X-Team: web\r\nX-Injected: 1'],
      exit: 2,
      code: 'TREATY_VERIFY_CONFIG',
    },
    {
      name: 'a provider URL with a bad scheme',
      args: () => ['verify', f.pact, '--provider-base-url', 'ftp://127.0.0.1/x'],
      exit: 2,
      code: 'TREATY_VERIFY_CONFIG',
    },
    {
      name: 'a provider URL with a newline',
      args: () => ['verify', f.pact, '--provider-base-url', `${f.closed}/\nx`],
      exit: 2,
      code: 'TREATY_VERIFY_CONFIG',
    },
    {
      name: 'a broker URL with a bad scheme',
      args: () => ['verify', ...provider(), '--provider', 'orders', '--broker-base-url', 'ftp://127.0.0.1/x'],
      exit: 2,
      code: 'TREATY_VERIFY_CONFIG',
    },
    {
      name: 'a pact URL with a bad scheme',
      args: () => ['verify', 'ftp://127.0.0.1/x', ...provider()],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    {
      name: 'a broker on a closed port',
      args: () => ['verify', ...provider(), ...broker(), '--provider', 'orders'],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    {
      name: 'a provider on a closed port',
      args: () => ['verify', f.pact, ...provider()],
      exit: 1,
      code: 'TREATY_VERIFY_INTERACTION',
    },
    {
      name: 'a provider name with a newline',
      args: () => ['verify', ...provider(), ...broker(), '--provider', 'orders\nX-Injected: 1'],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    {
      name: 'a 10,000-character contract path',
      args: () => ['verify', long, ...provider()],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    {
      name: 'a 10,000-character provider name and header',
      args: () => [
        'verify',
        f.pact,
        ...provider(),
        '--provider',
        'orders',
        '--custom-header',
        `X-Long: ${long}`,
      ],
      exit: 1,
      code: 'TREATY_VERIFY_INTERACTION',
    },
    {
      name: 'a contract that is not JSON',
      args: () => ['verify', f.notJson, ...provider()],
      exit: 1,
      code: 'TREATY_CONTRACT_NOT_A_CONTRACT',
    },
    {
      name: 'an empty contract file',
      args: () => ['verify', f.empty, ...provider()],
      exit: 1,
      code: 'TREATY_CONTRACT_NOT_A_CONTRACT',
    },
    {
      name: 'a contract nested 5,000 levels deep',
      args: () => ['verify', f.deepPact, ...provider()],
      exit: 1,
      code: 'TREATY_VERIFY_INTERACTION',
    },
    {
      name: 'a folder without contracts',
      args: () => ['verify', f.emptyDir, ...provider()],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    {
      name: 'a folder where the report file should go',
      args: () => ['verify', f.pact, ...provider(), '--output', f.emptyDir],
      exit: 1,
      code: 'TREATY_CLI_FILE_NOT_FOUND',
    },
  ],
  publish: [
    { name: 'an unknown flag', args: () => ['publish', '--bogus'], exit: 2, code: 'TREATY_CLI_USAGE' },
    {
      name: 'a flag without its value',
      args: () => ['publish', f.pact, ...broker(), '--consumer-app-version'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'no version',
      args: () => ['publish', f.pact, ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a contract that is not JSON',
      args: () => ['publish', f.notJson, '--consumer-app-version', '1', ...broker()],
      exit: 1,
      code: 'TREATY_CONTRACT_NOT_A_CONTRACT',
    },
    {
      name: 'an empty contract file',
      args: () => ['publish', f.empty, '--consumer-app-version', '1', ...broker()],
      exit: 1,
      code: 'TREATY_CONTRACT_NOT_A_CONTRACT',
    },
    {
      name: 'a contract nested 5,000 levels deep, to a closed port',
      args: () => ['publish', f.deepPact, '--consumer-app-version', '1', ...broker()],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    {
      name: 'a folder without contracts',
      args: () => ['publish', f.emptyDir, '--consumer-app-version', '1', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a file that does not exist, named with 10,000 characters',
      args: () => ['publish', long, '--consumer-app-version', '1', ...broker()],
      exit: 1,
      code: 'TREATY_CLI_FILE_NOT_FOUND',
    },
    {
      name: 'a version with a newline and a 10,000-character tag, to a closed port',
      args: () => ['publish', f.pact, '--consumer-app-version', '1\n2', '--tag', long, ...broker()],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    {
      name: 'a broker URL with a bad scheme',
      args: () => [
        'publish',
        f.pact,
        '--consumer-app-version',
        '1',
        '--broker-base-url',
        'ftp://127.0.0.1/x',
      ],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'no broker URL',
      args: () => ['publish', f.pact, '--consumer-app-version', '1'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
  ],
  validate: [
    { name: 'an unknown flag', args: () => ['validate', '--bogus'], exit: 2, code: 'TREATY_CLI_USAGE' },
    { name: 'no files', args: () => ['validate'], exit: 2, code: 'TREATY_CLI_USAGE' },
    {
      name: 'a file that is not JSON',
      args: () => ['validate', f.notJson],
      exit: 1,
      code: 'TREATY_CONTRACT_NOT_A_CONTRACT',
    },
    {
      name: 'an empty file',
      args: () => ['validate', f.empty],
      exit: 1,
      code: 'TREATY_CONTRACT_NOT_A_CONTRACT',
    },
    {
      name: 'JSON nested 5,000 levels deep',
      args: () => ['validate', f.deepJson, '--json'],
      exit: 1,
      code: 'TREATY_CONTRACT_NOT_A_CONTRACT',
    },
    {
      name: 'a folder without contracts',
      args: () => ['validate', f.emptyDir],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a 10,000-character path',
      args: () => ['validate', long],
      exit: 1,
      code: 'TREATY_CLI_FILE_NOT_FOUND',
    },
    {
      name: 'a path with a newline',
      args: () => ['validate', `${f.pact}\n`],
      exit: 1,
      code: 'TREATY_CLI_FILE_NOT_FOUND',
    },
  ],
  'can-i-deploy': [
    {
      name: 'an unknown flag',
      args: () => ['can-i-deploy', '--pacticipant', 'web', '--version', '1', '--bogus', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a flag without its value',
      args: () => ['can-i-deploy', '--pacticipant'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a version before its pacticipant',
      args: () => ['can-i-deploy', '--version', '1', '--pacticipant', 'web', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'retries that are not a number',
      args: () => [
        'can-i-deploy',
        '--pacticipant',
        'web',
        '--version',
        '1',
        '--retry-while-unknown',
        'many',
        ...broker(),
      ],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'huge retries and an infinite interval',
      args: () => [
        'can-i-deploy',
        '--pacticipant',
        'web',
        '--version',
        '1',
        '--retry-while-unknown',
        '1e300',
        '--retry-interval',
        '1e400',
        ...broker(),
      ],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a negative interval',
      args: () => [
        'can-i-deploy',
        '--pacticipant',
        'web',
        '--version',
        '1',
        '--retry-interval=-1',
        ...broker(),
      ],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'an unknown output',
      args: () => ['can-i-deploy', '--pacticipant', 'web', '--version', '1', '--output', 'yaml', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a broker URL with a bad scheme',
      args: () => [
        'can-i-deploy',
        '--pacticipant',
        'web',
        '--version',
        '1',
        '--broker-base-url',
        'ftp://127.0.0.1/x',
      ],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a 10,000-character name with a newline, to a closed port',
      args: () => ['can-i-deploy', '--pacticipant', `${long}\n`, '--version', '1', ...broker()],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
  ],
  'broker client commands': [
    {
      name: 'create-environment without a name',
      args: () => ['create-environment', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'create-environment with a 10,000-character name, to a closed port',
      args: () => ['create-environment', '--name', long, ...broker()],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    {
      name: 'list-environments with a broker URL with a bad scheme',
      args: () => ['list-environments', '--broker-base-url', 'ftp://127.0.0.1/x'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'list-environments with an unknown output',
      args: () => ['list-environments', '--output', 'yaml', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'record-deployment without an environment',
      args: () => ['record-deployment', '--pacticipant', 'web', '--version', '1', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'describe-version with an extra argument',
      args: () => ['describe-version', '--pacticipant', 'web', 'extra', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'create-version-tag to a closed port',
      args: () => [
        'create-version-tag',
        '--pacticipant',
        'web',
        '--version',
        '1',
        '--tag',
        'a\nb',
        ...broker(),
      ],
      exit: 1,
      code: 'TREATY_VERIFY_SOURCE',
    },
    { name: 'an unknown command', args: () => ['frobnicate'], exit: 2, code: 'TREATY_CLI_USAGE' },
  ],
  broker: [
    { name: 'an unknown flag', args: () => ['broker', '--bogus'], exit: 2, code: 'TREATY_CLI_USAGE' },
    {
      name: 'a port that is not a number',
      args: () => ['broker', '--port', 'http'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    { name: 'a huge port', args: () => ['broker', '--port', '1e400'], exit: 2, code: 'TREATY_CLI_USAGE' },
    { name: 'a negative port', args: () => ['broker', '--port=-1'], exit: 2, code: 'TREATY_CLI_USAGE' },
    {
      name: 'a host with a newline',
      args: () => ['broker', '--port', '0', '--host', '127.0.0.1\nx'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a folder where the database file should be',
      args: () => ['broker', '--port', '0', '--host', '127.0.0.1', '--database', f.emptyDir],
      exit: 1,
      code: 'TREATY_BROKER_DATABASE',
    },
    {
      name: 'a file that is not a database',
      args: () => ['broker', '--port', '0', '--host', '127.0.0.1', '--database', f.notJson],
      exit: 1,
      code: 'TREATY_BROKER_DATABASE',
    },
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
    {
      name: 'a contract path',
      args: () => ['validate', `${f.pact}\0.txt`],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a provider name',
      args: () => ['verify', f.pact, ...provider(), '--provider', 'orders\0'],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a database path',
      args: () => ['broker', '--port', '0', '--host', '127.0.0.1', '--database', join(f.dir, 'db\0.sqlite')],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
    {
      name: 'a pacticipant name',
      args: () => ['can-i-deploy', '--pacticipant', 'web\0', '--version', '1', ...broker()],
      exit: 2,
      code: 'TREATY_CLI_USAGE',
    },
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
