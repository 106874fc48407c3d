import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `treaty broker` as a real process (the built binary): it creates its database, serves, and stops
// cleanly on SIGTERM.
const bin = fileURLToPath(new URL('../../../bin/treaty.js', import.meta.url));

describe('treaty broker', () => {
  it('starts on a free port with a fresh database, answers, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-broker-cli-'));
    const child = spawn(process.execPath, [bin, 'broker', '--port', '0', '--database', 'b.sqlite'], {
      cwd: dir,
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`broker exited early: ${out}`)));
    });
    expect(existsSync(join(dir, 'b.sqlite'))).toBe(true);
    const res = await fetch(`${url}/diagnostic/status/heartbeat`);
    expect(res.status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out).toContain('Stopping');
  }, 30_000);

  it('refuses a bad port with a usage error', async () => {
    const child = spawn(process.execPath, [bin, 'broker', '--port', 'abc'], { cwd: tmpdir() });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('--port must be a port number');
  });

  it.each([
    [['--webhook-retry-schedule', '10,soon'], 'webhook retry schedule must be seconds'],
    [
      ['--webhook-host-whitelist', '10.0.0.0/99'],
      "Cannot read the webhook host allow-list entries '10.0.0.0/99'",
    ],
    [['--webhook-http-method-whitelist', 'PO$T'], "'PO$T' is not an HTTP method"],
  ])('refuses webhook settings it cannot read (%j) with a usage error', async (args, message) => {
    const child = spawn(process.execPath, [bin, 'broker', '--port', '0', ...args], {
      cwd: mkdtempSync(join(tmpdir(), 'treaty-broker-cli-')),
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('takes the webhook allow-lists from PACT_BROKER_ variables, as the Pact Broker does', async () => {
    const child = spawn(process.execPath, [bin, 'broker', '--port', '0', '--database', 'b.sqlite'], {
      cwd: mkdtempSync(join(tmpdir(), 'treaty-broker-cli-')),
      env: {
        ...process.env,
        PACT_BROKER_WEBHOOK_SCHEME_WHITELIST: 'https http',
        PACT_BROKER_WEBHOOK_HOST_WHITELIST: '127.0.0.1',
      },
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`broker exited early: ${out}`)));
    });
    try {
      const create = (target: string) =>
        fetch(`${url}/webhooks`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ request: { method: 'POST', url: target } }),
        });
      // Only parsed: nothing is sent to either address (no pact is published).
      expect((await create('http://127.0.0.1:9/hook')).status).toBe(201);
      expect((await create('http://192.168.0.1/hook')).status).toBe(400);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});
