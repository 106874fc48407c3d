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
});
