import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { rerunCommand } from './report.js';

// The rerun line printed under a failure is meant to be pasted into a shell: a real bash must read
// back the arguments given. (test/e2e/verify-rerun.test.ts runs a printed line.)

/** The words bash reads from `line` after `npx --no treaty verify`, with the environment given. */
function wordsBashReads(line: string, env: Record<string, string> = {}): string[] {
  const printed = execFileSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      `set -- ${line.replace(/^npx --no treaty verify/, '')}; printf '%s\\0' "$@"`,
    ],
    // bash's complaints (an unset variable the line requires) are the test's to read, not to print.
    { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return printed.split('\0').slice(0, -1);
}

describe('the rerun command under a failure', () => {
  it('quotes what a shell would change: JSON, spaces, quotes, globs', () => {
    const args = [
      '--pact',
      "/tmp/team's pacts/web orders.json",
      '--consumer-version-selectors',
      '{"mainBranch":true}',
      '--custom-header',
      'X-Team: *',
      '--provider-base-url',
      'http://127.0.0.1:8080',
      '--json',
    ];
    const line = rerunCommand(args);
    expect(line).toContain('--provider-base-url http://127.0.0.1:8080');
    expect(wordsBashReads(line)).toEqual(args.filter((a) => a !== '--json'));
  });

  it('never prints the broker token or password: it names their environment variables', () => {
    const line = rerunCommand([
      '--broker-base-url',
      'http://broker',
      '--broker-token',
      's3cret-token',
      '--broker-username=ci',
      '--broker-password=s3cret-pw',
    ]);
    expect(line).not.toContain('s3cret');
    expect(wordsBashReads(line, { PACT_BROKER_TOKEN: 'tok', PACT_BROKER_PASSWORD: 'pw' })).toEqual([
      '--broker-base-url',
      'http://broker',
      '--broker-token',
      'tok',
      '--broker-username=ci',
      '--broker-password=pw',
    ]);
  });

  it('never prints a credential-bearing custom header: the shell reads it from a variable, or stops', () => {
    const line = rerunCommand([
      '--custom-header',
      'Authorization: Bearer s3cret-bearer',
      '--custom-header=X-Api-Key: s3cret-key',
      '--custom-header',
      'X-Team: web',
    ]);
    expect(line).not.toContain('s3cret');
    expect(line).toContain('TREATY_HEADER_AUTHORIZATION');
    expect(
      wordsBashReads(line, { TREATY_HEADER_AUTHORIZATION: 'Bearer t', TREATY_HEADER_X_API_KEY: 'k' }),
    ).toEqual([
      '--custom-header',
      'Authorization: Bearer t',
      '--custom-header=X-Api-Key: k',
      '--custom-header',
      'X-Team: web',
    ]);
    expect(() => wordsBashReads(line)).toThrow();
  });
});
