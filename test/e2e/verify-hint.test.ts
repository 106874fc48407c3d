import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { runProcess } from '../support/process.js';

// The command the broker suggests for a missing verification (in can-i-deploy's reason and on its
// pages) works as printed: pasted into bash in the project, with PROVIDER_BASE_URL set, it verifies
// the provider version and publishes the result, and the gate turns to yes. Without the variable the
// shell stops and says what to set.
const root = fileURLToPath(new URL('../../', import.meta.url));
let broker: RunningBroker;
let provider: Server;
let providerUrl = '';

const pact = {
  consumer: { name: 'hint-web' },
  provider: { name: 'hint-orders' },
  interactions: [
    {
      type: 'Synchronous/HTTP',
      description: 'order 1',
      request: { method: 'GET', path: '/orders/1' },
      response: {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: { content: { id: 1 }, contentType: 'application/json', encoded: false },
      },
    },
  ],
  metadata: { pactSpecification: { version: '4.0' } },
};

beforeAll(async () => {
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    database: join(mkdtempSync(join(tmpdir(), 'treaty-hint-')), 'broker.sqlite'),
  });
  provider = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end('{"id":1}');
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const address = provider.address();
  providerUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const put = (path: string, body: unknown) =>
    fetch(`${broker.url}${path}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect((await put('/pacts/provider/hint-orders/consumer/hint-web/version/1.0.0', pact)).status).toBe(201);
  expect((await put('/pacticipants/hint-orders/branches/main/versions/o-1', {})).status).toBe(201);
});

afterAll(async () => {
  await broker.close();
  await new Promise((resolve) => provider.close(resolve));
});

const gate = async () => {
  const res = await fetch(
    `${broker.url}/matrix?q[][pacticipant]=hint-web&q[][version]=1.0.0&q[][pacticipant]=hint-orders&q[][version]=o-1&latestby=cvpv`,
  );
  return (await res.json()) as { summary: { deployable: boolean | null; reason: string } };
};

describe('the verify command the broker suggests', () => {
  it('runs as printed: it verifies, publishes, and the gate says yes', async () => {
    const before = await gate();
    expect(before.summary.deployable).toBeNull();
    const line = /Run: (.+) \(against hint-orders o-1\)/.exec(before.summary.reason)?.[1];
    expect(line, before.summary.reason).toMatch(/^npx --no treaty verify /);
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' };

    const unset = await runProcess('bash', ['--norc', '-c', line as string], { cwd: root, env });
    expect(unset.code).not.toBe(0);
    expect(unset.stderr).toContain('PROVIDER_BASE_URL: set it to the URL of the running provider');

    const run = await runProcess('bash', ['--norc', '-c', line as string], {
      cwd: root,
      env: { ...env, PROVIDER_BASE_URL: providerUrl },
    });
    expect(run.code, run.output).toBe(0);
    expect((await gate()).summary.deployable).toBe(true);
  }, 60_000);
});
