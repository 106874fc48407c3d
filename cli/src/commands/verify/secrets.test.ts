import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';

// A credential given to `treaty verify` must appear nowhere it prints or writes: not in the console
// report, the rerun lines, the JSON or JUnit reports, nor error messages, even when the provider and
// the broker echo it back.

const BEARER = 'Bearer sk_live_0123456789abcdef';
const API_KEY = 'key-fedcba9876543210';
const COOKIE = 'session=cookie-7777777777';
const BROKER_TOKEN = 'broker-token-5555555555';
const SECRETS = ['sk_live_0123456789abcdef', API_KEY, 'cookie-7777777777', BROKER_TOKEN];

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  servers = [];
});

/** A server that answers every request with the headers it got, as a careless provider or broker might. */
async function echo(status: number): Promise<string> {
  const server = createServer((req, res) => {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Set-Cookie': `echo=${String(req.headers.cookie)}`,
    });
    res.end(JSON.stringify({ headers: req.headers }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('treaty verify keeps credentials out of every output', () => {
  it('redacts custom headers and the broker token in the console, rerun lines, JSON and JUnit reports', async () => {
    const provider = await echo(200);
    const broker = await echo(500);
    const dir = mkdtempSync(join(tmpdir(), 'treaty-secrets-'));
    writeFileSync(
      join(dir, 'web-orders.json'),
      JSON.stringify({
        consumer: { name: 'web' },
        provider: { name: 'orders' },
        interactions: [
          {
            description: 'an order',
            request: { method: 'GET', path: '/orders/1' },
            response: { status: 200, headers: { 'Set-Cookie': 'x' }, body: { id: 1 } },
          },
        ],
        metadata: { pactSpecification: { version: '2.0.0' } },
      }),
    );
    const printed: string[] = [];
    const run = (extra: string[]): Promise<number> =>
      main(
        [
          'verify',
          join(dir, 'web-orders.json'),
          '--provider-base-url',
          provider,
          '--custom-header',
          `Authorization: ${BEARER}`,
          '--custom-header',
          `X-Api-Key: ${API_KEY}`,
          '--custom-header',
          `Cookie: ${COOKIE}`,
          '--provider',
          'orders',
          '--broker-base-url',
          broker,
          '--broker-token',
          BROKER_TOKEN,
          ...extra,
        ],
        { cwd: dir, env: {}, stdout: (t) => printed.push(t), stderr: (t) => printed.push(t) },
      );
    expect(await run([])).toBe(1);
    expect(await run(['--json', '--output', 'report.json'])).toBe(1);
    expect(await run(['--reporter', 'junit', '--output', 'report.xml'])).toBe(1);
    const everything = [
      printed.join(''),
      readFileSync(join(dir, 'report.json'), 'utf8'),
      readFileSync(join(dir, 'report.xml'), 'utf8'),
    ];
    // The run really did fail on the interaction and the broker, and said so.
    expect(everything[0]).toContain('FAIL  an order');
    expect(everything[0]).toContain('rerun: ');
    expect(everything[0]).toContain('TREATY_HEADER_AUTHORIZATION');
    expect(everything[0]).toContain(`The broker answered 500 to GET ${broker}/`);
    expect(everything[0]).toContain('$.header.Set-Cookie: the credential-bearing header differs');
    const json = JSON.parse(everything[1] as string) as {
      contracts: Array<{ interactions: Array<{ request: { headers: Record<string, string> } }> }>;
    };
    const sent = json.contracts.flatMap((c) => c.interactions)[0]?.request.headers;
    expect(sent).toMatchObject({
      Authorization: '[redacted]',
      'X-Api-Key': '[redacted]',
      Cookie: '[redacted]',
    });
    for (const text of everything) for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('does not echo a custom header written without a colon, nor a token in an error', async () => {
    const printed: string[] = [];
    const code = await main(
      ['verify', 'x.json', '--provider-base-url', 'http://127.0.0.1:1', '--custom-header', BEARER],
      {
        cwd: tmpdir(),
        env: { PACT_BROKER_TOKEN: BROKER_TOKEN },
        stdout: (t) => printed.push(t),
        stderr: (t) => printed.push(t),
      },
    );
    expect(code).toBe(2);
    expect(printed.join('')).toContain('TREATY_VERIFY_CONFIG');
    for (const secret of SECRETS) expect(printed.join('')).not.toContain(secret);
  });
});
