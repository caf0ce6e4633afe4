import type { Catalog, Interactions } from './types.ts';

/**
 * Business filters, applied to every candidate before ranking:
 * - items already bought, unless their category is repeatable (people buy the same item again there);
 * - out of stock (the feed's `stock` is 0);
 * - the request's excluded categories, and only its included ones when it names any;
 * - the person's dislikes and "not interested" items and categories (feedback, applied at once);
 * - the anchors of the request (the product on the page, the basket's items).
 * A category pattern matches a category path or any of its prefixes (服装 or 服装/女装), a department
 * code (apparel) or a brand written `brand:<name>`.
 */
export interface FilterSpec {
  bought: ReadonlySet<number>;
  dislikedItems: ReadonlySet<string>;
  dislikedCategories: readonly string[];
  include: readonly string[];
  exclude: readonly string[];
  anchors: ReadonlySet<number>;
}

export function matchesCategory(c: Catalog, i: number, pattern: string): boolean {
  if (pattern.startsWith('brand:')) return c.brand[i] === pattern.slice(6);
  const cat = c.category[i] ?? '';
  return cat === pattern || cat.startsWith(`${pattern}/`) || c.top[i] === pattern;
}

export function makeFilter(c: Catalog, repeatable: Uint8Array, f: FilterSpec): (i: number) => boolean {
  // most requests name no category and the person gave no feedback: the same test without the empty checks
  if (f.dislikedItems.size === 0 && f.dislikedCategories.length === 0 && f.exclude.length === 0 && f.include.length === 0) {
    const { anchors, bought } = f;
    const stock = c.stock;
    return (i) => !anchors.has(i) && stock[i] !== 0 && !(bought.has(i) && !repeatable[i]);
  }
  return (i) => {
    if (f.anchors.has(i)) return false;
    if (c.stock[i] === 0) return false;
    if (f.bought.has(i) && !repeatable[i]) return false;
    if (f.dislikedItems.has(c.ids[i]!)) return false;
    for (const p of f.dislikedCategories) if (matchesCategory(c, i, p)) return false;
    for (const p of f.exclude) if (matchesCategory(c, i, p)) return false;
    if (f.include.length && !f.include.some((p) => matchesCategory(c, i, p))) return false;
    return true;
  };
}

/**
 * Which items may be recommended again after a purchase: those whose category has repeat buyers — at
 * least `share` (10%) of the person × item pairs bought there were bought on two or more orders.
 */
export function repeatableItems(c: Catalog, x: Interactions, share = 0.1): Uint8Array {
  const bought = new Map<string, number>();
  const again = new Map<string, number>();
  for (let t = 0; t < x.item.length; t++) {
    if (x.buys[t]! < 1) continue;
    const cat = c.category[x.item[t]!] ?? '';
    bought.set(cat, (bought.get(cat) ?? 0) + 1);
    if (x.buys[t]! >= 2) again.set(cat, (again.get(cat) ?? 0) + 1);
  }
  const out = new Uint8Array(c.ids.length);
  for (let i = 0; i < out.length; i++) {
    const cat = c.category[i] ?? '';
    const n = bought.get(cat) ?? 0;
    out[i] = n > 0 && (again.get(cat) ?? 0) / n >= share ? 1 : 0;
  }
  return out;
}
