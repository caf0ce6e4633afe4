import { nextLocalHour } from './time.ts';

/**
 * Send-time optimisation: the earliest of the person's preferred hours (local hours in the shop's time
 * zone, from the `preferred_hours` tag) at or after `from` — always within 24 hours. `from` itself when
 * the person has no preferred hours or `from` lies inside one.
 */
export function preferredSendTime(from: Date, hours: readonly number[], tz: string): Date {
  let best: Date | null = null;
  for (const h of hours) {
    const t = nextLocalHour(from, tz, h);
    if (!best || t < best) best = t;
  }
  return best ?? from;
}
