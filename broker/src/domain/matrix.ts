import type { PactPublication, Store, Verification, Version } from '../store/types.js';
import { compareWhereNeeded, documentName } from './document-comparison.js';
import { failureInWords, firstFailure, type FirstFailure } from './test-results.js';

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
  pact: PactPublication;
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
  version: Version | null;
  /** The version as reasons name it, or (without a version) why there is none. */
  description: string;
  specified: boolean;
  ignored: boolean;
}

type VerifyHint = (provider: string, providerVersion: string) => string;

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

async function versionsFor(store: Store, s: MatrixSelector, limit: number): Promise<Version[]> {
  const p = s.pacticipant;
  if (s.version !== undefined) {
    const v = await store.getVersion(p, s.version);
    return v === undefined ? [] : [v];
  }
  if (s.environment !== undefined) {
    const env = await store.findEnvironment(s.environment);
    if (env === undefined) return [];
    const numbers = new Set([
      ...(await store.currentlyDeployed(env.uuid, { pacticipant: p })).map((d) => d.version),
      ...(await store.currentlySupported(env.uuid, { pacticipant: p })).map((r) => r.version),
    ]);
    const found = await Promise.all([...numbers].map((n) => store.getVersion(p, n)));
    return found.filter((v): v is Version => v !== undefined).sort((a, b) => b.order - a.order);
  }
  let branch = s.branch;
  if (s.mainBranch === true) {
    branch = (await store.getPacticipant(p))?.mainBranch;
    if (branch === undefined) return [];
  }
  const filter = {
    ...(branch === undefined ? {} : { branch }),
    ...(s.tag === undefined ? {} : { tag: s.tag }),
  };
  if (s.latest === true || s.mainBranch === true) {
    const v = await store.latestVersion(p, filter);
    return v === undefined ? [] : [v];
  }
  return store.listVersions(p, { ...filter, limit });
}

function isIgnored(ignore: IgnoreSelector[], pacticipant: string, version: string | null): boolean {
  return ignore.some(
    (i) => i.pacticipant === pacticipant && (i.version === undefined || i.version === version),
  );
}

async function resolve(
  store: Store,
  s: MatrixSelector,
  specified: boolean,
  ignore: IgnoreSelector[],
  limit: number,
): Promise<Resolved[]> {
  const versions = await versionsFor(store, s, limit);
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

/**
 * Of verifications listed newest first, the one that counts per pact content and provider version:
 * the newest replay by a verifier when there is one (it outranks a comparison with the provider's
 * OpenAPI document, as in `latestVerification`), else the newest comparison.
 */
function latestPerProviderVersion(verifications: Verification[]): Verification[] {
  const best = new Map<string, Verification>();
  for (const v of verifications) {
    const key = JSON.stringify([v.consumer, v.sha, v.providerVersion]);
    const current = best.get(key);
    if (current === undefined || (current.evidence === 'openapi' && v.evidence === undefined))
      best.set(key, v);
  }
  return [...best.values()];
}

/**
 * The store seen by one matrix query: the lookups it repeats for every selected version (a
 * provider's consumers, a verifier's version) are read once. Comparisons made on demand while it
 * runs add verifications only, which these lookups do not read.
 */
function memoized(store: Store): Store {
  const consumers = new Map<string, Promise<string[]>>();
  const versions = new Map<string, Promise<Version | undefined>>();
  const remember = <T>(cache: Map<string, T>, key: string, read: () => T): T => {
    const known = cache.get(key);
    if (known !== undefined) return known;
    const value = read();
    cache.set(key, value);
    return value;
  };
  const consumersOf = (provider: string): Promise<string[]> =>
    remember(consumers, provider, () => store.consumersOf(provider));
  const getVersion = (pacticipant: string, number: string): Promise<Version | undefined> =>
    remember(versions, JSON.stringify([pacticipant, number]), () => store.getVersion(pacticipant, number));
  return new Proxy(store, {
    get(target, key) {
      if (key === 'consumersOf') return consumersOf;
      if (key === 'getVersion') return getVersion;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The rows a query needs, as found in the store, with how the reasons name each side. */
interface Gathered {
  rows: MatrixRow[];
  why: Map<MatrixRow, { consumer: string; provider: string }>;
  specified: Resolved[];
  target: MatrixQuery['target'];
}

/** How comparing on demand left the rows: why some stay unknown, and which were compared just now. */
interface OnDemandNotes {
  unknownBecause: Map<MatrixRow, string>;
  comparedNow: Set<MatrixRow>;
}

/**
 * Answers a matrix query: which pairs of versions must have verified each other for the selected
 * versions to go together, and whether they did. Unknown beats failed, as in Pact's rules: one
 * missing result makes the answer "unknown" (null). Where a provider runs several versions in the
 * target (released versions, or deployments to several instances), every one of them must have
 * verified the pact: the Pact Broker only checks those that did, and can say yes while one of the
 * running versions never verified it. In three steps: find the pairs, compare on demand the pairs
 * a provider's OpenAPI document can answer for (see `compareWhereNeeded`), then decide.
 */
export async function evaluateMatrix(
  store: Store,
  query: MatrixQuery,
  verifyHint: VerifyHint,
): Promise<Decision> {
  store = memoized(store);
  const gathered = await gather(store, query);
  const notes: OnDemandNotes = { unknownBecause: new Map(), comparedNow: new Set() };
  // The rows that count first: the comparisons per request are bounded.
  const ordered = [...gathered.rows.filter((r) => !r.ignored), ...gathered.rows.filter((r) => r.ignored)];
  for (const [row, result] of await compareWhereNeeded(store, ordered)) {
    if ('unknown' in result) {
      row.verification = null;
      notes.unknownBecause.set(row, result.unknown);
    } else {
      row.verification = result.verification;
      if (result.created) notes.comparedNow.add(row);
    }
  }
  return decide(store, query, gathered, notes, verifyHint);
}

/** Finds the rows a query needs (reduced by `latestby`), each with the verification the store has. */
async function gather(store: Store, query: MatrixQuery): Promise<Gathered> {
  const ignore = query.ignore ?? [];
  const limit = query.limit ?? 100;
  const target =
    query.target !== undefined && Object.values(query.target).some((v) => v !== undefined && v !== false)
      ? query.target
      : undefined;
  const specified: Resolved[] = [];
  for (const s of query.selectors) specified.push(...(await resolve(store, s, true, ignore, limit)));
  const specifiedNames = new Set(query.selectors.map((s) => s.pacticipant));
  const byName = (name: string) => specified.filter((r) => r.pacticipant === name);
  const inferred = new Map<string, Resolved[]>();
  const counterpart = async (name: string): Promise<Resolved[] | undefined> => {
    if (specifiedNames.has(name)) return byName(name);
    if (target === undefined) return undefined;
    let found = inferred.get(name);
    if (found === undefined) {
      found = await resolve(store, targetSelector(name, target), false, ignore, limit);
      inferred.set(name, found);
    }
    return found;
  };

  const rows = new Map<string, MatrixRow>();
  const why = new Map<MatrixRow, { consumer: string; provider: string }>();
  const add = (
    row: Omit<MatrixRow, 'ignored' | 'providerVersionOrder'> & { providerVersionOrder?: number },
    consumerDesc: string,
    providerDesc: string,
  ) => {
    const key = JSON.stringify([row.consumer, row.consumerVersion, row.provider, row.providerVersion]);
    if (rows.has(key)) return;
    const full: MatrixRow = {
      ...row,
      providerVersionOrder: row.providerVersionOrder ?? -1,
      ignored:
        isIgnored(ignore, row.consumer, row.consumerVersion) ||
        isIgnored(ignore, row.provider, row.providerVersion ?? null),
    };
    rows.set(key, full);
    why.set(full, { consumer: consumerDesc, provider: providerDesc });
  };

  const pairwise = target === undefined && query.selectors.length >= 2;
  for (const s of specified) {
    if (s.version === null) continue;
    // As a consumer: each provider it has a pact with must have verified it.
    for (const pact of await store.pactsOfConsumerVersion(s.pacticipant, s.version.number)) {
      const others = await counterpart(pact.provider);
      if (others === undefined) {
        if (pairwise) continue;
        // One selector and no target: every provider version that verified this content.
        const verified = latestPerProviderVersion(
          await store.verificationsFor(s.pacticipant, pact.provider, pact.sha),
        );
        if (verified.length === 0)
          add(
            {
              consumer: s.pacticipant,
              consumerVersion: s.version.number,
              provider: pact.provider,
              providerVersion: null,
              pact,
              verification: null,
            },
            s.description,
            `no version of ${pact.provider} has verified it`,
          );
        for (const v of verified) {
          const pv = await store.getVersion(pact.provider, v.providerVersion);
          add(
            {
              consumer: s.pacticipant,
              consumerVersion: s.version.number,
              provider: pact.provider,
              providerVersion: v.providerVersion,
              providerVersionOrder: pv?.order ?? -1,
              pact,
              verification: v,
            },
            s.description,
            `${pact.provider} ${v.providerVersion}`,
          );
        }
        continue;
      }
      for (const o of others) {
        if (o.version === null) {
          add(
            {
              consumer: s.pacticipant,
              consumerVersion: s.version.number,
              provider: pact.provider,
              providerVersion: null,
              pact,
              verification: null,
            },
            s.description,
            o.description,
          );
          continue;
        }
        const v =
          (await store.latestVerification(s.pacticipant, pact.provider, pact.sha, o.version.number)) ?? null;
        add(
          {
            consumer: s.pacticipant,
            consumerVersion: s.version.number,
            provider: pact.provider,
            providerVersion: o.version.number,
            providerVersionOrder: o.version.order,
            pact,
            verification: v,
          },
          s.description,
          o.description,
        );
      }
    }
    // As a provider: the consumer versions there that have a pact with it must be verified by it.
    for (const consumer of await store.consumersOf(s.pacticipant)) {
      if (consumer === s.pacticipant) continue;
      const others = await counterpart(consumer);
      if (others === undefined) {
        if (pairwise) continue;
        for (const v of latestPerProviderVersion(
          await store.verificationsByProviderVersion(s.pacticipant, s.version.number),
        ).filter((x) => x.consumer === consumer)) {
          const pact = await store.getPactBySha(consumer, s.pacticipant, v.sha);
          if (pact !== undefined)
            add(
              {
                consumer,
                consumerVersion: pact.consumerVersion,
                provider: s.pacticipant,
                providerVersion: s.version.number,
                providerVersionOrder: s.version.order,
                pact,
                verification: v,
              },
              `${consumer} ${pact.consumerVersion}`,
              s.description,
            );
        }
        continue;
      }
      for (const o of others) {
        if (o.version === null) continue;
        const pact = await store.getPact(consumer, o.version.number, s.pacticipant);
        if (pact === undefined) continue;
        const v =
          (await store.latestVerification(consumer, s.pacticipant, pact.sha, s.version.number)) ?? null;
        add(
          {
            consumer,
            consumerVersion: o.version.number,
            provider: s.pacticipant,
            providerVersion: s.version.number,
            providerVersionOrder: s.version.order,
            pact,
            verification: v,
          },
          o.description,
          s.description,
        );
      }
    }
  }

  return { rows: reduce([...rows.values()], query.latestby), why, specified, target };
}

/** The rules: which rows count, what is missing or failed, and the answer with its reasons. */
async function decide(
  store: Store,
  query: MatrixQuery,
  { rows, why, specified, target }: Gathered,
  { unknownBecause, comparedNow }: OnDemandNotes,
  verifyHint: VerifyHint,
): Promise<Decision> {
  const ignore = query.ignore ?? [];
  let all = rows;
  if (query.success !== undefined) {
    const wanted = query.success;
    all = all.filter((r) => wanted.includes(r.verification === null ? null : r.verification.success));
  }
  const considered = all.filter((r) => !r.ignored);
  const ignoredRows = all.filter((r) => r.ignored);

  const warnings: Decision['reasons'] = [];
  for (const i of ignore) {
    if ((await store.getPacticipant(i.pacticipant)) === undefined)
      warnings.push({
        type: 'warning',
        text: `Ignoring ${i.pacticipant} changes nothing: there is no pacticipant with that name.`,
      });
    else if (i.version !== undefined && (await store.getVersion(i.pacticipant, i.version)) === undefined)
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

  const missing = specified.filter((s) => s.version === null && !s.ignored);
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
        const found = await store.getVerification(r.verification.id);
        const reported = found?.report.testResults;
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
