import { addDays, addYears, dateIn, isDate } from './dates.ts';
import type { Timezone } from './timezones.ts';

export const DEFAULT_DAYS = 30;
export const MAX_YEARS = 3;

export type RangeResult =
  | { ok: true; from: string; to: string }
  | { ok: false; field: 'from' | 'to'; message: string };

/**
 * Turns optional `from`/`to` (YYYY-MM-DD, `to` exclusive) into a checked range. A missing `to` is the
 * day after the latest event (or after today when there are none); a missing `from` is `days` (30)
 * days before `to`. Errors are values naming the field, so the caller can answer a precise 400.
 */
export function resolveRange(q: { from?: string; to?: string; tz: Timezone }, latestEvent: string | null, now = Date.now(), days = DEFAULT_DAYS): RangeResult {
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && !isDate(v)) return { ok: false, field, message: `must be a calendar date as YYYY-MM-DD, got '${v}'` };
  }
  const to = q.to ?? addDays(latestEvent ?? dateIn(now, q.tz), 1);
  const from = q.from ?? addDays(to, -days);
  if (from >= to) {
    const why = q.to === undefined ? ` (to defaults to the day after the latest event, ${to})` : '';
    return { ok: false, field: 'to', message: `must be after from: got from=${from}, to=${to}${why}; to is exclusive, so one day is from=D&to=D+1` };
  }
  const limit = addYears(from, MAX_YEARS);
  if (to > limit) return { ok: false, field: 'to', message: `the range may span at most ${MAX_YEARS} years: from=${from} allows to ≤ ${limit}, got ${to}` };
  return { ok: true, from, to };
}
