import { randomBytes } from 'node:crypto';
import type { OlapStore } from '../../store/olap/index.ts';
import type { Timezone } from '../timezones.ts';
import { basketsSql, itemNamesSql, type BasketLevel } from './sql.ts';

/**
 * Market-basket association rules (docs/analytics-baskets.md), mined in ClickHouse:
 *
 * 1. baskets: one row per completed order with its distinct items (or categories), into a scratch table;
 * 2. frequent items: in at least `minCount = ceil(minSupport × orders)` baskets;
 * 3. frequent pairs: every pair of frequent items within a basket (arrayJoin over its combinations);
 * 4. frequent triples: Apriori — only triples whose three pairs are all frequent are generated;
 * 5. rules: A → B from pairs and {A, B} → C from triples, with
 *      support = baskets holding all of them / baskets, confidence = support(A ∪ B) / support(A),
 *      lift = confidence / support(B); kept when confidence ≥ minConfidence and lift ≥ minLift.
 *
 * Orders with more than `maxBasketItems` distinct keys (bulk buys) would add combinations by the
 * thousand while saying little about what goes together: they count in `orders` and in item supports
 * but contribute no pairs or triples; `skippedOrders` says how many there were.
 */

export interface BasketRuleOptions {
  level?: BasketLevel;
  /** orders in [from, to) of the timezone's days; all orders when absent */
  from?: string;
  to?: string;
  tz?: Timezone;
  /** share of baskets an itemset must appear in (0…1), default 0.001 */
  minSupport?: number;
  /** default 0.1 */
  minConfidence?: number;
  /** default 1 (no worse than chance) */
  minLift?: number;
  /** how many rules to return, best first by `sort`; default 100 */
  top?: number;
  sort?: RuleSort;
  /** orders with more distinct keys than this add no pairs or triples; default 50 */
  maxBasketItems?: number;
}

export const RULE_SORTS = ['lift', 'confidence', 'support'] as const;
export type RuleSort = (typeof RULE_SORTS)[number];

export const BASKET_DEFAULTS = { level: 'item', minSupport: 0.001, minConfidence: 0.1, minLift: 1, top: 100, sort: 'lift', maxBasketItems: 50 } as const;

export interface BasketRule {
  /** one or two keys (sorted) */
  antecedent: string[];
  consequent: string;
  /** baskets holding the antecedent and the consequent */
  count: number;
  support: number;
  confidence: number;
  lift: number;
}

export interface FrequentPair {
  items: [string, string];
  count: number;
  support: number;
  /** support(AB) / (support(A) × support(B)) */
  lift: number;
}

export interface BasketRules {
  level: BasketLevel;
  /** baskets mined: completed orders with at least one key at the level */
  orders: number;
  /** orders over maxBasketItems that added no pairs or triples */
  skippedOrders: number;
  /** the support threshold as a basket count */
  minCount: number;
  thresholds: { minSupport: number; minConfidence: number; minLift: number; maxBasketItems: number };
  frequent: { items: number; pairs: number; triples: number };
  rules: BasketRule[];
  /** the most frequent pairs (up to 50), for a graph or heatmap */
  topPairs: FrequentPair[];
  /** display names of the keys that appear (item titles; a category is its own name) */
  names: Record<string, string>;
  seconds: number;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** The support threshold as a count of baskets (a float-safe ceil). */
export function minCountOf(minSupport: number, orders: number): number {
  return Math.max(1, Math.ceil(minSupport * orders - 1e-9));
}

/** Pairs (a < b) of a sorted array, as an array of tuples. */
const PAIRS = `arrayFlatten(arrayMap((x, i) -> arrayMap(y -> (x, y), arraySlice(f, i + 1)), f, arrayEnumerate(f)))`;
/** Triples (a < b < c) of a sorted array. */
const TRIPLES = `arrayFlatten(arrayMap((x, i) -> arrayFlatten(arrayMap((y, j) -> arrayMap(z -> (x, y, z), arraySlice(f, i + j + 1)),
  arraySlice(f, i + 1), arrayEnumerate(arraySlice(f, i + 1)))), f, arrayEnumerate(f)))`;

const SORT_SQL: Record<RuleSort, string> = {
  lift: 'lift DESC, confidence DESC, count DESC',
  confidence: 'confidence DESC, lift DESC, count DESC',
  support: 'count DESC, lift DESC, confidence DESC',
};

/** Association rules over pairs and triples of items or categories; see the module comment for definitions. */
export async function basketRules(olap: OlapStore, opts: BasketRuleOptions = {}): Promise<BasketRules> {
  const started = Date.now();
  const o = { ...BASKET_DEFAULTS, ...stripUndefined(opts) };
  const ranged = o.from !== undefined && o.to !== undefined;
  const db = olap.db;
  const scratch = `${db}.basket_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const T = { baskets: scratch, items: `${scratch}_i`, pairs: `${scratch}_p`, triples: `${scratch}_t` };
  try {
    await olap.command(`CREATE TABLE ${T.baskets} ENGINE = Memory AS SELECT oid, items FROM ${basketsSql(db, o.level, ranged)}`,
      ranged ? { from: o.from, to: o.to, tz: o.tz ?? 'UTC' } : {});
    const [tot] = await olap.query<{ n: number; skipped: number }>(
      `SELECT count() AS n, countIf(length(items) > {cap:UInt32}) AS skipped FROM ${T.baskets}`, { cap: o.maxBasketItems });
    const orders = Number(tot?.n ?? 0);
    const minCount = minCountOf(o.minSupport, orders);
    const p = { cap: o.maxBasketItems, minCount, n: Math.max(orders, 1), minConfidence: o.minConfidence, minLift: o.minLift, top: o.top };

    await olap.command(
      `CREATE TABLE ${T.items} ENGINE = Memory AS
       SELECT k, count() AS c FROM ${T.baskets} ARRAY JOIN items AS k GROUP BY k HAVING c >= {minCount:UInt64}`, p);
    // a basket reduced to its frequent keys (Apriori: a pair can only be frequent if both its items are)
    const reduced = (keep: string) => `(
      SELECT oid, arraySort(groupArray(k)) AS f
      FROM (SELECT oid, k FROM ${T.baskets} ARRAY JOIN items AS k WHERE length(items) <= {cap:UInt32})
      WHERE ${keep}
      GROUP BY oid HAVING length(f) >= 2)`;
    await olap.command(
      `CREATE TABLE ${T.pairs} ENGINE = Memory AS
       SELECT pr.1 AS a, pr.2 AS b, count() AS c
       FROM ${reduced(`k IN (SELECT k FROM ${T.items})`)} ARRAY JOIN ${PAIRS} AS pr
       GROUP BY a, b HAVING c >= {minCount:UInt64}`, p);
    // triples only from keys that are in some frequent pair, and only when all three pairs are frequent
    await olap.command(
      `CREATE TABLE ${T.triples} ENGINE = Memory AS
       SELECT tr.1 AS a, tr.2 AS b, tr.3 AS c3, count() AS c
       FROM ${reduced(`k IN (SELECT a FROM ${T.pairs} UNION ALL SELECT b FROM ${T.pairs})`)} ARRAY JOIN ${TRIPLES} AS tr
       WHERE (tr.1, tr.2) IN (SELECT a, b FROM ${T.pairs}) AND (tr.1, tr.3) IN (SELECT a, b FROM ${T.pairs})
         AND (tr.2, tr.3) IN (SELECT a, b FROM ${T.pairs})
       GROUP BY a, b, c3 HAVING c >= {minCount:UInt64}`, p);

    const [rules, pairs, counts] = await Promise.all([
      olap.query<{ antecedent: string[]; consequent: string; count: number; confidence: number; lift: number }>(
        `SELECT antecedent, consequent, count, confidence, lift FROM (
           SELECT [r.1] AS antecedent, r.2 AS consequent, p.c AS count,
                  p.c / ia.c AS confidence, (p.c / ia.c) / (ib.c / {n:Float64}) AS lift
           FROM ${T.pairs} AS p ARRAY JOIN [(p.a, p.b), (p.b, p.a)] AS r
           JOIN ${T.items} AS ia ON ia.k = r.1 JOIN ${T.items} AS ib ON ib.k = r.2
           UNION ALL
           SELECT [r.1, r.2] AS antecedent, r.3 AS consequent, t.c AS count,
                  t.c / pab.c AS confidence, (t.c / pab.c) / (ic.c / {n:Float64}) AS lift
           FROM ${T.triples} AS t ARRAY JOIN [(t.a, t.b, t.c3), (t.a, t.c3, t.b), (t.b, t.c3, t.a)] AS r
           JOIN ${T.pairs} AS pab ON pab.a = r.1 AND pab.b = r.2 JOIN ${T.items} AS ic ON ic.k = r.3
         )
         WHERE confidence >= {minConfidence:Float64} AND lift >= {minLift:Float64}
         ORDER BY ${SORT_SQL[o.sort]}, arrayStringConcat(antecedent, '\t'), consequent
         LIMIT {top:UInt32}`, p),
      olap.query<{ a: string; b: string; count: number; lift: number }>(
        `SELECT p.a AS a, p.b AS b, p.c AS count, (p.c / {n:Float64}) / ((ia.c / {n:Float64}) * (ib.c / {n:Float64})) AS lift
         FROM ${T.pairs} AS p JOIN ${T.items} AS ia ON ia.k = p.a JOIN ${T.items} AS ib ON ib.k = p.b
         ORDER BY count DESC, lift DESC, a, b LIMIT 50`, p),
      olap.query<{ items: number; pairs: number; triples: number }>(
        `SELECT (SELECT count() FROM ${T.items}) AS items, (SELECT count() FROM ${T.pairs}) AS pairs, (SELECT count() FROM ${T.triples}) AS triples`),
    ]);
    const out = {
      rules: rules.map((r) => ({
        antecedent: r.antecedent, consequent: r.consequent, count: Number(r.count), support: round(Number(r.count) / p.n),
        confidence: round(Number(r.confidence)), lift: round(Number(r.lift)),
      })),
      topPairs: pairs.map((r) => ({ items: [r.a, r.b] as [string, string], count: Number(r.count), support: round(Number(r.count) / p.n), lift: round(Number(r.lift)) })),
    };
    const keys = new Set<string>();
    for (const r of out.rules) [...r.antecedent, r.consequent].forEach((k) => keys.add(k));
    for (const r of out.topPairs) r.items.forEach((k) => keys.add(k));
    return {
      level: o.level,
      orders,
      skippedOrders: Number(tot?.skipped ?? 0),
      minCount,
      thresholds: { minSupport: o.minSupport, minConfidence: o.minConfidence, minLift: o.minLift, maxBasketItems: o.maxBasketItems },
      frequent: { items: Number(counts[0]?.items ?? 0), pairs: Number(counts[0]?.pairs ?? 0), triples: Number(counts[0]?.triples ?? 0) },
      ...out,
      names: await namesOf(olap, o.level, [...keys]),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const t of Object.values(T)) await olap.command(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
  }
}

export interface BoughtTogetherOptions {
  level?: BasketLevel;
  /** orders in [from, to) of the timezone's days; all orders when absent */
  from?: string;
  to?: string;
  tz?: Timezone;
  /** how many companions to return; default 10 */
  limit?: number;
  /** companions must share at least this many orders with the key; default 2 */
  minCount?: number;
}

export interface BoughtTogether {
  key: string;
  level: BasketLevel;
  /** baskets mined */
  orders: number;
  /** baskets holding the key */
  withKey: number;
  together: {
    key: string;
    name: string;
    /** baskets holding both */
    count: number;
    /** count / withKey: of the orders with the key, the share that also held this one */
    confidence: number;
    /** confidence / support of this one */
    lift: number;
  }[];
}

/**
 * "Frequently bought together" for one item (or category, with `level: 'category'`): the keys found most
 * often in the same completed orders, by shared orders (then lift), with at least `minCount` shared
 * orders. Made for the recommendations module: `boughtTogether(olap, 'p_000123')` needs nothing else.
 * An unknown key gives `withKey: 0` and no companions.
 */
export async function boughtTogether(olap: OlapStore, key: string, opts: BoughtTogetherOptions = {}): Promise<BoughtTogether> {
  const level = opts.level ?? 'item';
  const ranged = opts.from !== undefined && opts.to !== undefined;
  const b = basketsSql(olap.db, level, ranged);
  const params = { key, limit: opts.limit ?? 10, minCount: opts.minCount ?? 2, ...(ranged ? { from: opts.from, to: opts.to, tz: opts.tz ?? 'UTC' } : {}) };
  const [totals, rows] = await Promise.all([
    olap.query<{ n: number; with_key: number }>(`SELECT count() AS n, countIf(has(items, {key:String})) AS with_key FROM ${b}`, params),
    olap.query<{ k: string; together: number; with_k: number }>(
      `SELECT k, countIf(has(items, {key:String})) AS together, count() AS with_k
       FROM ${b} ARRAY JOIN items AS k
       GROUP BY k HAVING k != {key:String} AND together >= {minCount:UInt64}
       ORDER BY together DESC, together / with_k DESC, k
       LIMIT {limit:UInt32}`, params),
  ]);
  const orders = Number(totals[0]?.n ?? 0);
  const withKey = Number(totals[0]?.with_key ?? 0);
  const names = await namesOf(olap, level, rows.map((r) => r.k));
  return {
    key, level, orders, withKey,
    together: rows.map((r) => {
      const c = Number(r.together);
      const confidence = withKey ? c / withKey : 0;
      return { key: r.k, name: names[r.k] ?? r.k, count: c, confidence: round(confidence), lift: round(confidence / (Number(r.with_k) / orders)) };
    }),
  };
}

async function namesOf(olap: OlapStore, level: BasketLevel, keys: string[]): Promise<Record<string, string>> {
  const names: Record<string, string> = Object.fromEntries(keys.map((k) => [k, k]));
  if (level !== 'item' || keys.length === 0) return names;
  for (const r of await olap.query<{ key: string; name: string }>(itemNamesSql(olap.db), { keys })) if (r.name) names[r.key] = r.name;
  return names;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
