import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { verifyProvider } from '@treaty/core';
import { main, type CliIo } from '@treaty/cli';
import { applyProviderState, buildOrdersApp } from '../src/provider.js';
import { OrderStore } from '../src/store.js';
import { recordOrdersContract } from './orders-contract.js';

// The orders API verified against the storefront's contract: a real fastify server on port 0, real
// SQLite data set up by provider states.
let pacts = '';
let app: FastifyInstance | undefined;
let store: OrderStore | undefined;

beforeAll(async () => {
  pacts = mkdtempSync(join(tmpdir(), 'orders-verify-'));
  await recordOrdersContract(pacts);
});

afterEach(async () => {
  await app?.close();
  store?.close();
  app = undefined;
  store = undefined;
});

async function start(options: { providerStates?: boolean; dropField?: string } = {}): Promise<string> {
  store = new OrderStore();
  app = buildOrdersApp(store, { providerStates: options.providerStates ?? false });
  if (options.dropField !== undefined) {
    const field = options.dropField;
    // A provider build that stopped sending a field the storefront reads.
    app.addHook('preSerialization', async (_req, _reply, payload) => {
      if (typeof payload === 'object' && payload !== null && field in payload) {
        const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
        delete copy[field];
        return copy;
      }
      return payload;
    });
  }
  return app.listen({ port: 0, host: '127.0.0.1' });
}

describe('orders API verified against the storefront contract', () => {
  it('passes in process, with state handlers writing to its SQLite store', async () => {
    const url = await start();
    const s = store as OrderStore;
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [pacts],
      stateHandlers: {
        'order 1 exists': (params) => applyProviderState(s, 'order 1 exists', params),
        'no orders': () => applyProviderState(s, 'no orders'),
      },
    });
    expect(result.passed, JSON.stringify(result, null, 2)).toBe(true);
    expect(result.contracts[0]?.interactions).toHaveLength(3);
  });

  it('passes with `treaty verify` and the provider-states endpoint, as CI runs it', async () => {
    const url = await start({ providerStates: true });
    const out: string[] = [];
    const io: CliIo = { cwd: process.cwd(), env: {}, stdout: (t) => out.push(t), stderr: (t) => out.push(t) };
    const code = await main(
      ['verify', pacts, '--provider-base-url', url, '--provider-states-setup-url', `${url}/_provider-states`],
      io,
    );
    expect(code, out.join('')).toBe(0);
  });

  it('fails, naming the field, when the provider stops sending something the storefront reads', async () => {
    const url = await start({ dropField: 'currency' });
    const s = store as OrderStore;
    const result = await verifyProvider({
      providerBaseUrl: url,
      pacts: [pacts],
      stateHandlers: {
        'order 1 exists': (params) => applyProviderState(s, 'order 1 exists', params),
        'no orders': () => applyProviderState(s, 'no orders'),
      },
    });
    expect(result.passed).toBe(false);
    expect(JSON.stringify(result)).toContain('currency');
  });
});
