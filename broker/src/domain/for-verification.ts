import { TreatyError } from '@treaty/core';
import type {
  CandidateKind,
  CandidateRequest,
  PactRef,
  SuccessfulVerification,
  VerificationCandidates,
} from '../store/types.js';
import { isPending } from './pending.js';
import { selectorLabel, type ConsumerVersionSelector } from './selectors.js';

/*
 * Pacts for verification, pure: which candidates to load for the selectors (`candidateRequest`),
 * which pacts the selectors choose from them (`selectPacts`), the work-in-progress pacts
 * (`wipCandidates`), and, from their successful verifications, which are pending (`pendingStatus`).
 */

/** What the store must find for these selectors (the defaults when none are given), and for WIP pacts. */
export function candidateRequest(
  selectors: ConsumerVersionSelector[] | undefined,
  providerBranch: string | undefined,
  wip: boolean,
): CandidateRequest {
  const branches: string[] = [];
  const latestTags: string[] = [];
  const tags: string[] = [];
  const wanted: CandidateRequest = {
    branches,
    latestTags,
    tags,
    ...(wip ? { allBranches: true } : {}),
    ...(providerBranch === undefined ? {} : { providerBranch }),
  };
  // The defaults: each consumer's main branch head, or its latest pact; and what is deployed or released.
  if (selectors === undefined) return { ...wanted, latest: true, mainBranches: true, environments: true };
  for (const s of selectors) {
    if (s.mainBranch === true) wanted.mainBranches = true;
    else if (typeof s.branch === 'string') branches.push(s.branch);
    else if (s.tag !== undefined) (s.latest === true ? latestTags : tags).push(s.tag);
    else if (s.latest === true) wanted.latest = true;
    else wanted.environments = true;
    if (s.fallbackTag !== undefined) latestTags.push(s.fallbackTag);
  }
  return wanted;
}

/**
 * Default selectors: each consumer's main branch head where its main branch has a version, else its
 * latest pact; plus what is deployed or released.
 */
export function defaultSelectors(candidates: VerificationCandidates): ConsumerVersionSelector[] {
  return [
    ...candidates.consumers.map((c) =>
      c.mainBranch !== undefined && c.mainBranchHasVersions
        ? { mainBranch: true, consumer: c.name }
        : { latest: true, consumer: c.name },
    ),
    { deployed: true },
    { released: true },
  ];
}

/** The candidates by kind, key and consumer, in the store's order. */
function byKind(
  candidates: VerificationCandidates,
): (kind: CandidateKind, key: string | undefined, consumer: string) => PactRef[] {
  const index = new Map<string, PactRef[]>();
  for (const c of candidates.pacts) {
    const key = JSON.stringify([c.kind, c.key ?? null, c.pact.consumer]);
    index.set(key, [...(index.get(key) ?? []), c.pact]);
  }
  return (kind, key, consumer) => index.get(JSON.stringify([kind, key ?? null, consumer])) ?? [];
}

/** A pact a selector chose, with how the selector describes it. */
interface Selected {
  publication: PactRef;
  labels: string[];
}

function resolveSelector(
  s: ConsumerVersionSelector,
  candidates: VerificationCandidates,
  found: ReturnType<typeof byKind>,
): Selected[] {
  const out: Selected[] = [];
  const label = [selectorLabel(s)];
  const targets =
    s.consumer === undefined
      ? candidates.consumers
      : candidates.consumers.filter((c) => c.name === s.consumer);
  const each = (pacts: PactRef[], labels: string[]) => {
    for (const p of pacts) out.push({ publication: p, labels });
  };
  for (const consumer of targets) {
    const name = consumer.name;
    if (s.mainBranch === true) {
      if (consumer.mainBranch !== undefined) each(found('branch', consumer.mainBranch, name), label);
    } else if (typeof s.branch === 'string') each(found('branch', s.branch, name), label);
    else if (s.tag !== undefined) each(found(s.latest === true ? 'tag' : 'tagged', s.tag, name), label);
    else if (s.latest === true) each(found('latest', undefined, name), label);
    else {
      // deployed / released / deployedOrReleased / environment: the consumer versions live there.
      const environments =
        s.environment === undefined
          ? candidates.environments
          : candidates.environments.filter((e) => e === s.environment);
      if (s.environment !== undefined && environments.length === 0)
        throw new TreatyError(
          'TREATY_BROKER_BAD_REQUEST',
          `There is no environment named '${s.environment}'.`,
        );
      for (const env of environments) {
        if (s.released !== true) each(found('deployed', env, name), [`deployed to ${env}`]);
        if (s.deployed !== true) each(found('released', env, name), [`released in ${env}`]);
      }
    }
  }
  if (out.length === 0 && s.fallbackTag !== undefined)
    for (const consumer of targets)
      each(found('tag', s.fallbackTag, consumer.name), [selectorLabel(s, true)]);
  return out;
}

/** One pact to verify: a distinct content of a consumer, shown as its newest consumer version. */
export interface SelectedPact {
  publication: PactRef;
  /** How the selectors that chose it describe it. */
  labels: string[];
  /** Every consumer version the selectors chose it for. */
  versions: string[];
}

/**
 * The pacts the selectors choose, one per distinct content per consumer, by consumer name
 * (case-insensitively), then oldest first. An environment selector naming an environment that does
 * not exist is refused (TREATY_BROKER_BAD_REQUEST).
 */
export function selectPacts(
  selectors: ConsumerVersionSelector[],
  candidates: VerificationCandidates,
): SelectedPact[] {
  const found = byKind(candidates);
  const merged = new Map<string, { publication: PactRef; labels: string[]; versions: Set<string> }>();
  for (const s of selectors) {
    for (const hit of resolveSelector(s, candidates, found)) {
      const key = `${hit.publication.consumer}\u0000${hit.publication.sha}`;
      const entry = merged.get(key);
      if (entry === undefined)
        merged.set(key, {
          publication: hit.publication,
          labels: [...hit.labels],
          versions: new Set([hit.publication.consumerVersion]),
        });
      else {
        for (const l of hit.labels) if (!entry.labels.includes(l)) entry.labels.push(l);
        entry.versions.add(hit.publication.consumerVersion);
        if (hit.publication.createdAt > entry.publication.createdAt) entry.publication = hit.publication;
      }
    }
  }
  return [...merged.values()]
    .map((e) => ({ publication: e.publication, labels: e.labels, versions: [...e.versions] }))
    .sort(
      (x, y) =>
        x.publication.consumer.toLowerCase().localeCompare(y.publication.consumer.toLowerCase()) ||
        x.publication.createdAt.localeCompare(y.publication.createdAt),
    );
}

/** A work-in-progress candidate: the head of a consumer branch. */
export interface WipCandidate {
  pact: PactRef;
  branch: string;
}

/**
 * Work in progress: the pacts at the head of a consumer branch published after `since` (a time in
 * milliseconds) that no selector chose, each content once; `pendingStatus` keeps those the provider
 * branch has not verified outside WIP mode.
 */
export function wipCandidates(
  candidates: VerificationCandidates,
  selected: SelectedPact[],
  since: number,
): WipCandidate[] {
  const taken = new Set(selected.map((e) => `${e.publication.consumer}\u0000${e.publication.sha}`));
  const out: WipCandidate[] = [];
  for (const consumer of candidates.consumers) {
    for (const c of candidates.pacts) {
      if (c.kind !== 'branch' || c.key === undefined || c.pact.consumer !== consumer.name) continue;
      const key = `${c.pact.consumer}\u0000${c.pact.sha}`;
      if (Date.parse(c.pact.createdAt) <= since || taken.has(key)) continue;
      taken.add(key);
      out.push({ pact: c.pact, branch: c.key });
    }
  }
  return out;
}

/** The contents whose successful verifications decide pending status, each once. */
export function pendingContents(
  selected: SelectedPact[],
  wip: WipCandidate[],
): Array<{ consumer: string; sha: string }> {
  const out = new Map<string, { consumer: string; sha: string }>();
  for (const p of [...selected.map((e) => e.publication), ...wip.map((w) => w.pact)])
    out.set(`${p.consumer}\u0000${p.sha}`, { consumer: p.consumer, sha: p.sha });
  return [...out.values()];
}

/**
 * Whether each selected pact is pending for the provider branch, and which WIP candidates stay: those
 * still pending when results made in WIP mode are left out (a WIP result does not make a pact
 * verified for the branch). `successes` answers `pendingContents`, in its order.
 */
export function pendingStatus(
  selected: SelectedPact[],
  wip: WipCandidate[],
  contents: Array<{ consumer: string; sha: string }>,
  successes: SuccessfulVerification[][],
  providerBranch: string | undefined,
  branchCreatedAt: string | undefined,
): { pending: boolean[]; wip: WipCandidate[] } {
  const of = new Map(contents.map((c, i) => [`${c.consumer}\u0000${c.sha}`, successes[i] ?? []]));
  const successesOf = (p: PactRef) => of.get(`${p.consumer}\u0000${p.sha}`) ?? [];
  return {
    pending: selected.map((e) => isPending(successesOf(e.publication), providerBranch, branchCreatedAt)),
    wip: wip.filter((w) =>
      isPending(
        successesOf(w.pact).filter((s) => !s.wip),
        providerBranch,
        branchCreatedAt,
      ),
    ),
  };
}
