import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { main, type CliIo } from '@treaty/cli';
import { runPactTool } from '../support/pact-tools.js';

// `treaty create-webhook` and its siblings take the Pact CLI's flags and leave the broker with the
// same webhook as `pact broker create-webhook` given the same flags. The receiver is a server on
// 127.0.0.1, which the broker is told to allow (http, and that host); nothing leaves loopback.

let broker: RunningBroker;
let receiver: Server;
let receiverUrl = '';
let answer = 200;
const received: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> =
  [];

async function treaty(...args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIo = {
    cwd: process.cwd(),
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
  };
  const code = await main([...args, '--broker-base-url', broker.url], io);
  return { code, out: out.join('') };
}

async function webhook(uuid: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${broker.url}/webhooks/${uuid}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** What two webhooks made from the same flags must share: everything but identity and time. */
function essence(w: Record<string, unknown>): Record<string, unknown> {
  const { uuid: _u, createdAt: _c, updatedAt: _up, _links: _l, ...rest } = w;
  return rest;
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(answer, { 'Content-Type': 'text/plain' }).end(answer === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const database = join(mkdtempSync(join(tmpdir(), 'treaty-webhook-cmds-')), 'broker.sqlite');
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    database,
    webhooks: { schemes: ['http', 'https'], hosts: ['127.0.0.1'] },
  });
  for (const name of ['wh-web', 'wh-orders']) {
    const res = await fetch(`${broker.url}/pacticipants`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await broker.close();
  await new Promise((done) => receiver.close(done));
});

const flags = (url: string) => [
  url,
  '-X',
  'POST',
  // Several headers after one -H, as the Pact CLI takes them (it refuses -H twice; treaty takes both).
  '-H',
  'Content-Type: application/json',
  'Authorization: Bearer ci-secret-token',
  '-d',
  '{"state":"${pactbroker.githubVerificationStatus}","version":"${pactbroker.consumerVersionNumber}"}',
  '--user',
  'ci:pass:word',
  '--consumer',
  'wh-web',
  '--provider',
  'wh-orders',
  '--description',
  'start the orders build',
  '--contract-requiring-verification-published',
  '--provider-verification-failed',
];

describe('treaty create-webhook and the Pact CLI', () => {
  it('makes the same webhook as pact broker create-webhook given the same flags, and prints no secret', async () => {
    const ours = await treaty('create-webhook', ...flags(`${receiverUrl}/build`), '--output', 'json');
    expect(ours.code, ours.out).toBe(0);
    expect(ours.out).not.toContain('ci-secret-token');
    expect(ours.out).not.toContain('pass:word');
    const oursUuid = String((JSON.parse(ours.out) as { uuid: string }).uuid);

    const pact = await runPactTool('pact-broker', [
      'create-webhook',
      ...flags(`${receiverUrl}/build`),
      '--broker-base-url',
      broker.url,
    ]);
    expect(pact.code, pact.output).toBe(0);
    const list = (await (await fetch(`${broker.url}/webhooks`)).json()) as {
      _links: { 'pb:webhooks': Array<{ href: string }> };
    };
    const uuids = list._links['pb:webhooks'].map((l) => l.href.split('/').pop() ?? '');
    const theirsUuid = uuids.find((u) => u !== oursUuid);
    expect(theirsUuid).toBeDefined();

    const mine = await webhook(oursUuid);
    const theirs = await webhook(String(theirsUuid));
    expect(essence(mine)).toEqual(essence(theirs));
    expect(mine).toMatchObject({
      description: 'start the orders build',
      consumer: { name: 'wh-web' },
      provider: { name: 'wh-orders' },
      events: [
        { name: 'provider_verification_failed' },
        { name: 'contract_requiring_verification_published' },
      ],
      request: {
        method: 'POST',
        url: `${receiverUrl}/build`,
        username: 'ci',
        body: {
          state: '${pactbroker.githubVerificationStatus}',
          version: '${pactbroker.consumerVersionNumber}',
        },
      },
    });
    // Secrets are stored but never rendered back.
    expect(JSON.stringify(mine)).not.toContain('ci-secret-token');
    expect(JSON.stringify(mine)).not.toContain('pass:word');
  }, 60_000);

  it('create-or-update-webhook creates with the given uuid, then replaces it', async () => {
    const uuid = 'treaty-cli-webhook-0001';
    const first = await treaty(
      'create-or-update-webhook',
      `${receiverUrl}/first`,
      '--uuid',
      uuid,
      '--provider',
      'wh-orders',
      '--contract-published',
    );
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain(`Created webhook ${uuid}`);
    const second = await treaty(
      'create-or-update-webhook',
      `${receiverUrl}/second`,
      '--uuid',
      uuid,
      '--provider',
      'wh-orders',
      '--contract-content-changed',
      '--description',
      'second',
    );
    expect(second.code, second.out).toBe(0);
    expect(second.out).toContain(`Updated webhook ${uuid}`);
    expect(await webhook(uuid)).toMatchObject({
      description: 'second',
      events: [{ name: 'contract_content_changed' }],
      request: { url: `${receiverUrl}/second` },
    });
  });

  it('test-webhook executes it now: exit 0 when the receiver takes it, 1 when it refuses', async () => {
    const uuid = 'treaty-cli-webhook-0002';
    const made = await treaty(
      'create-or-update-webhook',
      `${receiverUrl}/test-run`,
      '--uuid',
      uuid,
      '-H',
      'X-Event: ${pactbroker.eventName}',
      '-d',
      'plain text for ${pactbroker.providerName}',
      '--provider',
      'wh-orders',
      '--contract-published',
    );
    expect(made.code, made.out).toBe(0);
    received.length = 0;
    answer = 200;
    const ok = await treaty('test-webhook', '--uuid', uuid);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain(`Webhook ${uuid} succeeded`);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/test-run' });

    answer = 500;
    const refused = await treaty('test-webhook', '--uuid', uuid);
    expect(refused.code, refused.out).toBe(1);
    expect(refused.out).toContain('failed');
    expect(refused.out).toContain('500');
    answer = 200;
  });

  it('delete-webhook removes it; naming a missing webhook fails with the reason', async () => {
    const uuid = 'treaty-cli-webhook-0003';
    expect(
      (await treaty('create-or-update-webhook', `${receiverUrl}/x`, '--uuid', uuid, '--contract-published'))
        .code,
    ).toBe(0);
    const gone = await treaty('delete-webhook', '--uuid', uuid);
    expect(gone.code, gone.out).toBe(0);
    expect((await fetch(`${broker.url}/webhooks/${uuid}`)).status).toBe(404);
    const again = await treaty('test-webhook', '--uuid', uuid);
    expect(again.code).toBe(1);
    expect(again.out).toContain('404');
    expect(again.out).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad command line before calling the broker, with what to do', async () => {
    const noEvent = await treaty('create-webhook', `${receiverUrl}/x`);
    expect(noEvent.code).toBe(2);
    expect(noEvent.out).toContain('--contract-published');
    const badHeader = await treaty(
      'create-webhook',
      `${receiverUrl}/x`,
      '-H',
      'no colon',
      '--contract-published',
    );
    expect(badHeader.code).toBe(2);
    expect(badHeader.out).toContain("'Name: value'");
    const both = await treaty(
      'create-webhook',
      `${receiverUrl}/x`,
      '--consumer',
      'wh-web',
      '--consumer-label',
      'web',
      '--contract-published',
    );
    expect(both.code).toBe(2);
    expect(both.out).toContain('not both');
    const noUuid = await treaty('test-webhook');
    expect(noUuid.code).toBe(2);
    expect(noUuid.out).toContain('--uuid is required');
  });

  it('passes on what the broker refuses (a scheme it does not allow), exiting non-zero', async () => {
    const refused = await treaty('create-webhook', 'ftp://127.0.0.1/x', '--contract-published');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/scheme|ftp/i);
  });
});
