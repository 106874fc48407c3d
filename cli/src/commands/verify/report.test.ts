import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../io.js';
import { main } from '../../main.js';
import { summaryLine } from './report.js';

// A provider that answers 200 to anything, so every interaction passes and its request is reported.
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const post = (description: string, body: Record<string, unknown>) => ({
  type: 'Synchronous/HTTP',
  description,
  request: { method: 'POST', path: '/things', body },
  response: { status: 200 },
});

describe('treaty verify --output', () => {
  it('writes each request body as JSON, text or base64, as its content type says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-verify-output-'));
    const pact = {
      consumer: { name: 'web' },
      provider: { name: 'things' },
      metadata: { pactSpecification: { version: '4.0' } },
      interactions: [
        post('a JSON body', { content: { id: 1 }, contentType: 'application/json', encoded: false }),
        post('a text body', { content: 'hello', contentType: 'text/plain', encoded: false }),
        post('a binary body', {
          content: 'AAEC/w==',
          contentType: 'application/octet-stream',
          encoded: 'base64',
        }),
      ],
    };
    writeFileSync(join(dir, 'web-things.json'), JSON.stringify(pact));
    const out: string[] = [];
    const io: CliIo = { cwd: dir, env: {}, stdout: (t) => out.push(t), stderr: () => undefined };
    const code = await main(
      ['verify', 'web-things.json', '--provider-base-url', url, '--output-file', 'report.json', '--json'],
      io,
    );
    expect(code).toBe(0);
    const written = readFileSync(join(dir, 'report.json'), 'utf8');
    expect(out.join('')).toBe(written);
    const report = JSON.parse(written) as {
      contracts: Array<{ interactions: Array<{ description: string; request: Record<string, unknown> }> }>;
    };
    const sent = Object.fromEntries(
      (report.contracts[0]?.interactions ?? []).map((r) => [r.description, r.request]),
    );
    expect(sent['a JSON body']).toMatchObject({ body: { id: 1 } });
    expect(sent['a text body']).toMatchObject({ body: 'hello' });
    expect(sent['a binary body']).toMatchObject({ body: 'AAEC/w==', bodyEncoding: 'base64' });
    expect(written).not.toContain('"0":');
  });
});

describe('the summary line', () => {
  it('counts contracts (pending, unreadable) apart from interactions', () => {
    const interaction = (status: 'passed' | 'pending') => ({
      type: 'Synchronous/HTTP' as const,
      description: status,
      providerStates: [],
      status,
      mismatches: [],
      durationMs: 1,
    });
    const line = summaryLine({
      passed: false,
      contracts: [
        { consumer: 'web', provider: 'orders', source: 'a', interactions: [interaction('passed')] },
        {
          consumer: 'app',
          provider: 'orders',
          source: 'b',
          pending: true,
          interactions: [interaction('pending')],
        },
        {
          consumer: '?',
          provider: '?',
          source: 'c.json',
          interactions: [],
          error: { code: 'TREATY_CONTRACT_NOT_A_CONTRACT', message: 'c.json: not JSON' },
        },
      ],
      summary: { passed: 1, failed: 0, pending: 1, errors: 1, durationMs: 10 },
    });
    expect(line).toContain(
      '3 contracts (1 pending, 1 could not be read), 2 interactions: 1 passed, 0 failed, 1 pending, 0 errors',
    );
    expect(line).toContain('verification FAILED');
  });
});
