/**
 * A minimum group size for broken-down reports (k-anonymity): a group of fewer than `k` people is left
 * out of the answer, and the answer says how many groups were left out, so a breakdown by a rare value
 * (one person in a small city tier, say) cannot single anyone out. `k` is `privacy.minGroupSize`
 * (HX_MIN_GROUP_SIZE); 0 or 1 keeps every group.
 */
export function withoutSmallGroups<G>(groups: G[] | null, people: (g: G) => number, k: number): { groups: G[] | null; suppressedGroups: number } {
  if (!groups || k <= 1) return { groups, suppressedGroups: 0 };
  const kept = groups.filter((g) => people(g) >= k);
  return { groups: kept, suppressedGroups: groups.length - kept.length };
}
