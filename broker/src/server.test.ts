import { describe, expect, it } from 'vitest';
import { parsePublicUrl, parseTrustProxy, settingsFromEnv } from './server.js';

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
