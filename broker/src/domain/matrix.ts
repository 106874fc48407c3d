import type {
  MatrixFacts,
  MatrixFactsRequest,
  PactRef,
  Verification,
  VersionPair,
  VersionRef,
  VersionSelector,
} from '../store/types.js';
import { documentId, documentName } from './document-comparison.js';
import { failureInWords, firstFailure, type FirstFailure } from './test-results.js';

/*
 * The matrix's rules, pure: they take what the store found and give the next question or the answer.
 * The loader (loaders/matrix.ts) asks the store in a few bulk reads, in this order: the versions the
 * selectors name (`versionSelectors` → `resolveSpecified`), what those versions are integrated with,
 * the versions of the other side (`counterpartSelectors` → `planRows`), the pacts and verifications
 * of every pair (`gatherRows`); it compares on demand where an OpenAPI document can answer, then
 * `decide` gives the answer.
 */

/** One `q[]` selector: a pacticipant and which of its versions. */
export interface MatrixSelector {
  pacticipant: string;
  version?: string;
  latest?: boolean;
  tag?: string;
  branch?: string;
  mainBranch?: boolean;
  environment?: string;
}

/** An `ignore[]` selector: leave a pacticipant (or one of its versions) out of the decision. */
export interface IgnoreSelector {
  pacticipant: string;
  version?: string;
}

/** A whole matrix query: the selectors, where the others are taken from, and how rows are reduced. */
export interface MatrixQuery {
  selectors: MatrixSelector[];
  /** Infer the integrated pacticipants and take their versions from here. */
  target?: { latest?: boolean; tag?: string; environment?: string; mainBranch?: boolean };
  latestby?: 'cvpv' | 'cvp' | 'cp';
  ignore?: IgnoreSelector[];
  /** Keep only rows whose verification succeeded (true), failed (false) or is missing (null). */
  success?: Array<boolean | null>;
  /** The most versions one selector without `latest` resolves to (newest first). */
  limit?: number;
}

/** One pair of versions that has (or lacks) a verification. */
export interface MatrixRow {
  consumer: string;
  consumerVersion: string;
  provider: string;
  /** Null when no version of the provider is there to verify (nothing deployed, no such version). */
  providerVersion: string | null;
  providerVersionOrder: number;
  pact: PactRef;
  verification: Verification | null;
  ignored: boolean;
}

type ReasonType = 'success' | 'warning' | 'error' | 'info';

/** A reason that blocks the deployment because a verification failed: which one, and why. */
interface FailureReason extends FirstFailure {
  consumer: string;
  consumerVersion: string;
  provider: string;
  providerVersion: string;
  verification: Verification;
}

/** Why the answer is what it is; `failure` names the failing interaction when the verifier reported it. */
interface Reason {
  type: ReasonType;
  text: string;
  failure?: FailureReason;
}

/** The answer: every row considered, the ignored rows after them, and a reason for each blocking pair. */
export interface Decision {
  deployable: boolean | null;
  rows: MatrixRow[];
  reasons: Reason[];
  success: number;
  failed: number;
  unknown: number;
  /** Present only when the query had ignore selectors. */
  ignored?: number;
}

/** A selector resolved to one version (or to the fact that there is none). */
interface Resolved {
  pacticipant: string;
  version: VersionRef | null;
  /** The version as reasons name it, or (without a version) why there is none. */
  description: string;
  specified: boolean;
  ignored: boolean;
}

/** The command that verifies a provider version, for reasons that ask for one. */
export type VerifyHint = (provider: string, providerVersion: string) => string;

/** How a resolved version is named in reasons: "orders 1.2 (currently in production)". */
function describe(s: MatrixSelector, number: string): string {
  const which =
    s.tag !== undefined ? ` with tag ${s.tag}` : s.branch !== undefined ? ` on branch ${s.branch}` : '';
  if (s.version !== undefined) return `${s.pacticipant} ${number}`;
  if (s.environment !== undefined) return `${s.pacticipant} ${number} (currently in ${s.environment})`;
  if (s.mainBranch === true) return `${s.pacticipant} ${number} (the latest on its main branch)`;
  if (s.latest === true) return `${s.pacticipant} ${number} (its latest version${which})`;
  return which === '' ? `${s.pacticipant} ${number}` : `${s.pacticipant} ${number} (${which.trim()})`;
}

/** Why a selector found nothing: "there is no version 9 of web". */
function describeMissing(s: MatrixSelector): string {
  const p = s.pacticipant;
  if (s.version !== undefined) return `there is no version ${s.version} of ${p}`;
  if (s.environment !== undefined)
    return `no version of ${p} is currently deployed or released in ${s.environment}`;
  if (s.mainBranch === true) return `${p} has no version on its main branch`;
  const which =
    s.tag !== undefined ? ` with tag ${s.tag}` : s.branch !== undefined ? ` on branch ${s.branch}` : '';
  return `${p} has no version${which}`;
}

/** The most versions a selector without `latest` resolves to when the query does not say. */
const defaultLimit = 100;

/** What a matrix selector asks the store for (see `VersionSelector`). */
function versionSelector(s: MatrixSelector): VersionSelector {
  const p = s.pacticipant;
  if (s.version !== undefined) return { pacticipant: p, number: s.version };
  if (s.environment !== undefined) return { pacticipant: p, environment: s.environment };
  return {
    pacticipant: p,
    ...(s.mainBranch === true ? { mainBranch: true } : s.branch === undefined ? {} : { branch: s.branch }),
    ...(s.tag === undefined ? {} : { tag: s.tag }),
    ...(s.latest === true || s.mainBranch === true ? { latest: true } : {}),
  };
}

/** The most versions a selector without `latest` resolves to (newest first). */
export function versionLimit(query: MatrixQuery): number {
  return query.limit ?? defaultLimit;
}

/**
 * The versions to find first: those the query's selectors name, then those its ignore selectors name
 * (to warn about ignoring what does not exist), at most `versionLimit` each.
 */
export function versionSelectors(query: MatrixQuery): VersionSelector[] {
  return [
    ...query.selectors.map(versionSelector),
    ...(query.ignore ?? []).map((i) =>
      i.version === undefined
        ? { pacticipant: i.pacticipant, latest: true }
        : { pacticipant: i.pacticipant, number: i.version },
    ),
  ];
}

function isIgnored(ignore: IgnoreSelector[], pacticipant: string, version: string | null): boolean {
  return ignore.some(
    (i) => i.pacticipant === pacticipant && (i.version === undefined || i.version === version),
  );
}

function resolved(
  s: MatrixSelector,
  versions: VersionRef[],
  specified: boolean,
  ignore: IgnoreSelector[],
): Resolved[] {
  if (versions.length === 0) {
    return [
      {
        pacticipant: s.pacticipant,
        version: null,
        description: describeMissing(s),
        specified,
        ignored: isIgnored(ignore, s.pacticipant, s.version ?? null),
      },
    ];
  }
  return versions.map((v) => ({
    pacticipant: s.pacticipant,
    version: v,
    description: describe(s, v.number),
    specified,
    ignored: isIgnored(ignore, s.pacticipant, v.number),
  }));
}

function targetSelector(pacticipant: string, t: NonNullable<MatrixQuery['target']>): MatrixSelector {
  return {
    pacticipant,
    ...(t.environment === undefined ? { latest: true } : { environment: t.environment }),
    ...(t.tag === undefined ? {} : { tag: t.tag }),
    ...(t.mainBranch === true ? { mainBranch: true } : {}),
  };
}

/** The target the query gives, if it says anything (`latest=false` alone says nothing). */
function targetOf(query: MatrixQuery): MatrixQuery['target'] {
  return query.target !== undefined && Object.values(query.target).some((v) => v !== undefined && v !== false)
    ? query.target
    : undefined;
}

/** The versions the query names, and whether what it ignores exists (from `versionSelectors`' answers). */
export interface Specified {
  resolved: Resolved[];
  /** Per ignore selector: whether its pacticipant, and its version when it names one, exist. */
  ignoreFound: Array<{ pacticipant: boolean; version: boolean }>;
}

/** Reads the store's answers to `versionSelectors`. */
export function resolveSpecified(query: MatrixQuery, found: Array<VersionRef[] | undefined>): Specified {
  const ignore = query.ignore ?? [];
  return {
    resolved: query.selectors.flatMap((s, i) => resolved(s, found[i] ?? [], true, ignore)),
    ignoreFound: ignore.map((_, i) => {
      const versions = found[query.selectors.length + i];
      return { pacticipant: versions !== undefined, version: (versions?.length ?? 0) > 0 };
    }),
  };
}

/** The specified versions that exist, as `integrationsOfVersions` asks for them. */
export function foundVersions(specified: Specified): Array<{ pacticipant: string; number: string }> {
  return specified.resolved.flatMap((s) =>
    s.version === null ? [] : [{ pacticipant: s.pacticipant, number: s.version.number }],
  );
}

/** What the specified versions are integrated with, in the order of `foundVersions`. */
type Integrations = Array<{ pacts: PactRef[]; consumers: string[] }>;

/**
 * The pacticipants on the other side of the specified versions' integrations that the query does not
 * name, with the target's selector for each: their versions come from the target.
 */
export function counterpartSelectors(
  query: MatrixQuery,
  specified: Specified,
  integrations: Integrations,
): Array<{ pacticipant: string; selector: VersionSelector }> {
  const target = targetOf(query);
  if (target === undefined) return [];
  const named = new Set(query.selectors.map((s) => s.pacticipant));
  const names = new Set<string>();
  const versions = specified.resolved.filter((s) => s.version !== null);
  for (const [i, s] of versions.entries()) {
    for (const pact of integrations[i]?.pacts ?? []) names.add(pact.provider);
    for (const consumer of integrations[i]?.consumers ?? [])
      if (consumer !== s.pacticipant) names.add(consumer);
  }
  return [...names]
    .filter((name) => !named.has(name))
    .map((name) => ({
      pacticipant: name,
      selector: versionSelector(targetSelector(name, target)),
    }));
}

/** One row (or several) to build from the facts, in the order the answer lists them. */
type Intent =
  | { kind: 'row'; row: Omit<MatrixRow, 'ignored'>; consumer: string; provider: string }
  | { kind: 'pair'; index: number; providerVersionOrder: number; consumer: string; provider: string }
  | { kind: 'verifiers'; index: number; pact: PactRef; consumer: string }
  | { kind: 'verifiedBy'; index: number; provider: string; providerVersionOrder: number };

/** The rows a query needs, as intents, and the facts to load for them. */
export interface RowPlan {
  intents: Intent[];
  request: Required<MatrixFactsRequest>;
}

/**
 * Which pairs of versions the answer needs: each specified version against the versions of each
 * pacticipant it is integrated with (specified too, or from the target). With one selector and no
 * target, every provider version that verified the version's pacts, and every consumer content the
 * version verified. `counterparts` are the answers to `counterpartSelectors`.
 */
export function planRows(
  query: MatrixQuery,
  specified: Specified,
  integrations: Integrations,
  counterparts: Array<{ pacticipant: string; versions: VersionRef[] | undefined }>,
): RowPlan {
  const ignore = query.ignore ?? [];
  const target = targetOf(query);
  const inferred = new Map<string, Resolved[]>();
  if (target !== undefined)
    for (const c of counterparts)
      inferred.set(
        c.pacticipant,
        resolved(targetSelector(c.pacticipant, target), c.versions ?? [], false, ignore),
      );
  const specifiedNames = new Set(query.selectors.map((s) => s.pacticipant));
  const counterpart = (name: string): Resolved[] | undefined =>
    specifiedNames.has(name) ? specified.resolved.filter((r) => r.pacticipant === name) : inferred.get(name);

  const request: Required<MatrixFactsRequest> = { pairs: [], verifiersOf: [], verifiedBy: [] };
  const pairIndex = new Map<string, number>();
  const pair = (p: VersionPair): number => {
    const key = JSON.stringify([p.consumer, p.consumerVersion, p.provider, p.providerVersion]);
    let index = pairIndex.get(key);
    if (index === undefined) {
      index = request.pairs.push(p) - 1;
      pairIndex.set(key, index);
    }
    return index;
  };
  const intents: Intent[] = [];
  const pairwise = target === undefined && query.selectors.length >= 2;
  const versions = specified.resolved.filter((s) => s.version !== null);
  for (const [i, s] of versions.entries()) {
    const version = s.version as VersionRef;
    // As a consumer: each provider it has a pact with must have verified it.
    for (const pact of integrations[i]?.pacts ?? []) {
      const others = counterpart(pact.provider);
      if (others === undefined) {
        if (pairwise) continue;
        // One selector and no target: every provider version that verified this content.
        const index = request.verifiersOf.push({
          consumer: pact.consumer,
          consumerVersion: pact.consumerVersion,
          provider: pact.provider,
        });
        intents.push({ kind: 'verifiers', index: index - 1, pact, consumer: s.description });
        continue;
      }
      for (const o of others) {
        if (o.version === null) {
          intents.push({
            kind: 'row',
            row: {
              consumer: s.pacticipant,
              consumerVersion: version.number,
              provider: pact.provider,
              providerVersion: null,
              providerVersionOrder: -1,
              pact,
              verification: null,
            },
            consumer: s.description,
            provider: o.description,
          });
          continue;
        }
        intents.push({
          kind: 'pair',
          index: pair({
            consumer: s.pacticipant,
            consumerVersion: version.number,
            provider: pact.provider,
            providerVersion: o.version.number,
          }),
          providerVersionOrder: o.version.order,
          consumer: s.description,
          provider: o.description,
        });
      }
    }
    // As a provider: the consumer versions there that have a pact with it must be verified by it.
    for (const consumer of integrations[i]?.consumers ?? []) {
      if (consumer === s.pacticipant) continue;
      const others = counterpart(consumer);
      if (others === undefined) {
        if (pairwise) continue;
        const index = request.verifiedBy.push({
          consumer,
          provider: s.pacticipant,
          providerVersion: version.number,
        });
        intents.push({
          kind: 'verifiedBy',
          index: index - 1,
          provider: s.description,
          providerVersionOrder: version.order,
        });
        continue;
      }
      for (const o of others) {
        if (o.version === null) continue;
        intents.push({
          kind: 'pair',
          index: pair({
            consumer,
            consumerVersion: o.version.number,
            provider: s.pacticipant,
            providerVersion: version.number,
          }),
          providerVersionOrder: version.order,
          consumer: o.description,
          provider: s.description,
        });
      }
    }
  }
  return { intents, request };
}

/** The rows a query needs (reduced by `latestby`), how reasons name each side, and what the facts said. */
export interface Gathered {
  rows: MatrixRow[];
  why: Map<MatrixRow, { consumer: string; provider: string }>;
  /** What a comparison with the row's provider version's document is made with, when it has one. */
  documents: Map<MatrixRow, string>;
  /** What a failed verification reported per interaction (its testResults). */
  testResults: Map<MatrixRow, string>;
  specified: Specified;
  target: MatrixQuery['target'];
}

/** How comparing on demand left the rows: why some stay unknown, and which were compared just now. */
export interface OnDemandNotes {
  unknownBecause: Map<MatrixRow, string>;
  comparedNow: Set<MatrixRow>;
}

/** Builds the rows from the facts `planRows` asked for, each pair once, in the plan's order. */
export function gatherRows(
  query: MatrixQuery,
  specified: Specified,
  plan: RowPlan,
  facts: MatrixFacts,
): Gathered {
  const ignore = query.ignore ?? [];
  const rows = new Map<string, MatrixRow>();
  const gathered: Gathered = {
    rows: [],
    why: new Map(),
    documents: new Map(),
    testResults: new Map(),
    specified,
    target: targetOf(query),
  };
  const add = (
    row: Omit<MatrixRow, 'ignored'>,
    consumer: string,
    provider: string,
    fact?: { testResults?: string; document?: { sha: string; selfVerificationFailed: boolean } },
  ) => {
    const key = JSON.stringify([row.consumer, row.consumerVersion, row.provider, row.providerVersion]);
    if (rows.has(key)) return;
    const full: MatrixRow = {
      ...row,
      ignored:
        isIgnored(ignore, row.consumer, row.consumerVersion) ||
        isIgnored(ignore, row.provider, row.providerVersion ?? null),
    };
    rows.set(key, full);
    gathered.why.set(full, { consumer, provider });
    if (fact?.testResults !== undefined) gathered.testResults.set(full, fact.testResults);
    if (fact?.document !== undefined)
      gathered.documents.set(full, documentId(fact.document.sha, fact.document.selfVerificationFailed));
  };
  const fromFact = (
    f: MatrixFacts['pairs'][number] & object,
    providerVersionOrder: number,
  ): Omit<MatrixRow, 'ignored'> => ({
    consumer: f.pact.consumer,
    consumerVersion: f.pact.consumerVersion,
    provider: f.pact.provider,
    providerVersion: f.providerVersion,
    providerVersionOrder,
    pact: f.pact,
    verification: f.verification,
  });
  for (const intent of plan.intents) {
    if (intent.kind === 'row') add(intent.row, intent.consumer, intent.provider);
    else if (intent.kind === 'pair') {
      const f = facts.pairs[intent.index];
      if (f !== undefined) add(fromFact(f, intent.providerVersionOrder), intent.consumer, intent.provider, f);
    } else if (intent.kind === 'verifiers') {
      const verified = facts.verifiersOf[intent.index]?.verified ?? [];
      const { pact } = intent;
      if (verified.length === 0)
        add(
          {
            consumer: pact.consumer,
            consumerVersion: pact.consumerVersion,
            provider: pact.provider,
            providerVersion: null,
            providerVersionOrder: -1,
            pact,
            verification: null,
          },
          intent.consumer,
          `no version of ${pact.provider} has verified it`,
        );
      for (const f of verified)
        add(fromFact(f, f.providerVersionOrder), intent.consumer, `${pact.provider} ${f.providerVersion}`, f);
    } else {
      for (const f of facts.verifiedBy[intent.index] ?? [])
        add(
          fromFact(f, intent.providerVersionOrder),
          `${f.pact.consumer} ${f.pact.consumerVersion}`,
          intent.provider,
          f,
        );
    }
  }
  gathered.rows = reduce([...rows.values()], query.latestby);
  return gathered;
}

/**
 * The rules: which rows count, what is missing or failed, and the answer with its reasons. Unknown
 * beats failed, as in Pact's rules: one missing result makes the answer "unknown" (null). Where a
 * provider runs several versions in the target (released versions, or deployments to several
 * instances), every one of them must have verified the pact: the Pact Broker only checks those that
 * did, and can say yes while one of the running versions never verified it.
 */
export function decide(
  query: MatrixQuery,
  { rows, why, testResults, specified, target }: Gathered,
  { unknownBecause, comparedNow }: OnDemandNotes,
  verifyHint: VerifyHint,
): Decision {
  const ignore = query.ignore ?? [];
  let all = rows;
  if (query.success !== undefined) {
    const wanted = query.success;
    all = all.filter((r) => wanted.includes(r.verification === null ? null : r.verification.success));
  }
  const considered = all.filter((r) => !r.ignored);
  const ignoredRows = all.filter((r) => r.ignored);

  const warnings: Decision['reasons'] = [];
  for (const [n, i] of ignore.entries()) {
    const found = specified.ignoreFound[n];
    if (found?.pacticipant !== true)
      warnings.push({
        type: 'warning',
        text: `Ignoring ${i.pacticipant} changes nothing: there is no pacticipant with that name.`,
      });
    else if (i.version !== undefined && !found.version)
      warnings.push({
        type: 'warning',
        text: `Ignoring version ${i.version} of ${i.pacticipant} changes nothing: there is no such version.`,
      });
  }
  if (
    query.selectors.length === 1 &&
    (target === undefined ||
      (target.environment === undefined && target.tag === undefined && target.mainBranch !== true))
  ) {
    warnings.push({
      type: 'warning',
      text: 'No target was given, so this compares against the latest version of each integrated application. Name the environment you deploy to (--to-environment) to check what really runs there.',
    });
  }

  const missing = specified.resolved.filter((s) => s.version === null && !s.ignored);
  const errors: Decision['reasons'] = [];
  if (missing.length > 0) {
    for (const s of missing)
      errors.push({
        type: 'error',
        text: `Cannot check a version that does not exist: ${s.description}. Publish it (or record it) before asking.`,
      });
  } else {
    for (const r of considered) {
      const w = why.get(r) as { consumer: string; provider: string };
      if (r.providerVersion === null)
        errors.push({
          type: 'error',
          text: `${w.consumer} needs ${r.provider}, but ${w.provider}. ${target?.environment !== undefined ? `Deploy ${r.provider} there (or record its deployment) first.` : `Publish a version of ${r.provider} that verifies this pact.`}`,
        });
      else if (r.verification === null) {
        const because = unknownBecause.get(r);
        const run = `Run: ${verifyHint(r.provider, r.providerVersion)}`;
        errors.push({
          type: 'error',
          text: `${w.provider} has not verified the pact of ${w.consumer}. ${because === undefined ? run : `${because} ${run}`}`,
        });
      } else if (!r.verification.success) {
        const reported = testResults.get(r);
        const first = reported === undefined ? undefined : firstFailure(JSON.parse(reported) as unknown);
        const why = first === undefined ? '' : ` ${failureInWords(first)}.`;
        errors.push({
          type: 'error',
          text:
            r.verification.evidence === 'openapi'
              ? `${w.provider} does not serve the pact of ${w.consumer}: compared with ${documentName(r.provider, r.providerVersion)}:${why} Fix the document (and the provider) or the consumer's expectations, then publish again.`
              : `${w.provider} failed to verify the pact of ${w.consumer}: deploying them together would break ${r.consumer}.${why} Fix the provider or the consumer's expectations, then verify again.`,
          ...(first === undefined
            ? {}
            : {
                failure: {
                  ...first,
                  consumer: r.consumer,
                  consumerVersion: r.consumerVersion,
                  provider: r.provider,
                  providerVersion: r.providerVersion,
                  verification: r.verification,
                },
              }),
        });
      }
    }
  }
  const success = considered.filter((r) => r.verification?.success === true).length;
  const failed = considered.filter((r) => r.verification !== null && !r.verification.success).length;
  const unknown = considered.filter((r) => r.verification === null).length;
  const deployable = missing.length > 0 ? false : unknown > 0 ? null : failed === 0;
  const reasons = [...warnings, ...errors];
  if (errors.length === 0)
    reasons.push({
      type: 'success',
      text:
        considered.length === 0
          ? 'There are no missing dependencies: nothing here needs a verification.'
          : 'All required verification results are published and successful.',
    });
  const documented = considered.filter(
    (r) => r.verification?.success === true && r.verification.evidence === 'openapi',
  );
  if (documented.length > 0) reasons.push({ type: 'info', text: restsOnDocuments(documented, comparedNow) });
  return {
    deployable,
    rows: [...considered, ...ignoredRows],
    reasons,
    success,
    failed,
    unknown,
    ...(ignore.length > 0 ? { ignored: ignoredRows.length } : {}),
  };
}

/**
 * Says which passing results are comparisons with OpenAPI documents rather than a verifier's
 * replay (bi-directional contract testing), and which of them were made for this answer.
 */
function restsOnDocuments(rows: MatrixRow[], comparedNow: Set<MatrixRow>): string {
  const shown = 5;
  const pairs = rows.slice(0, shown).map((r) => {
    const name = documentName(r.provider, r.providerVersion ?? '');
    return `${r.consumer} ${r.consumerVersion} with ${name}${comparedNow.has(r) ? ' (compared just now)' : ''}`;
  });
  const more = rows.length > shown ? `, and ${rows.length - shown} more` : '';
  return `${rows.length === 1 ? 'One result rests' : `${rows.length} results rest`} on comparing the pact with the provider's OpenAPI document, not on a verifier running the provider: ${pairs.join('; ')}${more}.`;
}

/** `latestby`: keep, per group, the row with the newest provider version (an unverified row stands alone). */
function reduce(rows: MatrixRow[], latestby: MatrixQuery['latestby']): MatrixRow[] {
  if (latestby === undefined || latestby === 'cvpv') return rows;
  const best = new Map<string, MatrixRow>();
  const out: MatrixRow[] = [];
  for (const r of rows) {
    if (r.providerVersion === null) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify(
      latestby === 'cvp' ? [r.consumer, r.consumerVersion, r.provider] : [r.consumer, r.provider],
    );
    const current = best.get(key);
    if (current === undefined || r.providerVersionOrder > current.providerVersionOrder) best.set(key, r);
  }
  return [...out, ...best.values()];
}
