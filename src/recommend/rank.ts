import { diversify } from './diversity.ts';
import { reason, type Evidence, type Lang, type Source } from './explain.ts';
import { makeFilter, type FilterSpec } from './filters.ts';
import type { ALS, TopList } from './models/als.ts';
import type { BoughtTogether } from './models/boughtTogether.ts';
import type { Content } from './models/content.ts';
import type { ItemCF } from './models/itemcf.ts';
import type { Popular } from './models/popular.ts';
import type { SessionModel } from './models/session.ts';
import { codesOf, profileCodes, shareAt } from './codes.ts';
import { selectItems, sortItems } from './sortItems.ts';
import type { Catalog, Interactions, Profile, Scored, Touch } from './types.ts';

/**
 * The ranker: candidates from every model the scene uses are blended, re-ranked with the person's
 * profile tags, filtered, diversified, and given a small exploration share.
 *
 * Blend: each source's scores are divided by that source's best score in the request (0…1), multiplied
 * by the scene's weight for the source (SCENES) and summed. The item's reason is the source that added
 * most. The home weights were chosen by a small grid on one generated world (seed 7, purchases in the 30
 * days after the cut) and checked on others (docs/recommend.md); content and session stay in with small
 * weights because they are what reaches new items and the last few minutes.
 *
 * Profile re-ranking (a documented scorer, weights chosen on training worlds, see docs/recommend.md):
 *   score × (1 + 0.5·category share + 0.3·department share + 0.3·brand share (×2 for brand-loyal people)
 *            + 0.2·price fit + 0.15·new arrival (trend seekers) + 0.15·cheapness (price-sensitive people))
 * where shares come from top_categories / top_category_groups / top_brands, price fit is
 * max(0, 1 − 2|price position − band centre|) for price_band low 0.2 / mid 0.5 / high 0.8, and cheapness is
 * (1 − price position + markdown) / 2. People without history or in the new or churned lifecycle stages
 * lean on popular lists (their weight ×3). People without personalisation consent are served as anonymous
 * visitors: popular and trending lists, nothing from their history or tags.
 */
export type Scene = 'home' | 'product' | 'cart' | 'email';
export const SCENES: Record<Scene, Partial<Record<Source, number>>> = {
  home: { itemcf: 1, als: 1, content: 0.1, session: 0.2, popular: 0.4, trending: 0.1 },
  product: { itemcf: 1, content: 0.6, session: 0.6, together: 0.4, als: 0.3, popular: 0.05 },
  cart: { together: 1, itemcf: 0.6, content: 0.2, als: 0.2, popular: 0.1 },
  email: { itemcf: 1, als: 1.2, content: 0.1, popular: 0.4, trending: 0.1 },
};
/** default diversity λ and exploration share per scene */
export const SCENE_DEFAULTS: Record<Scene, { diversity: number; explore: number }> = {
  home: { diversity: 0.15, explore: 0.1 },
  product: { diversity: 0.05, explore: 0 },
  cart: { diversity: 0.1, explore: 0 },
  email: { diversity: 0.3, explore: 0.1 },
};

export interface Models {
  catalog: Catalog;
  x: Interactions;
  itemcf: ItemCF;
  als: ALS;
  content: Content;
  together: BoughtTogether;
  popular: Popular;
  session: SessionModel;
  repeatable: Uint8Array;
  /** items launched within the 30 days before `asOf` (the exploration pool) */
  newItems: number[];
  /** the moment the models were trained as of (ms) */
  asOf: number;
}

/** What serving knows of one person: history (newest first), last views, profile, ALS vector. */
export interface UserState {
  person: string;
  /** row in the trained interactions, −1 when the person is newer than the models */
  u: number;
  history: Touch[];
  views: Touch[];
  profile?: Profile;
  vector?: Float32Array;
  /** the ALS candidates for `vector`, best first (two typed arrays: a state lives long, objects cost the collector) */
  alsTop?: TopList;
  /**
   * the blended candidates for the last scene asked, and the final lists served from them for identical
   * requests (see rank)
   */
  candidates?: { key: string; blended: Blended; lists?: Map<string, Ranked[]> };
  /** the newest event time applied to this state (live updates) */
  watermark?: number;
  /**
   * false when the person has not consented to personalisation: their lists are then what an anonymous
   * visitor gets (no history, no profile), whatever the state holds
   */
  personal?: boolean;
}

export interface RankRequest {
  scene: Scene;
  limit: number;
  /** the product on the page, or the basket */
  anchors: number[];
  diversity?: number;
  explore?: number;
  maxPerCategory?: number;
  include?: string[];
  exclude?: string[];
  lang?: Lang;
  dislikedItems?: ReadonlySet<string>;
  dislikedCategories?: readonly string[];
  /** override the scene's source weights (evaluation of single models) */
  weights?: Partial<Record<Source, number>>;
  /** turn the profile re-ranking off (evaluation) */
  noProfile?: boolean;
  /** seeds the exploration pick (person and day by default) */
  seed?: string;
  /** top a short list up from the popular list (true; bought-together answers only what co-occurs) */
  fill?: boolean;
  /**
   * the version of the dislikes passed (it changes with every feedback): when given, the final list is kept
   * on the person's state and an identical request is answered from it until the state, the profile or the
   * dislikes change (serving); without it every list is ranked afresh (evaluation)
   */
  feedbackVersion?: number;
}

export interface Ranked {
  item: number;
  score: number;
  evidence: Evidence;
  reason: string;
}

export interface Cand {
  item: number;
  score: number;
  best: number;
  evidence: Evidence;
}

const POOL = 100;

export function rank(m: Models, user: UserState | null, req: RankRequest): Ranked[] {
  const c = m.catalog;
  const lang = req.lang ?? 'zh';
  const weights = { ...SCENES[req.scene], ...req.weights };
  // the caches live on the person's state, also for someone served as an anonymous visitor
  const holder = user;
  if (user && user.personal === false) user = { person: user.person, u: -1, history: [], views: [] };
  const profile = req.noProfile ? undefined : user?.profile;
  const history = user?.history ?? [];
  const cold = history.length === 0 || profile?.lifecycle === 'new' || profile?.lifecycle === 'churned';
  const w = (s: Source) => (weights[s] ?? 0) * (cold && (s === 'popular' || s === 'trending') ? 3 : 1);
  // the blended, profile-weighted candidates depend only on the person's state, profile and the scene: kept
  // on the state until their next event, a profile change or a retraining (a reload re-filters and
  // re-diversifies, it does not recompute the models)
  const key = `${req.scene}|${req.anchors.join(',')}|${JSON.stringify(weights)}|${cold}|${req.noProfile ? 1 : 0}`;
  let blended = holder?.candidates?.key === key ? holder.candidates.blended : undefined;
  if (!blended) {
    blended = blend(m, sourceLists(m, user, req, history, profile, w), w, history, profile, req.scene);
    if (holder) holder.candidates = { key, blended };
  }
  // the final list of an identical request (same filters, knobs, dislikes and exploration seed) is the same list
  const listKey = holder && req.feedbackVersion !== undefined
    ? `${req.limit}|${req.diversity}|${req.explore}|${req.maxPerCategory}|${req.include?.join('\u0001')}|${req.exclude?.join('\u0001')}|${lang}|${req.fill}|${req.seed}|${req.feedbackVersion}`
    : undefined;
  const kept = listKey !== undefined ? holder!.candidates!.lists?.get(listKey) : undefined;
  if (kept) return kept;

  const filter = makeFilter(c, m.repeatable, {
    bought: boughtItems(history),
    dislikedItems: req.dislikedItems ?? new Set(),
    dislikedCategories: req.dislikedCategories ?? [],
    include: req.include ?? [],
    exclude: req.exclude ?? [],
    anchors: new Set(req.anchors),
  } satisfies FilterSpec);
  // diversification looks at the best `poolSize` candidates that pass the filters, and scales relevance by the
  // highest and lowest score of all that pass: candidates are objects only for the pool; the lowest score is
  // the last candidate (best first) that passes, found from the end
  const poolSize = Math.max(req.limit * 5, 100);
  const ranked: Cand[] = [];
  const n = blended.item.length;
  let j = 0;
  for (; j < n && ranked.length < poolSize; j++) {
    if (j === blended.sorted) sortRest(blended);
    if (filter(blended.item[j]!)) ranked.push(candOf(blended, j));
  }
  // the lowest score of the rest that passes (the rest is in no particular order past blended.sorted)
  let lowest = Infinity;
  for (let t = j; t < n; t++) if (blended.score[t]! < lowest && filter(blended.item[t]!)) lowest = blended.score[t]!;
  // not enough candidates (a new shop, narrow filters): fill from the popular list
  if (ranked.length < req.limit && req.fill !== false) {
    const have = new Set(ranked.map((r) => r.item));
    const floor = ranked.length ? ranked[ranked.length - 1]!.score : 1;
    for (const s of m.popular.global) {
      if (ranked.length >= req.limit * 3) break;
      if (have.has(s.item) || !filter(s.item)) continue;
      ranked.push({ item: s.item, score: floor * 0.5 * (s.score / (m.popular.global[0]?.score || 1)), best: 0, evidence: { source: 'popular' } });
    }
  }
  const d = req.diversity ?? SCENE_DEFAULTS[req.scene].diversity;
  let out = diversify(c, ranked, req.limit, d, req.maxPerCategory, lowest);
  const e = req.explore ?? SCENE_DEFAULTS[req.scene].explore;
  if (e > 0 && out.length) out = explore(m, out, profile, filter, e, req.seed ?? `${user?.person ?? ''}:${new Date(m.asOf).toISOString().slice(0, 10)}`);
  const result = out.map((r) => ({ item: r.item, score: round(r.score), evidence: r.evidence, reason: reason(c, r.item, r.evidence, lang) }));
  if (listKey !== undefined) {
    const lists = (holder!.candidates!.lists ??= new Map());
    if (lists.size >= 8) lists.clear();
    lists.set(listKey, result);
  }
  return result;
}

function boughtItems(history: readonly Touch[]): Set<number> {
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
  /** null when no entry named a group */
  group: (string | undefined)[] | null;
  sources: Source[];
  anchored: (boolean | undefined)[];
  boughtVia: ReadonlySet<number>;
}

function candOf(b: Blended, j: number): Cand {
  const s = b.src[j]!;
  const v = b.via[j]!;
  const via = v < 0 ? undefined : v;
  return {
    item: b.item[j]!, score: b.score[j]!, best: 0,
    evidence: { source: b.sources[s]!, via, viaBought: via !== undefined && b.boughtVia.has(via), anchored: b.anchored[s], group: b.group?.[j] },
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
function blend(m: Models, lists: SourceLists, w: (s: Source) => number, history: readonly Touch[], profile: Profile | undefined, scene: Scene): Blended {
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
  const order = x.touched.slice(0, n);
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
  const out: Blended = { sorted, item: order, score: new Float64Array(n), src: new Uint8Array(n), via: new Int32Array(n), group: null, sources, anchored, boughtVia };
  for (let t = 0; t < n; t++) {
    const i = order[t]!;
    out.score[t] = sc[i]!;
    out.src[t] = x.src[i]!;
    out.via[t] = via[i]!;
    if (grouped[i]) (out.group ??= new Array<string | undefined>(n))[t] = group[i];
    x.seen[i] = 0;
  }
  return out;
}

/** how many blended candidates are put in order at once: a limit of 20 fills its pool of 100 from them, bar filters */
const SORTED = 128;

/** puts the candidates past `b.sorted` in order (score descending, then the lower item) */
function sortRest(b: Blended): void {
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
  const group = b.group?.slice(from);
  for (let t = 0; t < pos.length; t++) {
    const p = pos[t]! - from;
    b.item[from + t] = item[p]!;
    b.score[from + t] = score[p]!;
    b.src[from + t] = src[p]!;
    b.via[from + t] = via[p]!;
    if (b.group && group) b.group[from + t] = group[p];
  }
  b.sorted = n;
}

type SourceLists = Map<Source, { list: Scored[]; anchored?: boolean }>;

function sourceLists(m: Models, user: UserState | null, req: RankRequest, history: readonly Touch[], profile: Profile | undefined, w: (s: Source) => number): SourceLists {
  const lists: SourceLists = new Map();
  const anchorTouches: Touch[] = req.anchors.map((item) => ({ item, at: m.asOf, weight: 3, bought: false }));

  if (w('itemcf')) lists.set('itemcf', req.anchors.length ? { list: m.itemcf.recommend(anchorTouches, POOL), anchored: true } : { list: m.itemcf.recommend(history, POOL) });
  if (w('content')) lists.set('content', req.anchors.length ? { list: m.content.recommend(anchorTouches, POOL), anchored: true } : { list: m.content.recommend(history, POOL) });
  if (w('session')) lists.set('session', req.anchors.length ? { list: m.session.recommend(anchorTouches, POOL), anchored: true } : { list: m.session.recommend(user?.views ?? [], POOL) });
  if (w('together') && req.anchors.length) lists.set('together', { list: m.together.forBasket(req.anchors, POOL), anchored: true });
  if (w('als') && user && history.length) {
    // a person's ALS list only changes with their history: kept on the serving state until then
    if (!user.alsTop) {
      const v = user.vector ?? (user.vector = user.u >= 0 && user.u < m.als.X.length / m.als.k ? m.als.userVector(user.u) : m.als.foldIn(history));
      user.alsTop = m.als.recommendTop(v, POOL);
    }
    const top = user.alsTop;
    const list: Scored[] = new Array(top.item.length);
    for (let j = 0; j < list.length; j++) list[j] = { item: top.item[j]!, score: top.score[j]! };
    lists.set('als', { list });
  }
  if (w('popular')) lists.set('popular', { list: m.popular.forProfile(profile ?? user?.profile, POOL).items });
  if (w('trending')) lists.set('trending', { list: m.popular.trending.slice(0, POOL) });

  return lists;
}

export function profileBoost(c: Catalog, i: number, p: Profile, now: number): number {
  const cat = p.categories.get(c.category[i] ?? '') ?? 0;
  const dept = p.departments.size ? p.departments.get(c.top[i] ?? '') ?? p.departments.get(c.root[i] ?? '') ?? 0 : 0;
  const brand = (p.brands.get(c.brand[i] ?? '') ?? 0) * (p.brandLoyal ? 2 : 1);
  const centre = p.priceBand === 'low' ? 0.2 : p.priceBand === 'high' ? 0.8 : p.priceBand === 'mid' ? 0.5 : null;
  const fit = centre === null || Number.isNaN(c.price[i]!) ? 0 : Math.max(0, 1 - 2 * Math.abs(c.pricePct[i]! - centre));
  const isNew = !Number.isNaN(c.launched[i]!) && now - c.launched[i]! < 30 * 86_400_000 ? 1 : 0;
  const cheap = (1 - c.pricePct[i]! + c.markdown[i]!) / 2;
  return 1 + 0.5 * cat + 0.3 * dept + 0.3 * brand + 0.2 * fit + (p.trendSeeker ? 0.15 * isNew : 0) + (p.priceSensitive ? 0.15 * cheap : 0);
}

/**
 * `profileBoost` for one profile over many items: the profile's shares are turned into integer codes once
 * (./codes.ts), so each item costs a few integer comparisons instead of three string-keyed map lookups. The
 * same arithmetic in the same order, so the same numbers.
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

/**
 * Replaces ⌈share × n⌉ evenly spaced slots (never the first two) with items the person would otherwise not
 * see: new arrivals (launched within 30 days) in the departments they like, else trending items outside
 * the list; chosen by a hash of the person and the day, so a page reload shows the same list.
 */
function explore(m: Models, list: Cand[], profile: Profile | undefined, filter: (i: number) => boolean, share: number, seed: string): Cand[] {
  const c = m.catalog;
  const slots = Math.min(list.length - 2, Math.ceil(share * list.length));
  if (slots <= 0) return list;
  const inList = new Set(list.map((r) => r.item));
  // the liked departments as catalog codes (./codes.ts; a department no item has matches none)
  const k = codesOf(c);
  const deptCodes: number[] = [];
  if (profile) for (const d of profile.departments.keys()) {
    const code = k.dict.get(d);
    if (code !== undefined) deptCodes.push(code);
  }
  const anyDept = profile !== undefined && profile.departments.size > 0;
  const pool: number[] = [];
  for (const i of m.newItems) {
    if (inList.has(i) || (anyDept && !deptCodes.includes(k.top[i]!) && !deptCodes.includes(k.root[i]!))) continue;
    if (filter(i)) pool.push(i);
  }
  if (pool.length < slots) for (const s of m.popular.trending) if (!inList.has(s.item) && filter(s.item) && !pool.includes(s.item)) pool.push(s.item);
  if (pool.length === 0) return list;
  const out = list.slice();
  let h = hash(seed);
  for (let s = 0; s < slots && pool.length; s++) {
    const pos = Math.min(out.length - 1, Math.max(2, Math.round(((s + 1) * out.length) / (slots + 1))));
    h = hash(`${seed}:${s}:${h}`);
    const pick = pool.splice(h % pool.length, 1)[0]!;
    out[pos] = { item: pick, score: out[pos]!.score, best: 0, evidence: { source: 'explore' } };
  }
  return out;
}

/** FNV-1a, 32 bits */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
