import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, isSecretHeader } from './redact.js';

describe('Redactor', () => {
  it('knows credential-bearing headers by name, in any case', () => {
    for (const name of [
      'Authorization',
      'proxy-authorization',
      'COOKIE',
      'Set-Cookie',
      'X-Api-Key',
      'X-Auth-Token',
      'client_secret',
      'X-Password',
      'X-AUTH',
    ])
      expect(isSecretHeader(name), name).toBe(true);
    for (const name of ['Accept', 'Content-Type', 'X-Team', 'X-Request-Id'])
      expect(isSecretHeader(name), name).toBe(false);
  });

  it('hides secret header values by name, and their values anywhere in free text', () => {
    const r = new Redactor({ headers: { Authorization: 'Bearer abc.def.ghi', 'X-Team': 'web' } });
    expect(r.headers({ Authorization: 'Bearer abc.def.ghi', 'X-Team': 'web' })).toEqual({
      Authorization: REDACTED,
      'X-Team': 'web',
    });
    expect(r.text('the provider echoed Bearer abc.def.ghi and abc.def.ghi')).toBe(
      `the provider echoed ${REDACTED} and ${REDACTED}`,
    );
    expect(r.value({ a: ['x abc.def.ghi'], n: 1 })).toEqual({ a: [`x ${REDACTED}`], n: 1 });
  });

  it('hides a basic auth password decoded, and URL passwords', () => {
    const basic = `Basic ${Buffer.from('ci:hunter22').toString('base64')}`;
    const r = new Redactor({ secrets: [basic] });
    expect(r.text('user ci:hunter22 pw hunter22')).toBe(`user ${REDACTED} pw ${REDACTED}`);
    expect(new Redactor().text('GET http://ci:pw@127.0.0.1:9/x failed')).toBe(
      `GET http://ci:${REDACTED}@127.0.0.1:9/x failed`,
    );
  });

  it('learns the secret headers a request filter added', () => {
    const r = new Redactor().with({ 'X-Api-Key': 'fresh-key-1' });
    expect(r.text('got fresh-key-1')).toBe(`got ${REDACTED}`);
  });
});
