import type { OlapStore } from '../../store/olap/index.ts';
import type { TagDef } from '../../tags/index.ts';
// the tag compiler is used as the tag build uses it, to compute tag values as of a past moment without
// storing them (a build as of the past would replace everyone's current values)
import { compilePlan } from '../../tags/compile/plan.ts';
import { stage1Sql, stage2Sql } from '../../tags/compile/sql.ts';

/**
 * The churn model's inputs per person as of a moment: numeric profile tags computed by the tag compiler
 * exactly as a build at that moment would compute them, plus a few aggregates of the person's activity
 * rhythm the tag library does not carry. Only `analytics`-purpose tags are read, so the model (and its
 * `churn_risk` tag) needs no consent beyond the analytics the shop already does.
 */

export interface ChurnFeature {
  name: string;
  /** a tag code, or an aggregate of this module */
  source: 'tag' | 'activity';
  /** log1p before standardising (counts, days and money are heavy-tailed) */
  log?: boolean;
  zh: string;
  en: string;
}

export const CHURN_FEATURES: ChurnFeature[] = [
  { name: 'days_since_active', source: 'tag', log: true, zh: '距上次活跃天数', en: 'Days since last active' },
  { name: 'active_days_7d', source: 'tag', zh: '近7天活跃天数', en: 'Active days (7d)' },
  { name: 'active_days_30d', source: 'tag', log: true, zh: '近30天活跃天数', en: 'Active days (30d)' },
  { name: 'active_days_90d', source: 'tag', log: true, zh: '近90天活跃天数', en: 'Active days (90d)' },
  { name: 'sessions_30d', source: 'tag', log: true, zh: '近30天访问次数', en: 'Visits (30d)' },
  { name: 'days_since_first_seen', source: 'tag', log: true, zh: '首次访问至今天数', en: 'Days since first seen' },
  { name: 'avg_browse_depth', source: 'tag', log: true, zh: '平均浏览深度', en: 'Avg browse depth' },
  { name: 'orders_90d', source: 'tag', log: true, zh: '近90天订单数', en: 'Orders (90d)' },
  { name: 'orders_total', source: 'tag', log: true, zh: '累计订单数', en: 'Orders (all time)' },
  { name: 'days_since_last_order', source: 'tag', log: true, zh: '距上次下单天数', en: 'Days since last order' },
  { name: 'purchase_cycle_days', source: 'tag', log: true, zh: '购买周期(天)', en: 'Purchase cycle (days)' },
  { name: 'gmv_365d', source: 'tag', log: true, zh: '近365天消费金额', en: 'Net spend (365d)' },
  { name: 'searches_30d', source: 'tag', log: true, zh: '近30天搜索次数', en: 'Searches (30d)' },
  { name: 'active_days_14d', source: 'activity', log: true, zh: '近14天活跃天数', en: 'Active days (14d)' },
  { name: 'active_days_15_60d', source: 'activity', log: true, zh: '前15–60天活跃天数', en: 'Active days (15–60 days ago)' },
  { name: 'mean_gap_days', source: 'activity', log: true, zh: '平均活跃间隔(天)', en: 'Mean gap between active days' },
  { name: 'recency_over_gap', source: 'activity', log: true, zh: '沉默天数/平均间隔', en: 'Days quiet ÷ mean gap' },
  { name: 'events_30d', source: 'activity', log: true, zh: '近30天行为数', en: 'Events (30d)' },
];

export interface FeatureRows {
  /** the features actually read (tags missing from the taxonomy or not numeric are left out) */
  features: ChurnFeature[];
  ids: string[];
  /** one array per person, after the feature's transform; NaN where the person has no value */
  x: number[][];
  /** per person: active in (asOf, labelTo]; all false when no label window was asked for */
  returned: boolean[];
}

/** Persons as the tag build resolves them: the identity mirror's person, else the distinct id. */
const personOf = `if(pm.person_id != '', pm.person_id, e.distinct_id)`;
const AS_OF = `{as_of:DateTime64(3, 'UTC')}`;

/**
 * Activity rhythm over the 120 days up to the as-of moment and, when a label window is given, whether
 * the person was active after it. Only people active in the `activeDays` before the moment are kept.
 */
function activitySql(db: string): string {
  return `SELECT person,
      dateDiff('second', max(ts_before), ${AS_OF}) / 86400 AS recency,
      uniqExactIf(day, ts > ${AS_OF} - toIntervalDay(14) AND ts <= ${AS_OF}) AS active_days_14d,
      uniqExactIf(day, ts > ${AS_OF} - toIntervalDay(60) AND ts <= ${AS_OF} - toIntervalDay(14)) AS active_days_15_60d,
      uniqExactIf(day, ts > ${AS_OF} - toIntervalDay(90) AND ts <= ${AS_OF}) AS days90,
      dateDiff('day', minIf(day, ts > ${AS_OF} - toIntervalDay(90) AND ts <= ${AS_OF}), maxIf(day, ts <= ${AS_OF})) AS span90,
      countIf(ts > ${AS_OF} - toIntervalDay(30) AND ts <= ${AS_OF}) AS events_30d,
      countIf(ts > ${AS_OF}) > 0 AS returned
    FROM (
      SELECT ${personOf} AS person, e.timestamp AS ts, toDate(e.timestamp, {tz:String}) AS day,
             if(e.timestamp <= ${AS_OF}, e.timestamp, NULL) AS ts_before
      FROM ${db}.events AS e
      LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids GROUP BY distinct_id) AS pm
        ON pm.distinct_id = e.distinct_id
      WHERE e.type IN ('track', 'page', 'screen')
        AND e.timestamp > ${AS_OF} - toIntervalDay(120) AND e.timestamp <= {label_to:DateTime64(3, 'UTC')}
    )
    GROUP BY person
    HAVING countIf(ts > ${AS_OF} - toIntervalDay({active_days:UInt32}) AND ts <= ${AS_OF}) > 0`;
}

const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

/**
 * The feature rows of everyone active in the `activeDays` before `asOf`; with `labelTo`, whether each was
 * active again in (asOf, labelTo]. One query: the tag stages and the activity pass joined by person.
 */
export async function featureRows(
  olap: OlapStore,
  defs: ReadonlyMap<string, TagDef>,
  o: { asOf: Date; labelTo?: Date; activeDays: number; timezone: string },
): Promise<FeatureRows> {
  const features = CHURN_FEATURES.filter((f) => f.source === 'activity' || (defs.get(f.name)?.valueType === 'number' && defs.get(f.name)?.spec.type !== 'model'));
  const tags = features.filter((f) => f.source === 'tag').map((f) => f.name);
  const plan = compilePlan({ defs, outputs: tags });
  const tagSql = stage2Sql(plan, `(${stage1Sql(plan, { db: olap.db })})`);
  const cols = features.map((f) => {
    if (f.source === 'tag') return `toFloat64(t.t_${f.name})`;
    switch (f.name) {
      case 'mean_gap_days': return `if(a.days90 > 1, a.span90 / (a.days90 - 1), NULL)`;
      case 'recency_over_gap': return `if(a.days90 > 1, a.recency / (a.span90 / (a.days90 - 1) + 1), NULL)`;
      default: return `toFloat64(a.${f.name})`;
    }
  });
  const rows = await olap.query<{ person: string; f: (number | null)[]; returned: number }>(
    `SELECT a.person AS person, [${cols.map((c) => `toNullable(toFloat64(${c}))`).join(', ')}] AS f, a.returned AS returned
     FROM (${activitySql(olap.db)}) AS a
     INNER JOIN (${tagSql}) AS t ON t.person = a.person
     ORDER BY person`,
    { ...plan.params.values, as_of: iso(o.asOf), label_to: iso(o.labelTo ?? o.asOf), tz: o.timezone, active_days: o.activeDays },
  );
  return {
    features,
    ids: rows.map((r) => r.person),
    x: rows.map((r) => r.f.map((v, j) => {
      const x = v === null || v === undefined ? NaN : Number(v);
      return Number.isFinite(x) ? (features[j]!.log ? Math.log1p(Math.max(0, x)) : x) : NaN;
    })),
    returned: rows.map((r) => Number(r.returned) === 1),
  };
}
