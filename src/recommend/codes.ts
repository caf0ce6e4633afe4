import type { Catalog, Profile } from './types.ts';

/**
 * The catalog's strings that serving compares for every candidate — leaf category path, department, root,
 * brand — as small integers, so the profile boost and diversification compare numbers instead of hashing or
 * comparing strings. One dictionary for all four fields; code 0 is the empty string (and a missing value),
 * which never matches in the similarity (the string code tests an empty value as false too). Built once per
 * catalog and extended when items arrive live (src/recommend/data.ts addItem).
 */
export interface CatalogCodes {
  dict: Map<string, number>;
  category: Int32Array;
  top: Int32Array;
  root: Int32Array;
  brand: Int32Array;
  /** how many items are coded */
  n: number;
}

const cache = new WeakMap<Catalog, CatalogCodes>();

export function codesOf(c: Catalog): CatalogCodes {
  let k = cache.get(c);
  if (!k) cache.set(c, (k = { dict: new Map([['', 0]]), category: new Int32Array(0), top: new Int32Array(0), root: new Int32Array(0), brand: new Int32Array(0), n: 0 }));
  if (k.n < c.ids.length) extend(c, k);
  return k;
}

function extend(c: Catalog, k: CatalogCodes): void {
  const n = c.ids.length;
  if (k.category.length < n) {
    const size = Math.max(n, k.category.length * 2);
    const grow = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    k.category = grow(k.category);
    k.top = grow(k.top);
    k.root = grow(k.root);
    k.brand = grow(k.brand);
  }
  const code = (s: string | undefined) => {
    if (!s) return 0;
    let v = k.dict.get(s);
    if (v === undefined) k.dict.set(s, (v = k.dict.size));
    return v;
  };
  for (let i = k.n; i < n; i++) {
    k.category[i] = code(c.category[i]);
    k.top[i] = code(c.top[i]);
    k.root[i] = code(c.root[i]);
    k.brand[i] = code(c.brand[i]);
  }
  k.n = n;
}

/**
 * A profile's shares as (code, share) pairs for the catalog's dictionary: a value no item carries is left
 * out (no item can match it), so a lookup is a scan of at most a handful of integers. `dept` keeps
 * `Map.get`'s semantics of the string form: the department's share when the item's department is in the
 * profile (even a share of 0), else its root's, else 0.
 */
export interface ProfileCodes {
  catCode: Int32Array;
  catShare: Float64Array;
  deptCode: Int32Array;
  deptShare: Float64Array;
  brandCode: Int32Array;
  brandShare: Float64Array;
  hasDepts: boolean;
}

export function profileCodes(k: CatalogCodes, p: Profile): ProfileCodes {
  const pairs = (m: Map<string, number>): [Int32Array, Float64Array] => {
    const codes: number[] = [];
    const shares: number[] = [];
    for (const [s, v] of m) {
      const code = k.dict.get(s);
      if (code === undefined) continue;
      codes.push(code);
      shares.push(v);
    }
    return [Int32Array.from(codes), Float64Array.from(shares)];
  };
  const [catCode, catShare] = pairs(p.categories);
  const [deptCode, deptShare] = pairs(p.departments);
  const [brandCode, brandShare] = pairs(p.brands);
  return { catCode, catShare, deptCode, deptShare, brandCode, brandShare, hasDepts: p.departments.size > 0 };
}

/** where `code` is in the pairs, −1 when absent */
export function shareAt(codes: Int32Array, code: number): number {
  for (let j = 0; j < codes.length; j++) if (codes[j] === code) return j;
  return -1;
}
