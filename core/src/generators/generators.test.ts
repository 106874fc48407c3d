import { describe, expect, it } from 'vitest';
import { parseRequest, parseResponse, parseMessage } from '../contract/fragments.js';
import type { Generator } from '../contract/model.js';
import { generateValue, type GeneratorContext } from './generate.js';
import { generateMessage, generateRequest, generateResponse } from './parts.js';
import { convertDataType, evaluateExpression } from './provider-state.js';
import { stringFromRegex } from './regex.js';

const state = (expression: string, dataType?: string): Generator =>
  dataType === undefined
    ? { type: 'ProviderState', expression }
    : { type: 'ProviderState', expression, dataType };

describe('ProviderState expressions', () => {
  it('looks a bare expression up as a key, keeping its JSON type', () => {
    expect(evaluateExpression('userId', { userId: 42 })).toEqual({ ok: true, value: 42 });
    expect(evaluateExpression('name', { name: 'Mary' })).toEqual({ ok: true, value: 'Mary' });
  });

  it('substitutes ${key} placeholders; one placeholder alone keeps the type', () => {
    expect(evaluateExpression('/alligators/${name}', { name: 'Mary' })).toEqual({
      ok: true,
      value: '/alligators/Mary',
    });
    expect(evaluateExpression('${id}', { id: 1000 })).toEqual({ ok: true, value: 1000 });
    expect(evaluateExpression('${a}-${b}', { a: 1, b: true })).toEqual({ ok: true, value: '1-true' });
  });

  it('fails, rather than writing an empty string, when a key has no value', () => {
    expect(evaluateExpression('/textresult/${jobId}', {})).toMatchObject({ ok: false });
    expect(evaluateExpression('jobId', {})).toMatchObject({ ok: false });
    expect(evaluateExpression('/x/${id', { id: 1 })).toMatchObject({ ok: false });
  });

  it('converts to the dataType as Pact does', () => {
    expect(convertDataType('100', 'INTEGER')).toEqual({ ok: true, value: 100 });
    expect(convertDataType(12.7, 'INTEGER')).toEqual({ ok: true, value: 12 });
    expect(convertDataType(true, 'INTEGER')).toEqual({ ok: true, value: 1 });
    expect(convertDataType('abc', 'INTEGER')).toMatchObject({ ok: false });
    expect(convertDataType('1.5', 'DECIMAL')).toEqual({ ok: true, value: 1.5 });
    expect(convertDataType('x', 'DECIMAL')).toMatchObject({ ok: false });
    expect(convertDataType('true', 'BOOLEAN')).toEqual({ ok: true, value: true });
    expect(convertDataType(0, 'BOOLEAN')).toEqual({ ok: true, value: false });
    expect(convertDataType('yes', 'BOOLEAN')).toMatchObject({ ok: false });
    expect(convertDataType(100, 'STRING')).toEqual({ ok: true, value: '100' });
    expect(convertDataType({ a: 1 }, 'STRING')).toEqual({ ok: true, value: '{"a":1}' });
    expect(convertDataType(100, 'RAW')).toEqual({ ok: true, value: 100 });
    expect(convertDataType(100, undefined)).toEqual({ ok: true, value: 100 });
  });
});

describe('generateValue', () => {
  const provider = (values: Record<string, unknown>, warnings: string[] = []): GeneratorContext => ({
    mode: 'provider',
    providerState: values,
    onWarning: (w) => warnings.push(w),
  });

  it('keeps the example of a ProviderState generator with a missing key, and says so', () => {
    const warnings: string[] = [];
    expect(
      generateValue(state('/textresult/${jobId}'), '/textresult/dummyJobId', provider({}, warnings)),
    ).toBe('/textresult/dummyJobId');
    expect(warnings).toEqual([expect.stringContaining("no provider state value 'jobId'")]);
  });

  it('honours the dataType of a ProviderState generator', () => {
    expect(generateValue(state('${id}', 'INTEGER'), 1, provider({ id: '1000' }))).toBe(1000);
    expect(generateValue(state('id', 'STRING'), 'x', provider({ id: 7 }))).toBe('7');
    expect(generateValue(state('flag', 'BOOLEAN'), false, provider({ flag: 'true' }))).toBe(true);
    const warnings: string[] = [];
    expect(generateValue(state('id', 'INTEGER'), 5, provider({ id: 'abc' }, warnings))).toBe(5);
    expect(warnings).toHaveLength(1);
  });

  it('runs ProviderState only for the provider, MockServerURL only for the consumer', () => {
    const url: Generator = { type: 'MockServerURL', example: 'http://x:1/a', regex: '.*(/a)' };
    const both: GeneratorContext = { mockServerUrl: 'http://127.0.0.1:9', providerState: { id: 1 } };
    expect(generateValue(state('id'), 0, { ...both, mode: 'consumer' })).toBe(0);
    expect(generateValue(state('id'), 0, { ...both, mode: 'provider' })).toBe(1);
    expect(generateValue(url, 'http://x:1/a', { ...both, mode: 'provider' })).toBe('http://x:1/a');
    expect(generateValue(url, 'http://x:1/a', { ...both, mode: 'consumer' })).toBe('http://127.0.0.1:9/a');
  });

  it('writes RandomDecimal values that always have a fraction and the digits asked for', () => {
    for (let i = 0; i < 500; i++) {
      const value = generateValue({ type: 'RandomDecimal', digits: 6 }, 1.5, {});
      expect(Number.isInteger(value)).toBe(false);
      expect(JSON.stringify(value)).toMatch(/^\d+\.\d+$/);
      expect(JSON.stringify(value).replace('.', '')).toHaveLength(6);
    }
  });

  it('writes strings from a Regex generator that match it', () => {
    for (const pattern of ['\\d{1,8}', '^[A-Z]{3}-\\d+$', '(foo|bar)?baz[^a-z]{2}', '\\w+@\\w+\\.com']) {
      const g: Generator = { type: 'Regex', regex: pattern };
      const value = generateValue(g, 'example', {});
      expect(value).not.toBe('example');
      expect(String(value)).toMatch(new RegExp(`^(?:${pattern.replace(/^\^|\$$/g, '')})$`));
    }
  });

  it('keeps the example when a Regex generator uses syntax it cannot write', () => {
    const warnings: string[] = [];
    expect(
      generateValue({ type: 'Regex', regex: '(a)\\1' }, 'aa', { onWarning: (w) => warnings.push(w) }),
    ).toBe('aa');
    expect(warnings).toHaveLength(1);
    expect(stringFromRegex('(?=a)a')).toBeUndefined();
    expect(stringFromRegex('[')).toBeUndefined();
  });
});

describe('generating HTTP parts and messages', () => {
  it('generates the path, query, headers and body of a request; a missing header is added', () => {
    const request = parseRequest(
      {
        method: 'GET',
        path: '/path/one',
        query: { v1: ['x'] },
        headers: { 'Content-Type': 'application/json' },
        body: { one: 'a' },
        generators: {
          path: { type: 'ProviderState', expression: '/path/${id}' },
          query: { v1: { type: 'RandomInt', min: 1, max: 9 } },
          header: { 'X-TEST': { type: 'RandomInt', min: 1, max: 9 } },
          body: { '$.one': { type: 'ProviderState', expression: 'id', dataType: 'STRING' } },
        },
      },
      '4.0',
    );
    const out = generateRequest(request, { mode: 'provider', providerState: { id: 1000 } });
    expect(out.path).toBe('/path/1000');
    expect(out.query.v1?.[0]).toMatch(/^[1-9]$/);
    expect(out.headers['X-TEST']?.[0]).toMatch(/^[1-9]$/);
    expect(out.body).toMatchObject({ kind: 'json', value: { one: '1000' } });
    expect(request.path).toBe('/path/one');
  });

  it('generates the status and body of a response', () => {
    const response = parseResponse(
      { status: 200, generators: { status: { type: 'RandomInt', min: 201, max: 599 } } },
      '4.0',
    );
    const status = generateResponse(response, { mode: 'consumer' }).status;
    expect(status).toBeGreaterThanOrEqual(201);
    expect(status).toBeLessThanOrEqual(599);
  });

  it('generates message contents and metadata', () => {
    const message = parseMessage(
      {
        contents: { one: 'a' },
        metadata: { ID: 'abc', weight: 100.5 },
        generators: {
          body: { '$.one': { type: 'RandomInt', min: 0, max: 1000 } },
          metadata: { ID: { type: 'RandomInt', min: 0, max: 1000 } },
        },
      },
      '4.0',
    );
    const out = generateMessage(message, { mode: 'consumer' });
    expect(out.metadata.weight).toBe(100.5);
    expect(typeof out.metadata.ID).toBe('number');
    expect(out.contents).toMatchObject({ kind: 'json', value: { one: expect.any(Number) } });
    expect(message.metadata.ID).toBe('abc');
  });
});
