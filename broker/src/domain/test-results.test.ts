import { describe, expect, it } from 'vitest';
import {
  boundTestResults,
  failureInWords,
  firstFailure,
  interactionId,
  mismatchPath,
  readTestResults,
  withInteractionIds,
} from './test-results.js';

describe('mismatchPath', () => {
  it('gives every verifier the path from the root of the response', () => {
    expect(mismatchPath({ attribute: 'body', identifier: '$.quantity' })).toBe('$.body.quantity');
    expect(mismatchPath({ attribute: 'body', identifier: '$.body.quantity' })).toBe('$.body.quantity');
    expect(mismatchPath({ attribute: 'header', identifier: 'Content-Type' })).toBe('$.header.Content-Type');
    expect(mismatchPath({ attribute: 'status' })).toBe('$.status');
    expect(mismatchPath({ path: '$.body.items[0].id', attribute: 'body' })).toBe('$.body.items[0].id');
    expect(mismatchPath({})).toBe('$');
  });
});

describe('readTestResults', () => {
  it("reads pact-verifier's and Treaty's shapes, failures first, and skips what is not a result", () => {
    const read = readTestResults([
      { interactionId: 'ok', interactionDescription: 'fine', success: true },
      'garbage',
      {
        interactionId: 'id-1',
        interactionDescription: 'a request for order 1',
        success: false,
        mismatches: [
          {
            attribute: 'body',
            identifier: '$.quantity',
            description: "Expected '2' (String) to be an integer",
          },
          { path: '$.status', message: 'expected 200, got 500', expected: 200, actual: 500 },
          7,
        ],
      },
      { interactionId: '', success: false, exceptions: [{ message: 'connection refused' }, 'timeout'] },
    ]);
    expect(read).toEqual([
      {
        interactionId: 'id-1',
        description: 'a request for order 1',
        success: false,
        mismatches: [
          { path: '$.body.quantity', message: "Expected '2' (String) to be an integer" },
          { path: '$.status', message: 'expected 200, got 500', expected: 200, actual: 500 },
        ],
        exceptions: [],
      },
      { success: false, mismatches: [], exceptions: ['connection refused', 'timeout'] },
      { interactionId: 'ok', description: 'fine', success: true, mismatches: [], exceptions: [] },
    ]);
    expect(readTestResults({ not: 'an array' })).toEqual([]);
  });
});

describe('boundTestResults', () => {
  it('keeps results that fit as sent', () => {
    const value = [{ interactionId: 'a', success: true, extra: { anything: [1, 2] } }];
    expect(boundTestResults(value, 1000)).toEqual({
      json: JSON.stringify(value),
      truncated: false,
      dropped: 0,
    });
  });

  it('cuts large results down to each interaction and its first mismatches, as many as fit', () => {
    const huge = 'x'.repeat(10_000);
    const value = Array.from({ length: 50 }, (_, n) => ({
      interactionId: `id-${n}`,
      success: false,
      mismatches: Array.from({ length: 30 }, () => ({ path: '$.body', expected: huge, actual: huge })),
    }));
    const bounded = boundTestResults(value, 20_000);
    expect(bounded.truncated).toBe(true);
    expect((bounded.json ?? '').length).toBeLessThanOrEqual(20_000);
    const kept = JSON.parse(bounded.json ?? '[]') as Array<Record<string, unknown>>;
    expect(kept.length).toBeGreaterThan(0);
    expect(bounded.dropped).toBe(50 - kept.length);
    expect(kept[0]).toMatchObject({ interactionId: 'id-0', success: false, mismatchesOmitted: 25 });
    expect(kept[0]?.mismatches).toHaveLength(5);
    expect(readTestResults(kept)[0]?.mismatches[0]?.path).toBe('$.body');
  });

  it('keeps nothing of a large value that is not a list of results', () => {
    expect(boundTestResults({ blob: 'y'.repeat(5000) }, 1000)).toEqual({ truncated: true, dropped: 0 });
  });
});

describe('interaction ids', () => {
  it('are SHA-1 of the key-sorted interaction, ignoring an earlier _id', () => {
    const a = { description: 'd', request: { method: 'GET', path: '/' } };
    const b = { request: { path: '/', method: 'GET' }, description: 'd', _id: 'old' };
    expect(interactionId(a)).toMatch(/^[0-9a-f]{40}$/);
    expect(interactionId(b)).toBe(interactionId(a));
    expect(interactionId({ ...a, description: 'e' })).not.toBe(interactionId(a));
  });

  it('are put first in every interaction and message that has none', () => {
    const doc = withInteractionIds({
      interactions: [{ description: 'a' }, { _id: 'kept', description: 'b' }],
      messages: [{ description: 'm' }],
      metadata: {},
    });
    const interactions = doc.interactions as Array<Record<string, unknown>>;
    expect(Object.keys(interactions[0] ?? {})[0]).toBe('_id');
    expect(interactions[0]?._id).toBe(interactionId({ description: 'a' }));
    expect(interactions[1]?._id).toBe('kept');
    expect((doc.messages as Array<Record<string, unknown>>)[0]?._id).toBe(
      interactionId({ description: 'm' }),
    );
  });
});

describe('firstFailure', () => {
  it('names the first failing interaction and its first mismatch, or why it could not be verified', () => {
    const f = firstFailure([
      { interactionId: 'a', success: true },
      { interactionId: 'b', interactionDescription: 'b desc', success: false, exceptions: ['refused'] },
      { interactionId: 'c', success: false, mismatches: [{ path: '$.status', message: 'expected 200' }] },
    ]);
    expect(f).toEqual({
      interaction: 'b desc',
      interactionId: 'b',
      exception: 'refused',
      failedInteractions: 2,
    });
    expect(failureInWords(f as NonNullable<typeof f>)).toBe(
      "'b desc' failed at refused (and 1 more failing)",
    );
    expect(firstFailure([{ interactionId: 'a', success: true }])).toBeUndefined();
    expect(firstFailure('nothing')).toBeUndefined();
  });
});
