import type { PublicationEvent, Webhook, WebhookEventName, WebhookPacticipant } from '../store/types.js';
import { encodeToken } from './metadata-token.js';

// The Pact Broker's webhook rules, as pure functions of data: which events a publication or a
// verification fires, which webhooks they trigger, which provider versions must verify a new pact, and
// the values of the template parameters.

/** The six event names, in the Pact Broker's order. */
export const WEBHOOK_EVENT_NAMES: readonly WebhookEventName[] = [
  'contract_published',
  'contract_content_changed',
  'contract_requiring_verification_published',
  'provider_verification_published',
  'provider_verification_succeeded',
  'provider_verification_failed',
];

/** A pacticipant as a webhook's scope sees it: its name and labels. */
export interface Party {
  name: string;
  labels: readonly string[];
}

function inScope(scope: WebhookPacticipant | undefined, party: Party): boolean {
  if (scope === undefined) return true;
  return 'name' in scope ? scope.name === party.name : party.labels.includes(scope.label);
}

/**
 * Whether a webhook fires for an event between a consumer and a provider: it is enabled, listens to
 * the event, and its consumer and provider are absent (any), the pacticipant by name, or one of its labels.
 * @example webhookApplies(w, 'contract_published', { name: 'web', labels: [] }, { name: 'api', labels: [] })
 */
export function webhookApplies(
  webhook: Webhook,
  event: WebhookEventName,
  consumer: Party,
  provider: Party,
): boolean {
  return (
    webhook.enabled &&
    webhook.events.includes(event) &&
    inScope(webhook.consumer, consumer) &&
    inScope(webhook.provider, provider)
  );
}

/**
 * Whether a publication changed the contract, as the Pact Broker decides it: a new revision for a consumer
 * version changed it when its content differs from the one it replaced; a first publication for a version
 * changed it when, for at least one of the version's tags (or "untagged" when it has none), the newest
 * earlier publication with that tag is missing or has other content.
 */
export function contentChanged(event: PublicationEvent): boolean {
  if (event.replacedSha !== undefined) return event.replacedSha !== event.sha;
  return event.previous.some((p) => p.sha !== event.sha);
}

/** The events a publication fires, but requiring-verification (which depends on the provider's versions). */
export function publicationEvents(event: PublicationEvent): WebhookEventName[] {
  return contentChanged(event) ? ['contract_published', 'contract_content_changed'] : ['contract_published'];
}

/** The events a verification result fires. */
export function verificationEvents(success: boolean): WebhookEventName[] {
  return [
    'provider_verification_published',
    success ? 'provider_verification_succeeded' : 'provider_verification_failed',
  ];
}

/** A provider version that may have to verify a new pact, and why. */
export interface ProviderVersionInUse {
  version: string;
  /** The branches the version is on (the last is the one used when it is not on the main branch). */
  branches: readonly string[];
  why: { mainBranch: string } | { deployedIn: string } | { releasedIn: string };
}

/** A provider version that has to verify a pact: one triggered webhook per version. */
export interface RequiredVerification {
  providerVersion: string;
  /** The main branch when the version is its head, otherwise the version's own branch ('' for none). */
  providerVersionBranch: string;
  /** Why: "latest from main branch", "deployed in production", "released in mobile". */
  descriptions: string[];
}

/**
 * The provider versions that must verify a published pact (`contract_requiring_verification_published`):
 * the head of the provider's main branch, every currently deployed version and every currently supported
 * released version, each once, except those that have verified this content already (with any result).
 */
export function requiredVerifications(
  inUse: readonly ProviderVersionInUse[],
  verified: ReadonlySet<string>,
): RequiredVerification[] {
  const out = new Map<string, RequiredVerification>();
  for (const v of inUse) {
    if (verified.has(v.version)) continue;
    const description =
      'mainBranch' in v.why
        ? 'latest from main branch'
        : 'deployedIn' in v.why
          ? `deployed in ${v.why.deployedIn}`
          : `released in ${v.why.releasedIn}`;
    const found = out.get(v.version);
    const branch = 'mainBranch' in v.why ? v.why.mainBranch : undefined;
    if (found === undefined) {
      out.set(v.version, {
        providerVersion: v.version,
        providerVersionBranch: branch ?? v.branches.at(-1) ?? '',
        descriptions: [description],
      });
    } else {
      if (!found.descriptions.includes(description)) found.descriptions.push(description);
      if (branch !== undefined) found.providerVersionBranch = branch;
    }
  }
  return [...out.values()];
}

/** The template parameters, by name without the `pactbroker.` prefix. */
const PARAMETER_NAMES = [
  'pactUrl',
  'verificationResultUrl',
  'consumerName',
  'providerName',
  'consumerVersionNumber',
  'consumerVersionTags',
  'consumerVersionBranch',
  'providerVersionNumber',
  'providerVersionTags',
  'providerVersionBranch',
  'providerVersionDescriptions',
  'consumerLabels',
  'providerLabels',
  'buildUrl',
  'eventName',
  'currentlyDeployedProviderVersionNumber',
  'githubVerificationStatus',
  'bitbucketVerificationStatus',
  'azureDevOpsVerificationStatus',
  'gitlabVerificationStatus',
] as const;

/** What the template parameters are computed from. */
export interface ParameterFacts {
  eventName: string;
  /** The broker's base URL for the links (pactUrl, verificationResultUrl). */
  baseUrl: string;
  pact?: {
    consumer: string;
    provider: string;
    consumerVersion: string;
    sha: string;
    tags: readonly string[];
    branches: readonly string[];
  };
  /** The verification the event is about, or the one that says how the pact stands. */
  verification?: {
    id: number;
    success: boolean;
    providerVersion: string;
    tags: readonly string[];
    branches: readonly string[];
  };
  consumerLabels: readonly string[];
  providerLabels: readonly string[];
  /** Values the event sets itself, which win over those read from the pact and verification. */
  context?: {
    consumerVersionTags?: readonly string[];
    consumerVersionBranch?: string;
    providerVersionNumber?: string;
    providerVersionTags?: readonly string[];
    providerVersionBranch?: string;
    providerVersionDescriptions?: readonly string[];
    buildUrl?: string;
    currentlyDeployedProviderVersionNumber?: string;
  };
}

const enc = encodeURIComponent;

/**
 * The value of every template parameter (`pactbroker.consumerName` → `web`), as the Pact Broker computes
 * them: lists joined with ", ", the CI statuses from the verification (`pending` without one), links
 * absolute from the broker's base URL; the pact link carries the consumer version so that a result
 * published through it names that version.
 */
export function webhookParameters(f: ParameterFacts): Record<string, string> {
  const { pact, verification: v, context = {} } = f;
  const pactPath =
    pact === undefined
      ? undefined
      : `${f.baseUrl}/pacts/provider/${enc(pact.provider)}/consumer/${enc(pact.consumer)}/pact-version/${pact.sha}`;
  const status = (yes: string, no: string, none: string): string =>
    v === undefined ? none : v.success ? yes : no;
  const values: Record<(typeof PARAMETER_NAMES)[number], string> = {
    pactUrl:
      pactPath === undefined
        ? ''
        : `${pactPath}/metadata/${encodeToken({ pending: false, versions: [pact?.consumerVersion ?? ''] })}`,
    verificationResultUrl:
      pactPath === undefined || v === undefined ? '' : `${pactPath}/verification-results/${v.id}`,
    consumerName: pact?.consumer ?? '',
    providerName: pact?.provider ?? '',
    consumerVersionNumber: pact?.consumerVersion ?? '',
    consumerVersionTags: (context.consumerVersionTags ?? pact?.tags ?? []).join(', '),
    consumerVersionBranch: context.consumerVersionBranch ?? pact?.branches.at(-1) ?? '',
    providerVersionNumber: context.providerVersionNumber ?? v?.providerVersion ?? '',
    providerVersionTags: (context.providerVersionTags ?? v?.tags ?? []).join(', '),
    providerVersionBranch: context.providerVersionBranch ?? v?.branches.at(-1) ?? '',
    providerVersionDescriptions: (context.providerVersionDescriptions ?? []).join(', '),
    consumerLabels: f.consumerLabels.join(', '),
    providerLabels: f.providerLabels.join(', '),
    buildUrl: context.buildUrl ?? '',
    eventName: f.eventName,
    currentlyDeployedProviderVersionNumber: context.currentlyDeployedProviderVersionNumber ?? '',
    githubVerificationStatus: status('success', 'failure', 'pending'),
    bitbucketVerificationStatus: status('SUCCESSFUL', 'FAILED', 'INPROGRESS'),
    azureDevOpsVerificationStatus: status('succeeded', 'failed', 'pending'),
    gitlabVerificationStatus: status('success', 'failed', 'pending'),
  };
  return Object.fromEntries(Object.entries(values).map(([k, value]) => [`pactbroker.${k}`, value]));
}
