import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '@treaty/cli';
import { runProcess } from '../support/process.js';

// The rerun line `treaty verify` prints under a failure, pasted into a real bash in the project,
// reruns just that interaction: `npx --no treaty` finds the project's local install.
const root = fileURLToPath(new URL('../../', import.meta.url));

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

describe('treaty verify: the rerun command', () => {
  it('reruns just the failed interaction when pasted into bash', async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(req.url === '/orders/1' ? { id: 'one' } : { id: 2 }));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = join(mkdtempSync(join(tmpdir(), 'treaty-rerun-')), "team's pacts");
    mkdirSync(dir);
    const interaction = (n: number) => ({
      description: `order ${n} (by id)`,
      request: { method: 'GET', path: `/orders/${n}` },
      response: { status: 200, body: { id: n } },
    });
    writeFileSync(
      join(dir, 'web-orders.json'),
      JSON.stringify({
        consumer: { name: 'web' },
        provider: { name: 'orders' },
        interactions: [interaction(1), interaction(2)],
        metadata: { pactSpecification: { version: '2.0.0' } },
      }),
    );

    const out: string[] = [];
    const code = await main(['verify', dir, '--provider-base-url', url, '--custom-header', 'X-Team: web'], {
      cwd: root,
      env: {},
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
    });
    expect(code).toBe(1);
    const line = /rerun: (.+)/.exec(out.join(''))?.[1];
    expect(line).toBeDefined();

    expect(line).toMatch(/^PACT_DESCRIPTION=.* npx --no treaty verify /);
    const rerun = await runProcess('bash', ['-c', line as string], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' },
    });
    expect(rerun.code, rerun.output).toBe(1);
    expect(rerun.output).toContain('FAIL  order 1 (by id)');
    expect(rerun.output).not.toContain('order 2 (by id)');
    expect(rerun.output).toMatch(/1 interactions?: 0 passed, 1 failed/);
  }, 30_000);
});
