/**
 * Calendar dates as `YYYY-MM-DD` strings. Analytics ranges are whole days in a reporting timezone, so
 * day arithmetic is plain calendar arithmetic (done in UTC, where every day has 24 hours).
 */

const pattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY = 86_400_000;

/** True for a real calendar date written as YYYY-MM-DD (2025-02-30 is not one). */
export function isDate(s: string): boolean {
  const m = pattern.exec(s);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === s;
}

function utc(s: string): number {
  if (!isDate(s)) throw new RangeError(`not a YYYY-MM-DD date: ${s}`);
  return Date.parse(`${s}T00:00:00Z`);
}

const fmt = (t: number) => new Date(t).toISOString().slice(0, 10);

export function addDays(s: string, n: number): string {
  return fmt(utc(s) + n * DAY);
}

/** Same day `n` years later; 29 February becomes 28 February in a common year. */
export function addYears(s: string, n: number): string {
  const d = new Date(utc(s));
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCFullYear(d.getUTCFullYear() + n);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return fmt(d.getTime());
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  return Math.round((utc(b) - utc(a)) / DAY);
}

/** Every date in [from, to). */
export function datesIn(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = utc(from), end = utc(to); t < end; t += DAY) out.push(fmt(t));
  return out;
}

/** The calendar date of instant `ms` in `timeZone`. */
export function dateIn(ms: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}
