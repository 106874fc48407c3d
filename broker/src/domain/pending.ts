/**
 * Whether a pact content is pending for the provider version being verified (Pact's rules): with a
 * provider branch B it is pending unless a provider version on B verified it successfully, or a
 * version on another branch did so before B was created (any such success when B is new); without
 * a branch it is pending until anyone verifies it successfully. Pure: the caller brings the facts.
 * @example
 * isPending([{ branches: ['main'], createdAt: '2026-01-01T00:00:00Z' }], 'feat-x', undefined) // false
 */
export function isPending(
  successes: ReadonlyArray<{ branches: readonly string[]; createdAt: string }>,
  providerBranch: string | undefined,
  branchCreatedAt: string | undefined,
): boolean {
  if (providerBranch === undefined) return successes.length === 0;
  for (const s of successes) {
    if (s.branches.includes(providerBranch)) return false;
    if (s.branches.length > 0 && (branchCreatedAt === undefined || s.createdAt < branchCreatedAt))
      return false;
  }
  return true;
}
