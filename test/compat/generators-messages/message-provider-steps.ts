import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '@treaty/cli';
import { verifyProvider, type JsonObject, type JsonValue, type VerificationResult } from '@treaty/core';
import type { Step } from '../gherkin.js';
import { step, type BaseWorld, type StepDefinition } from './runner.js';
import { jsonCell, metadataValue, suiteBody, v4Body } from './shared.js';

// Steps of the message provider features (V3 and V4), after the reference implementation's
// v3_steps/message.rs and v4_steps/message_provider.rs. "A provider is started" starts a real HTTP
// server on 127.0.0.1 that answers pact-verifier's message requests (POST { description } → the
// message body, its content type, and its metadata as base64 JSON in Pact-Message-Metadata); the
// Pact files are written as the reference steps write them (V3 message pacts, V4 for pending and
// comments); "the verification is run" calls verifyProvider with that server as the provider and,
// when a state callback is configured, a real state-change server that records every call.

interface ProvidedMessage {
  bytes: Uint8Array;
  contentType: string;
  metadata: JsonObject;
}

export interface MessageProviderWorld extends BaseWorld {
  dir: string;
  messages: Map<string, ProvidedMessage>;
  providerUrl?: string;
  pacts: string[];
  /** What the provider and the state callback saw, in order: `message:<description>`, `setup:<state>`, … */
  events: string[];
  stateUrl?: string;
  result?: VerificationResult;
}

export function newMessageProviderWorld(): MessageProviderWorld {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-compat-'));
  return {
    dir,
    messages: new Map(),
    pacts: [],
    events: [],
    cleanups: [() => rmSync(dir, { recursive: true, force: true })],
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(world: MessageProviderWorld, server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  world.cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The message provider: answers `POST / { description }` with the message it can generate. */
async function startProvider(world: MessageProviderWorld): Promise<void> {
  if (world.providerUrl !== undefined) return;
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const { description } = JSON.parse(text) as { description: string };
      world.events.push(`message:${description}`);
      const m = world.messages.get(description);
      if (m === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': m.contentType,
        'Pact-Message-Metadata': Buffer.from(JSON.stringify(m.metadata)).toString('base64'),
      });
      res.end(m.bytes);
    });
  });
  world.providerUrl = await listen(world, server);
}

/** The provider state callback: a state-change URL that records each setup and teardown. */
async function startStateCallback(world: MessageProviderWorld): Promise<void> {
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const { state, action } = JSON.parse(text) as { state: string; action: string };
      world.events.push(`${action}:${state}`);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  world.stateUrl = await listen(world, server);
}

function metadataRows(rows: string[][]): JsonObject {
  return Object.fromEntries(rows.map(([key = '', value = '']) => [key, metadataValue(value)]));
}

async function provides(world: MessageProviderWorld, name: string, cell: string, metadata: JsonObject) {
  const body = suiteBody(cell);
  world.messages.set(name, {
    bytes: body.bytes,
    contentType: body.contentType,
    metadata: { contentType: body.contentType, ...metadata },
  });
  await startProvider(world);
}

/** A message as a V3 message pact holds it (pact_models Message::to_json). */
function v3Message(name: string, cell: string | undefined, extra: JsonObject = {}): JsonObject {
  const message: JsonObject = { description: name, ...extra };
  const metadata: JsonObject = { ...((extra.metadata as JsonObject | undefined) ?? {}) };
  if (cell !== undefined) {
    const body = suiteBody(cell);
    metadata.contentType = body.contentType;
    const isJson = /json/.test(body.contentType);
    const isText = /^text\/|xml/.test(body.contentType);
    // JSON as JSON, text as it is, anything else base64-encoded.
    message.contents = isJson
      ? (JSON.parse(Buffer.from(body.bytes).toString('utf8')) as JsonValue)
      : isText
        ? Buffer.from(body.bytes).toString('utf8')
        : Buffer.from(body.bytes).toString('base64');
  }
  message.metadata = metadata;
  return message;
}

function writePact(world: MessageProviderWorld, pact: JsonObject): void {
  const file = join(world.dir, `pact-${world.pacts.length + 1}.json`);
  writeFileSync(file, JSON.stringify(pact));
  world.pacts.push(file);
}

function writeV3(world: MessageProviderWorld, message: JsonObject): void {
  writePact(world, {
    consumer: { name: 'c' },
    provider: { name: 'p' },
    messages: [message],
    metadata: { pactSpecification: { version: '3.0.0' } },
  });
}

/** A message as a V4 pact holds it (an Asynchronous/Messages interaction). */
function writeV4(world: MessageProviderWorld, name: string, cell: string, extra: JsonObject): void {
  const body = suiteBody(cell);
  const contents = v4Body(body);
  writePact(world, {
    consumer: { name: `c_${name}` },
    provider: { name: 'p' },
    interactions: [
      {
        type: 'Asynchronous/Messages',
        description: name,
        contents,
        metadata: { contentType: body.contentType },
        ...extra,
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  });
}

/** The "… is to be verified with the following:" table: body, matching rules and `k=v; k=v` metadata. */
function withTheFollowing(name: string, s: Step): JsonObject {
  const fields = Object.fromEntries(s.rows.map(([k = '', v = '']) => [k, v]));
  const metadata: JsonObject = {};
  for (const pair of (fields.metadata ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) metadata[pair.slice(0, at).trim()] = metadataValue(pair.slice(at + 1).trim());
  }
  const extra: JsonObject = { metadata };
  if (fields['matching rules']) extra.matchingRules = jsonCell(fields['matching rules']);
  return v3Message(name, fields.body, extra);
}

function result(world: MessageProviderWorld): VerificationResult {
  if (world.result === undefined) throw new Error('the verification has not run');
  return world.result;
}

// The reference steps name each mismatch kind by pact_matching's wording; Treaty's mismatches carry
// the part of the message they are about, which is the same fact.
const partOf: Record<string, string> = {
  'Body had differences': 'body',
  'Metadata had differences': 'metadata',
  'Headers had differences': 'header',
  'Response status did not match': 'status',
};

function hasMismatch(world: MessageProviderWorld, kind: string, status: 'failed' | 'pending'): boolean {
  const part = partOf[kind];
  if (part === undefined) throw new Error(`unknown error kind '${kind}'`);
  return result(world)
    .contracts.flatMap((c) => c.interactions)
    .some((i) => i.status === status && i.mismatches.some((m) => m.part === part));
}

/** Runs `treaty verify` in-process against the same provider and pacts, and returns what it printed. */
async function consoleOutput(world: MessageProviderWorld): Promise<string> {
  let out = '';
  const io = {
    stdout: (t: string) => (out += t),
    stderr: (t: string) => (out += t),
    cwd: world.dir,
    env: {},
  };
  const pacts = world.pacts.flatMap((p) => ['--pact', p]);
  await main(['verify', '--provider-base-url', world.providerUrl ?? '', ...pacts], io);
  return out;
}

export const messageProviderSteps: Array<StepDefinition<MessageProviderWorld>> = [
  step(
    'a provider is started that can generate the {string} message with {string}',
    (world, [name = '', cell = '']) => provides(world, name, cell, {}),
  ),
  step(
    'a provider is started that can generate the {string} message with {string} and the following metadata:',
    (world, [name = '', cell = ''], s) => provides(world, name, cell, metadataRows(s.rows.slice(1))),
  ),
  step('a Pact file for {string}:{string} is to be verified', (world, [name = '', cell]) =>
    writeV3(world, v3Message(name, cell)),
  ),
  step(
    'a Pact file for {string}:{string} is to be verified with provider state {string}',
    (world, [name = '', cell, state = '']) =>
      writeV3(world, v3Message(name, cell, { providerStates: [{ name: state }] })),
  ),
  step(
    'a Pact file for {string}:{string} is to be verified with the following metadata:',
    (world, [name = '', cell], s) =>
      // The reference step also reads the table's header row as metadata (key = "value"); the rows
      // below it are what the scenario means, and they alone are written here.
      writeV3(world, v3Message(name, cell, { metadata: metadataRows(s.rows.slice(1)) })),
  ),
  step('a Pact file for {string} is to be verified with the following:', (world, [name = ''], s) =>
    writeV3(world, withTheFollowing(name, s)),
  ),
  step(
    'a Pact file for {string}:{string} is to be verified, but is marked pending',
    (world, [name = '', cell = '']) => writeV4(world, name, cell, { pending: true }),
  ),
  step(
    'a Pact file for {string}:{string} is to be verified with the following comments:',
    (world, [name = '', cell = ''], s) => {
      const text = s.table.filter((r) => r.type === 'text').map((r) => r.comment ?? '');
      const testname = s.table.find((r) => r.type === 'testname')?.comment;
      writeV4(world, name, cell, { comments: { text, ...(testname === undefined ? {} : { testname }) } });
    },
  ),
  step('a provider state callback is configured', (world) => startStateCallback(world)),
  step('the verification is run', async (world) => {
    world.result = await verifyProvider({
      ...(world.providerUrl === undefined ? {} : { providerBaseUrl: world.providerUrl }),
      pacts: world.pacts,
      ...(world.stateUrl === undefined ? {} : { providerStatesSetupUrl: world.stateUrl }),
    });
  }),
  step('the verification will be successful', (world) => {
    const failures = result(world)
      .contracts.flatMap((c) => [...(c.error === undefined ? [] : [c.error.message]), ...c.interactions])
      .filter((i) => typeof i === 'string' || (i.status !== 'passed' && i.status !== 'pending'));
    expect(failures).toEqual([]);
    expect(result(world).passed).toBe(true);
  }),
  step('the verification will NOT be successful', (world) => {
    expect(result(world).passed).toBe(false);
  }),
  step('the verification results will contain a {string} error', (world, [kind = '']) => {
    expect(hasMismatch(world, kind, 'failed'), `a failed interaction with a ${kind} mismatch`).toBe(true);
  }),
  step('there will be a pending {string} error', (world, [kind = '']) => {
    expect(hasMismatch(world, kind, 'pending'), `a pending interaction with a ${kind} mismatch`).toBe(true);
  }),
  step('the provider state callback will be called before the verification is run', (world) => {
    const setup = world.events.findIndex((e) => e.startsWith('setup:'));
    const message = world.events.findIndex((e) => e.startsWith('message:'));
    expect(setup, world.events.join(', ')).toBeGreaterThanOrEqual(0);
    expect(setup).toBeLessThan(message);
  }),
  step('the provider state callback will be called after the verification is run', (world) => {
    const teardown = world.events.findIndex((e) => e.startsWith('teardown:'));
    const message = world.events.findIndex((e) => e.startsWith('message:'));
    expect(message, world.events.join(', ')).toBeGreaterThanOrEqual(0);
    expect(teardown).toBeGreaterThan(message);
  }),
  step(
    'the provider state callback will receive a setup call with {string} as the provider state parameter',
    (world, [state]) => {
      expect(world.events).toContain(`setup:${state}`);
    },
  ),
  step(
    'the provider state callback will receive a teardown call {string} as the provider state parameter',
    (world, [state]) => {
      expect(world.events).toContain(`teardown:${state}`);
    },
  ),
  step('the comment {string} will have been printed to the console', async (world, [comment = '']) => {
    expect(await consoleOutput(world)).toContain(comment);
  }),
  step('the {string} will displayed as the original test name', async (world, [name = '']) => {
    expect(await consoleOutput(world)).toContain(`Test Name: ${name}`);
  }),
];
