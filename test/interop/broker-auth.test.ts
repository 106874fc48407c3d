import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPactTool } from '../support/pact-tools.js';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { main, type CliIo } from '@treaty/cli';

// A broker with credentials: the real pact-broker CLI and Treaty's CLI send them as Pact clients do.
let broker: RunningBroker;

const run = (args: string[], env: Record<string, string> = {}) => runPactTool('pact-broker', args, env);

beforeAll(async () => {
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    database: join(mkdtempSync(join(tmpdir(), 'treaty-auth-')), 'b.sqlite'),
    auth: { readWrite: [{ token: 'write-token' }], readOnly: [{ token: 'read-token' }] },
  });
});

afterAll(async () => {
  await broker.close();
});

describe('a broker with credentials', () => {
  it('accepts the read-write token from pact-broker, refuses no token and a read-only token for writes', async () => {
    expect(
      (
        await run([
          'create-environment',
          '--name',
          'production',
          '--production',
          '--broker-base-url',
          broker.url,
          '--broker-token',
          'write-token',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await run(['create-environment', '--name', 'staging', '--broker-base-url', broker.url])).code,
    ).not.toBe(0);
    expect(
      (
        await run(['create-environment', '--name', 'qa', '--broker-base-url', broker.url], {
          PACT_BROKER_TOKEN: 'read-token',
        })
      ).code,
    ).not.toBe(0);
    const listed = await run(['list-environments', '--broker-base-url', broker.url], {
      PACT_BROKER_TOKEN: 'read-token',
    });
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output).toContain('production');
  }, 60_000);

  it('lets treaty can-i-deploy read with PACT_BROKER_TOKEN, and says what is wrong without it', async () => {
    const out: string[] = [];
    const io = (env: Record<string, string>): CliIo => ({
      cwd: process.cwd(),
      env,
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
    });
    expect(
      await main(
        [
          'can-i-deploy',
          '--pacticipant',
          'nobody',
          '--version',
          '1',
          '--to-environment',
          'production',
          '--broker-base-url',
          broker.url,
        ],
        io({}),
      ),
    ).toBe(1);
    expect(out.join('')).toContain('needs credentials');
    out.length = 0;
    expect(
      await main(
        [
          'can-i-deploy',
          '--pacticipant',
          'nobody',
          '--version',
          '1',
          '--to-environment',
          'production',
          '--broker-base-url',
          broker.url,
        ],
        io({ PACT_BROKER_TOKEN: 'read-token' }),
      ),
    ).toBe(1);
    expect(out.join('')).toContain("no pacticipant named 'nobody'");
  }, 60_000);
});
