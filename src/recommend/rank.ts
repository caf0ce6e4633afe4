import { diversify } from './diversity.ts';
import { reason, type Evidence, type Lang, type Source } from './explain.ts';
import { makeFilter, type FilterSpec } from './filters.ts';
import type { ALS, TopList } from './models/als.ts';
import type { BoughtTogether } from './models/boughtTogether.ts';
import type { Content } from './models/content.ts';
import type { ItemCF } from './models/itemcf.ts';
import type { Popular } from './models/popular.ts';
import type { SessionModel } from './models/session.ts';
import { codesOf } from './codes.ts';
import { blend, boughtItems, candOf, sortRest, type Blended, type SourceLists } from './blend.ts';
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
  // the caches live on the person's state, also for someone served as an anonymous visitor
  const holder = user;
  const { blended, served } = blendedFor(m, user, req);
  user = served;
  const profile = req.noProfile ? undefined : user?.profile;
  const history = user?.history ?? [];
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

/**
 * The blended, profile-weighted candidates of a request: they depend only on the person's state, profile
 * and the scene, so they are kept on the state until the person's next event, a profile change or a
 * retraining (a reload re-filters and re-diversifies, it does not recompute the models). `served` is the
 * state the request is answered for: an anonymous visitor's for someone without personalisation consent.
 */
function blendedFor(m: Models, holder: UserState | null, req: RankRequest): { blended: Blended; served: UserState | null } {
  const weights = { ...SCENES[req.scene], ...req.weights };
  const user = holder && holder.personal === false ? { person: holder.person, u: -1, history: [], views: [] } : holder;
  const profile = req.noProfile ? undefined : user?.profile;
  const history = user?.history ?? [];
  const cold = history.length === 0 || profile?.lifecycle === 'new' || profile?.lifecycle === 'churned';
  const w = (s: Source) => (weights[s] ?? 0) * (cold && (s === 'popular' || s === 'trending') ? 3 : 1);
  const key = `${req.scene}|${req.anchors.join(',')}|${JSON.stringify(weights)}|${cold}|${req.noProfile ? 1 : 0}`;
  let blended = holder?.candidates?.key === key ? holder.candidates.blended : undefined;
  if (!blended) {
    blended = blend(m, sourceLists(m, user, req, history, profile, w), w, history, profile, req.scene);
    if (holder) holder.candidates = { key, blended };
  }
  return { blended, served: user };
}

/**
 * Blends a person's candidates for a scene's default request ahead of it (./prepare.ts): what their first
 * request would compute, kept on the state just as that request keeps it.
 */
export function prepareBlend(m: Models, user: UserState, scene: Scene = 'home'): void {
  blendedFor(m, user, { scene, limit: 0, anchors: [] });
}

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
