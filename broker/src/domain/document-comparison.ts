import { OpenApiChecker, isTreatyError, loadOpenApiText, parseContract } from '@treaty/core';
import { LIMITS } from '../limits.js';
import type { PactPublication, PactRef, ProviderContract, Store, Verification } from '../store/types.js';
import { boundTestResults } from './test-results.js';

/** How a comparison names the document it used: "orders 1.2.0's OpenAPI document". */
export function documentName(provider: string, providerVersion: string): string {
  return `${provider} ${providerVersion}'s OpenAPI document`;
}

/** A notice saying what a comparison found, for the answer to a publication. */
export function comparisonNotice(v: Verification): { type: string; text: string } {
  return {
    type: v.success ? 'success' : 'danger',
    text: `Compared the pact between ${v.consumer} and ${v.provider} with ${documentName(v.provider, v.providerVersion)}: ${v.success ? 'compatible' : 'incompatible (can-i-deploy will say no until one of them changes)'}.`,
  };
}

/** Documents read once per request: a publication compares one document with many pacts. */
type Checkers = Map<string, Promise<OpenApiChecker>>;

/**
 * What a comparison is made with, as it is recorded: the document's sha, and whether its
 * self-verification failed (that fails every comparison, whatever the document says). The same pact
 * compared with the same document always gives the same result, so the broker records it once.
 * @example documentId('9f2c…', true) // '9f2c… (self-verification failed)'
 */
export function documentId(sha: string, selfVerificationFailed: boolean): string {
  return selfVerificationFailed ? `${sha} (self-verification failed)` : sha;
}

/** `documentId` of a provider contract. */
export function comparedWith(contract: ProviderContract): string {
  return documentId(contract.sha, contract.selfVerification?.success === false);
}

/** A comparison made (or found made), with what it found per interaction, or why none could be made. */
type Compared = { verification: Verification; created: boolean; testResults?: string } | { failure: string };

/**
 * Compares a pact with a provider version's OpenAPI document and records the outcome as a
 * verification of that provider version with `evidence: 'openapi'`; its testResults name each
 * finding (code, where in the pact, where in the document). A document whose self-verification
 * failed fails every comparison. When the newest comparison of the pair was made with this very
 * document, nothing is recorded and that one is the answer. A document or pact that cannot be read
 * any more gives the reason instead.
 */
async function compare(
  store: Store,
  pact: PactPublication,
  contract: ProviderContract,
  checkers: Checkers,
): Promise<Compared> {
  let checker = checkers.get(contract.sha);
  if (checker === undefined) {
    checker = loadOpenApiText(
      contract.content,
      documentName(contract.provider, contract.providerVersion),
    ).then((loaded) => new OpenApiChecker(loaded));
    checkers.set(contract.sha, checker);
  }
  let result: ReturnType<OpenApiChecker['checkContract']>;
  try {
    result = (await checker).checkContract(parseContract(JSON.parse(pact.content) as unknown));
  } catch (error) {
    if (isTreatyError(error)) return { failure: error.message };
    throw error;
  }
  const self = contract.selfVerification;
  const selfFailed = self?.success === false;
  const testResults = [
    ...(selfFailed
      ? [
          {
            description: `${contract.provider}'s own tests of its OpenAPI document`,
            success: false,
            mismatches: [],
            exceptions: [
              {
                message: `the self-verification published with the document failed${self?.verifier === undefined ? '' : ` (${self.verifier})`}, so no comparison with it can pass`,
              },
            ],
          },
        ]
      : []),
    ...result.interactions.map((i) => ({
      description: i.description,
      success: i.status !== 'failed',
      mismatches: i.findings
        .filter((f) => f.level === 'error')
        .map((f) => ({
          path: f.path,
          code: f.code,
          pointer: f.pointer,
          message: `${f.code} at ${f.pointer}: ${f.message}`,
        })),
      warnings: i.findings
        .filter((f) => f.level === 'warning')
        .map((f) => ({ path: f.path, code: f.code, pointer: f.pointer, message: f.message })),
    })),
  ];
  const bounded = boundTestResults(testResults, LIMITS.testResults);
  const recorded = await store.recordComparison({
    consumer: pact.consumer,
    provider: pact.provider,
    providerVersion: contract.providerVersion,
    sha: pact.sha,
    success: result.passed && !selfFailed,
    comparedWith: comparedWith(contract),
    report: {
      ...(bounded.json === undefined ? {} : { testResults: bounded.json }),
      verifiedBy: JSON.stringify({
        implementation: 'Treaty OpenAPI comparison',
        document: {
          provider: contract.provider,
          version: contract.providerVersion,
          sha: contract.sha,
          selfVerification: self === undefined ? 'none' : self.success ? 'passed' : 'failed',
        },
      }),
      truncated: bounded.truncated,
    },
  });
  return { ...recorded, ...(bounded.json === undefined ? {} : { testResults: bounded.json }) };
}

/** The comparisons made (or found made) by a publication, for its notices. */
async function compareAll(
  store: Store,
  pairs: Array<{ pact: PactPublication; contract: ProviderContract }>,
): Promise<Verification[]> {
  const checkers: Checkers = new Map();
  const out: Verification[] = [];
  for (const { pact, contract } of pairs) {
    const compared = await compare(store, pact, contract, checkers);
    if ('verification' in compared) out.push(compared.verification);
  }
  return out;
}

/** Versions of a pacticipant currently deployed or released in any environment. */
async function versionsInEnvironments(store: Store, pacticipant: string): Promise<string[]> {
  const out: string[] = [];
  for (const env of await store.listEnvironments()) {
    for (const d of await store.currentlyDeployed(env.uuid, { pacticipant })) out.push(d.version);
    for (const r of await store.currentlySupported(env.uuid, { pacticipant })) out.push(r.version);
  }
  return out;
}

/**
 * After a provider contract is published: compares it with the pacts that matter to a deployment
 * (each consumer's latest pact, its latest on each branch, and those of its deployed and released
 * versions), each content once.
 */
export async function compareNewProviderContract(
  store: Store,
  contract: ProviderContract,
): Promise<Verification[]> {
  const pacts = new Map<string, PactPublication>();
  const add = (p: PactPublication | undefined) => {
    if (p !== undefined && !pacts.has(`${p.consumer}\n${p.sha}`)) pacts.set(`${p.consumer}\n${p.sha}`, p);
  };
  for (const consumer of await store.consumersOf(contract.provider)) {
    add(await store.latestPact(consumer, contract.provider));
    for (const branch of await store.branchesOf(consumer))
      add(await store.latestPact(consumer, contract.provider, { branch }));
    for (const version of await versionsInEnvironments(store, consumer))
      add(await store.getPact(consumer, version, contract.provider));
  }
  return compareAll(
    store,
    [...pacts.values()].map((pact) => ({ pact, contract })),
  );
}

/**
 * After a pact is published: compares it with the provider contracts of the provider's main branch
 * head and of its deployed and released versions (those that have one).
 */
export async function compareNewPact(store: Store, pact: PactPublication): Promise<Verification[]> {
  // Most providers publish no OpenAPI document: one question then, not one per version in use.
  if (!(await store.hasProviderContracts(pact.provider))) return [];
  const versions = new Set<string>();
  const main = (await store.getPacticipant(pact.provider))?.mainBranch;
  if (main !== undefined) {
    const head = await store.latestVersion(pact.provider, { branch: main });
    if (head !== undefined) versions.add(head.number);
  }
  for (const v of await versionsInEnvironments(store, pact.provider)) versions.add(v);
  const pairs: Array<{ pact: PactPublication; contract: ProviderContract }> = [];
  for (const version of versions) {
    const contract = await store.getProviderContract(pact.provider, version);
    if (contract !== undefined) pairs.push({ pact, contract });
  }
  return compareAll(store, pairs);
}

/** A matrix row as the comparisons on demand read it. */
interface NeededRow {
  pact: PactRef;
  providerVersion: string | null;
  verification: Verification | null;
}

/**
 * What comparing on demand gave one row: its result now (with what it found per interaction), or
 * why it stays unknown.
 */
export type OnDemand =
  | { verification: Verification; created: boolean; testResults?: string }
  | { unknown: string };

/**
 * Before the matrix decides: each row whose provider version has an OpenAPI document, and that has
 * no verifier's replay of the pact and no comparison with that document as it is now (none at all,
 * or one with a document since republished), is compared on demand, and the comparison recorded so
 * the next request finds it. The broker does this, not the caller, so a read-only credential is
 * enough. `documentOf` says what each row's document is compared as (`documentId`), from the facts
 * already loaded; the document and the pact are read only to compare. At most `limit` comparisons
 * per call, in row order; the rows beyond stay unknown and say why. Each document is parsed once
 * per call, however many pacts it is compared with.
 */
export async function compareWhereNeeded<Row extends NeededRow>(
  store: Store,
  rows: Row[],
  documentOf: (row: Row) => string | undefined,
  limit: number = LIMITS.comparisonsPerRequest,
): Promise<Map<Row, OnDemand>> {
  const contracts = new Map<string, Promise<ProviderContract | undefined>>();
  const contractOf = (provider: string, version: string): Promise<ProviderContract | undefined> => {
    const key = JSON.stringify([provider, version]);
    let found = contracts.get(key);
    if (found === undefined) {
      found = store.getProviderContract(provider, version);
      contracts.set(key, found);
    }
    return found;
  };
  const pairs = new Map<string, OnDemand>();
  const checkers: Checkers = new Map();
  const out = new Map<Row, OnDemand>();
  let made = 0;
  for (const row of rows) {
    const { pact: ref, providerVersion, verification: found } = row;
    // A verifier's replay outranks any comparison: nothing to do.
    if (providerVersion === null || (found !== null && found.evidence !== 'openapi')) continue;
    const document = documentOf(row);
    if (document === undefined || found?.comparedWith === document) continue;
    const pair = JSON.stringify([ref.consumer, ref.provider, ref.sha, providerVersion]);
    let result = pairs.get(pair);
    if (result === undefined) {
      const name = documentName(ref.provider, providerVersion);
      if (made >= limit) {
        result = {
          unknown: `${name} ${found === null ? 'has not been compared with it' : 'was republished since it was compared with it, and has not been compared again'}: the broker compares at most ${limit} pacts with OpenAPI documents per request. Ask again to compare the next ones.`,
        };
      } else {
        const contract = await contractOf(ref.provider, providerVersion);
        const pact = await store.getPactBySha(ref.consumer, ref.provider, ref.sha);
        if (contract === undefined || pact === undefined) continue;
        made++;
        const compared = await compare(store, pact, contract, checkers);
        result =
          'failure' in compared
            ? { unknown: `${name} could not be compared with it: ${compared.failure}` }
            : compared;
      }
      pairs.set(pair, result);
    }
    out.set(row, result);
  }
  return out;
}
