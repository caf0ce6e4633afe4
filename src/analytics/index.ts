/** Behaviour analytics: one query per file under queries/, plus the shared range and timezone rules. */
export { overview, NONE, type Overview, type OverviewParams, type Headline, type TrendPoint, type CategoryRow, type DeviceRow, type ChannelRow } from './queries/overview.ts';
export { latestEventDate } from './queries/latestEventDate.ts';
export { reviews, type ReviewsReport, type ReviewsParams } from './queries/reviews.ts';
export { ratedReviews, type RatedReview } from './queries/reviewsRated.ts';
export { GROUPINGS as REVIEW_GROUPINGS, REVIEW_LANGS, type Grouping as ReviewGrouping, type ReviewLang } from './queries/reviewsSql.ts';
export { resolveRange, DEFAULT_DAYS, MAX_YEARS, type RangeResult } from './range.ts';
export { timezones, defaultTimezone, isTimezone, type Timezone } from './timezones.ts';
export { addDays, daysBetween, datesIn, isDate } from './dates.ts';
export * from './basket/index.ts';
