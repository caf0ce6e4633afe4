import type { Models } from '../rank.ts';

/**
 * Fairness and filter-bubble figures for a set of recommendation lists:
 * - exposure by popularity decile: items ranked by how many training people touched them and cut into ten
 *   equal groups (decile 10 = the most popular tenth of the catalog); each decile's share of all
 *   recommendation slots. An unbiased recommender would give each about 10%;
 * - exposure by department against its share of training interest: a ratio above 1 means the lists show
 *   the department more than people looked at it.
 */
export interface Exposure {
  deciles: { decile: number; share: number }[];
  departments: { department: string; recommended: number; interest: number; ratio: number }[];
  /** Gini coefficient of recommendation counts over the catalog (0 = every item equally, 1 = one item) */
  gini: number;
}

export function exposure(m: Models, lists: readonly number[][]): Exposure {
  const n = m.catalog.ids.length;
  const touched = new Int32Array(n);
  const interest = new Map<string, number>();
  let totalInterest = 0;
  for (let t = 0; t < m.x.item.length; t++) {
    const i = m.x.item[t]!;
    touched[i]!++;
    const d = m.catalog.top[i] || '(none)';
    interest.set(d, (interest.get(d) ?? 0) + m.x.weight[t]!);
    totalInterest += m.x.weight[t]!;
  }
  const order = Array.from(touched.keys()).sort((a, b) => touched[a]! - touched[b]! || a - b);
  const decileOf = new Uint8Array(n);
  order.forEach((i, r) => (decileOf[i] = Math.min(9, Math.floor((r * 10) / n))));
  const perDecile = new Array<number>(10).fill(0);
  const perDept = new Map<string, number>();
  const count = new Int32Array(n);
  let slots = 0;
  for (const l of lists) {
    for (const i of l) {
      perDecile[decileOf[i]!]!++;
      const d = m.catalog.top[i] || '(none)';
      perDept.set(d, (perDept.get(d) ?? 0) + 1);
      count[i]!++;
      slots++;
    }
  }
  const departments = [...new Set([...interest.keys(), ...perDept.keys()])].map((department) => {
    const recommended = slots ? (perDept.get(department) ?? 0) / slots : 0;
    const share = totalInterest ? (interest.get(department) ?? 0) / totalInterest : 0;
    return { department, recommended, interest: share, ratio: share ? recommended / share : 0 };
  }).sort((a, b) => b.recommended - a.recommended);
  return { deciles: perDecile.map((c, d) => ({ decile: d + 1, share: slots ? c / slots : 0 })), departments, gini: gini(count) };
}

export function gini(xs: Int32Array): number {
  const v = Array.from(xs).sort((a, b) => a - b);
  const total = v.reduce((a, b) => a + b, 0);
  if (!total) return 0;
  let cum = 0;
  for (let i = 0; i < v.length; i++) cum += (i + 1) * v[i]!;
  return (2 * cum) / (v.length * total) - (v.length + 1) / v.length;
}

export function exposureTable(e: Exposure): string {
  const dec = e.deciles.map((d) => `${String(d.decile).padStart(2)}: ${(d.share * 100).toFixed(1).padStart(5)}%`).join('  ');
  const depts = e.departments.slice(0, 15).map((d) => `${d.department.padEnd(16)} ${(d.recommended * 100).toFixed(1).padStart(6)}% ${(d.interest * 100).toFixed(1).padStart(6)}% ${d.ratio.toFixed(2).padStart(6)}`);
  return [`exposure by popularity decile (10 = most popular tenth): ${dec}`, `Gini of exposure over items: ${e.gini.toFixed(3)}`,
    `${'department'.padEnd(16)} ${'shown'.padStart(7)} ${'interest'.padStart(7)} ${'ratio'.padStart(6)}`, ...depts].join('\n');
}
