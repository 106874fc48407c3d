import type { Store } from '../store/types.js';
import { compareWhereNeeded } from '../domain/document-comparison.js';
import {
  counterpartSelectors,
  decide,
  foundVersions,
  gatherRows,
  planRows,
  resolveSpecified,
  versionSelectors,
  type Decision,
  type MatrixQuery,
  type OnDemandNotes,
  type VerifyHint,
  versionLimit,
} from '../domain/matrix.js';

/**
 * Answers a matrix query: which pairs of versions must have verified each other for the selected
 * versions to go together, and whether they did (the rules are in domain/matrix.ts). It reads the
 * store in at most five bulk calls, however long the history: the versions the selectors name, what
 * they are integrated with, the target's versions of the others, the pacts and verifications of
 * every pair (with the failures' reports and the documents). Between reading and deciding, the pairs
 * a provider's OpenAPI document can answer for are compared on demand (see `compareWhereNeeded`);
 * each comparison made adds its own few calls, at most `LIMITS.comparisonsPerRequest` per answer.
 * @example
 * const query = { selectors: [{ pacticipant: 'web', version: '1' }], target: { environment: 'production' } };
 * const decision = await evaluateMatrix(store, query, hint);
 */
export async function evaluateMatrix(
  store: Store,
  query: MatrixQuery,
  verifyHint: VerifyHint,
): Promise<Decision> {
  const limit = versionLimit(query);
  const specified = resolveSpecified(query, await store.versionsMatching(versionSelectors(query), limit));
  const found = foundVersions(specified);
  const integrations = found.length === 0 ? [] : await store.integrationsOfVersions(found);
  const others = counterpartSelectors(query, specified, integrations);
  const versions =
    others.length === 0
      ? []
      : await store.versionsMatching(
          others.map((o) => o.selector),
          limit,
        );
  const plan = planRows(
    query,
    specified,
    integrations,
    others.map((o, i) => ({ pacticipant: o.pacticipant, versions: versions[i] })),
  );
  const { pairs, verifiersOf, verifiedBy } = plan.request;
  const facts =
    pairs.length + verifiersOf.length + verifiedBy.length === 0
      ? { pairs: [], verifiersOf: [], verifiedBy: [] }
      : await store.matrixFacts(plan.request);
  const gathered = gatherRows(query, specified, plan, facts);

  const notes: OnDemandNotes = { unknownBecause: new Map(), comparedNow: new Set() };
  // The rows that count first: the comparisons per request are bounded.
  const ordered = [...gathered.rows.filter((r) => !r.ignored), ...gathered.rows.filter((r) => r.ignored)];
  for (const [row, result] of await compareWhereNeeded(store, ordered, (r) => gathered.documents.get(r))) {
    gathered.testResults.delete(row);
    if ('unknown' in result) {
      row.verification = null;
      notes.unknownBecause.set(row, result.unknown);
    } else {
      row.verification = result.verification;
      if (result.testResults !== undefined) gathered.testResults.set(row, result.testResults);
      if (result.created) notes.comparedNow.add(row);
    }
  }
  return decide(query, gathered, notes, verifyHint);
}
