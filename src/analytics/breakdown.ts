/**
 * Breaking a report down by a person attribute: a tag's current value, segment membership, or one of the
 * named shortcuts (device, channel, city tier — each the built-in tag that holds it). Every report that
 * offers a breakdown joins its person column to `breakdownSql(...)` and groups by `grp`.
 *
 * The query-string form is one word: `device`, `channel`, `city_tier`, `tag:<code>` or
 * `segment:<id>[,<id>…]` (up to 8 segments; a person in several is counted in each).
 */
import type { TagDef } from '../tags/dsl.ts';

export type Breakdown =
  | { by: 'tag'; tag: string }
  | { by: 'segment'; segments: string[] };

/** the named shortcuts and the built-in tag each one reads */
export const breakdownShortcuts = { device: 'device_preference', channel: 'acquisition_channel', city_tier: 'city_tier' } as const;

export const MAX_BREAKDOWN_SEGMENTS = 8;
/** the group a person without a value falls in */
export const NO_VALUE = '(none)';

export type BreakdownParse = { ok: true; breakdown: Breakdown } | { ok: false; message: string };

/**
 * Reads the query-string form. `tags` is the tag catalog (to check the code exists and is not numeric);
 * `segmentExists` answers whether a segment id is known.
 */
export function parseBreakdown(text: string, tags: ReadonlyMap<string, Pick<TagDef, 'valueType'>>, segmentExists: (id: string) => boolean): BreakdownParse {
  const shortcut = breakdownShortcuts[text as keyof typeof breakdownShortcuts];
  if (shortcut) return { ok: true, breakdown: { by: 'tag', tag: shortcut } };
  const [kind, rest = ''] = splitOnce(text, ':');
  if (kind === 'tag') {
    const def = tags.get(rest);
    if (!def) return { ok: false, message: `unknown tag '${rest}'` };
    if (def.valueType === 'number' || def.valueType === 'date')
      return { ok: false, message: `tag '${rest}' holds a ${def.valueType}; break down by a tag with a few values (enum, boolean, string, ranked) — a bins tag turns a number into bands` };
    return { ok: true, breakdown: { by: 'tag', tag: rest } };
  }
  if (kind === 'segment') {
    const ids = rest.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) return { ok: false, message: 'segment: needs at least one segment id, as segment:<id>[,<id>…]' };
    if (ids.length > MAX_BREAKDOWN_SEGMENTS) return { ok: false, message: `at most ${MAX_BREAKDOWN_SEGMENTS} segments, got ${ids.length}` };
    const unknown = ids.filter((id) => !segmentExists(id));
    if (unknown.length) return { ok: false, message: `unknown segment ${unknown.map((u) => `'${u}'`).join(', ')}` };
    return { ok: true, breakdown: { by: 'segment', segments: [...new Set(ids)] } };
  }
  return { ok: false, message: `expected device, channel, city_tier, tag:<code> or segment:<id>[,<id>…], got '${text}'` };
}

function splitOnce(s: string, sep: string): [string, string?] {
  const i = s.indexOf(sep);
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * A subquery of (person_id, grp) pairs for a breakdown, with its parameters (prefixed `bd_` so they never
 * clash with the report's own). A person with no value is absent: LEFT JOIN it and map '' to NO_VALUE
 * (see `groupOf`). Ranked tags contribute their top value.
 */
export function breakdownSql(db: string, b: Breakdown): { sql: string; params: Record<string, unknown> } {
  if (b.by === 'tag') {
    return {
      sql: `(
        SELECT person_id,
               ifNull(if(length(argMax(value_list, version)) > 0, argMax(value_list, version)[1],
                  if(argMax(value_num, version) IS NOT NULL AND argMax(value_str, version) = '', toString(argMax(value_num, version)), argMax(value_str, version))), '') AS grp
        FROM ${db}.tag_values WHERE tag_code = {bd_tag:String}
        GROUP BY person_id HAVING argMax(is_deleted, version) = 0
      )`,
      params: { bd_tag: b.tag },
    };
  }
  return {
    sql: `(
      SELECT person_id, segment_id AS grp
      FROM ${db}.segment_members WHERE segment_id IN {bd_segments:Array(String)}
      GROUP BY segment_id, person_id HAVING argMax(is_member, version) = 1
    )`,
    params: { bd_segments: b.segments },
  };
}

/** The group column of a LEFT JOIN on breakdownSql aliased `bd`: people without a value land in NO_VALUE. */
export const groupOf = (alias = 'bd') => `if(ifNull(${alias}.grp, '') = '', '${NO_VALUE}', ${alias}.grp)`;
