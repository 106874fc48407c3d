import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContract } from '../contract/parse.js';
import { closeServers, flood, serve, trickle, type Flood } from '../../../test/support/hostile-servers.js';
import { verifyProvider } from './verify.js';

// Hostile servers on 127.0.0.1: one that trickles its answer a byte at a time forever, one that
// streams without end. Verification must end, with the right error, and go on where it should.

afterEach(closeServers);

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
    const url = await serve((req, res) => {
      if (req.url === '/slow') sent = flood(res);
      else res.end();
    });
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
