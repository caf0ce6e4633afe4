import { normaliseEmail, normalisePhone } from '../privacy/crypto.ts';
import type { Runtime } from '../runtime.ts';
import type { TagValue } from '../tags/index.ts';
import { decodeValue, personsWithTag } from '../tags/values.ts';

type Rt = Pick<Runtime, 'olap' | 'oltp' | 'keyring' | 'tags'>;

export interface SearchQuery {
  q?: string;
  tag?: string;
  value?: string;
  trait?: string;
  email?: string;
  phone?: string;
  limit: number;
}

export interface UserHit {
  userId: string;
  lastSeen: string | null;
  tags: Record<string, TagValue>;
}

/** The tags shown beside each hit. */
const SUMMARY = ['lifecycle_stage', 'rfm_class', 'gmv_365d', 'last_active_date'];

export class SearchInputError extends Error {}

/**
 * Finds people: by id prefix (any anonymousId or userId), by a tag value, by a trait (`key:value`), or by
 * email/phone (matched on their keyed hash; the plain value is never stored). Filters combine with AND.
 */
export async function searchUsers(rt: Rt, s: SearchQuery): Promise<UserHit[]> {
  const db = rt.olap.db;
  const sets: string[][] = [];
  const cap = 5000;
  if (s.q) {
    const fromIds = await rt.oltp.query<{ person_id: string }>(
      `SELECT DISTINCT person_id FROM identities WHERE distinct_id LIKE $1 ESCAPE '\\' ORDER BY person_id LIMIT ${cap}`,
      [`${s.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
    );
    const fromTags = await rt.olap.query<{ person_id: string }>(
      `SELECT DISTINCT person_id FROM ${db}.tag_values WHERE tag_code = 'last_active_date' AND startsWith(person_id, {q:String}) LIMIT ${cap}`,
      { q: s.q },
    );
    sets.push([...new Set([...fromIds.map((r) => r.person_id), ...fromTags.map((r) => r.person_id)])]);
  }
  if (s.tag) {
    const defs = await rt.tags.taxonomy.definitions();
    const def = defs.get(s.tag);
    if (!def) throw new SearchInputError(`tag: no tag '${s.tag}'`);
    sets.push(await personsWithTag(rt.olap, def, s.value, cap));
  }
  const hashes: [string, string][] = [];
  if (s.email) hashes.push(['email_hash', rt.keyring.match(normaliseEmail(s.email))]);
  if (s.phone) hashes.push(['phone_hash', rt.keyring.match(normalisePhone(s.phone))]);
  if (s.trait) {
    const m = /^([A-Za-z_][A-Za-z0-9_.]{0,100}):(.*)$/.exec(s.trait);
    if (!m) throw new SearchInputError("trait: use key:value, e.g. city_tier:一线");
    const keys = m[1]!.split('.');
    const rows = await rt.olap.query<{ distinct_id: string }>(
      `SELECT DISTINCT distinct_id FROM ${db}.events WHERE type = 'identify' AND JSONExtractString(traits, ${keys.map((_, i) => `{k${i}:String}`).join(', ')}) = {v:String} LIMIT ${cap}`,
      { ...Object.fromEntries(keys.map((k, i) => [`k${i}`, k])), v: m[2] },
    );
    sets.push(await persons(rt, rows.map((r) => r.distinct_id)));
  }
  for (const [col, h] of hashes) {
    const rows = await rt.olap.query<{ distinct_id: string }>(`SELECT DISTINCT distinct_id FROM ${db}.events WHERE ${col} = {h:String} LIMIT ${cap}`, { h });
    sets.push(await persons(rt, rows.map((r) => r.distinct_id)));
  }
  if (sets.length === 0) {
    const recent = await rt.olap.query<{ person_id: string }>(
      `SELECT person_id FROM ${db}.tag_values FINAL WHERE tag_code = 'days_since_active' ORDER BY value_num, person_id LIMIT {n:UInt32}`,
      { n: s.limit },
    );
    sets.push(recent.map((r) => r.person_id));
  }
  const hits = sets.reduce((a, b) => a.filter((x) => new Set(b).has(x))).sort().slice(0, s.limit);
  return summarise(rt, hits);
}

async function persons(rt: Rt, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await rt.oltp.query<{ distinct_id: string; person_id: string }>('SELECT distinct_id, person_id FROM identities WHERE distinct_id = ANY($1::text[])', [ids]);
  const to = new Map(rows.map((r) => [r.distinct_id, r.person_id]));
  return [...new Set(ids.map((i) => to.get(i) ?? i))];
}

async function summarise(rt: Rt, ids: string[]): Promise<UserHit[]> {
  if (ids.length === 0) return [];
  const defs = await rt.tags.taxonomy.definitions();
  const rows = await rt.olap.query<{ person_id: string; tag_code: string; value_num: number | null; value_str: string; value_list: string[]; value_weights: number[] }>(
    `SELECT person_id, tag_code, value_num, value_str, value_list, value_weights FROM ${rt.olap.db}.tag_values FINAL
     WHERE tag_code IN {codes:Array(String)} AND person_id IN {ids:Array(String)}`,
    { codes: SUMMARY, ids },
  );
  const by = new Map<string, UserHit>(ids.map((id) => [id, { userId: id, lastSeen: null, tags: {} }]));
  for (const r of rows) {
    const hit = by.get(r.person_id)!;
    hit.tags[r.tag_code] = decodeValue(defs.get(r.tag_code), r);
    if (r.tag_code === 'last_active_date') hit.lastSeen = r.value_str;
  }
  return [...by.values()];
}
