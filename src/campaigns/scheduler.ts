import { atLocal, localTime } from './guards/time.ts';
import type { Schedule } from './types.ts';

/**
 * When a campaign runs (docs/campaigns.md#scheduling): `now`, once `at` a time, or `recurring` every day or
 * week at a local time in the shop's time zone, until an optional end. Pure functions of the schedule and a
 * clock; the engine's `tick(now)` starts what is due and closes what has finished.
 */

/** A campaign whose schedule has no run left (a recurring one past its `until`). */
export class ScheduleEndedError extends Error {
  constructor(readonly campaignId: string) {
    super(`campaign '${campaignId}': its schedule has no run left (until is past)`);
  }
}

/** The first run at or after `now`; null when a recurring schedule has no run left before its `until`. */
export function firstRunAt(s: Schedule, now: Date, tz: string): Date | null {
  if (s.kind === 'now') return now;
  if (s.kind === 'at') return new Date(s.at);
  return nextOccurrence(s, new Date(now.getTime() - 1), tz);
}

/** The next occurrence of a recurring schedule strictly after `after` (null past `until`, or for one-off schedules). */
export function nextOccurrence(s: Schedule, after: Date, tz: string): Date | null {
  if (s.kind !== 'recurring') return null;
  const [h, m] = s.at.split(':').map(Number) as [number, number];
  const l = localTime(after, tz);
  for (let day = 0; day <= 8; day++) {
    const d = new Date(Date.UTC(l.year, l.month - 1, l.day + day));
    if (s.every === 'week' && d.getUTCDay() !== s.weekday) continue;
    const t = atLocal(tz, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), h, m);
    if (t > after) return s.until && t > new Date(s.until) ? null : t;
  }
  return null;
}

/**
 * A run's id: `r1` for a one-off campaign (starting it again never sends twice), the local date of the
 * occurrence (`2026-11-24`) for a recurring one — so each day or week is its own run, sent once.
 */
export function runIdOf(s: Schedule, at: Date, tz: string): string {
  if (s.kind !== 'recurring') return 'r1';
  const l = localTime(at, tz);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}
