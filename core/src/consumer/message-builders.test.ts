import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContract } from '../contract/parse.js';
import { generators } from '../matchers/matchers.js';
import { ConsumerContract } from './contract.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function contract(): { c: ConsumerContract; read: () => { raw: Record<string, unknown>[]; text: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-messages-'));
  dirs.push(dir);
  return {
    c: new ConsumerContract({ consumer: 'web', provider: 'events', dir }),
    read: () => {
      const text = readFileSync(join(dir, 'web-events.json'), 'utf8');
      return { raw: (JSON.parse(text) as { interactions: Record<string, unknown>[] }).interactions, text };
    },
  };
}

describe('message builders', () => {
  it('hands the handler generated values while the contract keeps the examples', async () => {
    const { c, read } = contract();
    const received = await c
      .addAsynchronousMessage()
      .expectsToReceive('an event', (m) =>
        m
          .withJSONContent({ id: generators.randomInt(100, 999, 500), name: 'x' })
          .withMetadata({ seq: generators.randomInt(100, 999, 500) }),
      )
      .executeTest((m) => m);
    expect(received.contents).toEqual({ id: expect.any(Number), name: 'x' });
    expect((received.contents as { id: number }).id).toBeGreaterThanOrEqual(100);
    expect(received.metadata.seq).toBeGreaterThanOrEqual(100);
    const i = parseContract(read().text).interactions[0];
    expect(i?.type === 'Asynchronous/Messages' && i.message.contents).toMatchObject({ value: { id: 500 } });
    expect(i?.type === 'Asynchronous/Messages' && i.message.metadata.seq).toBe(500);
  });

  it('writes the key given, and messages without contents or response messages, as Pact allows', async () => {
    const { c, read } = contract();
    await c
      .addAsynchronousMessage()
      .key('123ABC')
      .expectsToReceive('a tombstone', (m) => m.withMetadata({ key: 'k1' }))
      .executeTest(() => undefined);
    await c
      .addSynchronousMessage('an acknowledged command')
      .withRequest((m) => m.withJSONContent({ go: true }))
      .executeTest(({ responses }) => expect(responses).toEqual([]));
    const [tombstone, command] = read().raw;
    expect(tombstone).toMatchObject({ key: '123ABC', type: 'Asynchronous/Messages' });
    expect(tombstone?.contents).toBeUndefined();
    expect(command).toMatchObject({ type: 'Synchronous/Messages' });
    expect(command?.response ?? []).toEqual([]);
  });

  it('refuses an empty key', () => {
    const { c } = contract();
    expect(() => c.addAsynchronousMessage().key('')).toThrow(
      expect.objectContaining({ code: 'TREATY_DSL_INVALID' }),
    );
  });
});
