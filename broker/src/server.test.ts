import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseDatabasePool,
  parsePublicUrl,
  parseTrustProxy,
  settingsFromEnv,
  startBroker,
  webhookSettingsFromEnv,
} from './server.js';

describe('the database setting from the environment', () => {
  it('is TREATY_BROKER_DATABASE, else DATABASE_URL, else the SQLite file', () => {
    const url = 'postgres://treaty:secret@db:5432/treaty';
    expect(settingsFromEnv({}).database).toBe('./treaty-broker.sqlite');
    expect(settingsFromEnv({ DATABASE_URL: url }).database).toBe(url);
    expect(settingsFromEnv({ DATABASE_URL: '' }).database).toBe('./treaty-broker.sqlite');
    expect(settingsFromEnv({ DATABASE_URL: url, TREATY_BROKER_DATABASE: './b.sqlite' }).database).toBe(
      './b.sqlite',
    );
  });
});

describe('the PostgreSQL pool settings', () => {
  it('are whole connections and seconds within bounds, the timeout given to the pool in milliseconds', () => {
    expect(parseDatabasePool({})).toEqual({});
    expect(parseDatabasePool({ size: '20', connectTimeout: '5' })).toEqual({
      max: 20,
      connectionTimeoutMillis: 5000,
    });
    expect(parseDatabasePool({ size: '1000', connectTimeout: '600' })).toEqual({
      max: 1000,
      connectionTimeoutMillis: 600_000,
    });
    for (const size of ['0', '1001', '', ' ', '2.5', '1e2', '0x10', '99999999999999999999'])
      expect(() => parseDatabasePool({ size })).toThrow(
        expect.objectContaining({ code: 'TREATY_CLI_USAGE' }),
      );
    for (const connectTimeout of ['0', '601', 'soon', '-1'])
      expect(() => parseDatabasePool({ connectTimeout })).toThrow(
        expect.objectContaining({ code: 'TREATY_CLI_USAGE' }),
      );
  });
});

describe('stopping the broker', () => {
  it('cuts a request still under way after the grace period, so stopping never waits on a client', async () => {
    const database = join(mkdtempSync(join(tmpdir(), 'treaty-stop-')), 'broker.sqlite');
    const broker = await startBroker({ port: 0, host: '127.0.0.1', database }, 100);
    // A client that announces a body of 100 bytes and sends 5: without the cut, stopping would wait
    // for Node's own timeouts (minutes).
    const socket = connect(Number(new URL(broker.url).port), '127.0.0.1');
    await new Promise((r) => socket.on('connect', r));
    const cut = new Promise((r) => socket.on('close', r));
    socket.write(
      'PUT /pacticipants/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    await new Promise((r) => setTimeout(r, 50));
    await broker.close();
    await cut;
    expect(socket.destroyed).toBe(true);
  });
});

describe('the settings behind a proxy', () => {
  it('reads the public URL and the trusted proxies from the environment', () => {
    const s = settingsFromEnv({
      TREATY_BROKER_PUBLIC_URL: 'https://broker.example.com/',
      // Only parsed into the trusted-proxy list; nothing connects to these addresses.
      TREATY_BROKER_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8',
    });
    expect(s.publicUrl).toBe('https://broker.example.com');
    expect(s.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(settingsFromEnv({}).trustProxy).toBeUndefined();
  });

  it('reads true and false for the trusted proxies', () => {
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('0')).toBe(false);
  });

  it.each(['broker.example.com', 'ftp://broker', 'https://broker/?x=1', 'https://broker/#top'])(
    'refuses the public URL %j with a usage error',
    (url) => {
      expect(() => parsePublicUrl(url)).toThrow(expect.objectContaining({ code: 'TREATY_CLI_USAGE' }));
    },
  );
});

describe('the webhook settings', () => {
  it("read the Pact Broker's allow-list variables, the retry schedule, and only TREATY_WEBHOOK_SECRET_ variables as secrets", () => {
    expect(
      webhookSettingsFromEnv({
        PACT_BROKER_WEBHOOK_SCHEME_WHITELIST: 'https http',
        // Only parsed into the host allow-list; nothing connects to these hosts or ranges.
        PACT_BROKER_WEBHOOK_HOST_WHITELIST: '*.example.com 10.0.0.0/8 /^ci-\\d+$/',
        PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST: 'POST,PUT',
        TREATY_BROKER_WEBHOOK_RETRY_SCHEDULE: '1,2',
        TREATY_WEBHOOK_SECRET_CI: 'token',
        TREATY_WEBHOOK_SECRET_EMPTY: '',
        DATABASE_URL: 'postgres://secret',
        TREATY_BROKER_TOKEN: 'broker-token',
      }),
    ).toEqual({
      schemes: ['https', 'http'],
      hosts: ['*.example.com', '10.0.0.0/8', '/^ci-\\d+$/'],
      methods: ['POST', 'PUT'],
      retrySchedule: [1, 2],
      secrets: { TREATY_WEBHOOK_SECRET_CI: 'token' },
    });
    expect(settingsFromEnv({}).webhooks).toEqual({ secrets: {} });
    expect(() => settingsFromEnv({ TREATY_BROKER_WEBHOOK_RETRY_SCHEDULE: 'x' })).toThrow(
      expect.objectContaining({ code: 'TREATY_CLI_USAGE' }),
    );
  });
});
