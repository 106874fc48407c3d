import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '@treaty/cli';
import { closeServers, flood, serve, trickle } from '../support/hostile-servers.js';

// `treaty verify` against a broker, a pact host and a provider that never finish or never stop:
// the command ends, exits non-zero and says which URL broke which limit.

afterEach(closeServers);

async function verify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const dir = mkdtempSync(join(tmpdir(), 'treaty-limits-'));
  const code = await main(['verify', ...args], {
    cwd: dir,
    env: {},
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('treaty verify with hostile servers', () => {
  it('gives up on a broker that trickles its answer, naming the URL and the timeout', async () => {
    const broker = await serve((_req, res) => trickle(res));
    const r = await verify([
      '--provider-base-url',
      broker,
      '--broker-base-url',
      broker,
      '--provider',
      'orders',
      '--request-timeout',
      '500',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`GET ${broker}/ did not complete within 500 ms`);
    expect(r.stderr).toContain('TREATY_VERIFY_TIMEOUT');
  });

  it('stops reading a pact URL past --max-pact-bytes', async () => {
    const host = await serve((_req, res) => {
      flood(res);
    });
    const r = await verify([`${host}/pact.json`, '--provider-base-url', host, '--max-pact-bytes', '1048576']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${host}/pact.json is larger than 1048576 bytes`);
    expect(r.stderr).toContain('TREATY_VERIFY_TOO_LARGE');
  });

  it('reports a provider answer past --max-response-bytes as that interaction’s error and verifies the rest', async () => {
    const provider = await serve((req, res) => (req.url === '/big' ? flood(res) : res.end()));
    const dir = mkdtempSync(join(tmpdir(), 'treaty-limits-'));
    const pact = join(dir, 'web-orders.json');
    const interaction = (path: string) => ({
      description: `GET ${path}`,
      request: { method: 'GET', path },
      response: { status: 200 },
    });
    writeFileSync(
      pact,
      JSON.stringify({
        consumer: { name: 'web' },
        provider: { name: 'orders' },
        interactions: [interaction('/big'), interaction('/small')],
        metadata: { pactSpecification: { version: '2.0.0' } },
      }),
    );
    const report = join(dir, 'report.json');
    const r = await verify([
      pact,
      '--provider-base-url',
      provider,
      '--max-response-bytes',
      '1048576',
      '--output',
      'json',
      '--output-file',
      report,
    ]);
    expect(r.code).toBe(1);
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      contracts: Array<{ interactions: Array<{ description: string; status: string; errorCode?: string }> }>;
    };
    expect(json.contracts[0]?.interactions.map((i) => [i.description, i.status, i.errorCode])).toEqual([
      ['GET /big', 'error', 'TREATY_VERIFY_TOO_LARGE'],
      ['GET /small', 'passed', undefined],
    ]);
    expect(r.stderr).toContain('TREATY_VERIFY_TOO_LARGE');
  });
});
