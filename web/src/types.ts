// The API's shapes, taken from the server's own modules (type-only: nothing of the server is bundled).
export type { Overview, Headline, TrendPoint, CategoryRow, DeviceRow, ChannelRow } from '../../src/analytics/index.ts';
export type { Profile, TimelineEvent } from '../../src/profiles/index.ts';
