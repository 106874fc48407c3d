import { describe, expect, it } from 'vitest';
import { parseContract } from '../contract/parse.js';
import { verifyProvider } from './verify.js';

describe('verifyProvider: V4 comments', () => {
  it("carries each interaction's comments into its result, for reports to print", async () => {
    const contract = parseContract({
      consumer: { name: 'web' },
      provider: { name: 'events' },
      interactions: [
        {
          type: 'Asynchronous/Messages',
          description: 'an event',
          contents: { content: { id: 1 }, contentType: 'application/json', encoded: false },
          comments: { text: ['comment one'], testname: 'a test' },
        },
        { type: 'Asynchronous/Messages', description: 'another', contents: { content: { id: 2 } } },
      ],
      metadata: { pactSpecification: { version: '4.0' } },
    });
    const result = await verifyProvider({
      contracts: [{ source: 'test', contract }],
      messageProviders: { 'an event': () => ({ id: 1 }), another: () => ({ id: 2 }) },
    });
    expect(result.passed).toBe(true);
    const [first, second] = result.contracts[0]?.interactions ?? [];
    expect(first?.comments).toEqual({ text: ['comment one'], testname: 'a test' });
    expect(second?.comments).toBeUndefined();
  });
});
