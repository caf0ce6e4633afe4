import { localTime, nextLocalHour } from './time.ts';

/** Quiet hours `[start, end)` in whole local hours; start > end wraps past midnight (22-8). */
export interface QuietHours {
  start: number;
  end: number;
}

/** `22-8` → {start: 22, end: 8}; `off` (or equal ends) → null. */
export function parseQuietHours(s: string): QuietHours | null {
  if (s === 'off') return null;
  const [a, b] = s.split('-').map(Number);
  if (a === undefined || b === undefined || a === b) return null;
  return { start: a, end: b };
}

export function isQuiet(hour: number, q: QuietHours): boolean {
  return q.start < q.end ? hour >= q.start && hour < q.end : hour >= q.start || hour < q.end;
}

/**
 * When a message due at `now` may go to a person in time zone `tz`: null when `now` is outside their quiet
 * hours, else the end of the quiet hours (their local `end`:00).
 */
export function quietUntil(now: Date, tz: string, q: QuietHours | null): Date | null {
  if (!q) return null;
  if (!isQuiet(localTime(now, tz).hour, q)) return null;
  return nextLocalHour(now, tz, q.end);
}
