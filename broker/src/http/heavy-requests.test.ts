import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { HeavyGate } from './heavy-requests.js';

/** A broker with a small history: web publishes to orders, orders verifies. */
async function broker(heavyRequests: { concurrency?: number; maxQueued?: number }) {
  const store = SqliteStore.open(':memory:');
  for (let v = 0; v < 5; v++) {
    const [outcome] = await store.publishContracts({
      consumer: 'web',
      consumerVersion: `1.${v}`,
      branch: 'main',
      contracts: [{ provider: 'orders', content: JSON.stringify({ rev: v }) }],
    });
    await store.recordVerification({
      consumer: 'web',
      provider: 'orders',
      providerVersion: `2.${v}`,
      branch: 'main',
      sha: outcome?.publication.sha ?? '',
      success: true,
    });
  }
  return buildApp({ store, heavyRequests });
}

const matrix = '/matrix?q[][pacticipant]=web&latest=true&latestby=cvp';

describe('heavy requests behind a queue', () => {
  it('answers 503 TREATY_BROKER_BUSY with Retry-After when the queue is full, and serves the rest', async () => {
    const app = await broker({ concurrency: 1, maxQueued: 1 });
    const answers = await Promise.all([1, 2, 3].map(() => app.inject({ method: 'GET', url: matrix })));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 503]);
    const busy = answers[2];
    expect(busy?.headers['retry-after']).toBe('1');
    expect(busy?.json()).toMatchObject({ statusCode: 503, code: 'TREATY_BROKER_BUSY' });
    expect(busy?.json().message).toMatch(/retry after 1 s/);
    // The queue drained: the next one is served.
    expect((await app.inject({ method: 'GET', url: matrix })).statusCode).toBe(200);
    await app.close();
  });

  it('answers the heartbeat and a light read while heavy requests wait for their turn', async () => {
    const app = await broker({ concurrency: 1, maxQueued: 4 });
    const done: string[] = [];
    const send = (name: string, options: InjectOptions) =>
      app.inject(options).then((r) => {
        done.push(`${name} ${r.statusCode}`);
        return r;
      });
    // Five heavy requests (one runs, four wait: the queue is full), then a heartbeat, a read and a
    // sixth heavy request, all at once.
    const heavy = Array.from({ length: 5 }, () => send('heavy', { method: 'GET', url: matrix }));
    const light = [
      send('heartbeat', { method: 'GET', url: '/diagnostic/status/heartbeat' }),
      send('read', { method: 'GET', url: '/pacticipants/web/versions' }),
    ];
    const sixth = await send('sixth', { method: 'GET', url: matrix });
    await Promise.all([...heavy, ...light]);
    // The sixth found the queue full, and the light requests were answered before any heavy one.
    expect(sixth.statusCode).toBe(503);
    expect(done.slice(0, 3).sort()).toEqual(['heartbeat 200', 'read 200', 'sixth 503']);
    expect(done.slice(3)).toEqual(Array(5).fill('heavy 200'));
    await app.close();
  });
});

describe('HeavyGate', () => {
  it('runs at most `concurrency` at once, queues up to `maxQueued`, and refuses the rest', async () => {
    const gate = new HeavyGate(1, 2);
    const order: number[] = [];
    const turns = [1, 2, 3, 4].map((n) =>
      gate.enter().then((ok) => {
        order.push(ok ? n : -n);
        return ok;
      }),
    );
    expect(gate.queued).toBe(2);
    // The fourth is refused at once; the first runs; the others wait until it leaves.
    expect(await turns[3]).toBe(false);
    expect(await turns[0]).toBe(true);
    expect(order).toEqual([-4, 1]);
    gate.leave();
    expect(await turns[1]).toBe(true);
    gate.leave();
    expect(await turns[2]).toBe(true);
    gate.leave();
    expect(order).toEqual([-4, 1, 2, 3]);
    expect(gate.queued).toBe(0);
  });
});
