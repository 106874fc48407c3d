import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore, startBroker, type RunningBroker } from '@treaty/broker';
import { main, type CliIo } from '@treaty/cli';
import { runProcess } from '../support/process.js';

// Treaty's broker client commands, with the Pact CLI's names and flags, against a running broker.
const root = fileURLToPath(new URL('../../', import.meta.url));
let broker: RunningBroker;
let database = '';

function io(): CliIo & { out: () => string } {
  const out: string[] = [];
  return {
    cwd: process.cwd(),
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    out: () => out.join(''),
  };
}

async function treaty(...args: string[]): Promise<{ code: number; out: string }> {
  const x = io();
  const code = await main([...args, '--broker-base-url', broker.url], x);
  return { code, out: x.out() };
}

beforeAll(async () => {
  database = join(mkdtempSync(join(tmpdir(), 'treaty-cmds-')), 'broker.sqlite');
  broker = await startBroker({ port: 0, host: '127.0.0.1', database });
  const res = await fetch(`${broker.url}/pacticipants/cmd-orders/branches/main/versions/o-1`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await broker.close();
});

describe('treaty broker client commands', () => {
  it('create and list environments, record deployment, undeployment, release and end of support, tag and describe a version', async () => {
    expect((await treaty('create-environment', '--name', 'production', '--production')).code).toBe(0);
    expect((await treaty('create-environment', '--name', 'staging', '--display-name', 'Staging')).code).toBe(
      0,
    );
    const dup = await treaty('create-environment', '--name', 'staging');
    expect(dup.code).toBe(1);
    expect(dup.out).toContain('already exists');
    const list = await treaty('list-environments', '--output', 'json');
    expect((JSON.parse(list.out) as Array<{ name: string }>).map((e) => e.name).sort()).toEqual([
      'production',
      'staging',
    ]);

    expect(
      (
        await treaty(
          'record-deployment',
          '--pacticipant',
          'cmd-orders',
          '--version',
          'o-1',
          '--environment',
          'production',
        )
      ).out,
    ).toContain('Recorded deployment of cmd-orders version o-1 to production');
    expect(
      (
        await treaty(
          'record-release',
          '--pacticipant',
          'cmd-orders',
          '--version',
          'o-1',
          '--environment',
          'staging',
        )
      ).code,
    ).toBe(0);
    const store = SqliteStore.open(database);
    const environments = await store.listEnvironments();
    const prod = environments.find((e) => e.name === 'production');
    const staging = environments.find((e) => e.name === 'staging');
    expect((await store.currentlyDeployed(prod?.uuid ?? '')).map((d) => d.version)).toEqual(['o-1']);
    expect((await store.currentlySupported(staging?.uuid ?? '')).map((d) => d.version)).toEqual(['o-1']);

    expect(
      (await treaty('record-undeployment', '--pacticipant', 'cmd-orders', '--environment', 'production'))
        .code,
    ).toBe(0);
    expect(
      (
        await treaty(
          'record-support-ended',
          '--pacticipant',
          'cmd-orders',
          '--version',
          'o-1',
          '--environment',
          'staging',
        )
      ).code,
    ).toBe(0);
    expect(await store.currentlyDeployed(prod?.uuid ?? '')).toEqual([]);
    expect(await store.currentlySupported(staging?.uuid ?? '')).toEqual([]);
    await store.close();

    expect(
      (
        await treaty(
          'create-version-tag',
          '--pacticipant',
          'cmd-orders',
          '--version',
          'o-1',
          '--tag',
          'prod',
          '--tag',
          'stable',
        )
      ).code,
    ).toBe(0);
    const described = await treaty('describe-version', '--pacticipant', 'cmd-orders', '--version', 'o-1');
    expect(described.out).toContain('branches: main');
    expect(described.out).toContain('tags: prod, stable');
  });

  it('explains mistakes: an unknown environment, a pacticipant not deployed, a missing flag', async () => {
    const unknown = await treaty(
      'record-deployment',
      '--pacticipant',
      'cmd-orders',
      '--version',
      'o-1',
      '--environment',
      'moon',
    );
    // The broker has no such environment: that is the cause named, and the hint is a command to paste.
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain("There is no environment named 'moon'");
    expect(unknown.out).toContain('[TREATY_BROKER_NOT_FOUND]');
    const hint = /Create it with: (.+) \[TREATY_/.exec(unknown.out)?.[1];
    expect(hint).toBe(`npx --no treaty create-environment --name moon --broker-base-url ${broker.url}`);
    const pasted = await runProcess('bash', ['-c', hint as string], { cwd: root });
    expect(pasted.code, pasted.output).toBe(0);
    expect(pasted.output).toContain('Created environment moon');
    expect(
      (
        await treaty(
          'record-deployment',
          '--pacticipant',
          'cmd-orders',
          '--version',
          'o-1',
          '--environment',
          'moon',
        )
      ).code,
    ).toBe(0);
    const notDeployed = await treaty(
      'record-undeployment',
      '--pacticipant',
      'cmd-orders',
      '--environment',
      'production',
    );
    expect(notDeployed.code).toBe(1);
    expect(notDeployed.out).toContain('is not currently deployed to production');
    expect(
      (await treaty('record-release', '--pacticipant', 'cmd-orders', '--environment', 'staging')).code,
    ).toBe(2);
  });
});
