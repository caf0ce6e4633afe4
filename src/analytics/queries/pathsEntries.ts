import type { OlapStore } from '../../store/olap/index.ts';
import type { Timezone } from '../timezones.ts';
import { isView, keyedSessions, stepNames } from './sessionsSql.ts';

/**
 * Entry and exit pages for [from, to): where sessions begin and end. Pages are the views of
 * queries/sessionsSql.ts (page and screen calls named by name, else path; 'Product Viewed';
 * 'Product List Viewed'), and sessions as defined there; a session without a view is left out.
 *
 * Per page: views, entries (sessions whose first view it is), exits (sessions whose last view it is),
 * bounces (sessions whose only view it is); entry share = entries / sessions, exit rate = exits / views,
 * bounce rate = bounces / entries.
 */

export interface EntryExitParams { from: string; to: string; tz: Timezone; limit: number }
export interface EntryExitPage { page: string; views: number; entries: number; exits: number; bounces: number; entryShare: number; exitRate: number; bounceRate: number }
export interface EntryExitPages {
  range: { from: string; to: string; tz: Timezone };
  sessions: number;
  /** most entries first */
  entries: EntryExitPage[];
  /** most exits first */
  exits: EntryExitPage[];
}

/**
 * An event of a session as one Int64 that sorts in time order: (ms·2 + is_view)·2^16 plus the low 16 bits of
 * its name's hash (so views at one millisecond keep one order from run to run); ms = key >> 17.
 */
const eventKey = `bitOr(bitShiftLeft(toInt64(toUnixTimestamp64Milli(timestamp)) * 2 + toInt64(is_view), 16), toInt64(bitAnd(nh, 65535)))`;

/**
 * Sessions as plain arrays (sessionsSql.ts keyedSessions, as the paths report reads them); a session's pages
 * are its views' name hashes in order, counted per hash and named at the end.
 */
const entriesSql = (db: string) => `
WITH ${stepNames(db)} AS step_names
SELECT transform(h, step_names.1, step_names.2, '') AS page, count() AS views, countIf(i = 1) AS entries, countIf(i = n) AS exits, countIf(n = 1) AS bounces
FROM (
  SELECT arrayFilter((nm, k) -> bitAnd(bitShiftRight(k, 16), 1) = 1, sn, sk) AS pages, length(pages) AS n
  FROM ${keyedSessions(db, { key: eventKey, msShift: 17, extra: [`toUInt8(${isView}) AS is_view`] })}
)
ARRAY JOIN pages AS h, arrayEnumerate(pages) AS i
GROUP BY h`;

export async function entryExitPages(olap: OlapStore, p: EntryExitParams): Promise<EntryExitPages> {
  const rows = await olap.query<{ page: string; views: number; entries: number; exits: number; bounces: number }>(entriesSql(olap.db), { from: p.from, to: p.to, tz: p.tz });
  const sessions = rows.reduce((a, r) => a + Number(r.entries), 0);
  const pages = rows.map((r) => {
    const [views, entries, exits, bounces] = [Number(r.views), Number(r.entries), Number(r.exits), Number(r.bounces)];
    return { page: r.page, views, entries, exits, bounces, entryShare: sessions ? entries / sessions : 0, exitRate: views ? exits / views : 0, bounceRate: entries ? bounces / entries : 0 };
  });
  const by = (k: 'entries' | 'exits') => pages.filter((x) => x[k] > 0).sort((a, b) => b[k] - a[k] || b.views - a.views || (a.page < b.page ? -1 : 1)).slice(0, p.limit);
  return { range: { from: p.from, to: p.to, tz: p.tz }, sessions, entries: by('entries'), exits: by('exits') };
}
