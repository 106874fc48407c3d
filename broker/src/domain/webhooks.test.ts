import { describe, expect, it } from 'vitest';
import type { PublicationEvent, Webhook } from '../store/types.js';
import { decodeToken } from './metadata-token.js';
import {
  contentChanged,
  publicationEvents,
  requiredVerifications,
  verificationEvents,
  webhookApplies,
  webhookParameters,
} from './webhooks.js';

const publication = (over: Partial<PublicationEvent>): PublicationEvent => ({
  type: 'contract_published',
  consumer: 'web',
  consumerVersion: '2',
  provider: 'orders',
  sha: 'b',
  tags: [],
  branches: [],
  previous: [],
  context: {},
  ...over,
});

describe('which events a publication fires', () => {
  it('changed content: the first for a tag, or other content than the last with the tag', () => {
    expect(contentChanged(publication({ previous: [{ tag: null, sha: null }] }))).toBe(true);
    expect(contentChanged(publication({ previous: [{ tag: null, sha: 'b' }] }))).toBe(false);
    expect(contentChanged(publication({ previous: [{ tag: null, sha: 'a' }] }))).toBe(true);
    // One tag whose last publication differs is enough.
    expect(
      contentChanged(
        publication({
          tags: ['prod', 'dev'],
          previous: [
            { tag: 'prod', sha: 'b' },
            { tag: 'dev', sha: 'a' },
          ],
        }),
      ),
    ).toBe(true);
    expect(
      contentChanged(
        publication({
          tags: ['prod', 'dev'],
          previous: [
            { tag: 'prod', sha: 'b' },
            { tag: 'dev', sha: 'b' },
          ],
        }),
      ),
    ).toBe(false);
  });

  it('a new revision for a consumer version changed the content only when it differs from the one replaced', () => {
    expect(contentChanged(publication({ replacedSha: 'a' }))).toBe(true);
    expect(contentChanged(publication({ replacedSha: 'b' }))).toBe(false);
    expect(publicationEvents(publication({ replacedSha: 'b' }))).toEqual(['contract_published']);
    expect(publicationEvents(publication({ replacedSha: 'a' }))).toEqual([
      'contract_published',
      'contract_content_changed',
    ]);
  });

  it('a verification fires published, and succeeded or failed', () => {
    expect(verificationEvents(true)).toEqual([
      'provider_verification_published',
      'provider_verification_succeeded',
    ]);
    expect(verificationEvents(false)).toEqual([
      'provider_verification_published',
      'provider_verification_failed',
    ]);
  });
});

describe('which provider versions must verify a new pact', () => {
  it('each of main head, deployed and released once, with every reason, except those that verified it', () => {
    const required = requiredVerifications(
      [
        { version: '3', branches: ['main'], why: { mainBranch: 'main' } },
        { version: '2', branches: ['release-2'], why: { deployedIn: 'production' } },
        { version: '2', branches: ['release-2'], why: { releasedIn: 'mobile' } },
        { version: '3', branches: ['main'], why: { deployedIn: 'staging' } },
        { version: '1', branches: ['a', 'b'], why: { releasedIn: 'mobile' } },
        { version: '0', branches: [], why: { deployedIn: 'test' } },
      ],
      new Set(['1']),
    );
    expect(required).toEqual([
      {
        providerVersion: '3',
        providerVersionBranch: 'main',
        descriptions: ['latest from main branch', 'deployed in staging'],
      },
      {
        providerVersion: '2',
        providerVersionBranch: 'release-2',
        descriptions: ['deployed in production', 'released in mobile'],
      },
      { providerVersion: '0', providerVersionBranch: '', descriptions: ['deployed in test'] },
    ]);
    expect(requiredVerifications([], new Set())).toEqual([]);
  });
});

describe('which webhooks an event triggers', () => {
  const webhook = (over: Partial<Webhook>): Webhook => ({
    uuid: 'u'.repeat(16),
    events: ['contract_published'],
    request: { method: 'POST', url: 'https://x/', headers: {} },
    enabled: true,
    createdAt: '',
    ...over,
  });
  const web = { name: 'web', labels: ['frontend'] };
  const orders = { name: 'orders', labels: ['team-a'] };

  it('by event, enabled, and consumer and provider by name, by label or any', () => {
    expect(webhookApplies(webhook({}), 'contract_published', web, orders)).toBe(true);
    expect(webhookApplies(webhook({}), 'contract_content_changed', web, orders)).toBe(false);
    expect(webhookApplies(webhook({ enabled: false }), 'contract_published', web, orders)).toBe(false);
    expect(webhookApplies(webhook({ provider: { name: 'orders' } }), 'contract_published', web, orders)).toBe(
      true,
    );
    expect(
      webhookApplies(webhook({ provider: { name: 'billing' } }), 'contract_published', web, orders),
    ).toBe(false);
    expect(
      webhookApplies(webhook({ provider: { label: 'team-a' } }), 'contract_published', web, orders),
    ).toBe(true);
    expect(
      webhookApplies(webhook({ consumer: { label: 'team-a' } }), 'contract_published', web, orders),
    ).toBe(false);
    expect(
      webhookApplies(
        webhook({ consumer: { label: 'frontend' }, provider: { name: 'orders' } }),
        'contract_published',
        web,
        orders,
      ),
    ).toBe(true);
  });
});

describe('the template parameters', () => {
  const facts = {
    eventName: 'provider_verification_failed',
    baseUrl: 'https://broker.example',
    pact: {
      consumer: 'web app',
      provider: 'orders',
      consumerVersion: '1.0.0',
      sha: 'abc',
      tags: ['prod', 'eu'],
      branches: ['main'],
    },
    verification: { id: 7, success: false, providerVersion: '9', tags: ['dev'], branches: ['feat', 'main'] },
    consumerLabels: ['frontend'],
    providerLabels: [],
    context: { buildUrl: 'https://ci/9' },
  };

  it('come from the pact, the verification and the event, with links from the base URL', () => {
    const p = webhookParameters(facts);
    expect(p).toMatchObject({
      'pactbroker.consumerName': 'web app',
      'pactbroker.providerName': 'orders',
      'pactbroker.consumerVersionNumber': '1.0.0',
      'pactbroker.consumerVersionTags': 'prod, eu',
      'pactbroker.consumerVersionBranch': 'main',
      'pactbroker.providerVersionNumber': '9',
      'pactbroker.providerVersionTags': 'dev',
      'pactbroker.providerVersionBranch': 'main',
      'pactbroker.consumerLabels': 'frontend',
      'pactbroker.providerLabels': '',
      'pactbroker.buildUrl': 'https://ci/9',
      'pactbroker.eventName': 'provider_verification_failed',
      'pactbroker.verificationResultUrl':
        'https://broker.example/pacts/provider/orders/consumer/web%20app/pact-version/abc/verification-results/7',
      'pactbroker.githubVerificationStatus': 'failure',
      'pactbroker.bitbucketVerificationStatus': 'FAILED',
      'pactbroker.azureDevOpsVerificationStatus': 'failed',
      'pactbroker.gitlabVerificationStatus': 'failed',
      'pactbroker.currentlyDeployedProviderVersionNumber': '',
    });
    expect(Object.keys(p)).toHaveLength(20);
    // The pact link names the consumer version, so a result published through it is traced to it.
    const url = p['pactbroker.pactUrl'] ?? '';
    expect(
      url.startsWith(
        'https://broker.example/pacts/provider/orders/consumer/web%20app/pact-version/abc/metadata/',
      ),
    ).toBe(true);
    expect(decodeToken(url.split('/').pop() ?? '').versions).toEqual(['1.0.0']);
  });

  it('say pending without a verification, and take what the event sets over the rest', () => {
    const { verification: _v, ...noVerification } = facts;
    const p = webhookParameters({
      ...noVerification,
      context: {
        providerVersionNumber: '3',
        providerVersionBranch: 'main',
        providerVersionDescriptions: ['latest from main branch', 'deployed in prod'],
      },
    });
    expect(p).toMatchObject({
      'pactbroker.githubVerificationStatus': 'pending',
      'pactbroker.bitbucketVerificationStatus': 'INPROGRESS',
      'pactbroker.azureDevOpsVerificationStatus': 'pending',
      'pactbroker.gitlabVerificationStatus': 'pending',
      'pactbroker.verificationResultUrl': '',
      'pactbroker.providerVersionNumber': '3',
      'pactbroker.providerVersionBranch': 'main',
      'pactbroker.providerVersionDescriptions': 'latest from main branch, deployed in prod',
    });
    expect(
      webhookParameters({ ...facts, verification: { ...facts.verification, success: true } })[
        'pactbroker.githubVerificationStatus'
      ],
    ).toBe('success');
  });
});
