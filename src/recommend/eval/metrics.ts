/**
 * Offline ranking metrics over one list per person, in plain TypeScript.
 * - Recall@K = hits in the top K ÷ the person's test items;
 * - NDCG@K = Σ_hits 1/log2(rank + 1) ÷ the same for a perfect list (min(K, test items) hits on top);
 * - HR@K = 1 when the top K hold any test item;
 * averaged over people. Coverage, intra-list diversity, novelty and popularity bias describe the lists.
 */
export function recallAt(list: readonly string[], truth: ReadonlySet<string>, k: number): number {
  if (truth.size === 0) return 0;
  let hits = 0;
  for (const x of list.slice(0, k)) if (truth.has(x)) hits++;
  return hits / truth.size;
}

export function ndcgAt(list: readonly string[], truth: ReadonlySet<string>, k: number): number {
  if (truth.size === 0) return 0;
  let dcg = 0;
  list.slice(0, k).forEach((x, r) => {
    if (truth.has(x)) dcg += 1 / Math.log2(r + 2);
  });
  let idcg = 0;
  for (let r = 0; r < Math.min(k, truth.size); r++) idcg += 1 / Math.log2(r + 2);
  return dcg / idcg;
}

export function hitAt(list: readonly string[], truth: ReadonlySet<string>, k: number): number {
  return list.slice(0, k).some((x) => truth.has(x)) ? 1 : 0;
}

/** −log2 of the share of training people who touched the item (rarer = more novel); unseen items count as one person */
export function novelty(people: number, touched: number): number {
  return -Math.log2(Math.max(1, touched) / Math.max(1, people));
}

export const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
