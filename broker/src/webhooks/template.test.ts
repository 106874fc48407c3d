import { describe, expect, it } from 'vitest';
import type { WebhookRequestTemplate } from '../store/types.js';
import {
  MASK,
  displayDescription,
  keepMaskedSecrets,
  maskSecrets,
  maskedRequest,
  renderRequest,
  secretsNamed,
  usesParameter,
} from './template.js';

const parameters = {
  'pactbroker.consumerName': 'web app',
  'pactbroker.providerVersionBranch': 'feat/a&b',
  'pactbroker.consumerVersionTags': 'say "hi"\\ \n',
};

describe('filling a webhook request', () => {
  it('percent-encodes parameters in the URL, escapes them in a JSON body and leaves unknown ones', () => {
    const r = renderRequest(
      {
        method: 'post',
        url: 'https://ci.example/build/${pactbroker.consumerName}?branch=${pactbroker.providerVersionBranch}',
        headers: { 'X-Consumer': '${pactbroker.consumerName}' },
        body: { tags: '${pactbroker.consumerVersionTags}', other: '${pactbroker.nope}', n: 1 },
      },
      parameters,
      {},
    );
    expect(r.method).toBe('POST');
    expect(r.url).toBe('https://ci.example/build/web%20app?branch=feat%2Fa%26b');
    expect(r.headers['X-Consumer']).toBe('web app');
    expect(JSON.parse(r.body ?? '')).toEqual({ tags: 'say "hi"\\ \n', other: '${pactbroker.nope}', n: 1 });
  });

  it('puts parameters into a text body as they are', () => {
    const r = renderRequest(
      { method: 'POST', url: 'https://x/', headers: {}, body: 'consumer=${pactbroker.consumerName}' },
      parameters,
      {},
    );
    expect(r.body).toBe('consumer=web app');
  });

  it('reads secrets only from TREATY_WEBHOOK_SECRET_ variables, and lists them for masking', () => {
    const template: WebhookRequestTemplate = {
      method: 'POST',
      url: 'https://hooks.example/services/${env.TREATY_WEBHOOK_SECRET_PATH}',
      headers: { Authorization: 'Bearer ${env.TREATY_WEBHOOK_SECRET_TOKEN}', Accept: 'application/json' },
      body: { key: '${env.TREATY_WEBHOOK_SECRET_TOKEN}' },
    };
    const r = renderRequest(template, parameters, {
      TREATY_WEBHOOK_SECRET_TOKEN: 's3cr"et',
      TREATY_WEBHOOK_SECRET_PATH: 'T0/B0/XYZ',
    });
    expect(r.url).toBe('https://hooks.example/services/T0/B0/XYZ');
    expect(r.headers.Authorization).toBe('Bearer s3cr"et');
    expect(JSON.parse(r.body ?? '')).toEqual({ key: 's3cr"et' });
    expect(r.secrets).toEqual(expect.arrayContaining(['s3cr"et', 'T0/B0/XYZ', 'Bearer s3cr"et']));
    expect(secretsNamed(template)).toEqual(['TREATY_WEBHOOK_SECRET_PATH', 'TREATY_WEBHOOK_SECRET_TOKEN']);
    expect(() => renderRequest(template, parameters, { TREATY_WEBHOOK_SECRET_PATH: 'x' })).toThrow(
      expect.objectContaining({ code: 'TREATY_BROKER_WEBHOOK_SECRET_MISSING' }),
    );
    // A name outside the prefix is never read, even when the variable is there.
    expect(() =>
      renderRequest({ ...template, url: 'https://x/${env.DATABASE_URL}' }, parameters, {
        DATABASE_URL: 'postgres://secret',
        TREATY_WEBHOOK_SECRET_TOKEN: 't',
      }),
    ).toThrow(expect.objectContaining({ code: 'TREATY_BROKER_WEBHOOK_SECRET_MISSING' }));
  });

  it('sends basic auth as an Authorization header, and masks the password wherever it is logged', () => {
    const r = renderRequest(
      { method: 'POST', url: 'https://x/', headers: {}, username: 'ci', password: 'hunter2' },
      {},
      {},
    );
    expect(r.headers.Authorization).toBe(`Basic ${Buffer.from('ci:hunter2').toString('base64')}`);
    expect(maskSecrets(`sent hunter2 and ${r.headers.Authorization}`, r.secrets)).toBe(
      `sent ${MASK} and ${MASK}`,
    );
  });

  it('knows which parameters a request uses', () => {
    const t = {
      method: 'POST',
      url: 'https://x/',
      headers: {},
      body: { v: '${pactbroker.currentlyDeployedProviderVersionNumber}' },
    };
    expect(usesParameter(t, 'pactbroker.currentlyDeployedProviderVersionNumber')).toBe(true);
    expect(usesParameter(t, 'pactbroker.consumerName')).toBe(false);
  });
});

describe('showing a webhook request', () => {
  const stored: WebhookRequestTemplate = {
    method: 'POST',
    url: 'https://ci.example/build',
    headers: {
      Authorization: 'Bearer abc',
      'X-Api-Key': 'k',
      'Private-Token': '${env.TREATY_WEBHOOK_SECRET_GITLAB}',
      Accept: 'application/json',
    },
    username: 'ci',
    password: 'hunter2',
  };

  it('masks secret headers and the password, but not a value that only names a secret', () => {
    expect(maskedRequest(stored)).toEqual({
      ...stored,
      headers: {
        Authorization: MASK,
        'X-Api-Key': MASK,
        'Private-Token': '${env.TREATY_WEBHOOK_SECRET_GITLAB}',
        Accept: 'application/json',
      },
      password: MASK,
    });
    expect(maskedRequest({ ...stored, password: '${env.TREATY_WEBHOOK_SECRET_PW}' }).password).toBe(
      '${env.TREATY_WEBHOOK_SECRET_PW}',
    );
  });

  it('keeps the stored secrets when a client sends the masked ones back', () => {
    const sentBack = { ...maskedRequest(stored), url: 'https://ci.example/other' };
    expect(keepMaskedSecrets(sentBack, stored, true)).toEqual({ ...stored, url: 'https://ci.example/other' });
    const { password: _p, ...withoutPassword } = sentBack;
    expect(keepMaskedSecrets(withoutPassword, stored, false).password).toBe('hunter2');
    expect(keepMaskedSecrets({ ...sentBack, password: 'new' }, stored, true).password).toBe('new');
  });

  it('describes a webhook without a description by its request', () => {
    expect(displayDescription({ request: { ...stored, url: 'https://${pactbroker.nope}.example/x' } })).toBe(
      'POST placeholder.example',
    );
    expect(displayDescription({ request: stored, description: 'Tell CI' })).toBe('Tell CI');
  });
});
