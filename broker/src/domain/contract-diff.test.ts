import { describe, expect, it } from 'vitest';
import { parseContract } from '@treaty/core';
import { diffContracts, diffInWords } from './contract-diff.js';

const http = (description: string, over: { state?: string; accept?: string; quantity?: unknown } = {}) => ({
  type: 'Synchronous/HTTP',
  description,
  ...(over.state === undefined ? {} : { providerStates: [{ name: over.state }] }),
  request: {
    method: 'GET',
    path: '/orders/1',
    ...(over.accept === undefined ? {} : { headers: { Accept: [over.accept] } }),
  },
  response: {
    status: 200,
    body: {
      contentType: 'application/json',
      encoded: false,
      content: { id: 1, quantity: over.quantity ?? 2 },
    },
  },
});
const contract = (interactions: unknown[]) =>
  parseContract({
    consumer: { name: 'web' },
    provider: { name: 'orders' },
    interactions,
    metadata: { pactSpecification: { version: '4.0' } },
  });

describe('diffContracts', () => {
  it('lists interactions added, removed and changed, with the changed field paths', () => {
    const before = contract([
      http('get order', { state: 'order 1 exists' }),
      http('list orders'),
      http('old one'),
      http('same'),
    ]);
    const after = contract([
      http('get order', { state: 'order 1 exists', quantity: '2', accept: 'application/json' }),
      http('list orders', { state: 'orders exist' }),
      http('same'),
      http('new one'),
    ]);
    const diff = diffContracts(before, after);
    expect(diff.changed).toEqual([
      {
        type: 'Synchronous/HTTP',
        description: 'get order',
        providerStates: ['order 1 exists'],
        fields: ['request.headers.Accept', 'response.body.quantity'],
      },
    ]);
    // Another provider state is another interaction.
    expect(diff.added.map((i) => [i.description, i.providerStates])).toEqual([
      ['list orders', ['orders exist']],
      ['new one', []],
    ]);
    expect(diff.removed.map((i) => i.description)).toEqual(['list orders', 'old one']);
    expect(diff.unchanged).toBe(1);
    expect(diffInWords(diff)).toContain(
      "~ changed 'get order' given order 1 exists: request.headers.Accept, response.body.quantity",
    );
  });

  it('finds nothing between a contract and itself, and names array entries by index', () => {
    const c = contract([http('a')]);
    expect(diffContracts(c, c)).toEqual({ added: [], removed: [], changed: [], unchanged: 1 });
    expect(diffInWords(diffContracts(c, c))).toBe('No interaction changed.\n1 interaction unchanged.');
    const withList = (items: unknown[]) =>
      contract([
        {
          ...http('a'),
          response: { status: 200, body: { contentType: 'application/json', content: { items } } },
        },
      ]);
    expect(diffContracts(withList([{ id: 1 }]), withList([{ id: 1 }, { id: 2 }])).changed[0]?.fields).toEqual(
      ['response.body.items[1]'],
    );
  });
});
