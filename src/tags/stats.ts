import type { OlapStore } from '../store/olap/index.ts';
import type { TagDef } from './dsl.ts';

export interface TagStats {
  code: string;
  covered: number;
  distribution: { value: string; count: number }[];
  numeric: { min: number; p25: number; median: number; p75: number; max: number; mean: number } | null;
}

/**
 * Coverage and value distribution per tag over a set of (tag_code, person_id, value…) rows: text values
 * by frequency (top 20), ranked lists by their top value, booleans as true/false, numbers as exact
 * values when there are few and as ten equal-width ranges otherwise.
 */
export async function tagStats(olap: OlapStore, rows: string, defs: readonly TagDef[], params: Record<string, unknown>): Promise<TagStats[]> {
  const byType = (t: (d: TagDef) => boolean) => defs.filter(t).map((d) => d.code);
  const numeric = byType((d) => d.valueType === 'number');
  const bool = byType((d) => d.valueType === 'boolean');
  const out = new Map<string, TagStats>(defs.map((d) => [d.code, { code: d.code, covered: 0, distribution: [], numeric: null }]));

  const [counts, texts, nums, bins] = await Promise.all([
    olap.query<{ tag_code: string; n: number }>(`SELECT tag_code, count() AS n FROM (${rows}) GROUP BY tag_code`, params),
    olap.query<{ tag_code: string; v: string; n: number }>(
      `SELECT tag_code, if(length(value_list) > 0, value_list[1], if(isNull(value_num), value_str, if(has({bools:Array(String)}, tag_code), if(value_num = 1, 'true', 'false'), toString(value_num)))) AS v, count() AS n
       FROM (${rows}) WHERE NOT has({nums:Array(String)}, tag_code)
       GROUP BY tag_code, v ORDER BY tag_code, n DESC, v LIMIT 20 BY tag_code`,
      { ...params, bools: bool, nums: numeric },
    ),
    olap.query<{ tag_code: string; lo: number; q: number[]; hi: number; mean: number }>(
      `SELECT tag_code, min(value_num) AS lo, quantiles(0.25, 0.5, 0.75)(value_num) AS q, max(value_num) AS hi, avg(value_num) AS mean
       FROM (${rows}) WHERE has({nums:Array(String)}, tag_code) GROUP BY tag_code`,
      { ...params, nums: numeric },
    ),
    olap.query<{ tag_code: string; v: string; n: number; b: number }>(
      `SELECT tag_code, b, count() AS n,
              if(any(u) <= 12, toString(any(value_num)),
                 concat(toString(round(any(lo) + b * any(w), 2)), ' – ', toString(round(any(lo) + (b + 1) * any(w), 2)))) AS v
       FROM (SELECT r.tag_code AS tag_code, r.value_num AS value_num, s.lo AS lo, s.w AS w, s.u AS u,
                    if(s.u <= 12, toFloat64(r.value_num), least(9, floor((r.value_num - s.lo) / s.w))) AS b
             FROM (${rows}) AS r
             JOIN (SELECT tag_code, min(value_num) AS lo, greatest((max(value_num) - min(value_num)) / 10, 1e-9) AS w, uniqExact(value_num) AS u
                   FROM (${rows}) WHERE has({nums:Array(String)}, tag_code) GROUP BY tag_code) AS s ON s.tag_code = r.tag_code)
       GROUP BY tag_code, b ORDER BY tag_code, b`,
      { ...params, nums: numeric },
    ),
  ]);
  for (const c of counts) if (out.has(c.tag_code)) out.get(c.tag_code)!.covered = Number(c.n);
  for (const t of texts) out.get(t.tag_code)?.distribution.push({ value: t.v, count: Number(t.n) });
  for (const b of bins) out.get(b.tag_code)?.distribution.push({ value: b.v, count: Number(b.n) });
  for (const n of nums) {
    const s = out.get(n.tag_code);
    if (s) s.numeric = { min: n.lo, p25: n.q[0]!, median: n.q[1]!, p75: n.q[2]!, max: n.hi, mean: n.mean };
  }
  return [...out.values()];
}
