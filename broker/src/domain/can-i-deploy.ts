import type { PactPublication, Store, Verification } from '../store/types.js';

/** Which versions of the other pacticipants the decision is made against. */
export type Target = { environment: string; environmentUuid: string } | { latest: true; tag?: string } | { mainBranch: true };

/** One pair of versions that has (or lacks) a verification. */
export interface MatrixRow {
  consumer: string;
  consumerVersion: string;
  provider: string;
  providerVersion: string | null;
  pact: PactPublication;
  verification: Verification | null;
}

/** The answer, with every row considered and a reason for each blocking pair. */
export interface Decision {
  deployable: boolean | null;
  rows: MatrixRow[];
  reasons: Array<{ type: 'success' | 'warning' | 'error' | 'info'; text: string }>;
  success: number;
  failed: number;
  unknown: number;
}

function describeTarget(t: Target): string {
  if ('environment' in t) return `currently in ${t.environment}`;
  if ('mainBranch' in t) return 'the latest from its main branch';
  return t.tag === undefined ? 'the latest' : `the latest with tag ${t.tag}`;
}

async function counterpartVersions(store: Store, pacticipant: string, t: Target): Promise<string[]> {
  if ('environment' in t) {
    const deployed = (await store.currentlyDeployed(t.environmentUuid, { pacticipant })).map((d) => d.version);
    const released = (await store.currentlySupported(t.environmentUuid, { pacticipant })).map((r) => r.version);
    return [...new Set([...deployed, ...released])];
  }
  if ('mainBranch' in t) {
    const main = (await store.getPacticipant(pacticipant))?.mainBranch;
    const v = main === undefined ? undefined : await store.latestVersion(pacticipant, { branch: main });
    return v === undefined ? [] : [v.number];
  }
  const v = await store.latestVersion(pacticipant, t.tag === undefined ? {} : { tag: t.tag });
  return v === undefined ? [] : [v.number];
}

/**
 * Can `pacticipant` at `version` be deployed where `target` says? Checks both directions: every
 * provider it needs must have verified its pacts in each of that provider's versions there (all
 * of them, not only the newest — a provider can run several versions at once), and every consumer
 * version there that has a pact with it must be verified by this version. Unknown beats failed, as
 * in Pact's rules: one missing result makes the answer "unknown" (null).
 */
export async function canIDeploy(store: Store, pacticipant: string, version: string, target: Target, verifyHint: (provider: string, providerVersion: string) => string): Promise<Decision> {
  const rows: MatrixRow[] = [];
  const reasons: Decision['reasons'] = [];
  let unknown = 0;
  const where = describeTarget(target);
  if ((await store.getVersion(pacticipant, version)) === undefined) {
    return { deployable: false, rows, reasons: [{ type: 'error', text: `There is no version ${version} of ${pacticipant}. Publish it (or record it) before asking.` }], success: 0, failed: 0, unknown: 0 };
  }
  // As a consumer: its providers, in the versions the target names, must have verified its pacts.
  for (const pact of await store.pactsOfConsumerVersion(pacticipant, version)) {
    const versions = await counterpartVersions(store, pact.provider, target);
    if (versions.length === 0) {
      unknown++;
      rows.push({ consumer: pacticipant, consumerVersion: version, provider: pact.provider, providerVersion: null, pact, verification: null });
      reasons.push({ type: 'error', text: `${pacticipant} ${version} needs ${pact.provider}, but no version of ${pact.provider} is ${where}. Deploy ${pact.provider} first, or record its deployment.` });
      continue;
    }
    for (const pv of versions) {
      const v = (await store.latestVerification(pacticipant, pact.provider, pact.sha, pv)) ?? null;
      rows.push({ consumer: pacticipant, consumerVersion: version, provider: pact.provider, providerVersion: pv, pact, verification: v });
      if (v === null) reasons.push({ type: 'error', text: `${pact.provider} ${pv} (${where}) has not verified the pact of ${pacticipant} ${version}. Run: ${verifyHint(pact.provider, pv)}` });
      else if (!v.success) reasons.push({ type: 'error', text: `${pact.provider} ${pv} (${where}) failed to verify the pact of ${pacticipant} ${version}. Fix the provider or the consumer's expectations, then verify again.` });
    }
  }
  // As a provider: consumer versions there that depend on it must be verified by this version.
  for (const consumer of await store.consumersOf(pacticipant)) {
    if (consumer === pacticipant) continue;
    for (const cv of await counterpartVersions(store, consumer, target)) {
      const pact = await store.getPact(consumer, cv, pacticipant);
      if (pact === undefined) continue;
      const v = (await store.latestVerification(consumer, pacticipant, pact.sha, version)) ?? null;
      rows.push({ consumer, consumerVersion: cv, provider: pacticipant, providerVersion: version, pact, verification: v });
      if (v === null) reasons.push({ type: 'error', text: `${pacticipant} ${version} has not verified the pact of ${consumer} ${cv} (${where}). Run: ${verifyHint(pacticipant, version)}` });
      else if (!v.success) reasons.push({ type: 'error', text: `${pacticipant} ${version} fails the pact of ${consumer} ${cv} (${where}): deploying it would break ${consumer}.` });
    }
  }
  const success = rows.filter((r) => r.verification?.success === true).length;
  const failed = rows.filter((r) => r.verification !== null && !r.verification.success).length;
  unknown += rows.filter((r) => r.verification === null && r.providerVersion !== null).length;
  const deployable = unknown > 0 ? null : failed > 0 ? false : true;
  if (deployable === true) reasons.unshift({ type: 'success', text: rows.length === 0 ? `${pacticipant} ${version} has no integrations that need checking ${where}.` : `All required verification results are published and successful.` });
  return { deployable, rows, reasons, success, failed, unknown };
}
