/** Calendar arithmetic for points: expiry months and the shop-time days and months that caps count in. */

/** The same instant `n` calendar months later (UTC); the 31st becomes the month's last day when needed. */
export function addMonths(t: Date, n: number): Date {
  const d = new Date(t.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + n);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock parts of instant `ms` in `timeZone`. */
function wall(ms: number, timeZone: string): { y: number; m: number; d: number; utcOfWall: number } {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(timeZone, f);
  }
  const parts = f.formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const y = get('year');
  const m = get('month');
  const d = get('day');
  return { y, m, d, utcOfWall: Date.UTC(y, m - 1, d, get('hour'), get('minute'), get('second')) };
}

/** The UTC instant of a wall-clock midnight in `timeZone` (one correction step covers DST shifts). */
function zonedMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  const offset = wall(guess, timeZone).utcOfWall - guess;
  let t = guess - offset;
  const again = wall(t, timeZone).utcOfWall - t;
  if (again !== offset) t = guess - again;
  return t;
}

export interface Period {
  from: Date;
  to: Date;
}

/** The shop-time day and month that contain instant `t`, as [from, to) instants. */
export function dayAndMonth(t: Date, timeZone: string): { day: Period; month: Period } {
  const w = wall(t.getTime(), timeZone);
  const next = new Date(Date.UTC(w.y, w.m - 1, w.d + 1));
  const nextMonth = new Date(Date.UTC(w.y, w.m, 1));
  return {
    day: { from: new Date(zonedMidnight(w.y, w.m, w.d, timeZone)), to: new Date(zonedMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone)) },
    month: { from: new Date(zonedMidnight(w.y, w.m, 1, timeZone)), to: new Date(zonedMidnight(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth() + 1, 1, timeZone)) },
  };
}

/** The shop-time calendar date (YYYY-MM-DD) of instant `t`. */
export function shopDate(t: Date, timeZone: string): string {
  const w = wall(t.getTime(), timeZone);
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}
