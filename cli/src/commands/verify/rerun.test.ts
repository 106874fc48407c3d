import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { rerunCommand } from './report.js';

// The rerun line printed under a failure is meant to be pasted into a shell. These tests hand it to
// a real bash: the words it reads back must be the arguments given, and the command must work.
const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** The words bash reads from `line` after `treaty verify`, with the environment given. */
function wordsBashReads(line: string, env: Record<string, string> = {}): string[] {
  const printed = execFileSync('bash', ['-c', `set -- ${line.replace(/^treaty verify/, '')}; printf '%s\\0' "$@"`], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return printed.split('\0').slice(0, -1);
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

describe('the rerun command under a failure', () => {
  it('quotes what a shell would change: JSON, spaces, quotes, globs', () => {
    const args = ['--pact', "/tmp/team's pacts/web orders.json", '--consumer-version-selectors', '{"mainBranch":true}', '--custom-header', 'X-Team: *', '--provider-base-url', 'http://127.0.0.1:8080', '--json'];
    const line = rerunCommand(args);
    expect(line).toContain('--provider-base-url http://127.0.0.1:8080');
    expect(wordsBashReads(line)).toEqual(args.filter((a) => a !== '--json'));
  });

  it('never prints the broker token or password: it names their environment variables', () => {
    const line = rerunCommand(['--broker-base-url', 'http://broker', '--broker-token', 's3cret-token', '--broker-username=ci', '--broker-password=s3cret-pw']);
    expect(line).not.toContain('s3cret');
    expect(wordsBashReads(line, { PACT_BROKER_TOKEN: 'tok', PACT_BROKER_PASSWORD: 'pw' })).toEqual(['--broker-base-url', 'http://broker', '--broker-token', 'tok', '--broker-username=ci', '--broker-password=pw']);
  });

  it('reruns just the failed interaction when pasted into bash', async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(req.url === '/orders/1' ? { id: 'one' } : { id: 2 }));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = join(mkdtempSync(join(tmpdir(), 'treaty-rerun-')), "team's pacts");
    mkdirSync(dir);
    const interaction = (n: number) => ({ description: `order ${n} (by id)`, request: { method: 'GET', path: `/orders/${n}` }, response: { status: 200, body: { id: n } } });
    writeFileSync(join(dir, 'web-orders.json'), JSON.stringify({ consumer: { name: 'web' }, provider: { name: 'orders' }, interactions: [interaction(1), interaction(2)], metadata: { pactSpecification: { version: '2.0.0' } } }));

    const out: string[] = [];
    const code = await main(['verify', dir, '--provider-base-url', url, '--custom-header', 'X-Team: web'], { cwd: root, env: {}, stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
    expect(code).toBe(1);
    const line = /rerun: (.+)/.exec(out.join(''))?.[1];
    expect(line).toBeDefined();

    // Asynchronously: the provider answers from this process.
    const rerun = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', line as string], { cwd: root, env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, NO_COLOR: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(rerun.status, rerun.stderr).toBe(1);
    expect(rerun.stdout).toContain('FAIL  order 1 (by id)');
    expect(rerun.stdout).not.toContain('order 2 (by id)');
    expect(rerun.stdout).toMatch(/1 interactions?: 0 passed, 1 failed/);
  }, 30_000);
});
