import type { OlapStore } from '../../store/olap/index.ts';

/**
 * Goal outcomes of a campaign's assigned people, per arm (and per group), in one ClickHouse query.
 *
 * Intent to treat: every person assigned to the campaign (campaign_assignments, control included) counts
 * in the arm they were assigned to, from their first assignment, whether or not a message reached them.
 * A conversion is a goal event (default `Order Completed`) of the person — through person_ids, so any of
 * their devices or ids — at or after the assignment and before assignment + the goal window; when the goal
 * names a category, only events whose category (or one of whose products' categories) is that category
 * or lies under it (`美妆` matches `美妆/彩妆/口红`). GMV is the revenue of those events.
 */
export interface OutcomeQuery {
  campaignId: string;
  event: string;
  windowDays: number;
  category?: string;
  /** split by: each listed segment (members now), or each value of a tag */
  by?: GroupBy;
}

export type GroupBy = { kind: 'segment'; ids: string[] } | { kind: 'tag'; code: string };

/** Per arm: people, converters, goal events and GMV with its sum of squares (for the variance). */
export interface ArmOutcome {
  arm: string;
  audience: number;
  converted: number;
  orders: number;
  gmv: number;
  gmvSq: number;
}

export interface GroupOutcome extends ArmOutcome {
  key: string;
}

/** the key a person without a value of the grouping tag gets */
export const NO_VALUE = '(none)';

function assignedSql(db: string): string {
  // first assignment per person: a recurring campaign assigns again each run, the arm stays (stable hash)
  return `SELECT person_id, argMin(arm, assigned_at) AS arm, min(toUnixTimestamp64Milli(assigned_at)) AS t0
          FROM ${db}.campaign_assignments FINAL
          WHERE campaign_id = {campaign:String}
          GROUP BY person_id`;
}

/** the goal events of the span any window can reach (a CTE: `goal`) */
function goalSql(db: string, withCategory: boolean): string {
  const category = withCategory
    ? `AND (category = {category:String} OR startsWith(category, {categoryPrefix:String})
            OR arrayExists(p -> p.category = {category:String} OR startsWith(p.category, {categoryPrefix:String}), products))`
    : '';
  return `SELECT distinct_id, toUnixTimestamp64Milli(timestamp) AS ts, ifNull(revenue, 0) AS revenue
          FROM ${db}.events
          WHERE type = 'track' AND event = {event:String}
            AND timestamp >= fromUnixTimestamp64Milli((SELECT min(t0) FROM assigned))
            AND timestamp < fromUnixTimestamp64Milli((SELECT max(t0) FROM assigned) + {window:Int64})
            ${category}`;
}

/** the goal events with the person each belongs to (through person_ids, read only for their ids) */
function goalEventsSql(db: string): string {
  return `SELECT if(pm.person_id != '', pm.person_id, g.distinct_id) AS person, g.ts AS ts, g.revenue AS revenue
          FROM goal AS g
          LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids
                     WHERE distinct_id IN (SELECT distinct_id FROM goal) GROUP BY distinct_id) AS pm
            ON pm.distinct_id = g.distinct_id`;
}

function groupKeysSql(db: string, by: GroupBy): string {
  if (by.kind === 'segment') {
    return `SELECT person_id, groupArray(segment_id) AS keys
            FROM ${db}.segment_members FINAL
            WHERE segment_id IN {segments:Array(String)} AND is_member = 1 AND person_id IN (SELECT person_id FROM assigned)
            GROUP BY person_id`;
  }
  return `SELECT person_id,
                 [multiIf(value_str != '', value_str, isNotNull(value_num), toString(value_num), notEmpty(value_list), arrayStringConcat(value_list, ','), {none:String})] AS keys
          FROM ${db}.tag_values FINAL
          WHERE tag_code = {tag:String} AND person_id IN (SELECT person_id FROM assigned)`;
}

function params(q: OutcomeQuery): Record<string, unknown> {
  return {
    campaign: q.campaignId,
    event: q.event,
    window: Math.round(q.windowDays * 86_400_000),
    category: q.category ?? '',
    categoryPrefix: `${q.category ?? ''}/`,
    segments: q.by?.kind === 'segment' ? q.by.ids : [],
    tag: q.by?.kind === 'tag' ? q.by.code : '',
    none: NO_VALUE,
  };
}

interface Row {
  key?: string;
  arm: string;
  audience: string | number;
  converted: string | number;
  orders: string | number;
  gmv: number;
  gmv_sq: number;
}

const view = (r: Row): ArmOutcome => ({
  arm: r.arm, audience: Number(r.audience), converted: Number(r.converted), orders: Number(r.orders), gmv: Number(r.gmv), gmvSq: Number(r.gmv_sq),
});

function sql(db: string, q: OutcomeQuery): string {
  const grouped = q.by !== undefined;
  return `WITH assigned AS (${assignedSql(db)}), goal AS (${goalSql(db, Boolean(q.category))})
    SELECT ${grouped ? 'key, ' : ''}arm, count() AS audience, countIf(p_orders > 0) AS converted, sum(p_orders) AS orders,
           sum(p_gmv) AS gmv, sum(p_gmv * p_gmv) AS gmv_sq
    FROM (
      SELECT a.person_id AS person, any(a.arm) AS arm,
             countIf(o.ts >= a.t0 AND o.ts < a.t0 + {window:Int64}) AS p_orders,
             sumIf(o.revenue, o.ts >= a.t0 AND o.ts < a.t0 + {window:Int64}) AS p_gmv
             ${grouped ? ', any(g.keys) AS keys' : ''}
      FROM assigned AS a
      LEFT JOIN (${goalEventsSql(db)}) AS o ON o.person = a.person_id
      ${grouped ? `LEFT JOIN (${groupKeysSql(db, q.by!)}) AS g ON g.person_id = a.person_id` : ''}
      GROUP BY a.person_id
    )
    ${grouped ? `ARRAY JOIN ${q.by!.kind === 'tag' ? `if(empty(keys), [{none:String}], keys)` : 'keys'} AS key` : ''}
    GROUP BY ${grouped ? 'key, ' : ''}arm
    ORDER BY ${grouped ? 'key, ' : ''}arm`;
}

/** Goal outcomes per arm over the whole assigned audience. */
export async function armOutcomes(olap: OlapStore, q: Omit<OutcomeQuery, 'by'>): Promise<ArmOutcome[]> {
  const rows = await olap.query<Row>(sql(olap.db, q), params(q));
  return rows.map(view);
}

/** Goal outcomes per (group, arm). A person is in every listed segment they belong to; in one group per tag value. */
export async function groupOutcomes(olap: OlapStore, q: OutcomeQuery & { by: GroupBy }): Promise<GroupOutcome[]> {
  const rows = await olap.query<Row>(sql(olap.db, q), params(q));
  return rows.map((r) => ({ key: String(r.key), ...view(r) }));
}

/** Each assigned person's group keys, for placing per-person message flags into groups. */
export async function groupKeysOf(olap: OlapStore, campaignId: string, by: GroupBy): Promise<Map<string, string[]>> {
  const rows = await olap.query<{ person_id: string; keys: string[] }>(
    `WITH assigned AS (${assignedSql(olap.db)})
     SELECT a.person_id AS person_id, ${by.kind === 'tag' ? `if(empty(g.keys), [{none:String}], g.keys)` : 'g.keys'} AS keys
     FROM assigned AS a LEFT JOIN (${groupKeysSql(olap.db, by)}) AS g ON g.person_id = a.person_id
     ${by.kind === 'segment' ? 'WHERE notEmpty(g.keys)' : ''}`,
    params({ campaignId, event: '', windowDays: 0, by }),
  );
  return new Map(rows.map((r) => [r.person_id, r.keys]));
}
