import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  ConsumerContract,
  parseContract,
  type Body,
  type Contract,
  type Generator,
  type JsonObject,
  type JsonValue,
  type Message,
  type MessageContentBuilder,
  type ReifiedMessage,
  type ReifiedSyncMessage,
} from '@treaty/core';
import type { Step } from '../gherkin.js';
import { ordinal, step, type BaseWorld, type StepDefinition } from './runner.js';
import {
  expectReplaced,
  fixtureJson,
  jsonCell,
  metadataValue,
  suiteBody,
  valueAt,
  type SuiteBody,
} from './shared.js';

// Steps of the message consumer features (V3 and V4 asynchronous messages, V4 synchronous messages,
// the general V4 features), after the reference implementation's v3_steps/message.rs and
// v4_steps/{message_consumer,sync_message_consumer,mod}.rs. Each scenario defines its interactions
// through Treaty's consumer DSL (ConsumerContract.addAsynchronousMessage / addSynchronousMessage /
// addInteraction), runs them as a consumer test would, and reads back the contract file written to
// a fresh folder.

/** One message as the scenario defines it. */
interface MessagePart {
  contents?: SuiteBody;
  metadata: Record<string, JsonValue>;
  generators?: { body?: Record<string, Generator>; metadata?: Record<string, Generator> };
}

interface Annotations {
  states: Array<{ name: string; params?: JsonObject }>;
  key?: string;
  pending?: boolean;
  comments: string[];
}

interface AsyncSpec extends Annotations, MessagePart {}

interface SyncSpec extends Annotations {
  request: MessagePart;
  responses: MessagePart[];
}

export interface MessageConsumerWorld extends BaseWorld {
  dir: string;
  specVersion: 3 | 4;
  consumer: string;
  provider: string;
  http: boolean;
  async?: AsyncSpec;
  sync?: SyncSpec;
  received?: ReifiedMessage;
  receivedSync?: ReifiedSyncMessage;
  failed?: string;
  /** The contract file as written (raw JSON) and as Treaty reads it. */
  file?: { raw: JsonObject; contract: Contract };
}

/** A fresh world: V4 names and version until a V3 step says otherwise. */
export function newMessageConsumerWorld(): MessageConsumerWorld {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-compat-'));
  return {
    dir,
    specVersion: 4,
    consumer: 'C',
    provider: 'P',
    http: false,
    cleanups: [() => rmSync(dir, { recursive: true, force: true })],
  };
}

const emptyPart = (): MessagePart => ({ metadata: {} });
const annotations = (): Annotations => ({ states: [], comments: [] });

/**
 * A generator from the table's JSON, as a Pact JS matcher object at that place in the template: the
 * consumer DSL takes generators that way. Pact's core ignores a generator without a rule, so Treaty
 * asks for one; a `type` rule is the one that says nothing more than the example does.
 */
function withGenerator(example: JsonValue | undefined, g: Generator): JsonObject {
  return {
    ...(g as unknown as JsonObject),
    'pact:matcher:type': 'type',
    'pact:generator:type': g.type,
    value: example ?? null,
  };
}

function setAt(
  value: JsonValue,
  path: string,
  replace: (current: JsonValue | undefined) => JsonValue,
): JsonValue {
  const key = /^\$\.([^.[\]]+)$/.exec(path)?.[1];
  if (key === undefined || typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`the steps place generators at top-level fields only, not ${path}`);
  return { ...value, [key]: replace(value[key]) };
}

/** Fills a DSL message builder from a message part. */
function build(m: MessageContentBuilder, part: MessagePart): void {
  const c = part.contents;
  if (c?.json !== undefined) {
    let template: JsonValue = c.json;
    for (const [path, g] of Object.entries(part.generators?.body ?? {}))
      template = setAt(template, path, (current) => withGenerator(current, g));
    m.withJSONContent(template);
  } else if (c !== undefined) {
    const textual = /^(text\/|application\/(xml|json)|.*\+(xml|json))/.test(c.contentType);
    m.withContent(c.contentType, textual ? new TextDecoder().decode(c.bytes) : c.bytes);
  }
  const metadata: Record<string, unknown> = { ...part.metadata };
  for (const [key, g] of Object.entries(part.generators?.metadata ?? {}))
    metadata[key] = withGenerator(part.metadata[key], g);
  if (Object.keys(metadata).length > 0) m.withMetadata(metadata);
}

function metadataTable(s: Step): Record<string, JsonValue> {
  return Object.fromEntries(s.table.map((row) => [row.key ?? '', metadataValue(row.value ?? '')]));
}

function stateParams(s: Step): JsonObject {
  const row = s.table[0] ?? {};
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, JSON.parse(v) as JsonValue]));
}

/** The table of "… is configured with the following:" as a message part. */
function configured(s: Step): MessagePart {
  const row = s.table[0] ?? {};
  const part = emptyPart();
  if (row.body) part.contents = suiteBody(row.body);
  if (row.generators) part.generators = jsonCell(row.generators) as MessagePart['generators'];
  if (row.metadata) Object.assign(part.metadata, JSON.parse(row.metadata) as JsonObject);
  return part;
}

function asyncSpec(world: MessageConsumerWorld): AsyncSpec {
  if (world.async === undefined) throw new Error('no message interaction is being defined');
  return world.async;
}

function syncSpec(world: MessageConsumerWorld): SyncSpec {
  if (world.sync === undefined) throw new Error('no synchronous message interaction is being defined');
  return world.sync;
}

function annotate<B extends { given(s: string, p?: Record<string, unknown>): B }>(
  builder: B,
  a: Annotations,
): B {
  let b = builder;
  for (const s of a.states) b = s.params === undefined ? b.given(s.name) : b.given(s.name, s.params);
  return b;
}

function contract(world: MessageConsumerWorld): ConsumerContract {
  return new ConsumerContract({
    consumer: world.consumer,
    provider: world.provider,
    dir: world.dir,
    specVersion: world.specVersion,
  });
}

/** Runs every interaction defined so far as a consumer test; `fail` makes the message handler throw. */
async function runConsumerTest(world: MessageConsumerWorld, fail?: string): Promise<void> {
  const c = contract(world);
  if (world.http) {
    await c
      .addInteraction()
      .uponReceiving('an HTTP request')
      .withRequest('GET', '/test')
      .willRespondWith(200)
      .executeTest(async (mock) => {
        expect((await fetch(`${mock.url}/test`)).status).toBe(200);
      });
  }
  if (world.async !== undefined) {
    const spec = world.async;
    let b = annotate(c.addAsynchronousMessage(), spec).expectsToReceive('a message', (m) => build(m, spec));
    if (spec.key !== undefined) b = b.key(spec.key);
    if (spec.pending === true) b = b.pending();
    for (const text of spec.comments) b = b.comment(text);
    try {
      await b.executeTest((message) => {
        world.received = message;
        if (fail !== undefined) throw new Error(fail);
      });
    } catch (error) {
      if (fail === undefined) throw error;
      world.failed = (error as Error).message;
    }
  }
  if (world.sync !== undefined) {
    const spec = world.sync;
    let b = annotate(c.addSynchronousMessage('synchronous message interaction'), spec).withRequest((m) =>
      build(m, spec.request),
    );
    for (const response of spec.responses) b = b.withResponse((m) => build(m, response));
    if (spec.key !== undefined) b = b.key(spec.key);
    if (spec.pending === true) b = b.pending();
    for (const text of spec.comments) b = b.comment(text);
    await b.executeTest((exchange) => {
      world.receivedSync = exchange;
    });
  }
}

function pactFile(world: MessageConsumerWorld): string {
  return join(world.dir, `${world.consumer}-${world.provider}.json`);
}

function readPact(world: MessageConsumerWorld): { raw: JsonObject; contract: Contract } {
  const text = readFileSync(pactFile(world), 'utf8');
  world.file = { raw: JSON.parse(text) as JsonObject, contract: parseContract(text) };
  return world.file;
}

function interactions(world: MessageConsumerWorld): Contract['interactions'] {
  return (world.file ?? readPact(world)).contract.interactions;
}

function rawInteractions(world: MessageConsumerWorld): JsonObject[] {
  const raw = (world.file ?? readPact(world)).raw;
  return (raw.interactions ?? raw.messages) as JsonObject[];
}

/** The message of the n-th interaction (an asynchronous message, or a synchronous one's request). */
function messageOf(world: MessageConsumerWorld, index: number): Message {
  const i = interactions(world)[index];
  if (i?.type === 'Asynchronous/Messages') return i.message;
  if (i?.type === 'Synchronous/Messages') return i.request;
  throw new Error(`interaction ${index + 1} is not a message`);
}

function syncOf(world: MessageConsumerWorld) {
  const i = interactions(world)[0];
  if (i?.type !== 'Synchronous/Messages')
    throw new Error('the first interaction is not a synchronous message');
  return i;
}

function contentTypeOf(m: Message): string | undefined {
  const fromMetadata = Object.entries(m.metadata).find(([k]) => /^content-?type$/i.test(k))?.[1];
  return m.contents?.contentType ?? (typeof fromMetadata === 'string' ? fromMetadata : undefined);
}

/** Compares a body from the file with the document a step names: JSON by value, anything else by bytes. */
function expectBody(actual: Body | undefined, expected: SuiteBody): void {
  if (expected.json !== undefined) {
    expect(actual?.kind).toBe('json');
    if (actual?.kind === 'json') expect(actual.value).toEqual(expected.json);
    return;
  }
  const bytes =
    actual?.kind === 'binary'
      ? actual.bytes
      : new TextEncoder().encode(actual?.kind === 'text' ? actual.text : JSON.stringify(actual?.value));
  expect(Buffer.from(bytes).equals(Buffer.from(expected.bytes)), 'the contents should be the document').toBe(
    true,
  );
}

/** Compares the contents a handler received with a document. */
function expectReceived(actual: unknown, expected: SuiteBody): void {
  if (expected.json !== undefined) expect(actual).toEqual(expected.json);
  else if (typeof actual === 'string') expect(actual).toBe(new TextDecoder().decode(expected.bytes));
  else expect(actual).toEqual(expected.bytes);
}

/** A metadata value a step compares: `JSON: …` (its quotes written \") or a plain string. */
function expectedMetadata(value: string): JsonValue {
  return metadataValue(value.replaceAll('\\"', '"'));
}

function receivedMessage(world: MessageConsumerWorld, which: 'request' | 'response'): ReifiedMessage {
  const exchange = world.receivedSync;
  const m = which === 'request' ? exchange?.request : exchange?.responses[0];
  if (m === undefined) throw new Error(`no ${which} message was received`);
  return m;
}

function specPart(world: MessageConsumerWorld, which: 'request' | 'response'): MessagePart {
  const spec = syncSpec(world);
  const part = which === 'request' ? spec.request : spec.responses[0];
  if (part === undefined) throw new Error(`no ${which} message was defined`);
  return part;
}

export const messageConsumerSteps: Array<StepDefinition<MessageConsumerWorld>> = [
  // --- defining interactions
  step('a message integration is being defined for a consumer test', (world) => {
    world.specVersion = 3;
    world.consumer = 'V3-message-consumer';
    world.provider = 'V3-message-provider';
    world.async = { ...annotations(), ...emptyPart() };
  }),
  step('a message interaction is being defined for a consumer test', (world) => {
    world.async = { ...annotations(), ...emptyPart() };
  }),
  step('a synchronous message interaction is being defined for a consumer test', (world) => {
    world.sync = { ...annotations(), request: emptyPart(), responses: [] };
  }),
  step('an HTTP interaction is being defined for a consumer test', (world) => {
    world.http = true;
  }),
  step('the message payload contains the {string} JSON document', (world, [name = '']) => {
    asyncSpec(world).contents = suiteBody(`file: ${name}.json`);
  }),
  step('the message contains the following metadata:', (world, _, s) => {
    Object.assign(asyncSpec(world).metadata, metadataTable(s));
  }),
  step('a provider state {string} for the message is specified', (world, [name = '']) => {
    asyncSpec(world).states.push({ name });
  }),
  step(
    'a provider state {string} for the message is specified with the following data:',
    (world, [name = ''], s) => {
      asyncSpec(world).states.push({ name, params: stateParams(s) });
    },
  ),
  step('a message is defined', (world) => {
    // The reference steps start a new message that keeps only the provider states.
    const spec = asyncSpec(world);
    world.async = { ...spec, ...emptyPart() };
  }),
  step('the message is configured with the following:', (world, _, s) => {
    world.async = { ...asyncSpec(world), ...configured(s) };
  }),
  step('a key of {string} is specified for the message interaction', (world, [key = '']) => {
    asyncSpec(world).key = key;
  }),
  step('the message interaction is marked as pending', (world) => {
    asyncSpec(world).pending = true;
  }),
  step('a comment {string} is added to the message interaction', (world, [text = '']) => {
    asyncSpec(world).comments.push(text);
  }),
  step('a key of {string} is specified for the synchronous message interaction', (world, [key = '']) => {
    syncSpec(world).key = key;
  }),
  step('the synchronous message interaction is marked as pending', (world) => {
    syncSpec(world).pending = true;
  }),
  step('a comment {string} is added to the synchronous message interaction', (world, [text = '']) => {
    syncSpec(world).comments.push(text);
  }),
  step('the message request payload contains the {string} JSON document', (world, [name = '']) => {
    syncSpec(world).request.contents = suiteBody(`file: ${name}.json`);
  }),
  step('the message response payload contains the {string} document', (world, [cell = '']) => {
    syncSpec(world).responses.push({ contents: suiteBody(cell), metadata: {} });
  }),
  step('the message request contains the following metadata:', (world, _, s) => {
    Object.assign(syncSpec(world).request.metadata, metadataTable(s));
  }),
  step('a provider state {string} for the synchronous message is specified', (world, [name = '']) => {
    syncSpec(world).states.push({ name });
  }),
  step(
    'a provider state {string} for the synchronous message is specified with the following data:',
    (world, [name = ''], s) => {
      syncSpec(world).states.push({ name, params: stateParams(s) });
    },
  ),
  step('the message request is configured with the following:', (world, _, s) => {
    syncSpec(world).request = configured(s);
  }),
  step('the message response is configured with the following:', (world, _, s) => {
    syncSpec(world).responses.push(configured(s));
  }),

  // --- running the consumer test
  step('the message is successfully processed', (world) => runConsumerTest(world)),
  step('the Pact file for the test is generated', async (world) => {
    await runConsumerTest(world);
    readPact(world);
  }),
  step('the message is NOT successfully processed with a {string} exception', (world, [error = '']) =>
    runConsumerTest(world, error),
  ),

  // --- the test's outcome and what the handler received
  step('the consumer test will have passed', (world) => {
    expect(world.failed).toBeUndefined();
  }),
  step('the consumer test will have failed', (world) => {
    expect(world.failed).toBeDefined();
  }),
  step('the consumer test error will be {string}', (world, [error]) => {
    expect(world.failed).toBe(error);
  }),
  step('the received message payload will contain the {string} JSON document', (world, [name = '']) => {
    expect(world.received?.contents).toEqual(fixtureJson(`${name}.json`));
  }),
  step('the received message payload will contain the {string} document', (world, [cell = '']) => {
    expectReceived(receivedMessage(world, 'response').contents, suiteBody(cell));
  }),
  step('the received message content type will be {string}', (world, [type]) => {
    const m = world.sync === undefined ? world.received : receivedMessage(world, 'response');
    expect(m?.metadata.contentType).toBe(type);
  }),
  step('the received message metadata will contain {string} == {string}', (world, [key = '', value = '']) => {
    expect(world.received?.metadata[key]).toEqual(expectedMetadata(value));
  }),
  step(
    'the received message {word} metadata will contain {string} == {string}',
    (world, [which, key = '', value = '']) => {
      const m = receivedMessage(world, which === 'request' ? 'request' : 'response');
      expect(m.metadata[key]).toEqual(expectedMetadata(value));
    },
  ),
  step(
    'the received message metadata will contain {string} replaced with a(n) {string}',
    (world, [key = '', type = '']) => {
      expectReplaced(asyncSpec(world).metadata[key], world.received?.metadata[key], type);
    },
  ),
  step(
    'the received message {word} metadata will contain {string} replaced with a(n) {string}',
    (world, [which, key = '', type = '']) => {
      const side = which === 'request' ? 'request' : 'response';
      expectReplaced(specPart(world, side).metadata[key], receivedMessage(world, side).metadata[key], type);
    },
  ),
  step(
    'the message contents for {string} will have been replaced with a(n) {string}',
    (world, [path = '', type = '']) => {
      expectReplaced(
        valueAt(asyncSpec(world).contents?.json, path),
        valueAt(world.received?.contents, path),
        type,
      );
    },
  ),
  step(
    'the message {word} contents for {string} will have been replaced with a(n) {string}',
    (world, [which, path = '', type = '']) => {
      const side = which === 'request' ? 'request' : 'response';
      expectReplaced(
        valueAt(specPart(world, side).contents?.json, path),
        valueAt(receivedMessage(world, side).contents, path),
        type,
      );
    },
  ),

  // --- the contract file
  step('a Pact file for the message interaction will have been written', (world) => {
    expect(existsSync(pactFile(world)), `${pactFile(world)} should exist`).toBe(true);
    const { raw } = readPact(world);
    const version = (raw.metadata as { pactSpecification?: { version?: string } } | undefined)
      ?.pactSpecification?.version;
    expect(version?.split('.')[0]).toBe(String(world.specVersion));
  }),
  step('a Pact file for the message interaction will NOT have been written', (world) => {
    expect(existsSync(pactFile(world))).toBe(false);
  }),
  step('the pact file will contain {int} message interaction(s)', (world, [n]) => {
    expect(interactions(world).filter((i) => i.type === 'Asynchronous/Messages')).toHaveLength(Number(n));
    expect(interactions(world)).toHaveLength(Number(n));
  }),
  step('the pact file will contain {int} interaction', (world, [n]) => {
    expect(interactions(world)).toHaveLength(Number(n));
  }),
  step(
    'the {ord} message in the pact file will contain the {string} document',
    (world, [n = '', name = '']) => {
      expectBody(messageOf(world, ordinal(n)).contents, suiteBody(`file: ${name}`));
    },
  ),
  step('the {ord} message in the pact file content type will be {string}', (world, [n = '', type]) => {
    expect(contentTypeOf(messageOf(world, ordinal(n)))).toBe(type);
  }),
  step(
    'the {ord} message in the pact file will contain the message metadata {string} == {string}',
    (world, [n = '', key = '', value = '']) => {
      expect(messageOf(world, ordinal(n)).metadata[key]).toEqual(expectedMetadata(value));
    },
  ),
  step(
    'the {ord} message in the pact file will contain the request message metadata {string} == {string}',
    (world, [n = '', key = '', value = '']) => {
      expect(messageOf(world, ordinal(n)).metadata[key]).toEqual(expectedMetadata(value));
    },
  ),
  step(
    'the {ord} message in the pact file will contain {int} provider state(s)',
    (world, [n = '', count]) => {
      expect(interactions(world)[ordinal(n)]?.providerStates).toHaveLength(Number(count));
    },
  ),
  step('the {ord} message in the Pact file will contain provider state {string}', (world, [n = '', name]) => {
    expect(interactions(world)[ordinal(n)]?.providerStates.map((s) => s.name)).toContain(name);
  }),
  step(
    'the provider state {string} for the message will contain the following parameters:',
    (world, [name], s) => {
      const expected = JSON.parse(s.rows[1]?.[0] ?? '{}') as JsonObject;
      const state = interactions(world)[0]?.providerStates.find((p) => p.name === name);
      expect(state?.params).toEqual(expected);
    },
  ),
  step(
    'the first interaction in the pact file will contain the {string} document as the request',
    (world, [cell = '']) => {
      expectBody(syncOf(world).request.contents, suiteBody(cell));
    },
  ),
  step('the first interaction in the pact file request content type will be {string}', (world, [type]) => {
    expect(contentTypeOf(syncOf(world).request)).toBe(type);
  }),
  step(
    'the first interaction in the pact file will contain the {string} document as a response',
    (world, [cell = '']) => {
      expectBody(syncOf(world).response[0]?.contents, suiteBody(cell));
    },
  ),
  step('the first interaction in the pact file response content type will be {string}', (world, [type]) => {
    const response = syncOf(world).response[0];
    expect(response === undefined ? undefined : contentTypeOf(response)).toBe(type);
  }),
  step('the first interaction in the pact file will contain {int} response messages', (world, [n]) => {
    expect(syncOf(world).response).toHaveLength(Number(n));
  }),
  step(
    'the first interaction in the pact file will contain the {string} document as the {ord} response message',
    (world, [cell = '', n = '']) => {
      expectBody(syncOf(world).response[ordinal(n)]?.contents, suiteBody(cell));
    },
  ),
  step('the first interaction in the Pact file will have a type of {string}', (world, [type]) => {
    expect(rawInteractions(world)[0]?.type).toBe(type);
  }),
  step(
    'the first interaction in the Pact file will have {string} = {string}',
    (world, [field = '', json = '']) => {
      expect(rawInteractions(world)[0]?.[field]).toEqual(JSON.parse(json));
    },
  ),
  step('there will be an interaction in the Pact file with a type of {string}', (world, [type]) => {
    expect(rawInteractions(world).map((i) => i.type)).toContain(type);
  }),
];
