import { expect } from 'vitest';
import {
  generateRequest,
  generateResponse,
  parseRequest,
  parseResponse,
  type GeneratorContext,
  type HttpRequest,
  type HttpResponse,
  type JsonValue,
} from '@treaty/core';
import type { Step } from '../gherkin.js';
import { step, type BaseWorld, type StepDefinition } from './runner.js';
import { expectReplaced, jsonCell, jsonToString, suiteBody, v4Body, valueAt } from './shared.js';

// Steps of the generator features (V3 generators, V3 HTTP generators, V4 generators), after the
// reference implementation's v3_steps/generators.rs: a request or response is built from the table,
// "prepared for use" runs Treaty's public generateRequest / generateResponse, and the Then steps look
// at what came out.

export interface GeneratorWorld extends BaseWorld {
  request?: HttpRequest;
  response?: HttpResponse;
  originalBody?: JsonValue;
  mode?: GeneratorContext['mode'];
  generatedRequest?: HttpRequest;
  generatedResponse?: HttpResponse;
  generatedBody?: JsonValue;
}

/** The request or response fields one table row gives (a body and generators). */
function partFromTable(s: Step): Record<string, unknown> {
  const row = s.table[0] ?? {};
  const part: Record<string, unknown> = { headers: {} };
  if (row.body !== undefined && row.body !== '') {
    const body = suiteBody(row.body);
    part.headers = { 'Content-Type': body.contentType };
    part.body = v4Body(body);
  }
  if (row.generators !== undefined) part.generators = jsonCell(row.generators);
  return part;
}

function bodyOf(part: HttpRequest | HttpResponse | undefined): JsonValue | undefined {
  return part?.body?.kind === 'json' ? part.body.value : undefined;
}

/** The context a "with a … context" table gives, as the reference steps build it. */
function context(world: GeneratorWorld, field: string, s: Step | undefined): GeneratorContext {
  const ctx: GeneratorContext = world.mode === undefined ? {} : { mode: world.mode };
  const cell = s?.rows[0]?.[0];
  if (cell === undefined) return ctx;
  const values = JSON.parse(cell) as Record<string, unknown>;
  if (field === 'providerState') ctx.providerState = values;
  else if (field === 'mockServer' && typeof values.href === 'string') ctx.mockServerUrl = values.href;
  else throw new Error(`unknown generator context '${field}'`);
  return ctx;
}

function prepareRequest(world: GeneratorWorld, ctx: GeneratorContext): void {
  if (world.request === undefined) throw new Error('no request was configured');
  world.generatedRequest = generateRequest(world.request, ctx);
  world.generatedBody = bodyOf(world.generatedRequest);
}

/** The values of `header[X]`, `queryParameter[x]`, `path` or `status` of a generated part. */
function partValues(part: HttpRequest | HttpResponse | undefined, name: string): string[] {
  if (part === undefined) throw new Error('nothing was prepared');
  const key = /\[(.*)\]/.exec(name)?.[1] ?? '';
  if (name === 'path' && 'path' in part) return [part.path];
  if (name === 'status' && 'status' in part) return [String(part.status)];
  if (name.startsWith('header')) {
    const found = Object.entries(part.headers).find(([k]) => k.toLowerCase() === key.toLowerCase());
    return found?.[1] ?? [];
  }
  if (name.startsWith('queryParameter') && 'query' in part) return part.query[key] ?? [];
  throw new Error(`unknown part '${name}'`);
}

function expectAllMatch(values: string[], pattern: string, what: string): void {
  expect(values.length, `${what} should be set`).toBeGreaterThan(0);
  for (const v of values) expect(v, what).toMatch(new RegExp(pattern));
}

export const generatorSteps: Array<StepDefinition<GeneratorWorld>> = [
  step('a request configured with the following generators:', (world, _, s) => {
    world.request = parseRequest({ method: 'GET', path: '/path/one', ...partFromTable(s) }, '4.0');
    world.originalBody = bodyOf(world.request);
  }),
  step('a response configured with the following generators:', (world, _, s) => {
    world.response = parseResponse({ status: 200, ...partFromTable(s) }, '4.0');
    world.originalBody = bodyOf(world.response);
  }),
  step('the generator test mode is set as {string}', (world, [mode]) => {
    world.mode = mode === 'Consumer' ? 'consumer' : 'provider';
  }),
  step('the request is prepared for use', (world) => prepareRequest(world, context(world, '', undefined))),
  step('the request is prepared for use with a {string} context:', (world, [field = ''], s) =>
    prepareRequest(world, context(world, field, s)),
  ),
  step('the response is prepared for use', (world) => {
    if (world.response === undefined) throw new Error('no response was configured');
    world.generatedResponse = generateResponse(world.response, context(world, '', undefined));
    world.generatedBody = bodyOf(world.generatedResponse);
  }),
  step(
    'the body value for {string} will have been replaced with a(n) {string}',
    (world, [path = '', type = '']) =>
      expectReplaced(valueAt(world.originalBody, path), valueAt(world.generatedBody, path), type),
  ),
  step('the body value for {string} will have been replaced with {string}', (world, [path = '', value]) => {
    const generated = valueAt(world.generatedBody, path);
    expect(generated).not.toEqual(valueAt(world.originalBody, path));
    expect(jsonToString(generated)).toBe(value);
  }),
  step('the request {string} will be set as {string}', (world, [part = '', value]) => {
    expect(partValues(world.generatedRequest, part)).toEqual([value]);
  }),
  step('the request {string} will match {string}', (world, [part = '', pattern = '']) =>
    expectAllMatch(partValues(world.generatedRequest, part), pattern, `request ${part}`),
  ),
  step('the response {string} will not be {string}', (world, [part = '', value]) => {
    expect(partValues(world.generatedResponse, part)).not.toContain(value);
  }),
  step('the response {string} will match {string}', (world, [part = '', pattern = '']) =>
    expectAllMatch(partValues(world.generatedResponse, part), pattern, `response ${part}`),
  ),
];
