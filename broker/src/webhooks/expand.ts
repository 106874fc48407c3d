import { randomUUID } from 'node:crypto';
import {
  type ParameterFacts,
  type Party,
  type ProviderVersionInUse,
  type RequiredVerification,
  publicationEvents,
  requiredVerifications,
  verificationEvents,
  webhookApplies,
  webhookParameters,
} from '../domain/webhooks.js';
import type {
  NewTriggeredWebhook,
  OutboxEvent,
  PactPublication,
  PublicationEvent,
  Store,
  VerificationEvent,
  Webhook,
  WebhookEventName,
} from '../store/types.js';
import { usesParameter } from './template.js';

// Turns an outbox event into the webhooks it triggers, with their template parameters as they are when
// the event is expanded (right after its transaction). The store is read; the rules are domain/webhooks.ts.

type Facts = Omit<ParameterFacts, 'eventName' | 'context'>;

/** The provider's versions that may have to verify a new pact: main branch head, deployed, released. */
async function providerVersionsInUse(store: Store, provider: string): Promise<ProviderVersionInUse[]> {
  const out: ProviderVersionInUse[] = [];
  const branchesOf = async (version: string): Promise<string[]> =>
    (await store.getVersion(provider, version))?.branches ?? [];
  const main = (await store.getPacticipant(provider))?.mainBranch;
  const head = main === undefined ? undefined : await store.latestVersion(provider, { branch: main });
  if (main !== undefined && head !== undefined)
    out.push({ version: head.number, branches: head.branches, why: { mainBranch: main } });
  for (const env of await store.listEnvironments()) {
    for (const d of await store.currentlyDeployed(env.uuid, { pacticipant: provider }))
      out.push({ version: d.version, branches: await branchesOf(d.version), why: { deployedIn: env.name } });
    for (const r of await store.currentlySupported(env.uuid, { pacticipant: provider }))
      out.push({ version: r.version, branches: await branchesOf(r.version), why: { releasedIn: env.name } });
  }
  return out;
}

/** The provider versions that must still verify a publication's content (each once). */
async function requiredFor(store: Store, e: PublicationEvent): Promise<RequiredVerification[]> {
  const inUse = await providerVersionsInUse(store, e.provider);
  const verified = new Set<string>();
  for (const v of new Set(inUse.map((u) => u.version)))
    if ((await store.latestVerification(e.consumer, e.provider, e.sha, v)) !== undefined) verified.add(v);
  return requiredVerifications(inUse, verified);
}

/** A verification as the parameters see it: with its provider version's tags and branches. */
async function verificationFacts(
  store: Store,
  v: { id: number; success: boolean; provider: string; providerVersion: string },
): Promise<NonNullable<ParameterFacts['verification']>> {
  const version = await store.getVersion(v.provider, v.providerVersion);
  return {
    id: v.id,
    success: v.success,
    providerVersion: v.providerVersion,
    tags: version?.tags ?? [],
    branches: version?.branches ?? [],
  };
}

/**
 * The verification that says how a pact stands, as the Pact Broker picks it for publication events: the
 * newest by a version on the provider's main branch, else the newest of all.
 */
async function standingVerification(
  store: Store,
  consumer: string,
  provider: string,
  sha: string,
  mainBranchFirst: boolean,
): Promise<ParameterFacts['verification']> {
  const all = await store.verificationsFor(consumer, provider, sha);
  const main = mainBranchFirst ? (await store.getPacticipant(provider))?.mainBranch : undefined;
  for (const v of main === undefined ? [] : all) {
    const facts = await verificationFacts(store, v);
    if (facts.branches.includes(main as string)) return facts;
  }
  return all[0] === undefined ? undefined : verificationFacts(store, all[0]);
}

/** One triggered webhook per currently deployed provider version, for a webhook that names that parameter. */
async function deployedVersions(store: Store, provider: string): Promise<string[]> {
  const versions = new Set<string>();
  for (const env of await store.listEnvironments())
    for (const d of await store.currentlyDeployed(env.uuid, { pacticipant: provider }))
      versions.add(d.version);
  return [...versions];
}

/** A variant of one triggered webhook: its key among the event's, and the values it sets itself. */
interface Variant {
  key: string;
  context: NonNullable<ParameterFacts['context']>;
}

async function withDeployedVersions(store: Store, webhook: Webhook, provider: string, variants: Variant[]) {
  if (!usesParameter(webhook.request, 'pactbroker.currentlyDeployedProviderVersionNumber')) return variants;
  // One per deployed version (the Pact Broker's expansion); when nothing is deployed, one with the value
  // empty (the Pact Broker would send none, which surprises a webhook that only mentions the parameter).
  const deployed = await deployedVersions(store, provider);
  if (deployed.length === 0) return variants;
  return variants.flatMap((v) =>
    deployed.map((d) => ({
      key: `${v.key}|deployed:${d}`,
      context: { ...v.context, currentlyDeployedProviderVersionNumber: d },
    })),
  );
}

/** Whom an event is between, with their labels. */
async function parties(store: Store, consumer: string, provider: string): Promise<[Party, Party]> {
  return [
    { name: consumer, labels: await store.labelsOf(consumer) },
    { name: provider, labels: await store.labelsOf(provider) },
  ];
}

/**
 * The webhooks an outbox event triggers, each with its parameters, of the webhooks defined (`defined`:
 * the store's list, read once for a batch of events); `publicUrl` stands in for the base URL when the
 * event did not come with one.
 */
export async function triggeredBy(
  store: Store,
  event: OutboxEvent,
  defined: Webhook[],
  publicUrl?: string,
): Promise<NewTriggeredWebhook[]> {
  // A webhook fires for what happens after it was made, even when the event is expanded later.
  const webhooks = defined.filter((w) => w.enabled && w.createdAt <= event.createdAt);
  if (webhooks.length === 0) return [];
  const [consumer, provider] = await parties(store, event.consumer, event.provider);
  const baseUrl = event.context.baseUrl ?? publicUrl ?? '';
  const firing = (name: WebhookEventName): Webhook[] =>
    webhooks.filter((w) => webhookApplies(w, name, consumer, provider));
  const out: NewTriggeredWebhook[] = [];
  const add = async (
    name: WebhookEventName,
    facts: Facts,
    variants: Variant[],
    of: { consumerVersion?: string; verificationId?: number },
  ): Promise<void> => {
    for (const webhook of firing(name))
      for (const v of await withDeployedVersions(store, webhook, event.provider, variants))
        out.push({
          uuid: randomUUID(),
          webhookUuid: webhook.uuid,
          eventName: name,
          key: v.key,
          parameters: webhookParameters({ ...facts, eventName: name, context: v.context }),
          consumer: event.consumer,
          provider: event.provider,
          ...of,
        });
  };
  const labels = { consumerLabels: consumer.labels, providerLabels: provider.labels };
  if (event.type === 'contract_published') {
    const pact = {
      consumer: event.consumer,
      provider: event.provider,
      consumerVersion: event.consumerVersion,
      sha: event.sha,
      tags: event.tags,
      branches: event.branches,
    };
    const context = {
      consumerVersionTags: event.tags,
      ...(event.context.branch === undefined ? {} : { consumerVersionBranch: event.context.branch }),
      ...(event.context.buildUrl === undefined ? {} : { buildUrl: event.context.buildUrl }),
    };
    const of = { consumerVersion: event.consumerVersion };
    const names = publicationEvents(event);
    if (names.some((n) => firing(n).length > 0)) {
      const verification = await standingVerification(store, event.consumer, event.provider, event.sha, true);
      const facts: Facts = {
        baseUrl,
        pact,
        ...labels,
        ...(verification === undefined ? {} : { verification }),
      };
      for (const name of names) await add(name, facts, [{ key: '', context }], of);
    }
    if (firing('contract_requiring_verification_published').length > 0) {
      const required = await requiredFor(store, event);
      const verification = await standingVerification(
        store,
        event.consumer,
        event.provider,
        event.sha,
        false,
      );
      const facts: Facts = {
        baseUrl,
        pact,
        ...labels,
        ...(verification === undefined ? {} : { verification }),
      };
      const variants: Variant[] = [];
      for (const r of required)
        variants.push({
          key: r.providerVersion,
          context: {
            ...context,
            providerVersionNumber: r.providerVersion,
            providerVersionBranch: r.providerVersionBranch,
            providerVersionDescriptions: r.descriptions,
            providerVersionTags: (await store.getVersion(event.provider, r.providerVersion))?.tags ?? [],
          },
        });
      await add('contract_requiring_verification_published', facts, variants, of);
    }
    return out;
  }
  await verificationTriggers(store, event, { baseUrl, ...labels }, add);
  return out;
}

/**
 * A verification fires once per consumer version its pact link named (pacts for verification), or once for
 * the newest consumer version with the content.
 */
async function verificationTriggers(
  store: Store,
  event: VerificationEvent,
  base: Omit<Facts, 'pact' | 'verification'>,
  add: (
    name: WebhookEventName,
    facts: Facts,
    variants: Variant[],
    of: { consumerVersion?: string; verificationId?: number },
  ) => Promise<void>,
): Promise<void> {
  const pacts: PactPublication[] = [];
  for (const cv of event.context.consumerVersions ?? []) {
    const p = await store.getPact(event.consumer, cv, event.provider);
    if (p !== undefined && p.sha === event.sha && !pacts.some((x) => x.consumerVersion === cv)) pacts.push(p);
  }
  if (pacts.length === 0) {
    const p = await store.getPactBySha(event.consumer, event.provider, event.sha);
    if (p !== undefined) pacts.push(p);
  }
  const verification = await verificationFacts(store, {
    id: event.verificationId,
    success: event.success,
    provider: event.provider,
    providerVersion: event.providerVersion,
  });
  for (const p of pacts) {
    const version = await store.getVersion(p.consumer, p.consumerVersion);
    const facts: Facts = {
      ...base,
      pact: { ...p, tags: version?.tags ?? [], branches: version?.branches ?? [] },
      verification,
    };
    const context = event.context.buildUrl === undefined ? {} : { buildUrl: event.context.buildUrl };
    for (const name of verificationEvents(event.success))
      await add(name, facts, [{ key: p.consumerVersion, context }], {
        consumerVersion: p.consumerVersion,
        verificationId: event.verificationId,
      });
  }
}

/** Placeholders for a test run with no pact to use, as the Pact Broker's. */
const PLACEHOLDER = {
  consumer: 'placeholder-consumer',
  provider: 'placeholder-provider',
  consumerVersion: 'gggghhhhjjjjkkkkllll66667777888899990000',
  sha: '5d445a4612743728dfd99ccd4210423c052bb9db',
  tags: ['dev'],
  branches: ['main'],
};

/**
 * The parameters for a test run of a webhook (`…/execute`): the newest pact it could fire for (and, for a
 * webhook on verification events, that pact's newest verification), or placeholders; event name `test`.
 */
export async function testParameters(
  store: Store,
  webhook: Pick<Webhook, 'consumer' | 'provider' | 'events'>,
  baseUrl: string,
): Promise<Record<string, string>> {
  const matching = (spec: Webhook['consumer'], names: string[], labels: Map<string, string[]>): string[] =>
    spec === undefined
      ? names
      : 'name' in spec
        ? names.filter((n) => n === spec.name)
        : names.filter((n) => labels.get(n)?.includes(spec.label) === true);
  const names = (await store.listPacticipants()).map((p) => p.name);
  const labels = new Map<string, string[]>();
  for (const n of names) labels.set(n, await store.labelsOf(n));
  let newest: PactPublication | undefined;
  for (const provider of matching(webhook.provider, names, labels))
    for (const consumer of matching(webhook.consumer, await store.consumersOf(provider), labels)) {
      const p = await store.latestPact(consumer, provider);
      if (p !== undefined && (newest === undefined || p.createdAt > newest.createdAt)) newest = p;
    }
  const onVerification = webhook.events.some((e) => e.startsWith('provider_verification'));
  if (newest === undefined)
    return webhookParameters({
      eventName: 'test',
      baseUrl,
      pact: PLACEHOLDER,
      consumerLabels: [],
      providerLabels: [],
    });
  const version = await store.getVersion(newest.consumer, newest.consumerVersion);
  const verification = onVerification
    ? await standingVerification(store, newest.consumer, newest.provider, newest.sha, false)
    : undefined;
  return webhookParameters({
    eventName: 'test',
    baseUrl,
    pact: { ...newest, tags: version?.tags ?? [], branches: version?.branches ?? [] },
    ...(verification === undefined ? {} : { verification }),
    consumerLabels: labels.get(newest.consumer) ?? [],
    providerLabels: labels.get(newest.provider) ?? [],
  });
}
