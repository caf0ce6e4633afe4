/** Local wall-clock helpers for quiet hours, send-time optimisation and recurring schedules. */

const formats = new Map<string, Intl.DateTimeFormat>();
function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    formats.set(tz, f);
  }
  return f;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface LocalTime {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  /** 0 = Sunday */
  weekday: number;
}

export function localTime(t: Date, tz: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of format(tz).formatToParts(t)) parts[p.type] = p.value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second), weekday: WEEKDAYS.indexOf(parts.weekday!),
  };
}

/** The zone's offset from UTC at `t`, in milliseconds (east positive). */
export function offsetMs(t: Date, tz: string): number {
  const l = localTime(t, tz);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(t.getTime() / 1000) * 1000;
}

/** The instant of a local wall-clock time in `tz` (the offset read at that time; a skipped DST hour moves forward). */
export function atLocal(tz: string, y: number, mo: number, d: number, h: number, mi: number): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let t = guess - offsetMs(new Date(guess), tz);
  t = guess - offsetMs(new Date(t), tz);
  return new Date(t);
}

/** The first instant ≥ `from` whose local hour in `tz` is `hour` (the start of that hour, or `from` itself inside it). */
export function nextLocalHour(from: Date, tz: string, hour: number): Date {
  const l = localTime(from, tz);
  if (l.hour === hour) return from;
  const days = hour > l.hour ? 0 : 1;
  const base = new Date(Date.UTC(l.year, l.month - 1, l.day + days));
  return atLocal(tz, base.getUTCFullYear(), base.getUTCMonth() + 1, base.getUTCDate(), hour, 0);
}
