import { OpenApiChecker, isTreatyError, loadOpenApiText, parseContract } from '@treaty/core';
import { LIMITS } from '../limits.js';
import type { PactPublication, ProviderContract, Store, Verification } from '../store/types.js';
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
 * Compares a pact with a provider version's OpenAPI document and records the outcome as a
 * verification of that provider version with `evidence: 'openapi'`; its testResults name each
 * finding (code, where in the pact, where in the document). A document whose self-verification
 * failed fails every comparison. Returns undefined when the document cannot be read any more.
 */
async function compare(
  store: Store,
  pact: PactPublication,
  contract: ProviderContract,
  checkers: Checkers,
): Promise<Verification | undefined> {
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
    if (isTreatyError(error)) return undefined;
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
  return store.recordVerification({
    consumer: pact.consumer,
    provider: pact.provider,
    providerVersion: contract.providerVersion,
    sha: pact.sha,
    success: result.passed && !selfFailed,
    evidence: 'openapi',
    report: {
      ...(bounded.json === undefined ? {} : { testResults: bounded.json }),
      verifiedBy: JSON.stringify({
        implementation: 'Treaty OpenAPI comparison',
        document: { provider: contract.provider, version: contract.providerVersion, sha: contract.sha },
      }),
      truncated: bounded.truncated,
    },
  });
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
  const checkers: Checkers = new Map();
  const out: Verification[] = [];
  for (const pact of pacts.values()) {
    const v = await compare(store, pact, contract, checkers);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/**
 * After a pact is published: compares it with the provider contracts of the provider's main branch
 * head and of its deployed and released versions (those that have one).
 */
export async function compareNewPact(store: Store, pact: PactPublication): Promise<Verification[]> {
  const versions = new Set<string>();
  const main = (await store.getPacticipant(pact.provider))?.mainBranch;
  if (main !== undefined) {
    const head = await store.latestVersion(pact.provider, { branch: main });
    if (head !== undefined) versions.add(head.number);
  }
  for (const v of await versionsInEnvironments(store, pact.provider)) versions.add(v);
  const checkers: Checkers = new Map();
  const out: Verification[] = [];
  for (const version of versions) {
    const contract = await store.getProviderContract(pact.provider, version);
    if (contract === undefined) continue;
    const v = await compare(store, pact, contract, checkers);
    if (v !== undefined) out.push(v);
  }
  return out;
}
