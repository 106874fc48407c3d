import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import type { CliIo } from '../../io.js';
import { validate } from './index.js';

function capture(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, env: {}, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

const v3 = {
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions: [
    {
      description: 'a request for order 1',
      providerStates: [{ name: 'order 1 exists', params: { id: 1 } }],
      request: { method: 'GET', path: '/orders/1' },
      response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: { id: 1 } },
    },
  ],
  metadata: { pactSpecification: { version: '3.0.0' } },
};

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-validate-'));
  mkdirSync(join(dir, 'pacts'));
  writeFileSync(join(dir, 'pacts', 'web-orders.json'), JSON.stringify(v3));
  const broken = structuredClone(v3) as { interactions: Array<{ request: { method: unknown } }> };
  const [first] = broken.interactions;
  if (first === undefined) throw new Error('the V3 fixture has no interaction');
  first.request.method = 42;
  writeFileSync(join(dir, 'pacts', 'web-broken.json'), JSON.stringify(broken));
  writeFileSync(join(dir, 'notes.json'), '{"hello": "world"}');
  return dir;
}

describe('treaty validate', () => {
  it('reports each contract in a directory, with the JSON path of a fault', async () => {
    const dir = workspace();
    const report = await validate({ paths: ['pacts'], cwd: dir });
    expect(report.valid).toBe(false);
    const byFile = Object.fromEntries(report.contracts.map((c) => [c.file, c]));
    expect(byFile[join('pacts', 'web-orders.json')]).toMatchObject({
      valid: true,
      consumer: 'web',
      provider: 'orders',
      specVersion: '3.0.0',
      interactions: { http: 1, asyncMessages: 0, syncMessages: 0 },
    });
    const broken = byFile[join('pacts', 'web-broken.json')];
    expect(broken).toMatchObject({ valid: false, code: 'TREATY_CONTRACT_INVALID' });
    expect(broken?.valid === false && broken.message).toContain('interactions[0].request.method');
  });

  it('exits 0 when every file is a valid contract and prints a summary', async () => {
    const dir = workspace();
    const io = capture(dir);
    const code = await main(['validate', join('pacts', 'web-orders.json')], io);
    expect(code).toBe(0);
    expect(io.out.join('')).toContain('web → orders, spec 3.0.0, 1 HTTP');
    expect(io.out.join('')).toContain('1 valid, 0 invalid');
  });

  it('reads what the Pact tools read leniently and prints a warning for each part', async () => {
    const dir = workspace();
    const lenient = {
      ...v3,
      metadata: { pactSpecification: { version: '4.0' } },
      interactions: [{ type: 'Synchronous/HTTP', request: { path: '/' }, response: {}, comments: '' }],
    };
    writeFileSync(join(dir, 'pacts', 'web-lenient.json'), JSON.stringify(lenient));
    const io = capture(dir);
    const code = await main(['validate', join('pacts', 'web-lenient.json')], io);
    expect(code).toBe(0);
    const out = io.out.join('');
    expect(out).toContain(
      "warning: interactions[0].description: the interaction has no description; it is called 'Interaction 0'",
    );
    expect(out).toContain('warning: interactions[0].comments: expected an object, got the string ""');
    expect(out).toContain('1 valid, 0 invalid');
  });

  it('refuses a matching rule Pact does not define, which the Pact tools read but can never verify', async () => {
    const dir = workspace();
    const unknownRule = {
      ...v3,
      interactions: [
        {
          description: 'refunds',
          request: { path: '/refunds' },
          response: {
            status: 200,
            body: { status: 'success' },
            matchingRules: { body: { '$.status': { matchers: [{ match: 'value' }] } } },
          },
        },
      ],
    };
    writeFileSync(join(dir, 'pacts', 'web-unknown-rule.json'), JSON.stringify(unknownRule));
    const io = capture(dir);
    const code = await main(['validate', join('pacts', 'web-unknown-rule.json')], io);
    expect(code).toBe(1);
    const out = io.out.join('');
    expect(out).toContain("unknown matching rule 'value'");
    expect(out).toContain('[TREATY_CONTRACT_UNKNOWN_RULE]');
    expect(out).toContain('0 valid, 1 invalid');
  });

  it('refuses a regex no syntax accepts, as the broker refuses it on publish', async () => {
    const dir = workspace();
    const badRegex = {
      ...v3,
      interactions: [
        {
          description: 'an order',
          request: { path: '/orders/1' },
          response: {
            status: 200,
            body: { id: 'A1' },
            matchingRules: { body: { '$.id': { matchers: [{ match: 'regex', regex: '(unclosed' }] } } },
          },
        },
      ],
    };
    writeFileSync(join(dir, 'pacts', 'web-bad-regex.json'), JSON.stringify(badRegex));
    const io = capture(dir);
    expect(await main(['validate', join('pacts', 'web-bad-regex.json')], io)).toBe(1);
    const out = io.out.join('');
    expect(out).toContain('[TREATY_CONTRACT_INVALID_REGEX]');
    expect(out).toContain('(unclosed');
  });

  it('exits 1 for a file that is not a contract, saying so, with --json output for machines', async () => {
    const dir = workspace();
    const io = capture(dir);
    const code = await main(['validate', 'notes.json', '--json'], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.out.join('')) as { valid: boolean; contracts: Array<{ code: string }> };
    expect(report.valid).toBe(false);
    expect(report.contracts[0]?.code).toBe('TREATY_CONTRACT_NOT_A_CONTRACT');
  });

  it('is a usage error (exit 2) without a path, with an unknown flag or a missing file', async () => {
    const dir = workspace();
    const io = capture(dir);
    expect(await main(['validate'], io)).toBe(2);
    expect(await main(['validate', '--frob', 'pacts'], io)).toBe(2);
    expect(io.err.join('')).toContain("Unknown option '--frob'");
    expect(io.err.join('')).toContain('Usage: treaty validate <file-or-dir>... [options]');
    expect(await main(['validate', 'nope.json'], io)).toBe(2);
    expect(io.err.join('')).toContain("Cannot read 'nope.json'");
    expect(io.err.join('')).toContain('[TREATY_CLI_FILE_NOT_FOUND]');
    expect(io.err.join('')).not.toMatch(/\n\s+at /);
  });
});
