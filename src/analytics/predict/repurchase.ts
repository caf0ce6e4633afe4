import { randomBytes } from 'node:crypto';
import type { OlapStore } from '../../store/olap/index.ts';
import { addDays, datesIn } from '../dates.ts';
import { bound, completedOrders } from '../sql.ts';
import type { Timezone } from '../timezones.ts';

/**
 * Purchase-cycle repurchase prediction (docs/analytics-predictions.md): who is due to buy again in a week.
 *
 * - order days: the distinct days (reporting timezone) on which a person completed an order, before the
 *   week starts ('Order Completed' deduplicated by order_id, as everywhere);
 * - gaps: days between consecutive order days; the person's cycle is their median gap (the mean of the two
 *   middle gaps when there is an even number);
 * - due date = last order day + the cycle rounded up to whole days; a person is **due** in the week when
 *   the due date falls in [from, from + 7 days), **overdue** when it fell before `from`;
 * - confidence by order days: 2 → low (one gap), 3–4 → medium, 5 or more → high;
 * - per category (the first level of the category path, e.g. 食品 of 食品/休闲零食/饼干) when the person
 *   has at least 3 order days in it: the same cycle and due date over those days.
 * Only people with at least two order days have a cycle. For a week in the past, `boughtInWeek` counts the
 * people due who did order in it: the prediction's hit rate.
 */

export interface RepurchaseParams {
  /** first day of the week, YYYY-MM-DD: orders before it are the history */
  from: string;
  tz: Timezone;
  /** at most this many people in `people` (default 200); counts cover everyone */
  limit?: number;
  /** only people at least this confident */
  minConfidence?: Confidence;
}

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];
/** Order days needed for medium and high confidence, and for a category's own cycle. */
export const REPURCHASE_RULES = { medium: 3, high: 5, categoryOrderDays: 3 } as const;

export interface DueCategory { category: string; orderDays: number; medianGapDays: number; lastOrder: string; dueDate: string; dueInWeek: boolean }
export interface DuePerson {
  personId: string;
  orderDays: number;
  lastOrder: string;
  medianGapDays: number;
  dueDate: string;
  confidence: Confidence;
  categories: DueCategory[];
}

export interface Repurchase {
  week: { from: string; to: string; tz: Timezone };
  /** people with a cycle (at least two order days before the week) */
  withCycle: number;
  due: number;
  overdue: number;
  byConfidence: Record<Confidence, number>;
  byDay: { date: string; count: number }[];
  /** people due in the week per category, by the category's own cycle */
  categories: { category: string; persons: number }[];
  /** of the people due, those who ordered in the week (meaningful once the week is past) */
  boughtInWeek: number;
  people: DuePerson[];
}

const confidenceSql = `multiIf(n >= ${REPURCHASE_RULES.high}, 'high', n >= ${REPURCHASE_RULES.medium}, 'medium', 'low')`;
const rank: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

/** Cycle columns over `days` (sorted Int32 day numbers): n, last, gap (median), due (Int32 day number). */
const cycleSql = `
  length(days) AS n, days[-1] AS last,
  arraySort(arrayPopFront(arrayDifference(days))) AS gaps, length(gaps) AS g,
  if(g % 2 = 1, toFloat64(gaps[intDiv(g + 1, 2)]), (gaps[intDiv(g, 2)] + gaps[intDiv(g, 2) + 1]) / 2) AS gap,
  last + toInt32(ceil(gap)) AS due`;

/**
 * The orders the report reads, once (identity-resolved, deduplicated), into a scratch table: buyer, order
 * time and the first-level categories of the order's lines. Every figure is then a light query over it.
 */
const ordersSql = (db: string) => `
  SELECT buyer, ts,
    arrayDistinct(arrayFilter(c -> c != '', arrayMap(x -> splitByChar('/', if(x.category != '', x.category, order_category))[1], order_products))) AS categories
  FROM ${completedOrders(db)}
  WHERE ts < toDateTime({to:Date}, {tz:String})`;

/** Per person: their order days before the week (as Int32 day numbers), with their cycle. */
const personsSql = (orders: string) => `(
  SELECT buyer, ${cycleSql}, ${confidenceSql} AS confidence
  FROM (
    SELECT buyer, arraySort(groupUniqArray(toInt32(toDate(ts, {tz:String})))) AS days
    FROM ${orders}
    WHERE ts < ${bound('from')}
    GROUP BY buyer
    HAVING length(days) >= 2
  )
  WHERE indexOf(['low', 'medium', 'high'], confidence) > {minRank:UInt8}
)`;

/** Per person and first-level category with enough order days. */
const categoriesSql = (orders: string) => `(
  SELECT buyer, category, ${cycleSql}
  FROM (
    SELECT buyer, category, arraySort(groupUniqArray(toInt32(toDate(ts, {tz:String})))) AS days
    FROM ${orders}
    ARRAY JOIN categories AS category
    WHERE ts < ${bound('from')}
    GROUP BY buyer, category
    HAVING length(days) >= ${REPURCHASE_RULES.categoryOrderDays}
  )
)`;

const weekEnd = `toInt32(toDate({to:Date}))`;
const weekStart = `toInt32(toDate({from:Date}))`;
const dayString = (col: string) => `toString(toDate(${col}))`;

export async function repurchase(olap: OlapStore, p: RepurchaseParams): Promise<Repurchase> {
  const to = addDays(p.from, 7);
  const params = { from: p.from, to, tz: p.tz, limit: p.limit ?? 200, minRank: rank[p.minConfidence ?? 'low'] };
  const inWeek = (col: string) => `${col} >= ${weekStart} AND ${col} < ${weekEnd}`;
  const orders = `${olap.db}.repurchase_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  await olap.command(`CREATE TABLE ${orders} ENGINE = Memory AS ${ordersSql(olap.db)}`, params);
  try {
    const [totals, days, cats, people, personCats] = await Promise.all([
      olap.query<{ with_cycle: number; due_n: number; overdue: number; low: number; medium: number; high: number; bought: number }>(
        `SELECT count() AS with_cycle, countIf(${inWeek('due')}) AS due_n, countIf(due < ${weekStart}) AS overdue,
                countIf(${inWeek('due')} AND confidence = 'low') AS low, countIf(${inWeek('due')} AND confidence = 'medium') AS medium,
                countIf(${inWeek('due')} AND confidence = 'high') AS high,
                countIf(${inWeek('due')} AND buyer IN (
                  SELECT buyer FROM ${orders} WHERE ts >= ${bound('from')})) AS bought
         FROM ${personsSql(orders)}`, params),
      olap.query<{ date: string; n: number }>(
        `SELECT ${dayString('due')} AS date, count() AS n FROM ${personsSql(orders)} WHERE ${inWeek('due')} GROUP BY date`, params),
      olap.query<{ category: string; n: number }>(
        `SELECT category, count() AS n FROM ${categoriesSql(orders)} WHERE ${inWeek('due')}
           AND buyer IN (SELECT buyer FROM ${personsSql(orders)})
         GROUP BY category ORDER BY n DESC, category`, params),
      olap.query<{ buyer: string; n: number; last_day: string; gap: number; due_day: string; confidence: Confidence }>(
        `SELECT buyer, n, ${dayString('last')} AS last_day, gap, ${dayString('due')} AS due_day, confidence
         FROM ${personsSql(orders)} WHERE ${inWeek('due')}
         ORDER BY due, indexOf(['high', 'medium', 'low'], confidence), buyer
         LIMIT {limit:UInt32}`, params),
      olap.query<{ buyer: string; category: string; n: number; last_day: string; gap: number; due: number; due_day: string }>(
        `SELECT buyer, category, n, ${dayString('last')} AS last_day, gap, due, ${dayString('due')} AS due_day
         FROM ${categoriesSql(orders)}
         WHERE buyer IN (SELECT buyer FROM ${personsSql(orders)} WHERE ${inWeek('due')} ORDER BY due, indexOf(['high', 'medium', 'low'], confidence), buyer LIMIT {limit:UInt32})
         ORDER BY buyer, due, category`, params),
    ]);
    const t = totals[0]!;
    const byBuyer = new Map<string, DueCategory[]>();
    const start = Date.parse(`${p.from}T00:00:00Z`) / 86_400_000;
    for (const c of personCats) {
      const list = byBuyer.get(c.buyer) ?? [];
      byBuyer.set(c.buyer, list);
      const due = Number(c.due);
      list.push({ category: c.category, orderDays: Number(c.n), medianGapDays: Number(c.gap), lastOrder: c.last_day, dueDate: c.due_day, dueInWeek: due >= start && due < start + 7 });
    }
    const perDay = new Map(days.map((d) => [d.date, Number(d.n)]));
    return {
      week: { from: p.from, to, tz: p.tz },
      withCycle: Number(t.with_cycle),
      due: Number(t.due_n),
      overdue: Number(t.overdue),
      byConfidence: { low: Number(t.low), medium: Number(t.medium), high: Number(t.high) },
      byDay: datesIn(p.from, to).map((date) => ({ date, count: perDay.get(date) ?? 0 })),
      categories: cats.map((c) => ({ category: c.category, persons: Number(c.n) })),
      boughtInWeek: Number(t.bought),
      people: people.map((r) => ({
        personId: r.buyer, orderDays: Number(r.n), lastOrder: r.last_day, medianGapDays: Number(r.gap), dueDate: r.due_day, confidence: r.confidence,
        categories: byBuyer.get(r.buyer) ?? [],
      })),
    };
  } finally {
    await olap.command(`DROP TABLE IF EXISTS ${orders}`).catch(() => undefined);
  }
}
