import type { OlapStore } from '../../store/olap/index.ts';
import type { Timezone } from '../timezones.ts';

/** The calendar date (in `tz`) of the newest event, or null when there are none: the default end of a report. */
export async function latestEventDate(olap: OlapStore, tz: Timezone): Promise<string | null> {
  const [r] = await olap.query<{ n: number; last: string }>(
    `SELECT count() AS n, toString(toDate(max(timestamp), {tz:String})) AS last FROM ${olap.db}.events`,
    { tz },
  );
  return r && Number(r.n) > 0 ? r.last : null;
}
