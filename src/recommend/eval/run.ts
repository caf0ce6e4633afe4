import type { OlapStore } from '../../store/olap/index.ts';
import type { OltpStore } from '../../store/oltp/index.ts';
import { ITEMS_OF, PERSON, personJoin, touchesOf } from '../data.ts';
import { intraListDiversity } from '../diversity.ts';
import type { Source } from '../explain.ts';
import { derivedProfiles, loadProfiles } from '../profile.ts';
import { rank, type Models, type UserState } from '../rank.ts';
import { trainModels, type TrainStats } from '../train.ts';
import { emptyProfile, type Profile } from '../types.ts';
import { exposure, exposureTable, type Exposure } from './fairness.ts';
import { hitAt, mean, ndcgAt, novelty, recallAt } from './metrics.ts';

/**
 * Offline evaluation with a time split: every model is trained on events before the cut, and asked for
 * a home-page list for each person who did the target behaviour (a purchase by default) after it; the
 * list is compared with the items they then bought. People with no history before the cut are in the
 * test too (cold start): they get the popular lists.
 *
 * Rows: each model alone (no profile, no diversity, no exploration) — popularity (the global list) and
 * plain item-CF are the baselines — then the segment-aware popular list, and the blend as served (profile
 * re-ranking and the home scene's diversity; exploration off, and once on; people without personalisation
 * consent get the anonymous list, as in serving).
 */
export type Target = 'buy' | 'cart' | 'any';
const TARGET_EVENTS: Record<Target, string[]> = {
  buy: ['Order Completed'],
  cart: ['Product Added', 'Order Completed'],
  any: ['Product Viewed', 'Product Added to Wishlist', 'Product Added', 'Order Completed'],
};

export interface EvalOptions {
  cut: Date;
  /** test window end (default: everything after the cut) */
  until?: Date;
  ks?: number[];
  target?: Target;
  /** at most this many test people (a deterministic sample), 5000 by default */
  maxUsers?: number;
  /** also report exposure (popularity deciles, departments) and a sweep of the diversity knob */
  fairness?: boolean;
  log?: (m: string) => void;
}

export interface EvalRow {
  model: string;
  /** metric name `recall@20` … → value */
  metrics: Record<string, number>;
  coverage: number;
  diversity: number;
  novelty: number;
  /** mean popularity percentile of recommended items (0 least … 1 most popular) */
  popularity: number;
}

export interface EvalReport {
  cut: string;
  target: Target;
  ks: number[];
  users: number;
  coldUsers: number;
  items: number;
  profileSource: 'tags' | 'derived';
  training: TrainStats;
  rows: EvalRow[];
  /** every cold-start person got a non-empty list */
  coldServed: number;
  /** test people the blend served without personalisation (no consent) */
  notPersonal: number;
  fairness?: {
    exposure: Record<string, Exposure>;
    /** the blend at each diversity λ (exploration off) */
    sweep: { diversity: number; recall: number; ndcg: number; intraList: number; coverage: number; gini: number; topDecileShare: number }[];
  };
}

interface Variant {
  model: string;
  weights?: Partial<Record<Source, number>>;
  profile: 'none' | 'groups' | 'full';
  diversity: number;
  explore: number;
}

const only = (s: Source): Partial<Record<Source, number>> => ({ itemcf: 0, als: 0, content: 0, session: 0, together: 0, popular: 0, trending: 0, [s]: 1 });
export const VARIANTS: Variant[] = [
  { model: 'popularity', weights: only('popular'), profile: 'none', diversity: 0, explore: 0 },
  { model: 'item-cf', weights: only('itemcf'), profile: 'none', diversity: 0, explore: 0 },
  { model: 'als', weights: only('als'), profile: 'none', diversity: 0, explore: 0 },
  { model: 'content', weights: only('content'), profile: 'none', diversity: 0, explore: 0 },
  { model: 'session', weights: only('session'), profile: 'none', diversity: 0, explore: 0 },
  { model: 'trending', weights: only('trending'), profile: 'none', diversity: 0, explore: 0 },
  { model: 'popular-by-segment', weights: only('popular'), profile: 'groups', diversity: 0, explore: 0 },
  { model: 'blend', profile: 'full', diversity: -1, explore: 0 },
  { model: 'blend+explore', profile: 'full', diversity: -1, explore: 0.1 },
];

export async function evaluate(stores: { olap: OlapStore; oltp: OltpStore }, o: EvalOptions): Promise<EvalReport> {
  const log = o.log ?? (() => {});
  const ks = o.ks ?? [10, 20];
  const target = o.target ?? 'buy';
  const cut = o.cut.getTime();
  // tags are used only when the newest build is as of the cut or before: nothing from the test period leaks in
  const [build] = await stores.oltp.query<{ as_of: Date | string }>(`SELECT as_of FROM tag_builds WHERE status = 'done' ORDER BY started_at DESC LIMIT 1`);
  const tagsOk = !!build && new Date(build.as_of).getTime() <= cut;
  const { models, profiles, stats } = await trainModels(stores.olap, {
    asOf: cut,
    profiles: tagsOk ? undefined : async (c, x) => {
      const derived = derivedProfiles(c, x);
      // the popular-by-group lists need the city tier: a stated trait, read from the tags as they are
      for (const [p, s] of await loadProfiles(stores.olap)) {
        const d = derived.get(p);
        if (d) {
          d.cityTier = s.cityTier;
          d.consent = s.consent;
        } else derived.set(p, { ...emptyProfile(), cityTier: s.cityTier, consent: s.consent });
      }
      return derived;
    },
    log: (s, t) => log(`trained ${s} in ${t.toFixed(2)} s`),
  });
  const truth = await testItems(stores.olap, cut, o.until?.getTime(), TARGET_EVENTS[target]);
  let people = [...truth.keys()].sort();
  const max = o.maxUsers ?? 5000;
  if (people.length > max) people = people.filter((_, i) => i % Math.ceil(people.length / max) === 0);
  log(`evaluating ${people.length} people (${target} after ${o.cut.toISOString()})`);

  // training popularity: people per item, and its percentile
  const touched = new Int32Array(models.catalog.ids.length);
  for (let t = 0; t < models.x.item.length; t++) touched[models.x.item[t]!]!++;
  const order = Array.from(touched.keys()).sort((a, b) => touched[a]! - touched[b]!);
  const pct = new Float32Array(touched.length);
  order.forEach((i, r) => (pct[i] = touched.length > 1 ? r / (touched.length - 1) : 0));
  const nPeople = models.x.persons.length;

  // the blend is served as the engine serves it: personal only with consent — unless the data carries no
  // consent at all (a public data set), where every person counts as consenting
  const consentKnown = [...profiles.values()].some((p) => p.consent);
  const states = people.map((p) => stateOf(models, p, profiles.get(p)));
  const servedStates = states.map((s) => ({ ...s, personal: !consentKnown || s.profile?.consent === true }));
  const K = Math.max(...ks);
  const rows: EvalRow[] = [];
  const listsOf: Record<string, number[][]> = {};
  let coldServed = 0;
  for (const v of VARIANTS) {
    const lists: number[][] = (listsOf[v.model] = []);
    const acc: Record<string, number[]> = {};
    const seen = new Set<number>();
    const ild: number[] = [];
    const nov: number[] = [];
    const pop: number[] = [];
    states.forEach((s, n) => {
      const user: UserState = v.profile === 'full' ? servedStates[n]! : { ...s, profile: v.profile === 'groups' ? s.profile : undefined };
      const list = rank(models, user, {
        scene: 'home', limit: K, anchors: [], weights: v.weights, noProfile: v.profile !== 'full',
        diversity: v.diversity < 0 ? undefined : v.diversity, explore: v.explore, seed: s.person,
      });
      if (v.model === 'blend' && s.history.length === 0 && list.length > 0) coldServed++;
      lists.push(list.map((r) => r.item));
      const ids = list.map((r) => models.catalog.ids[r.item]!);
      const t = truth.get(people[n]!)!;
      for (const k of ks) {
        (acc[`recall@${k}`] ??= []).push(recallAt(ids, t, k));
        (acc[`ndcg@${k}`] ??= []).push(ndcgAt(ids, t, k));
        (acc[`hr@${k}`] ??= []).push(hitAt(ids, t, k));
      }
      for (const r of list) {
        seen.add(r.item);
        nov.push(novelty(nPeople, touched[r.item] ?? 0));
        pop.push(pct[r.item] ?? 0);
      }
      if (list.length > 1) ild.push(intraListDiversity(models.catalog, list.map((r) => r.item)));
    });
    const metrics: Record<string, number> = {};
    for (const [key, xs] of Object.entries(acc)) metrics[key] = mean(xs);
    rows.push({ model: v.model, metrics, coverage: seen.size / models.catalog.ids.length, diversity: mean(ild), novelty: mean(nov), popularity: mean(pop) });
    log(`${v.model}: recall@${K} ${metrics[`recall@${K}`]!.toFixed(4)}`);
  }
  let fairness: EvalReport['fairness'];
  if (o.fairness) {
    const exp: Record<string, Exposure> = {};
    for (const model of ['popularity', 'item-cf', 'als', 'blend', 'blend+explore']) exp[model] = exposure(models, listsOf[model]!);
    const sweep: NonNullable<EvalReport['fairness']>['sweep'] = [];
    for (const diversity of [0, 0.15, 0.3, 0.5, 0.8]) {
      const lists = servedStates.map((s) => rank(models, s, { scene: 'home', limit: K, anchors: [], diversity, explore: 0, seed: s.person }).map((r) => r.item));
      const r: number[] = [];
      const g: number[] = [];
      const ild: number[] = [];
      lists.forEach((l, n) => {
        const ids = l.map((i) => models.catalog.ids[i]!);
        r.push(recallAt(ids, truth.get(people[n]!)!, K));
        g.push(ndcgAt(ids, truth.get(people[n]!)!, K));
        if (l.length > 1) ild.push(intraListDiversity(models.catalog, l));
      });
      const e = exposure(models, lists);
      sweep.push({ diversity, recall: mean(r), ndcg: mean(g), intraList: mean(ild), coverage: new Set(lists.flat()).size / models.catalog.ids.length, gini: e.gini, topDecileShare: e.deciles[9]!.share });
      log(`diversity ${diversity}: recall@${K} ${mean(r).toFixed(4)}, intra-list ${mean(ild).toFixed(3)}`);
    }
    fairness = { exposure: exp, sweep };
  }
  return {
    fairness,
    cut: o.cut.toISOString(), target, ks, users: people.length, coldUsers: states.filter((s) => s.history.length === 0).length,
    items: models.catalog.ids.length, profileSource: tagsOk ? 'tags' : 'derived', training: stats, rows, coldServed,
    notPersonal: servedStates.filter((s) => !s.personal).length,
  };
}

/** the serving state the engine would build for a person at the cut */
export function stateOf(m: Models, person: string, profile: Profile | undefined): UserState {
  const u = m.x.personIndex.get(person) ?? -1;
  const history = u >= 0 ? touchesOf(m.x, u) : [];
  return { person, u, history, views: history.slice(0, 5), profile };
}

/** per person, the items of the target behaviour after the cut */
export async function testItems(olap: OlapStore, cut: number, until: number | undefined, events: string[]): Promise<Map<string, Set<string>>> {
  const db = olap.db;
  const rows = await olap.query<{ person: string; items: string[] }>(
    `SELECT person, groupUniqArray(item) AS items FROM (
       SELECT ${PERSON} AS person, ${ITEMS_OF} AS item
       FROM ${db}.events AS e ${personJoin(db)}
       WHERE e.event IN {events:Array(String)} AND e.timestamp >= fromUnixTimestamp64Milli({cut:Int64})
         AND e.timestamp < fromUnixTimestamp64Milli({until:Int64})
     ) WHERE item != '' GROUP BY person`,
    { events, cut, until: until ?? 9e12 },
  );
  return new Map(rows.map((r) => [r.person, new Set(r.items)]));
}

/** the report as a fixed-width table */
export function table(r: EvalReport): string {
  const cols = [...r.ks.flatMap((k) => [`recall@${k}`, `ndcg@${k}`, `hr@${k}`]), 'coverage', 'diversity', 'novelty', 'popularity'];
  const head = ['model'.padEnd(20), ...cols.map((c) => c.padStart(10))].join(' ');
  const lines = r.rows.map((row) =>
    [row.model.padEnd(20), ...cols.map((c) => {
      const v = c in row.metrics ? row.metrics[c]! : (row as unknown as Record<string, number>)[c]!;
      return v.toFixed(4).padStart(10);
    })].join(' '));
  return [
    `cut ${r.cut}; target ${r.target}; ${r.users} people (${r.coldUsers} with no history before the cut, ${r.notPersonal} without personalisation consent); ${r.items} items; profile from ${r.profileSource}`,
    head, ...lines,
    ...(r.fairness ? ['', fairnessTable(r.fairness)] : []),
  ].join('\n');
}

function fairnessTable(f: NonNullable<EvalReport['fairness']>): string {
  const out: string[] = [];
  for (const [model, e] of Object.entries(f.exposure)) out.push(`— ${model}`, exposureTable(e), '');
  out.push('diversity knob (blend, exploration off):', `${'λ'.padStart(6)} ${'recall'.padStart(8)} ${'ndcg'.padStart(8)} ${'intra-list'.padStart(10)} ${'coverage'.padStart(9)} ${'gini'.padStart(6)} ${'top 10%'.padStart(8)}`);
  for (const s of f.sweep) out.push(`${s.diversity.toFixed(2).padStart(6)} ${s.recall.toFixed(4).padStart(8)} ${s.ndcg.toFixed(4).padStart(8)} ${s.intraList.toFixed(4).padStart(10)} ${s.coverage.toFixed(4).padStart(9)} ${s.gini.toFixed(3).padStart(6)} ${(s.topDecileShare * 100).toFixed(1).padStart(7)}%`);
  return out.join('\n');
}
