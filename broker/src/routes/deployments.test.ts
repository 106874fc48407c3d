import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

let app: FastifyInstance;
let store: SqliteStore;

beforeAll(async () => {
  store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'treaty-deployments-')), 'b.sqlite'));
  app = await buildApp({ store });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

const call = async (method: 'POST' | 'PATCH', url: string, payload: unknown = {}) => {
  const res = await app.inject({ method, url, payload: payload as object });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
};

describe('deployed and released versions', () => {
  it('ends a deployment and a release, and refuses to bring either back with 422 and its code', async () => {
    await store.ensureVersion('orders', '1.0.0', {});
    const env = await store.createEnvironment({ name: 'production', production: true });
    const deployed = await call(
      'POST',
      `/pacticipants/orders/versions/1.0.0/deployed-versions/environment/${env.uuid}`,
    );
    expect(deployed.status).toBe(201);
    const released = await call(
      'POST',
      `/pacticipants/orders/versions/1.0.0/released-versions/environment/${env.uuid}`,
    );
    expect(released.status).toBe(201);
    const dUuid = String(deployed.body.uuid);
    const rUuid = String(released.body.uuid);

    expect((await call('PATCH', `/deployed-versions/${dUuid}`, { currentlyDeployed: false })).status).toBe(
      200,
    );
    expect((await call('PATCH', `/released-versions/${rUuid}`, { currentlySupported: false })).status).toBe(
      200,
    );
    for (const [url, payload, message] of [
      [`/deployed-versions/${dUuid}`, { currentlyDeployed: true }, 'record a new deployment'],
      [`/released-versions/${rUuid}`, { currentlySupported: true }, 'Record a new release'],
    ] as const) {
      const again = await call('PATCH', url, payload);
      expect(again.status).toBe(422);
      expect(again.body).toMatchObject({
        statusCode: 422,
        code: 'TREATY_BROKER_UNPROCESSABLE',
        error: 'Unprocessable Entity',
      });
      expect(String(again.body.message)).toContain(message);
    }
  });
});
