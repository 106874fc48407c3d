import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.js';
import { testResult } from './test-results.js';
import type { InteractionResult } from './verify.js';

const base: InteractionResult = {
  description: 'a request for order 1',
  type: 'Synchronous/HTTP',
  providerStates: [],
  status: 'failed',
  mismatches: [],
  durationMs: 1,
};

describe('testResult', () => {
  it("names the interaction and each mismatch's path, expected and actual, in Pact's shape", () => {
    const r = testResult(
      {
        ...base,
        mismatches: [
          {
            part: 'body',
            path: '$.body.quantity',
            expected: 2,
            actual: '2',
            rule: 'integer',
            message: "expected an integer at $.body.quantity, got the string '2'",
          },
        ],
      },
      'abc',
      new Redactor(),
    );
    expect(r).toEqual({
      interactionId: 'abc',
      interactionDescription: 'a request for order 1',
      success: false,
      mismatches: [
        {
          attribute: 'body',
          identifier: '$.body.quantity',
          path: '$.body.quantity',
          description: "expected an integer at $.body.quantity, got the string '2'",
          message: "expected an integer at $.body.quantity, got the string '2'",
          expected: 2,
          actual: '2',
        },
      ],
    });
  });

  it('never carries header values or known secrets, and cuts long values', () => {
    const r = testResult(
      {
        ...base,
        mismatches: [
          {
            part: 'header',
            path: '$.header.x-api-key',
            expected: 'expected-value',
            actual: 'actual-secret-value',
            rule: 'equality',
            message: "expected 'expected-value', got 'actual-secret-value'",
          },
          {
            part: 'body',
            path: '$.body.token',
            expected: 'a',
            actual: { echoed: 'Bearer s3cr3t-token', big: 'z'.repeat(5000) },
            rule: 'equality',
            message: 'the body echoed s3cr3t-token',
          },
        ],
        status: 'error',
        error: 'state change failed with s3cr3t-token',
        errorCode: 'TREATY_VERIFY_INTERACTION',
      },
      'k',
      new Redactor({ secrets: ['s3cr3t-token'] }),
    );
    const text = JSON.stringify(r);
    expect(text).not.toContain('expected-value');
    expect(text).not.toContain('actual-secret-value');
    expect(text).not.toContain('s3cr3t-token');
    expect(text.length).toBeLessThan(4000);
    expect(r.exceptions).toEqual([
      { message: 'state change failed with [redacted]', code: 'TREATY_VERIFY_INTERACTION' },
    ]);
  });

  it('publishes at most 20 mismatches and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, n) => ({
      part: 'body' as const,
      path: `$.body.a${n}`,
      expected: 1,
      actual: 2,
      rule: 'equality',
      message: 'differs',
    }));
    const r = testResult({ ...base, mismatches: many }, 'k', new Redactor());
    expect(r.mismatches).toHaveLength(20);
    expect(r.mismatchesOmitted).toBe(5);
    expect(testResult({ ...base, status: 'passed' }, 'k', new Redactor())).toEqual({
      interactionId: 'k',
      interactionDescription: 'a request for order 1',
      success: true,
    });
  });
});
