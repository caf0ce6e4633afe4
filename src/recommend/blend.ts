import { codesOf, profileCodes, shareAt } from './codes.ts';
import type { Source } from './explain.ts';
import type { Cand, Models, Scene } from './rank.ts';
import { selectItems, sortItems } from './sortItems.ts';
import type { Catalog, Profile, Scored, Touch } from './types.ts';

/**
 * The blend of one request: each source's list scaled and summed into dense scratch rows, times the
 * person's profile factor, kept as typed arrays with only the best `SORTED` in order (rank.ts reads them).
 */

/** each source's list of a request, and whether it was computed from the request's anchors */
export type SourceLists = Map<Source, { list: Scored[]; anchored?: boolean }>;

export function boughtItems(history: readonly Touch[]): Set<number> {
  const out = new Set<number>();
  for (const h of history) if (h.bought) out.add(h.item);
  return out;
}

/**
 * The blended candidates of one request, best first (score descending, then the lower item), as parallel
 * arrays: for each, the source that added most and what its entry named (the reason's item, −1 for none, or
 * group). Kept on the person's state; a candidate becomes an object only when a list may show it. Only the
 * first `sorted` are in order — most requests read no further — and every one after them ranks below them;
 * `sortRest` puts the rest in order when a request needs it.
 */
export interface Blended {
  sorted: number;
  item: Int32Array;
  score: Float64Array;
  /** index into `sources` */
  src: Uint8Array;
  via: Int32Array;
  /** the group the entry named, as 1 + its index in `groups`; 0 for none */
  group: Uint8Array;
  groups: string[];
  sources: Source[];
  anchored: (boolean | undefined)[];
  boughtVia: ReadonlySet<number>;
}

export function candOf(b: Blended, j: number): Cand {
  const s = b.src[j]!;
  const v = b.via[j]!;
  const via = v < 0 ? undefined : v;
  return {
    item: b.item[j]!, score: b.score[j]!, best: 0,
    evidence: { source: b.sources[s]!, via, viaBought: via !== undefined && b.boughtVia.has(via), anchored: b.anchored[s], group: b.group[j] ? b.groups[b.group[j]! - 1] : undefined },
  };
}

/** dense scratch rows of the blend, indexed by item, reused request after request (one request at a time) */
const scratch = {
  score: new Float64Array(0), best: new Float64Array(0), src: new Uint8Array(0), via: new Int32Array(0),
  /** the group the best entry named; read only where `grouped` is 1 (strings are rare: popular lists) */
  group: [] as (string | undefined)[], grouped: new Uint8Array(0), seen: new Uint8Array(0), touched: new Int32Array(0),
};

function scratchFor(items: number): typeof scratch {
  if (scratch.seen.length < items) {
    const n = Math.max(items, scratch.seen.length * 2, 1024);
    scratch.score = new Float64Array(n);
    scratch.best = new Float64Array(n);
    scratch.src = new Uint8Array(n);
    scratch.via = new Int32Array(n);
    scratch.group = new Array<string | undefined>(n).fill(undefined);
    scratch.grouped = new Uint8Array(n);
    scratch.seen = new Uint8Array(n);
    scratch.touched = new Int32Array(n);
  }
  return scratch;
}

/** each source's scores over its best, times the scene weight, summed; times the profile factor; best first */
export function blend(m: Models, lists: SourceLists, w: (s: Source) => number, history: readonly Touch[], profile: Profile | undefined, scene: Scene): Blended {
  const boughtVia = boughtItems(history);
  const sources: Source[] = [];
  const anchored: (boolean | undefined)[] = [];
  let most = 0;
  for (const { list } of lists.values()) for (const s of list) if (s.item >= most) most = s.item + 1;
  const x = scratchFor(most);
  const { seen, touched, score, best, src, via, group, grouped } = x;
  let n = 0;
  for (const [source, l] of lists) {
    const list = l.list;
    if (!list.length) continue;
    const k = sources.length;
    sources.push(source);
    anchored.push(l.anchored);
    const max = list[0]!.score || 1;
    const ws = w(source);
    for (let e = 0; e < list.length; e++) {
      const s = list[e]!;
      const add = (ws * s.score) / max;
      if (add <= 0) continue;
      const i = s.item;
      if (!seen[i]) {
        seen[i] = 1;
        touched[n++] = i;
        score[i] = 0;
        best[i] = -1;
      }
      score[i]! += add;
      if (add > best[i]!) {
        best[i] = add;
        src[i] = k;
        via[i] = s.via ?? -1;
        const g = s.group;
        if (g !== undefined) {
          group[i] = g;
          grouped[i] = 1;
        } else grouped[i] = 0;
      }
    }
  }
  // a person's candidates live long (kept on their state): one buffer holds all five arrays, since every
  // array buffer alive is one more the young-generation collector tracks (docs/recommend.md, "Serving")
  const buf = new ArrayBuffer(n * 18);
  const out: Blended = {
    sorted: 0, score: new Float64Array(buf, 0, n), item: new Int32Array(buf, n * 8, n), via: new Int32Array(buf, n * 12, n),
    src: new Uint8Array(buf, n * 16, n), group: new Uint8Array(buf, n * 17, n), groups: [], sources, anchored, boughtVia,
  };
  const order = out.item;
  order.set(x.touched.subarray(0, n));
  if (profile) {
    const boost = profileBooster(m.catalog, profile, m.asOf);
    // x ** 1 is x: only the product scene takes the root
    if (scene === 'product') for (let t = 0; t < n; t++) x.score[order[t]!]! *= boost(order[t]!) ** 0.5;
    else for (let t = 0; t < n; t++) x.score[order[t]!]! *= boost(order[t]!);
  }
  const sc = x.score;
  // the best SORTED first and in order; the rest behind them as they come (sortRest orders them if asked)
  const sorted = Math.min(n, SORTED);
  selectItems(order, n, sorted, sc);
  sortItems(order, sorted, sc);
  out.sorted = sorted;
  const groups = out.groups;
  for (let t = 0; t < n; t++) {
    const i = order[t]!;
    out.score[t] = sc[i]!;
    out.src[t] = x.src[i]!;
    out.via[t] = via[i]!;
    if (grouped[i]) {
      let g = groups.indexOf(group[i]!);
      if (g < 0) g = groups.push(group[i]!) - 1;
      out.group[t] = g + 1;
    }
    x.seen[i] = 0;
  }
  return out;
}

/** how many blended candidates are put in order at once: a limit of 20 fills its pool of 100 from them, bar filters */
const SORTED = 128;

/** puts the candidates past `b.sorted` in order (score descending, then the lower item) */
export function sortRest(b: Blended): void {
  const n = b.item.length;
  const from = b.sorted;
  if (from >= n) return;
  // positions, by score and then position; then each run of equal scores by item
  const pos = new Int32Array(n - from);
  for (let t = 0; t < pos.length; t++) pos[t] = from + t;
  sortItems(pos, pos.length, b.score);
  for (let r = 0; r < pos.length; ) {
    let e = r + 1;
    while (e < pos.length && b.score[pos[e]!] === b.score[pos[r]!]) e++;
    for (let t = r + 1; t < e; t++) {
      const p = pos[t]!;
      let u = t - 1;
      for (; u >= r && b.item[pos[u]!]! > b.item[p]!; u--) pos[u + 1] = pos[u]!;
      pos[u + 1] = p;
    }
    r = e;
  }
  const item = b.item.slice(from);
  const score = b.score.slice(from);
  const src = b.src.slice(from);
  const via = b.via.slice(from);
  const group = b.group.slice(from);
  for (let t = 0; t < pos.length; t++) {
    const p = pos[t]! - from;
    b.item[from + t] = item[p]!;
    b.score[from + t] = score[p]!;
    b.src[from + t] = src[p]!;
    b.via[from + t] = via[p]!;
    b.group[from + t] = group[p]!;
  }
  b.sorted = n;
}

/**
 * The profile factor of one profile (the formula in rank.ts), for many items: the profile's shares are
 * turned into integer codes once (./codes.ts), so each item costs a few integer comparisons instead of
 * three string-keyed map lookups.
 */
export function profileBooster(c: Catalog, p: Profile, now: number): (i: number) => number {
  const k = codesOf(c);
  const q = profileCodes(k, p);
  const loyal = p.brandLoyal ? 2 : 1;
  const centre = p.priceBand === 'low' ? 0.2 : p.priceBand === 'high' ? 0.8 : p.priceBand === 'mid' ? 0.5 : null;
  const { trendSeeker, priceSensitive } = p;
  const { catCode, catShare, deptCode, deptShare, brandCode, brandShare, hasDepts } = q;
  const { category, top, root, brand: brandOf } = k;
  const { price, pricePct, launched, markdown } = c;
  return (i) => {
    const ci = shareAt(catCode, category[i]!);
    const cat = ci < 0 ? 0 : catShare[ci]!;
    let dept = 0;
    if (hasDepts) {
      let di = shareAt(deptCode, top[i]!);
      if (di < 0) di = shareAt(deptCode, root[i]!);
      dept = di < 0 ? 0 : deptShare[di]!;
    }
    const bi = shareAt(brandCode, brandOf[i]!);
    const brand = (bi < 0 ? 0 : brandShare[bi]!) * loyal;
    const fit = centre === null || Number.isNaN(price[i]!) ? 0 : Math.max(0, 1 - 2 * Math.abs(pricePct[i]! - centre));
    const isNew = !Number.isNaN(launched[i]!) && now - launched[i]! < 30 * 86_400_000 ? 1 : 0;
    const cheap = (1 - pricePct[i]! + markdown[i]!) / 2;
    return 1 + 0.5 * cat + 0.3 * dept + 0.3 * brand + 0.2 * fit + (trendSeeker ? 0.15 * isNew : 0) + (priceSensitive ? 0.15 * cheap : 0);
  };
}
