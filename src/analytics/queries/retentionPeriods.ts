/**
 * Retention periods as whole numbers, the same in SQL and TypeScript: a day is its day number since
 * 1970-01-01, a week (Monday to Sunday) is the day number of its Monday plus 3 divided by 7 (1970-01-01 was a
 * Thursday), a month is year × 12 + month − 1. Dates are calendar dates in the reporting timezone.
 */
export type Granularity = 'day' | 'week' | 'month';
export const granularities = ['day', 'week', 'month'] as const;

const DAY = 86_400_000;
const dayNum = (d: string) => Math.round(Date.parse(`${d}T00:00:00Z`) / DAY);
const fmt = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

/** The period a calendar date falls in. */
export function periodOf(date: string, g: Granularity): number {
  if (g === 'day') return dayNum(date);
  if (g === 'week') return Math.floor((dayNum(date) + 3) / 7);
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

/** The first day of a period. */
export function periodStart(p: number, g: Granularity): string {
  if (g === 'day') return fmt(p);
  if (g === 'week') return fmt(p * 7 - 3);
  return `${String(Math.floor(p / 12)).padStart(4, '0')}-${String((p % 12) + 1).padStart(2, '0')}-01`;
}

/** The period of the Date expression `d` in ClickHouse (same numbering as periodOf). */
export function periodSql(d: string, g: Granularity): string {
  if (g === 'day') return `toUInt32(${d})`;
  if (g === 'week') return `intDiv(toUInt32(toMonday(${d})) + 3, 7)`;
  return `toUInt32(toYear(${d}) * 12 + toMonth(${d}) - 1)`;
}
