import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContract } from '../contract/parse.js';
import { verifyProvider } from './verify.js';

// Hostile servers on 127.0.0.1: one that trickles its answer a byte at a time forever, one that
// streams without end. Verification must end, with the right error, and go on where it should.

let servers: Server[] = [];
const timers = new Set<NodeJS.Timeout>();
afterEach(async () => {
  for (const t of timers) clearInterval(t);
  timers.clear();
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
  servers = [];
});

/** Headers at once, then one byte every 100 ms until the client goes away. */
function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const t = setInterval(() => res.write(' '), 100);
  timers.add(t);
  res.on('close', () => {
    clearInterval(t);
    timers.delete(t);
  });
}

interface Flood {
  /** The client hung up before the whole flood was written. */
  cut: boolean;
  /** Settles when the answer is over, cut or complete. */
  over: Promise<void>;
}

// Far more than any limit in these tests and more than loopback socket buffers hold, so the flood
// only ends early when the client stops reading; small enough that a client without a limit
// survives it (and fails the test, not the machine).
const FLOOD_BYTES = 64 * 1024 * 1024;

/** 64 KiB chunks, as fast as the client reads them, up to FLOOD_BYTES or until it goes away. */
function flood(res: ServerResponse, declare?: number): Flood {
  const f = { cut: false } as Flood;
  let written = 0;
  let finished = false;
  f.over = new Promise<void>((r) => {
    res.on('finish', () => {
      finished = true;
    });
    res.on('close', () => {
      f.cut = !finished;
      r();
    });
  });
  res.writeHead(200, {
    'Content-Type': 'application/json',
    ...(declare === undefined ? {} : { 'Content-Length': String(declare) }),
  });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = (): void => {
    while (!res.destroyed && written < FLOOD_BYTES) {
      written += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
  return f;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const pact = {
  consumer: { name: 'web' },
  provider: { name: 'orders' },
  interactions: [
    { description: 'slow', request: { method: 'GET', path: '/slow' }, response: { status: 200 } },
    { description: 'fine', request: { method: 'GET', path: '/fine' }, response: { status: 200 } },
  ],
  metadata: { pactSpecification: { version: '2.0.0' } },
};
const MiB = 1024 * 1024;

describe('verifyProvider: every request has a deadline for the whole exchange', () => {
  it('ends a provider that trickles its answer: that interaction is an error, the next still runs', async () => {
    const url = await serve((req, res) => (req.url === '/slow' ? trickle(res) : res.end()));
    const result = await verifyProvider({
      providerBaseUrl: url,
      contracts: [{ source: 'memory', contract: parseContract(pact) }],
      timeoutMs: 500,
    });
    const [slow, fine] = result.contracts[0]?.interactions ?? [];
    expect(slow?.status).toBe('error');
    expect(slow?.errorCode).toBe('TREATY_VERIFY_TIMEOUT');
    expect(slow?.error).toContain(`GET ${url}/slow did not complete within 500 ms`);
    expect(fine?.status).toBe('passed');
    expect(result.passed).toBe(false);
  });

  it('ends a state change URL that trickles its answer', async () => {
    const url = await serve((req, res) => (req.url === '/_states' ? trickle(res) : res.end()));
    const result = await verifyProvider({
      providerBaseUrl: url,
      providerStatesSetupUrl: `${url}/_states`,
      contracts: [{ source: 'memory', contract: parseContract(pact) }],
      timeoutMs: 500,
    });
    const interactions = result.contracts[0]?.interactions ?? [];
    expect(interactions.map((i) => [i.status, i.errorCode])).toEqual([
      ['error', 'TREATY_VERIFY_TIMEOUT'],
      ['error', 'TREATY_VERIFY_TIMEOUT'],
    ]);
    expect(interactions[0]?.error).toContain(`POST ${url}/_states did not complete within 500 ms`);
  });

  it('ends a broker that trickles its answer: the run fails and says why', async () => {
    const broker = await serve((_req, res) => trickle(res));
    const result = await verifyProvider({
      providerBaseUrl: 'http://127.0.0.1:1',
      provider: 'orders',
      broker: { baseUrl: broker },
      timeoutMs: 500,
    });
    expect(result.passed).toBe(false);
    expect(result.contracts[0]?.error?.code).toBe('TREATY_VERIFY_TIMEOUT');
    expect(result.contracts[0]?.error?.message).toContain(`GET ${broker}/ did not complete within 500 ms`);
  });

  it('ends a pact URL that trickles its answer', async () => {
    const url = await serve((_req, res) => trickle(res));
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [`${url}/pact.json`],
      timeoutMs: 500,
    });
    expect(result.contracts[0]?.error?.code).toBe('TREATY_VERIFY_TIMEOUT');
    expect(result.contracts[0]?.error?.message).toContain(`${url}/pact.json`);
  });
});

describe('verifyProvider: answers are read up to a limit', () => {
  it('stops reading a provider answer past maxResponseBytes: an error, the socket dropped, the run goes on', async () => {
    let sent: Flood | undefined;
    const url = await serve((req, res) => (req.url === '/slow' ? (sent = flood(res)) : res.end()));
    const result = await verifyProvider({
      providerBaseUrl: url,
      contracts: [{ source: 'memory', contract: parseContract(pact) }],
      maxResponseBytes: MiB,
    });
    const [big, fine] = result.contracts[0]?.interactions ?? [];
    expect(big?.status).toBe('error');
    expect(big?.errorCode).toBe('TREATY_VERIFY_TOO_LARGE');
    expect(big?.error).toContain(`GET ${url}/slow is larger than ${MiB} bytes`);
    expect(fine?.status).toBe('passed');
    await sent?.over;
    expect(sent?.cut).toBe(true);
  });

  it('refuses a provider answer whose Content-Length is over the limit before reading it', async () => {
    const url = await serve((req, res) => (req.url === '/slow' ? flood(res, 1024 * MiB) : res.end()));
    const result = await verifyProvider({
      providerBaseUrl: url,
      contracts: [{ source: 'memory', contract: parseContract(pact) }],
      maxResponseBytes: MiB,
    });
    expect(result.contracts[0]?.interactions.map((i) => i.errorCode ?? i.status)).toEqual([
      'TREATY_VERIFY_TOO_LARGE',
      'passed',
    ]);
  });

  it('stops reading a pact URL past maxPactBytes', async () => {
    let sent: Flood | undefined;
    const url = await serve((_req, res) => {
      sent = flood(res);
    });
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [`${url}/pact.json`],
      maxPactBytes: MiB,
    });
    expect(result.passed).toBe(false);
    expect(result.contracts[0]?.error?.code).toBe('TREATY_VERIFY_TOO_LARGE');
    expect(result.contracts[0]?.error?.message).toContain(`${url}/pact.json`);
    await sent?.over;
    expect(sent?.cut).toBe(true);
  });

  it('stops reading a broker answer past maxPactBytes', async () => {
    const broker = await serve((_req, res) => {
      flood(res);
    });
    const result = await verifyProvider({
      providerBaseUrl: broker,
      provider: 'orders',
      broker: { baseUrl: broker },
      maxPactBytes: MiB,
    });
    expect(result.contracts[0]?.error?.code).toBe('TREATY_VERIFY_TOO_LARGE');
  });

  it('refuses a pact file larger than maxPactBytes without reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treaty-limits-'));
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify({ ...pact, padding: 'x'.repeat(2 * 1024) }));
    const result = await verifyProvider({
      providerBaseUrl: 'http://127.0.0.1:1',
      pacts: [file],
      maxPactBytes: 1024,
    });
    expect(result.contracts[0]?.error?.code).toBe('TREATY_VERIFY_TOO_LARGE');
    expect(result.contracts[0]?.error?.message).toContain(file);
  });

  it('refuses limits that are not positive numbers', async () => {
    for (const bad of [
      { timeoutMs: 0 },
      { timeoutMs: 2 ** 40 },
      { maxResponseBytes: -1 },
      { maxPactBytes: Number.NaN },
    ])
      await expect(
        verifyProvider({ providerBaseUrl: 'http://127.0.0.1:1', pacts: ['x'], ...bad }),
      ).rejects.toMatchObject({ code: 'TREATY_VERIFY_CONFIG' });
  });
});
