import type { Runtime } from '../runtime.ts';
import { ReportNoise, wantsNoise, type NoiseMarker } from '../privacy/noise.ts';

/**
 * Exports of aggregates: how many people hold each value of a tag (every tag, or one), read from the safe
 * tag view. Unlike the per-person exports (profiles, tag values, segment members: governed by roles), these
 * are what a team hands to others, so they obey the privacy settings of reports (docs/privacy.md):
 *
 * - a value held by fewer than `privacy.minGroupSize` people is left out (in the query: `HAVING people >= k`)
 *   and counted in `suppressedGroups`;
 * - with noise (`noise`, or `privacy.dp.always`) each `people` count gets two-sided geometric noise, the
 *   budget ε split over the rows one person can change: one per tag holding a single value, every row of
 *   a tag holding lists (a person can hold several of its values).
 *
 * A number tag is counted per distinct number, so a continuous score mostly falls under the threshold:
 * export banded tags (`age_band`, `rfm_class` …) for distributions.
 */

export interface TagCountRow {
  tag_code: string;
  value: string;
  people: number;
}

export interface TagCounts {
  rows: TagCountRow[];
  suppressedGroups: number;
  privacy: NoiseMarker | null;
}

type Rt = Pick<Runtime, 'olap' | 'config'>;

export async function tagCounts(rt: Rt, o: { tag?: string; noise?: boolean }): Promise<TagCounts> {
  const db = rt.olap.db;
  const k = rt.config.privacy.minGroupSize;
  const [counted] = await rt.olap.query<{ kept: [string, string, string][]; suppressed: string; lists: string[] }>(
    `SELECT arrayFilter(x -> x.3 >= {k:UInt32}, groupArray((tag_code, value, people))) AS kept, countIf(people < {k:UInt32}) AS suppressed,
            groupUniqArrayIf(tag_code, list) AS lists
     FROM (
       SELECT tag_code, value, uniqExact(person_id) AS people, max(length(value_list) > 0) AS list
       FROM ${db}_safe.tags
       ARRAY JOIN if(length(value_list) > 0, value_list, [if(value_num IS NOT NULL, toString(assumeNotNull(value_num)), value_str)]) AS value
       WHERE ({tag:String} = '' OR tag_code = {tag:String}) AND value != ''
       GROUP BY tag_code, value
     )`,
    { tag: o.tag ?? '', k },
  );
  const kept = (counted?.kept ?? []).map(([tag_code, value, people]) => ({ tag_code, value, people: Number(people) }));
  kept.sort((a, b) => (a.tag_code < b.tag_code ? -1 : a.tag_code > b.tag_code ? 1 : b.people - a.people || (a.value < b.value ? -1 : 1)));
  const suppressedGroups = Number(counted?.suppressed ?? 0);
  if (!wantsNoise(o.noise, rt.config.privacy.dp)) return { rows: kept, suppressedGroups, privacy: null };
  const lists = new Set(counted?.lists ?? []);
  const perTag = new Map<string, number>();
  for (const r of kept) perTag.set(r.tag_code, lists.has(r.tag_code) ? (perTag.get(r.tag_code) ?? 0) + 1 : 1);
  const noise = new ReportNoise(rt.config.privacy.dp, [...perTag.values()].reduce((a, n) => a + n, 0), [], k);
  return { rows: kept.map((r) => ({ ...r, people: noise.count(r.people) })), suppressedGroups, privacy: noise.marker() };
}
