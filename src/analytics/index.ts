/** Behaviour analytics: one query per file under queries/, plus the shared range and timezone rules. */
export { overview, NONE, type Overview, type OverviewParams, type Headline, type TrendPoint, type CategoryRow, type DeviceRow, type ChannelRow } from './queries/overview.ts';
export { latestEventDate } from './queries/latestEventDate.ts';
export { resolveRange, DEFAULT_DAYS, MAX_YEARS, type RangeResult } from './range.ts';
export { timezones, defaultTimezone, isTimezone, type Timezone } from './timezones.ts';
export { addDays, daysBetween, datesIn, isDate } from './dates.ts';
