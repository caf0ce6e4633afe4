import type { TagDef } from '../dsl.ts';
import { PROMOTED_COLUMNS } from './fields.ts';
import { AS_OF } from './filters.ts';
import type { CompiledPlan } from './plan.ts';

/** The event columns definitions can read (see fields.ts); ClickHouse reads only those a query uses. */
const EVENT_COLUMNS = [
  'event', 'type', 'timestamp', 'revenue', 'discount', 'price', 'quantity', 'rating', 'properties', 'category',
  'brand', 'product_id', 'order_id', 'coupon', 'query', 'share_to', 'session_id', 'device_type', 'os_name',
  'locale', 'utm_source', 'utm_medium', 'utm_campaign', 'page_path', 'traits', 'products',
  // properties kept in columns of their own (migration 013, fields.ts)
  ...PROMOTED_COLUMNS,
];

const LINE = 'Tuple(product_id String, category String, brand String, price Float64, quantity UInt32)';

export interface Stage1Options {
  db: string;
  /** restrict to the events of these distinct ids (`{ids:Array(String)}`): the incremental path */
  byIds?: boolean;
}

/** Events resolved to their person (identity map mirrored in person_ids), up to the as-of moment. */
export function personEvents(o: Stage1Options, extra = ''): string {
  const ids = o.byIds ? ' AND e.distinct_id IN {ids:Array(String)}' : '';
  const pmIds = o.byIds ? ' WHERE distinct_id IN {ids:Array(String)}' : '';
  return `SELECT if(pm.person_id != '', pm.person_id, e.distinct_id) AS person, ${EVENT_COLUMNS.map((c) => `e.${c} AS ${c}`).join(', ')}
    FROM ${o.db}.events AS e
    LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${o.db}.person_ids${pmIds} GROUP BY distinct_id) AS pm
      ON pm.distinct_id = e.distinct_id
    WHERE e.timestamp <= ${AS_OF}${ids}${extra}`;
}

/** Catalog facts per item: the price's rank within its category (0 cheapest … 1 dearest), launch date, attributes. */
function itemFacts(db: string): string {
  return `SELECT item_id, launched_at,
      JSONExtractString(attributes, 'colour') AS colour, JSONExtractString(attributes, 'material') AS material,
      JSONExtractString(attributes, 'brand_tier') AS brand_tier,
      if(isNull(price), NULL, percent_rank() OVER (PARTITION BY category ORDER BY price)) AS price_pct
    FROM (SELECT item_id, argMax(category, updated_at) AS category, argMax(price, updated_at) AS price,
                 argMax(launched_at, updated_at) AS launched_at, argMax(attributes, updated_at) AS attributes
          FROM ${db}.items GROUP BY item_id)`;
}

/** Stage 1: one row per person with every column the plan registered. */
export function stage1Sql(plan: CompiledPlan, o: Stage1Options): string {
  const ev = plan.columns.filter((c) => c.level === 'event');
  const ln = plan.columns.filter((c) => c.level === 'line');
  const id = plan.columns.filter((c) => c.level === 'identify');
  const evSql = `SELECT person${ev.map((c) => `, ${c.sql} AS ${c.alias}`).join('')}
  FROM (${personEvents(o)})
  GROUP BY person`;
  // traits come from identify messages only: the JSON is read there, not on every event
  const idSql = `SELECT person${id.map((c) => `, ${c.sql} AS ${c.alias}`).join('')}
  FROM (${personEvents(o, ` AND e.type = 'identify'`)})
  GROUP BY person`;
  const joins: string[] = [];
  if (id.length) joins.push(`LEFT JOIN (${idSql}) AS id ON id.person = ev.person`);
  if (ln.length === 0) {
    if (id.length === 0) return evSql;
    return `SELECT ev.person AS person${ev.map((c) => `, ev.${c.alias} AS ${c.alias}`).join('')}${id.map((c) => `, id.${c.alias} AS ${c.alias}`).join('')}
FROM (${evSql}) AS ev ${joins.join(' ')}`;
  }
  // only the event columns the line statistics read travel through the ARRAY JOIN
  const used = EVENT_COLUMNS.filter((c) => c !== 'products' && ln.some((x) => new RegExp(`\\b${c}\\b`).test(x.sql)));
  const lines = `SELECT person, ${[...new Set(['event', 'timestamp', ...used])].join(', ')}, line, line.product_id AS line_product_id
    FROM (${personEvents(o, ` AND (notEmpty(e.products) OR e.product_id != '')`)})
    ARRAY JOIN if(notEmpty(products), products,
      [CAST(tuple(product_id, category, brand, ifNull(price, 0), toUInt32(ifNull(quantity, 1))), '${LINE}')]) AS line`;
  const lnSql = `SELECT person${ln.map((c) => `, ${c.sql} AS ${c.alias}`).join('')}
  FROM (${lines}) AS l LEFT JOIN (${itemFacts(o.db)}) AS it ON it.item_id = l.line_product_id
  GROUP BY person`;
  return `SELECT ev.person AS person${ev.map((c) => `, ev.${c.alias} AS ${c.alias}`).join('')}${ln.map((c) => `, ln.${c.alias} AS ${c.alias}`).join('')}${id.map((c) => `, id.${c.alias} AS ${c.alias}`).join('')}
FROM (${evSql}) AS ev LEFT JOIN (${lnSql}) AS ln ON ln.person = ev.person ${joins.join(' ')}`;
}

/**
 * Stage 2: each tag's value per person, as column `t_<code>`, over a stage-1 table or subquery. Tags
 * are computed layer by layer (a tag reads the columns of lower layers), so a reference is a column,
 * never the referred expression copied in: analysis stays linear in the size of the definitions.
 */
export function stage2Sql(plan: CompiledPlan, from: string, extra: string[] = []): string {
  const layers = Math.max(-1, ...plan.order.map((c) => plan.depth.get(c) ?? 0));
  let sql = from;
  for (let d = 0; d <= layers; d++) {
    const cols = plan.order.filter((c) => (plan.depth.get(c) ?? 0) === d).map((code) => `${plan.tags.get(code)!.sql} AS t_${code}`);
    if (cols.length === 0) continue;
    sql = `(SELECT *, ${cols.join(',\n  ')}\nFROM ${sql})`;
  }
  const tags = plan.order.map((code) => `t_${code}`);
  return `SELECT person, ${[...tags, ...extra].join(', ')}\nFROM ${sql}`;
}

const ROW = 'Tuple(String, String, Nullable(Float64), Array(String), Array(Float64), UInt8)';

/** A tag's stage-2 column as a `tag_values` row tuple, with a flag saying whether it has a value. */
function rowTuple(code: string, def: TagDef): string {
  const t = `t_${code}`;
  switch (def.valueType) {
    case 'number':
    case 'boolean':
      return `CAST(tuple('${code}', '', ${t}, [], [], isNotNull(${t}) AND isFinite(ifNull(${t}, 0))), '${ROW}')`;
    case 'ranked':
      return `CAST(tuple('${code}', '', NULL, arrayMap(x -> x.1, ${t}), arrayMap(x -> x.2, ${t}), length(${t}) > 0), '${ROW}')`;
    default:
      return `CAST(tuple('${code}', ifNull(toString(${t}), ''), NULL, [], [], ifNull(toString(${t}), '') != ''), '${ROW}')`;
  }
}

/** Stage 2 unpivoted into (tag_code, person_id, value_*) rows for the codes given. */
export function rowsSql(plan: CompiledPlan, defs: ReadonlyMap<string, TagDef>, from: string, codes: readonly string[]): string {
  const tuples = codes.map((c) => rowTuple(c, defs.get(c)!));
  return `SELECT r.1 AS tag_code, person AS person_id, r.2 AS value_str, r.3 AS value_num, r.4 AS value_list, r.5 AS value_weights
FROM (${stage2Sql(plan, from)})
ARRAY JOIN arrayFilter(x -> x.6 = 1, [${tuples.join(',\n  ')}]) AS r`;
}
