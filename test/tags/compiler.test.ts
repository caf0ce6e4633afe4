import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPipeline } from '../../src/ingest/index.ts';
import { OlapStore } from '../../src/store/olap/index.ts';
import { baseParams } from '../../src/tags/build.ts';
import { aggregateSql, aggregateType } from '../../src/tags/compile/aggregate.ts';
import { compileCond, compileExpr, type Compiled, type Scope } from '../../src/tags/compile/expr.ts';
import { field, numeric, text } from '../../src/tags/compile/fields.ts';
import { filterSql, rowCondition, windowSql } from '../../src/tags/compile/filters.ts';
import { Params } from '../../src/tags/compile/params.ts';
import { compilePlan } from '../../src/tags/compile/plan.ts';
import { rowsSql, stage1Sql } from '../../src/tags/compile/sql.ts';
import { AGGREGATES, checkValueType, kindOf, stat as statSchema, tagInput, type Cond, type Expr, type Filter, type Stat, type TagDef } from '../../src/tags/dsl.ts';
import { decodeValue, type TagValue } from '../../src/tags/values.ts';
import { clock, type Msg } from './support.ts';

/**
 * The compiler, node by node: the SQL text and typed parameters each filter, aggregate, expression,
 * condition, bins/cases/score/top node compiles to (no literal a user typed ever in the text); the same
 * nodes evaluated by chdb over real event rows; and the paths validation errors name.
 */

// ---- SQL text ------------------------------------------------------------------------------------------

const EVIL = "x'); DROP TABLE events; --";
const sqlOf = (f: Filter) => {
  const p = new Params();
  return { sql: filterSql(f, p), params: p.values };
};

describe('filters → SQL with typed parameters', () => {
  const cases: [Filter, string, Record<string, unknown>][] = [
    [{ field: 'brand', op: 'eq', value: 'Nike' }, 'brand = {p0:String}', { p0: 'Nike' }],
    [{ field: 'brand', op: 'neq', value: 'Nike' }, 'brand != {p0:String}', { p0: 'Nike' }],
    [{ field: 'revenue', op: 'gt', value: 100 }, 'toFloat64(revenue) > {p0:Float64}', { p0: 100 }],
    [{ field: 'revenue', op: 'gte', value: 100 }, 'toFloat64(revenue) >= {p0:Float64}', { p0: 100 }],
    [{ field: 'revenue', op: 'lt', value: 1.5 }, 'toFloat64(revenue) < {p0:Float64}', { p0: 1.5 }],
    [{ field: 'revenue', op: 'lte', value: 0 }, 'toFloat64(revenue) <= {p0:Float64}', { p0: 0 }],
    [{ field: 'brand', op: 'in', value: ['Nike', 'Puma'] }, 'has({p0:Array(String)}, brand)', { p0: ['Nike', 'Puma'] }],
    [{ field: 'rating', op: 'in', value: [4, 5] }, 'has({p0:Array(Float64)}, toFloat64(rating))', { p0: [4, 5] }],
    [{ field: 'brand', op: 'nin', value: ['Nike'] }, 'NOT has({p0:Array(String)}, brand)', { p0: ['Nike'] }],
    [{ field: 'query', op: 'contains', value: '裙' }, 'positionUTF8(query, {p0:String}) > 0', { p0: '裙' }],
    [{ field: 'coupon', op: 'exists' }, "coupon != ''", {}],
    [{ field: 'coupon', op: 'notExists' }, "coupon = ''", {}],
    [{ field: 'revenue', op: 'exists' }, 'isNotNull(revenue)', {}],
    [{ field: 'revenue', op: 'notExists' }, 'isNull(revenue)', {}],
    [{ field: 'properties.gift', op: 'eq', value: 'yes' }, `trim(BOTH '"' FROM JSONExtractRaw(properties, 'gift')) = {p0:String}`, { p0: 'yes' }],
    [{ field: 'properties.gift', op: 'eq', value: true }, `has({p0:Array(String)}, trim(BOTH '"' FROM JSONExtractRaw(properties, 'gift')))`, { p0: ['true', '1'] }],
    [{ field: 'hour', op: 'gte', value: 20 }, 'toFloat64(toHour(timestamp, {tz:String})) >= {p0:Float64}', { p0: 20 }],
    [{ field: 'line.category', op: 'eq', value: 'Shoes' }, 'line.category = {p0:String}', { p0: 'Shoes' }],
  ];
  for (const [f, sql, params] of cases) {
    it(`${f.field} ${f.op}`, () => assert.deepEqual(sqlOf(f), { sql, params }));
  }

  it('a hostile value is only ever a parameter', () => {
    for (const f of [
      { field: 'brand', op: 'eq', value: EVIL },
      { field: 'brand', op: 'in', value: ['a', EVIL] },
      { field: 'query', op: 'contains', value: EVIL },
      { field: 'properties.note', op: 'neq', value: EVIL },
    ] as Filter[]) {
      const { sql, params } = sqlOf(f);
      assert.ok(!sql.includes('DROP') && !sql.includes("x'"), sql);
      assert.ok(JSON.stringify(params).includes('DROP TABLE'), JSON.stringify(params));
    }
  });

  it('windows and the row condition', () => {
    assert.equal(windowSql('all'), '');
    assert.equal(windowSql('30d'), "timestamp > {as_of:DateTime64(3, 'UTC')} - toIntervalDay(30)");
    assert.equal(windowSql('12h'), "timestamp > {as_of:DateTime64(3, 'UTC')} - toIntervalHour(12)");
    const p = new Params();
    assert.equal(rowCondition({ window: 'all' }, p), '1');
    assert.equal(
      rowCondition({ event: ['A', 'B'], type: 'track', where: [{ field: 'brand', op: 'eq', value: 'N' }], window: '7d' }, p),
      "has({p0:Array(String)}, event) AND type = {p1:String} AND (brand = {p2:String}) AND timestamp > {as_of:DateTime64(3, 'UTC')} - toIntervalDay(7)",
    );
    assert.equal(rowCondition({ event: 'A', window: 'all' }, p), 'event = {p3:String}');
    assert.deepEqual(p.values, { p0: ['A', 'B'], p1: 'track', p2: 'N', p3: 'A' });
  });
});

describe('fields', () => {
  it('come from the catalog; properties.<name> reads the event’s own property; anything else throws', () => {
    assert.equal(field('revenue').sql, 'revenue');
    assert.equal(field('line.amount').level, 'line');
    assert.equal(field('item.price_pct').sql, 'it.price_pct');
    assert.deepEqual([field('properties.gift_wrap$').sql, field('properties.gift_wrap$').level], [`JSONExtractRaw(properties, 'gift_wrap$')`, 'event']);
    assert.equal(numeric(field('properties.n')), `toFloat64OrNull(trim(BOTH '"' FROM JSONExtractRaw(properties, 'n')))`);
    assert.equal(text(field('timestamp')), 'toString(timestamp)');
    assert.throws(() => field("properties.a'b"), /unknown field/);
    assert.throws(() => field('revenue; DROP'), /unknown field/);
  });
});

describe('aggregates → SQL', () => {
  const st = (s: Partial<Stat> & Pick<Stat, 'agg'>): Stat => statSchema.parse({ event: 'Order Completed', ...s });
  const expectations: Record<(typeof AGGREGATES)[number], [RegExp, 'number' | 'string' | 'time']> = {
    count: [/^toFloat64\(countIf\(event = \{p0:String\}\)\)$/, 'number'],
    sum: [/^toFloat64\(ifNull\(sumIf\(toFloat64\(revenue\), event = \{p0:String\}\), 0\)\)$/, 'number'],
    avg: [/^avgIfOrNull\(toFloat64\(revenue\), /, 'number'],
    min: [/^minIfOrNull\(toFloat64\(revenue\), /, 'number'],
    max: [/^maxIfOrNull\(toFloat64\(revenue\), /, 'number'],
    median: [/^medianIfOrNull\(toFloat64\(revenue\), /, 'number'],
    uniq: [/^toFloat64\(uniqExactIf\(brand, .* AND brand != ''\)\)$/, 'number'],
    first: [/^if\(countIf\(.*\) = 0, NULL, argMinIf\(brand, timestamp, /, 'string'],
    last: [/^if\(countIf\(.*\) = 0, NULL, argMaxIf\(brand, timestamp, /, 'string'],
    mode: [/^nullIf\(topKIf\(1\)\(brand, .* AND brand != ''\)\[1\], ''\)$/, 'string'],
    firstTime: [/minIf\(timestamp, /, 'time'],
    lastTime: [/maxIf\(timestamp, /, 'time'],
    daysSinceFirst: [/intDiv\(toUnixTimestamp64Milli\(\{as_of:DateTime64\(3, 'UTC'\)\}\) - toUnixTimestamp64Milli\(minIf\(timestamp, .*86400000\)/, 'number'],
    daysSinceLast: [/intDiv\(.*maxIf\(timestamp, .*86400000\)/, 'number'],
    activeDays: [/^toFloat64\(uniqExactIf\(toDate\(timestamp, \{tz:String\}\), /, 'number'],
    sessions: [/arrayCount\(d -> d > 1800000, arrayDifference\(arraySort\(groupArrayIf\(toUnixTimestamp64Milli\(timestamp\), /, 'number'],
    medianGapDays: [/if\(length\(.*\) < 2, NULL, toFloat64\(arrayReduce\('median', arrayPopFront\(arrayDifference\(arraySort\(groupUniqArrayIf\(toRelativeDayNum\(toDate\(timestamp, \{tz:String\}\)\)/, 'number'],
  };
  for (const agg of AGGREGATES) {
    it(agg, () => {
      const of = ['sum', 'avg', 'min', 'max', 'median'].includes(agg) ? 'revenue' : ['uniq', 'first', 'last', 'mode'].includes(agg) ? 'brand' : undefined;
      const s = st({ agg, of });
      const p = new Params();
      const sql = aggregateSql(s, p);
      const [re, type] = expectations[agg];
      assert.match(sql, re);
      assert.equal(aggregateType(s), type);
      assert.deepEqual(p.values, { p0: 'Order Completed' });
    });
  }
});

/** A scope over fixed columns, to compile expressions and conditions alone. */
function stubScope(): Scope & { params: Params } {
  const params = new Params();
  const cols: Record<string, Compiled> = { n: { sql: 'c_n', type: 'number' }, d: { sql: 'c_d', type: 'date' }, t: { sql: 'c_t', type: 'time' }, s: { sql: 'c_s', type: 'string' }, r: { sql: 'c_r', type: 'ranked' } };
  return {
    params,
    stat: (s) => ({ sql: `stat_${s.agg}`, type: aggregateType(s) }),
    trait: (p) => ({ sql: `trait_${p.replace('.', '_')}`, type: 'raw' }),
    tag: (code) => cols[code]!,
    raw: (key) => key,
  };
}

describe('expressions and conditions → SQL', () => {
  const ex = (e: Expr) => {
    const s = stubScope();
    return { ...compileExpr(e, s), params: s.params.values };
  };
  const cond = (c: Cond) => {
    const s = stubScope();
    return { sql: compileCond(c, s), params: s.params.values };
  };

  it('literals are parameters', () => {
    assert.deepEqual(ex(3), { sql: '{p0:Float64}', type: 'number', params: { p0: 3 } });
    assert.deepEqual(ex(true), { sql: '{p0:Float64}', type: 'number', params: { p0: 1 } });
    assert.deepEqual(ex(EVIL), { sql: '{p0:String}', type: 'string', params: { p0: EVIL } });
  });

  it('arithmetic, division by zero, coalesce by type, dates', () => {
    assert.equal(ex({ div: [{ tag: 'n' }, 2] }).sql, 'if({p0:Float64} = 0, NULL, c_n / {p0:Float64})');
    assert.equal(ex({ mul: [{ tag: 'n' }, 2] }).sql, '(c_n * {p0:Float64})');
    assert.equal(ex({ add: [{ tag: 'n' }, { tag: 'n' }] }).sql, '(c_n + c_n)');
    assert.equal(ex({ sub: [{ tag: 't' }, { tag: 'n' }] }).sql, '(toFloat64(toUnixTimestamp64Milli(c_t)) - c_n)');
    assert.equal(ex({ sub: [{ tag: 'r' }, 0] }).sql, '(c_r[1].2 - {p0:Float64})', 'a ranked value as a number is its top weight');
    assert.deepEqual(ex({ coalesce: [{ tag: 'n' }, 0] }).type, 'number');
    assert.deepEqual(ex({ coalesce: [{ tag: 'd' }, { stat: { agg: 'lastTime', window: 'all' } }] }), {
      sql: 'coalesce(c_d, toDate(stat_lastTime, {tz:String}))', type: 'date', params: {},
    });
    assert.deepEqual(ex({ coalesce: [{ trait: 'a.b' }, 'none'] }).type, 'string');
    assert.equal(ex({ addDays: [{ tag: 'd' }, { tag: 'n' }] }).sql, 'addDays(c_d, toInt32(round(c_n)))');
    assert.equal(ex({ daysSince: { tag: 't' } }).sql, "toFloat64(dateDiff('day', toDate(c_t, {tz:String}), toDate({as_of:DateTime64(3, 'UTC')}, {tz:String})))");
  });

  it('comparisons are 0/1, never NULL; types decide numeric, date or text comparison', () => {
    assert.equal(cond({ gt: [{ tag: 'n' }, 2] }).sql, 'ifNull(c_n > {p0:Float64}, 0)');
    assert.equal(cond({ gte: [{ tag: 'd' }, '2026-01-01'] }).sql, "ifNull(c_d >= toDate(parseDateTime64BestEffortOrNull({p0:String}, 3, 'UTC'), {tz:String}), 0)");
    assert.equal(cond({ eq: [{ tag: 's' }, 'x'] }).sql, 'ifNull(c_s = {p0:String}, 0)');
    assert.equal(cond({ neq: [{ tag: 's' }, { tag: 'r' }] }).sql, 'ifNull(c_s != c_r[1].1, 0)');
    assert.equal(cond({ lt: [{ tag: 'n' }, 1] }).sql, 'ifNull(c_n < {p0:Float64}, 0)');
    assert.equal(cond({ lte: [{ tag: 'n' }, 1] }).sql, 'ifNull(c_n <= {p0:Float64}, 0)');
    assert.equal(cond({ in: [{ tag: 's' }, ['a', EVIL]] }).sql, 'ifNull(has({p0:Array(String)}, c_s), 0)');
    assert.equal(cond({ in: [{ tag: 'n' }, [1, 2]] }).sql, 'ifNull(has({p0:Array(Float64)}, c_n), 0)');
    assert.equal(cond({ isNull: { trait: 'x' } }).sql, `isNull(if(startsWith(trait_x, '"'), JSONExtractString(trait_x), nullIf(nullIf(trait_x, ''), 'null')))`);
    assert.equal(cond({ notNull: { tag: 'r' } }).sql, 'isNotNull(nullIf(length(c_r), 0))');
    assert.equal(cond({ not: { all: [{ gt: [{ tag: 'n' }, 1] }, { any: [{ lt: [{ tag: 'n' }, 5] }, { eq: [{ tag: 'n' }, 9] }] }] } }).sql,
      '(NOT (ifNull(c_n > {p0:Float64}, 0) AND (ifNull(c_n < {p1:Float64}, 0) OR ifNull(c_n = {p2:Float64}, 0))))');
  });
});

// ---- definitions for the plan-level nodes -------------------------------------------------------------

function def(code: string, valueType: string, spec: unknown, more: Record<string, unknown> = {}): TagDef {
  const d = tagInput.parse({ code, category: 'custom', name_zh: code, name_en: code, valueType, spec, ...more });
  const problem = checkValueType(d.spec, d.valueType);
  if (problem) throw new Error(`${code}: ${problem}`);
  return { ...d, kind: kindOf(d.spec), refresh: 'realtime', owner: 'test' };
}
const S = (s: Record<string, unknown>) => ({ type: 'stat', stat: s });
const OC = 'Order Completed';

describe('bins, cases, score, top, consent → SQL', () => {
  const defs = [
    def('orders', 'number', S({ agg: 'count', event: OC })),
    def('band', 'enum', { type: 'bins', of: { tag: 'orders' }, bins: [{ upTo: 2, label: 'few' }, { upTo: 5, label: EVIL }, { label: 'many' }] }),
    def('kind_of', 'enum', { type: 'cases', cases: [{ when: { gt: [{ tag: 'orders' }, 3] }, label: 'big' }], else: 'small' }),
    def('sc', 'number', { type: 'score', of: { tag: 'orders' }, buckets: 4, when: { gt: [{ tag: 'orders' }, 0] } }),
    def('sd', 'number', { type: 'score', of: { tag: 'orders' }, buckets: 4, descending: true }),
    def('fav', 'ranked', { type: 'top', key: 'line.brand', event: [OC, 'Product Viewed'], weights: { [OC]: 5 }, weightOf: 'line.amount', halfLifeDays: 30, n: 2, window: '90d' }, { purpose: 'personalization' }),
    def('vip', 'enum', { type: 'trait', trait: 'tier', map: { g: 'gold', [EVIL]: EVIL } }),
  ];
  const map = new Map(defs.map((d) => [d.code, d]));
  const plan = compilePlan({ defs: map, outputs: defs.map((d) => d.code), thresholds: { sc: [1, 2, 3], sd: [1, 2, 3] } });
  const p = (v: unknown) => Object.entries(plan.params.values).find(([, x]) => JSON.stringify(x) === JSON.stringify(v))?.[0];

  it('bins: value < upTo in order, NULL stays NULL, the last bin catches the rest', () => {
    const sql = plan.tags.get('band')!.sql;
    assert.equal(sql, `multiIf(isNull(t_orders), CAST(NULL, 'Nullable(String)'), t_orders < {${p(2)}:Float64}, {${p('few')}:String}, t_orders < {${p(5)}:Float64}, {${p(EVIL)}:String}, {${p('many')}:String})`);
  });

  it('cases: the first match, else the fallback', () => {
    assert.match(plan.tags.get('kind_of')!.sql, /^multiIf\(ifNull\(t_orders > \{p\d+:Float64\}, 0\), \{p\d+:String\}, \{p\d+:String\}\)$/);
  });

  it('score: thresholds are a parameter; ascending 1 + #below, descending buckets − #below; `when` gates', () => {
    assert.match(plan.tags.get('sc')!.sql, /^if\(isNull\(if\(ifNull\(t_orders > \{p\d+:Float64\}, 0\), t_orders, NULL\)\), NULL, toFloat64\(1 \+ arrayCount\(t -> .* > t, \{p\d+:Array\(Float64\)\}\)\)\)$/);
    assert.match(plan.tags.get('sd')!.sql, /toFloat64\(4 - arrayCount\(t -> t_orders > t, \{p\d+:Array\(Float64\)\}\)\)/);
    assert.deepEqual(plan.scoreInputs.get('sd'), { sql: 't_orders', buckets: 4 });
    const unbuilt = compilePlan({ defs: map, outputs: ['sc'] });
    assert.equal(unbuilt.tags.get('sc')!.sql, "CAST(NULL, 'Nullable(Float64)')", 'no thresholds before the first build');
  });

  it('top: a decayed, weighted sum per key at line level, the top n as shares; personalisation needs consent', () => {
    const col = plan.columns.find((c) => c.sql.startsWith('sumMapIf'))!;
    assert.equal(col.level, 'line');
    assert.match(col.sql, /transform\(event, \{p\d+:Array\(String\)\}, \{p\d+:Array\(Float64\)\}, 1\.0\) \* ifNull\(toFloat64\(line\.price \* line\.quantity\), 0\) \* exp\(-0\.6931471805599453 \* /);
    const fav = plan.tags.get('fav')!.sql;
    assert.match(fav, /^if\(s\d+ = 'true', arrayMap\(x -> \(x\.1, round\(x\.2 \/ arraySum\(s\d+\.2\), 4\)\), arraySlice\(arrayReverseSort\(x -> x\.2, arrayZip\(s\d+\.1, s\d+\.2\)\), 1, 2\)\), \[\]\)$/);
    assert.ok(plan.columns.some((c) => c.en === 'trait consent.personalization'));
  });

  it('no literal from a definition in the SQL text of a build', () => {
    const text = stage1Sql(plan, { db: 'hx' }) + rowsSql(plan, map, 'scratch', plan.order);
    // as whole words: the fixed catalog has columns such as brand_tier
    for (const bad of ['DROP', 'few', 'many', 'gold', 'big', 'small', 'Order Completed', 'tier']) assert.ok(!new RegExp(`(?<![\\w])${bad}(?![\\w])`).test(text), `"${bad}" in the SQL`);
    assert.ok(Object.values(plan.params.values).some((v) => v === EVIL));
  });
});

// ---- evaluation on real rows in chdb --------------------------------------------------------------------

const c = clock('2026-05-20T12:00:00+08:00');
const { at } = c;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-tags-compiler-'));
let olap: OlapStore;

const tr = (userId: string, event: string, t: number, properties: Msg = {}, extra: Msg = {}) =>
  ({ type: 'track', userId, event, timestamp: new Date(t).toISOString(), properties, ...extra });
const ROWS = [
  tr('c1', OC, at(1, 10), {
    revenue: 100, discount: 10, coupon: 'A', brand: 'Nike', gift: true,
    products: [{ product_id: 's1', category: 'Shoes/Run', brand: 'Nike', price: 40, quantity: 2 }, { product_id: 's2', category: 'Bags/Tote', brand: 'Coach', price: 20, quantity: 1 }],
  }, { context: { device: { type: 'mobile' } } }),
  tr('c1', OC, at(3, 10), { revenue: 50, brand: 'Adidas', gift: false, products: [{ product_id: 's3', category: 'Shoes/Run', brand: 'Adidas', price: 50, quantity: 1 }] }),
  tr('c1', OC, at(40, 10), { revenue: 30, brand: 'Puma', product_id: 's4', category: 'Socks', price: 30 }),
  tr('c1', 'Product Viewed', at(2, 10), { product_id: 's1', category: 'Shoes/Run', brand: 'Nike', price: 40 }),
  tr('c1', 'Product Viewed', at(2, 10, 20), { product_id: 's1', category: 'Shoes/Run', brand: 'Nike', price: 40 }),
  tr('c1', 'Products Searched', at(1, 22), { query: EVIL }),
  tr('c1', 'Product Reviewed', at(5), { rating: 4, product_id: 's1' }),
  tr('c2', 'Product Viewed', at(1), { product_id: 's9', brand: 'Puma', price: 5 }),
  { type: 'identify', userId: 'c2', timestamp: new Date(at(1, 9)).toISOString(), traits: { tier: 'g', n: 12, consent: { personalization: true } } },
];

before(async () => {
  olap = await OlapStore.open({ path: dir, database: 'compiler' });
  const out = runPipeline(
    { messages: ROWS, receivedAt: Date.now(), requestId: 'r', source: 'test', writeKeyId: 'k', maxMessageBytes: 32_768, maxFutureMs: 86_400_000 },
    { encrypt: (v) => v, match: (v) => v },
  );
  assert.deepEqual(out.rejected, []);
  await olap.insert('events', out.rows);
});
after(async () => {
  await olap?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Builds the given definitions over the rows, as of the fixture's moment: person → code → value. */
async function evaluate(defs: TagDef[], thresholds?: Record<string, number[]>): Promise<Record<string, Record<string, TagValue>>> {
  const map = new Map(defs.map((d) => [d.code, d]));
  const plan = compilePlan({ defs: map, outputs: defs.map((d) => d.code), thresholds });
  const sql = rowsSql(plan, map, `(${stage1Sql(plan, { db: olap.db })})`, defs.map((d) => d.code));
  const rows = await olap.query<{ person_id: string; tag_code: string; value_num: number | null; value_str: string; value_list: string[]; value_weights: number[] }>(
    sql, { ...plan.params.values, ...baseParams(new Date(c.asOf), 'Asia/Shanghai') });
  const out: Record<string, Record<string, TagValue>> = { c1: {}, c2: {} };
  for (const r of rows) out[r.person_id]![r.tag_code] = decodeValue(map.get(r.tag_code), r);
  return out;
}
const num = (code: string, s: Record<string, unknown>, round?: number) => def(code, 'number', { ...S({ ...s }), ...(round === undefined ? {} : { round }) });

describe('evaluated on real rows', () => {
  it('every aggregate', async () => {
    const v = await evaluate([
      num('n_all', { agg: 'count' }),
      num('n_orders_30d', { agg: 'count', event: OC, window: '30d' }),
      num('n_track', { agg: 'count', type: 'track' }),
      num('n_48h', { agg: 'count', window: '48h' }),
      num('rev_sum', { agg: 'sum', of: 'revenue', event: OC }),
      num('rev_avg', { agg: 'avg', of: 'revenue', event: OC }),
      num('rev_min', { agg: 'min', of: 'revenue', event: OC }),
      num('rev_max', { agg: 'max', of: 'revenue', event: OC }),
      num('rev_median', { agg: 'median', of: 'revenue', event: OC }),
      num('brands', { agg: 'uniq', of: 'brand', event: OC }),
      def('brand_first', 'string', S({ agg: 'first', of: 'brand', event: OC })),
      def('brand_last', 'string', S({ agg: 'last', of: 'brand', event: OC })),
      def('brand_mode', 'string', S({ agg: 'mode', of: 'brand' })),
      def('first_order', 'date', S({ agg: 'firstTime', event: OC })),
      def('last_order', 'date', S({ agg: 'lastTime', event: OC })),
      num('since_first', { agg: 'daysSinceFirst', event: OC }),
      num('since_last', { agg: 'daysSinceLast', event: OC }),
      num('active', { agg: 'activeDays' }),
      num('gap', { agg: 'medianGapDays', event: OC }),
      num('visits', { agg: 'sessions' }),
      num('line_amount', { agg: 'sum', of: 'line.amount', event: OC }),
      num('shoe_lines', { agg: 'count', event: OC, where: [{ field: 'line.category', op: 'eq', value: 'Shoes/Run' }] }),
      num('line_brands', { agg: 'uniq', of: 'line.brand', event: OC }),
    ]);
    assert.deepEqual(v.c1, {
      n_all: 7, n_orders_30d: 2, n_track: 7,
      n_48h: 2, // the order 26 h and the search 14 h before; the views 50 h before are outside
      rev_sum: 180, rev_avg: 60, rev_min: 30, rev_max: 100, rev_median: 50, brands: 3,
      brand_first: 'Puma', brand_last: 'Nike', brand_mode: 'Nike',
      first_order: c.date(at(40)), last_order: c.date(at(1)), since_first: 40, since_last: 1,
      active: 5, // days 1, 2, 3, 5, 40
      gap: 19.5, // order days 40, 3, 1 → gaps 37, 2
      visits: 6, // day 40 | 5 | 3 | 2 (two views 20 min apart) | 1 at 10:00 | 1 at 22:00
      line_amount: 180, // 40 × 2 + 20 + 50 + 30 (a product sent as properties is one line)
      shoe_lines: 2,
      line_brands: 4,
    });
    assert.deepEqual(v.c2, {
      n_all: 2, n_orders_30d: 0, n_track: 1, n_48h: 2, rev_sum: 0, brands: 0, brand_mode: 'Puma', active: 1, visits: 2, line_amount: 0, shoe_lines: 0, line_brands: 0,
    }, 'per-order values are absent without orders; counts and sums are 0');
  });

  it('every filter op', async () => {
    const f = (code: string, where: Filter[]) => num(code, { agg: 'count', where });
    const v = await evaluate([
      f('eq', [{ field: 'brand', op: 'eq', value: 'Nike' }]),
      f('neq', [{ field: 'brand', op: 'neq', value: 'Nike' }]), // rows without a brand differ from Nike
      f('in_', [{ field: 'brand', op: 'in', value: ['Adidas', 'Puma'] }]),
      f('nin', [{ field: 'brand', op: 'nin', value: ['Nike'] }]),
      f('gt', [{ field: 'revenue', op: 'gt', value: 50 }]),
      f('gte', [{ field: 'revenue', op: 'gte', value: 50 }]),
      f('lt', [{ field: 'revenue', op: 'lt', value: 50 }]),
      f('lte', [{ field: 'revenue', op: 'lte', value: 50 }]),
      f('contains', [{ field: 'query', op: 'contains', value: 'DROP TABLE' }]),
      f('eq_evil', [{ field: 'query', op: 'eq', value: EVIL }]),
      f('exists', [{ field: 'coupon', op: 'exists' }]),
      f('not_exists', [{ field: 'coupon', op: 'notExists' }]),
      f('rev_exists', [{ field: 'revenue', op: 'exists' }]),
      f('in_num', [{ field: 'rating', op: 'in', value: [4, 5] }]),
      f('hour', [{ field: 'hour', op: 'eq', value: 22 }]),
      f('prop_str', [{ field: 'properties.brand', op: 'eq', value: 'Puma' }]),
      f('two', [{ field: 'brand', op: 'eq', value: 'Nike' }, { field: 'type', op: 'eq', value: 'track' }, { field: 'event', op: 'neq', value: OC }]),
    ]);
    assert.deepEqual(v.c1, {
      eq: 3, neq: 4, in_: 2, nin: 4, gt: 1, gte: 2, lt: 1, lte: 2, contains: 1, eq_evil: 1, exists: 1, not_exists: 6, rev_exists: 3, in_num: 1, hour: 1, prop_str: 1, two: 2,
    });
  });

  it('a boolean filter value matches a JSON boolean property', async () => {
    const v = await evaluate([
      num('gift', { agg: 'count', where: [{ field: 'properties.gift', op: 'eq', value: true }] }),
      num('no_gift', { agg: 'count', where: [{ field: 'properties.gift', op: 'eq', value: false }] }),
    ]);
    assert.deepEqual([v.c1!.gift, v.c1!.no_gift], [1, 1]);
  });

  it('a line-level statistic with an event-level filter', async () => {
    const v = await evaluate([num('mobile_spend', { agg: 'sum', of: 'line.amount', event: OC, where: [{ field: 'device_type', op: 'eq', value: 'mobile' }] })]);
    assert.equal(v.c1!.mobile_spend, 100);
  });

  it('expressions, traits and conditions', async () => {
    const orders = num('orders', { agg: 'count', event: OC });
    const rule = (code: string, when: Cond) => def(code, 'boolean', { type: 'rule', when });
    const expr = (code: string, e: Expr, valueType = 'number', round?: number) => def(code, valueType, { type: 'expr', expr: e, ...(round === undefined ? {} : { round }) });
    const stat = (s: Record<string, unknown>): Expr => ({ stat: { window: 'all', ...s } as Stat });
    const v = await evaluate([
      orders,
      expr('aov', { div: [stat({ agg: 'sum', of: 'revenue', event: OC }), { tag: 'orders' }] }),
      expr('per_refund', { div: [1, stat({ agg: 'count', event: 'Order Refunded' })] }),
      expr('spread', { sub: [stat({ agg: 'max', of: 'revenue', event: OC }), stat({ agg: 'min', of: 'revenue', event: OC })] }),
      expr('twice', { mul: [{ tag: 'orders' }, 2] }),
      expr('plus', { add: [{ tag: 'orders' }, 0.5] }),
      expr('third', { div: [{ tag: 'orders' }, 9] }, 'number', 2),
      expr('fallback', { coalesce: [stat({ agg: 'avg', of: 'rating', event: 'Order Refunded' }), 7] }),
      expr('next', { addDays: [stat({ agg: 'lastTime', event: OC }), 10] }, 'date'),
      expr('since', { daysSince: stat({ agg: 'firstTime', event: OC }) }),
      def('tier', 'enum', { type: 'trait', trait: 'tier', map: { g: 'gold' } }),
      def('n_trait', 'number', { type: 'trait', trait: 'n' }),
      rule('r_all', { all: [{ gte: [{ tag: 'orders' }, 3] }, { lt: [{ tag: 'orders' }, 4] }] }),
      rule('r_any', { any: [{ eq: [{ tag: 'orders' }, 0] }, { in: [{ tag: 'tier' }, ['gold']] }] }),
      rule('r_not_missing', { not: { gt: [stat({ agg: 'max', of: 'revenue', event: OC }), 60] } }),
      rule('r_neq', { neq: [{ tag: 'orders' }, 3] }),
      rule('r_lte', { lte: [{ tag: 'orders' }, 3] }),
      rule('r_date', { gt: [stat({ agg: 'lastTime', event: OC }), c.date(at(2))] }),
      rule('r_null', { isNull: { trait: 'tier' } }),
      rule('r_notnull', { notNull: { trait: 'tier' } }),
    ]);
    assert.deepEqual(v.c1, {
      orders: 3, aov: 60, spread: 70, twice: 6, plus: 3.5, third: 0.33, fallback: 7, next: c.date(at(1) + 10 * 86_400_000), since: 40,
      r_all: true, r_any: false, r_not_missing: false, r_neq: false, r_lte: true, r_date: true, r_null: true, r_notnull: false,
    }, 'per_refund is absent: division by zero');
    assert.deepEqual(v.c2, {
      orders: 0, twice: 0, plus: 0.5, third: 0, fallback: 7, tier: 'gold', n_trait: 12,
      r_all: false, r_any: true, r_not_missing: true, r_neq: true, r_lte: true, r_date: false, r_null: false, r_notnull: true,
    }, 'no orders: aov, spread, next and since are absent; a comparison with a missing value is false, its negation true');
  });

  it('bins, cases, score, top and consent', async () => {
    const orders = num('orders', { agg: 'count', event: OC });
    const v = await evaluate([
      orders,
      def('max_rev', 'number', S({ agg: 'max', of: 'revenue', event: OC })),
      def('band', 'enum', { type: 'bins', of: { tag: 'max_rev' }, bins: [{ upTo: 50, label: 'low' }, { upTo: 100, label: 'mid' }, { label: 'high' }] }),
      def('band_open', 'enum', { type: 'bins', of: { tag: 'orders' }, bins: [{ upTo: 1, label: 'none' }, { upTo: 3, label: 'some' }] }),
      def('size', 'enum', { type: 'cases', cases: [{ when: { gte: [{ tag: 'orders' }, 3] }, label: 'big' }, { when: { gte: [{ tag: 'orders' }, 1] }, label: 'small' }] }),
      def('size_else', 'enum', { type: 'cases', cases: [{ when: { gte: [{ tag: 'orders' }, 5] }, label: 'big' }], else: 'other' }),
      def('activity', 'number', { type: 'score', of: { stat: { agg: 'count', window: 'all' } }, buckets: 5 }),
      def('activity_desc', 'number', { type: 'score', of: { stat: { agg: 'count', window: 'all' } }, buckets: 5, descending: true }),
      def('buyer_score', 'number', { type: 'score', of: { tag: 'orders' }, when: { gt: [{ tag: 'orders' }, 0] } }),
      def('brand_pref', 'ranked', { type: 'top', key: 'brand', event: [OC, 'Product Viewed'], weights: { [OC]: 5 }, n: 3 }),
      def('spend_pref', 'ranked', { type: 'top', key: 'brand', event: OC, weightOf: 'revenue', n: 5 }),
      def('personal', 'ranked', { type: 'top', key: 'brand', event: 'Product Viewed', n: 1 }, { purpose: 'personalization' }),
      def('personal_n', 'number', S({ agg: 'count' }), { purpose: 'marketing' }),
    ], { activity: [1, 2, 5, 10], activity_desc: [1, 2, 5, 10], buyer_score: [1, 2, 3, 4] });
    assert.deepEqual(v.c1, {
      orders: 3, max_rev: 100,
      band: 'high', // upTo is exclusive: 100 is not < 100
      size: 'big', size_else: 'other',
      activity: 4, activity_desc: 2, // 7 events: above 1, 2 and 5
      buyer_score: 3,
      brand_pref: v.c1!.brand_pref, // below: Adidas and Puma tie, so their order is not asserted
      spend_pref: [{ value: 'Nike', weight: 0.5556 }, { value: 'Adidas', weight: 0.2778 }, { value: 'Puma', weight: 0.1667 }],
    }, 'no band_open (3 is beyond the last bin), no personal tags without consent');
    const pref = v.c1!.brand_pref as { value: string; weight: number }[];
    assert.deepEqual(pref[0], { value: 'Nike', weight: 0.4118 }, 'order 5 + two views 1 of 17');
    assert.deepEqual(pref.slice(1).sort((x, y) => x.value.localeCompare(y.value)), [{ value: 'Adidas', weight: 0.2941 }, { value: 'Puma', weight: 0.2941 }]);
    assert.deepEqual(v.c2, {
      orders: 0, band_open: 'none', size_else: 'other', activity: 2, activity_desc: 4,
      brand_pref: [{ value: 'Puma', weight: 1 }], personal: [{ value: 'Puma', weight: 1 }],
    }, 'no max revenue → no band; 0 orders → no case, no buyer score; marketing consent absent → no personal_n');
  });
});

describe('promoted properties', () => {
  it('read in their own column exactly what the JSON read gives, whichever way rows were inserted', async () => {
    const store = await OlapStore.over(olap, 'compiler_promoted');
    const db = store.db;
    const msgs = [
      tr('p1', 'Product Shared', at(1), { recipient: 'friend_1' }),
      tr('p1', 'Product Shared', at(1, 1), { recipient: 42 }),
      tr('p1', 'Product Viewed', at(1, 3), { dwell_seconds: 12.5 }),
      tr('p1', 'Product Viewed', at(1, 4), { dwell_seconds: '7' }),
      tr('p1', 'Product Viewed', at(1, 5), {}),
    ];
    const out = runPipeline(
      { messages: msgs, receivedAt: Date.now(), requestId: 'r', source: 'test', writeKeyId: 'k', maxMessageBytes: 32_768, maxFutureMs: 86_400_000 },
      { encrypt: (v) => v, match: (v) => v },
    );
    assert.deepEqual(out.rejected, []);
    await store.insert('events', out.rows);
    // the bulk importers' path: INSERT … SELECT inside the engine
    await store.command(`INSERT INTO ${db}.events (message_id, type, event, distinct_id, timestamp, properties)
      SELECT concat('sel-', toString(number)), 'track', 'Product Shared', 'p2', now64(3), ['{"recipient":"r9"}', '{"dwell_seconds":3}', '{}'][number + 1] FROM numbers(3)`);
    const rows = await store.query<{ recipient: string; json_recipient: string; dwell: number | null; json_dwell: number | null }>(
      `SELECT prop_recipient AS recipient, JSONExtractRaw(properties, 'recipient') AS json_recipient,
              prop_dwell_seconds AS dwell, if(simpleJSONHas(properties, 'dwell_seconds'), simpleJSONExtractFloat(properties, 'dwell_seconds'), NULL) AS json_dwell
       FROM ${db}.events ORDER BY message_id`,
    );
    assert.equal(rows.length, 8);
    for (const r of rows) assert.deepEqual([r.recipient, r.dwell], [r.json_recipient, r.json_dwell]);
    assert.deepEqual(rows.map((r) => r.recipient).filter(Boolean).sort(), ['"42"', '"friend_1"', '"r9"']);
    assert.deepEqual(rows.map((r) => r.dwell).filter((x) => x !== null).sort((a, b) => a! - b!), [3, 7, 12.5]);
    // a definition naming them compiles to the columns
    assert.equal(field('properties.recipient').sql, 'prop_recipient');
    assert.equal(text(field('properties.recipient')), `trim(BOTH '"' FROM prop_recipient)`);
    assert.equal(field('dwell_seconds').sql, 'prop_dwell_seconds');
  });
});

describe('validation names the path', () => {
  const base = { code: 'ok_code', category: 'custom', name_zh: 'x', name_en: 'x', valueType: 'number' };
  const issue = (input: unknown) => {
    const r = tagInput.safeParse(input);
    assert.equal(r.success, false, JSON.stringify(input));
    const i = r.error!.issues[0]!;
    return { path: i.path.join('.'), message: i.message };
  };
  const cases: [string, unknown, string, RegExp?][] = [
    ['bad code', { ...base, code: 'A-b', spec: S({ agg: 'count' }) }, 'code', /2–63 characters/],
    ['sum without a field', { ...base, spec: S({ agg: 'sum' }) }, 'spec.stat.of', /'sum' needs a field in 'of'/],
    ['unknown field', { ...base, spec: S({ agg: 'sum', of: 'revenue); DROP' }) }, 'spec.stat.of', /unknown field/],
    ['property name with a quote', { ...base, spec: S({ agg: 'sum', of: "properties.a'b" }) }, 'spec.stat.of'],
    ['bad window', { ...base, spec: S({ agg: 'count', window: '30 days' }) }, 'spec.stat.window', /'30d'/],
    ['unknown aggregate', { ...base, spec: S({ agg: 'stddev' }) }, 'spec.stat.agg'],
    ['eq without a value', { ...base, spec: S({ agg: 'count', where: [{ field: 'brand', op: 'eq' }] }) }, 'spec.stat.where.0.value', /needs a value/],
    ['exists with a value', { ...base, spec: S({ agg: 'count', where: [{ field: 'brand', op: 'exists', value: 1 }] }) }, 'spec.stat.where.0.value', /takes no value/],
    ['in with one value', { ...base, spec: S({ agg: 'count', where: [{ field: 'brand', op: 'in', value: 'N' }] }) }, 'spec.stat.where.0.value', /needs a list/],
    ['eq with a list', { ...base, spec: S({ agg: 'count', where: [{ field: 'brand', op: 'eq', value: ['N'] }] }) }, 'spec.stat.where.0.value', /not a list/],
    ['unknown op', { ...base, spec: S({ agg: 'count', where: [{ field: 'brand', op: 'like', value: 'N' }] }) }, 'spec.stat.where.0.op'],
    ['unknown spec type', { ...base, spec: { type: 'magic' } }, 'spec.type'],
    ['empty bins', { ...base, valueType: 'enum', spec: { type: 'bins', of: 1, bins: [] } }, 'spec.bins'],
    ['top n 0', { ...base, valueType: 'ranked', spec: { type: 'top', key: 'brand', event: 'x', n: 0 } }, 'spec.n'],
    ['score buckets 11', { ...base, spec: { type: 'score', of: 1, buckets: 11 } }, 'spec.buckets'],
    ['bad trait path', { ...base, valueType: 'string', spec: { type: 'trait', trait: 'a..b' } }, 'spec.trait'],
    ['extra key', { ...base, spec: { type: 'stat', stat: { agg: 'count', sql: '1' } } }, 'spec.stat', /sql/],
    ['bad value type', { ...base, valueType: 'json', spec: S({ agg: 'count' }) }, 'valueType'],
  ];
  for (const [name, input, p, message] of cases) {
    it(name, () => {
      const i = issue(input);
      assert.equal(i.path, p, i.message);
      if (message) assert.match(i.message, message);
    });
  }

  it('a node that cannot make the value type says so', () => {
    assert.equal(checkValueType({ type: 'rule', when: { gt: [1, 0] } }, 'number'), "a 'rule' definition makes boolean, not 'number'");
    assert.equal(checkValueType({ type: 'top', key: 'brand', event: 'x', n: 5, window: 'all' }, 'ranked'), null);
  });
});
