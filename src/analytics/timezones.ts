/**
 * Reporting timezones the analytics accept. A timezone reaches SQL as a typed parameter, and only from
 * this list (STYLE.md: identifiers come from allow-lists), so a typo is a 400, never an engine error.
 */
export const timezones = [
  'Asia/Shanghai',
  'UTC',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Moscow',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Australia/Sydney',
] as const;

export type Timezone = (typeof timezones)[number];

export const defaultTimezone: Timezone = 'Asia/Shanghai';

export function isTimezone(s: string): s is Timezone {
  return (timezones as readonly string[]).includes(s);
}
