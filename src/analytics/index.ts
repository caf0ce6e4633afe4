/** Behaviour analytics: one query per file under queries/, plus the shared range and timezone rules. */
export { overview, NONE, type Overview, type OverviewParams, type Headline, type TrendPoint, type CategoryRow, type DeviceRow, type ChannelRow } from './queries/overview.ts';
export { latestEventDate } from './queries/latestEventDate.ts';
export { activeUsers, type ActiveUsers, type ActiveUsersParams, type ActiveDay } from './queries/descriptive.ts';
export { metricBreakdown, BREAKDOWN_METRICS, type BreakdownMetric, type MetricBreakdown, type MetricBreakdownParams, type MetricGroup, type MetricValue } from './queries/breakdownReport.ts';
export { paths, MAX_DEPTH, type Paths, type PathsParams, type PathNode, type PathLink, type PathRow, type AnchorType, type Direction, type PathSteps } from './queries/paths.ts';
export { entryExitPages, type EntryExitPages, type EntryExitPage, type EntryExitParams } from './queries/pathsEntries.ts';
export { sessions, type Sessions, type SessionsParams, type SessionTotals, type SessionDay, type SessionGroup, type DepthBucket } from './queries/sessions.ts';
export { reviews, type ReviewsReport, type ReviewsParams } from './queries/reviews.ts';
export { ratedReviews, type RatedReview } from './queries/reviewsRated.ts';
export { GROUPINGS as REVIEW_GROUPINGS, REVIEW_LANGS, type Grouping as ReviewGrouping, type ReviewLang } from './queries/reviewsSql.ts';
export { resolveRange, DEFAULT_DAYS, MAX_YEARS, type RangeResult } from './range.ts';
export { timezones, defaultTimezone, isTimezone, type Timezone } from './timezones.ts';
export { addDays, daysBetween, datesIn, isDate } from './dates.ts';
export * from './basket/index.ts';
