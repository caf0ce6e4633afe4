// The API's shapes, taken from the server's own modules (type-only: nothing of the server is bundled).
export type { Overview, Headline, TrendPoint, CategoryRow, DeviceRow, ChannelRow } from '../../src/analytics/index.ts';
export type { Profile, TimelineEvent } from '../../src/profiles/index.ts';

// ---- the tag engine's HTTP contract (GET/POST /api/v1/tags…, /api/v1/profiles/:id/tags…) ------------------

export type TagKind = 'attribute' | 'statistical' | 'rule' | 'model';
export type ValueType = 'number' | 'boolean' | 'enum' | 'string' | 'date' | 'ranked';
export type Purpose = 'analytics' | 'personalization' | 'marketing';
export type Refresh = 'realtime' | 'scheduled';

export const KINDS: TagKind[] = ['attribute', 'statistical', 'rule', 'model'];
export const VALUE_TYPES: ValueType[] = ['number', 'boolean', 'enum', 'string', 'date', 'ranked'];
export const PURPOSES: Purpose[] = ['analytics', 'personalization', 'marketing'];

/** A ranked tag's value: the top items with their (time-decayed) weights, heaviest first. */
export type Ranked = { value: string; weight: number }[];
export type TagValue = number | boolean | string | Ranked | null;

/** Display names of an enum tag's stored codes, e.g. { female: { zh: '女', en: 'Female' } }. */
export type ValueLabels = Record<string, { zh: string; en: string }>;

export interface TagCategory {
  code: string;
  parent: string | null;
  name_zh: string;
  name_en: string;
  path: string;
}

/** A tag's definition as the JSON DSL (docs/tags.md); the dashboard only builds and shows it. */
export type TagSpec = Record<string, unknown> & { type: string };

export interface Tag {
  code: string;
  name_zh: string;
  name_en: string;
  /** the taxonomy path ending with the tag's own name, e.g. 消费属性/RFM/R 分 */
  path: string;
  pathEn: string;
  category: string;
  kind: TagKind;
  valueType: ValueType;
  purpose: Purpose;
  refresh: Refresh;
  owner: string;
  description: string;
  version: number;
  status: 'active' | 'deprecated';
  builtin: boolean;
  spec: TagSpec;
  /** share of persons with a value in the latest build; null when never built */
  coverage: number | null;
  labels?: ValueLabels | null;
}

export interface TagList {
  categories: TagCategory[];
  tags: Tag[];
}

export interface Bucket {
  value: string;
  count: number;
}

export interface NumericSummary {
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
  mean: number;
}

export interface TagStats {
  persons: number;
  covered: number;
  coverage: number;
  distribution: Bucket[];
  numeric: NumericSummary | null;
  buildId: string;
  builtAt: string;
}

export interface TagDetail extends Tag {
  stats: TagStats | null;
  /** one entry per full build (the server sends the newest first) */
  history: { buildId: string; date: string; coverage: number; distribution: Bucket[] }[];
}

/** The body of POST /api/v1/tags and PUT /api/v1/tags/:code. */
export interface TagInput {
  code: string;
  name_zh: string;
  name_en: string;
  category: string;
  valueType: ValueType;
  kind?: TagKind;
  purpose?: Purpose;
  refresh?: Refresh;
  description?: string;
  spec: TagSpec;
  /** kept as they are when an existing tag is edited (the form does not show them) */
  labels?: ValueLabels;
}

export interface TagPreview {
  persons: number;
  covered: number;
  coverage: number;
  distribution: Bucket[];
  /** for number tags */
  numeric?: NumericSummary | null;
  sample: { userId: string; value: TagValue }[];
  sql: string;
}

export interface UserHit {
  userId: string;
  lastSeen: string | null;
  tags: { rfm_class?: string; lifecycle_stage?: string; gmv_365d?: number };
}

export interface ProfileTag {
  code: string;
  name_zh: string;
  name_en: string;
  path: string;
  pathEn: string;
  valueType: ValueType;
  kind: TagKind;
  labels?: ValueLabels | null;
  value: TagValue;
  updatedAt: string | null;
}

export interface TagWhy {
  code: string;
  name_zh: string;
  name_en: string;
  value: TagValue;
  computedValue: TagValue;
  asOf: string | null;
  rule_zh: string;
  rule_en: string;
  spec: TagSpec;
  evidence: { name: string; label_zh: string; label_en: string; value: unknown }[];
}

export interface ActivityCell {
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
  hour: number;
  count: number;
}

// ---- segments (docs/segments.md, docs/segments-ml.md): the server's own types, imported type-only ---------

export type { Segment } from '../../src/segments/store.ts';
export type { Rule } from '../../src/segments/rule.ts';
export type { RfmView } from '../../src/segments/rfm.ts';
export type { ClusterRun } from '../../src/segments/cluster/store.ts';
export type { ClusterDescription, Distinguishing } from '../../src/segments/cluster/describe.ts';
export type { LookalikeResult } from '../../src/segments/lookalike/index.ts';
import type { Segment } from '../../src/segments/store.ts';

/** GET /api/v1/segments/:id — the segment with its size after each evaluation and its latest entries/exits. */
export interface SegmentDetail extends Segment {
  sizes: { at: string; size: number; entered: number; exited: number; source: string }[];
  changes: { userId: string; change: string; at: string; source: string }[];
}

/** POST /api/v1/segments/preview */
export interface SegmentPreview {
  count: number;
  sample: string[];
  ms: number;
}

/** POST /api/v1/segments/overlap: the people in exactly the segments of each region. */
export interface Overlap {
  sizes: Record<string, number>;
  regions: { in: string[]; count: number }[];
}

/** GET /api/v1/segments/:id/composition */
export interface Composition {
  segmentId: string;
  tag: string;
  values: Bucket[];
}

// ---- funnels and retention (POST /api/v1/analytics/funnels, GET /api/v1/analytics/retention) ----------------
export type { Funnel, FunnelStepResult, FunnelGroup, FunnelStep, FunnelFilter, EventName, Retention, Cohort, RetentionCurve } from '../../src/analytics/index.ts';
export type { ReviewsReport } from '../../src/analytics/index.ts';
export type { ActiveUsers, ActiveDay, MetricBreakdown, MetricGroup, BreakdownMetric, Paths, PathNode, PathLink, PathRow, EntryExitPages, EntryExitPage, Sessions, SessionGroup, SessionDay } from '../../src/analytics/index.ts';
export type { BasketRules, BasketRule, FrequentPair, BoughtTogether, ChurnReport, Repurchase, DuePerson } from '../../src/analytics/index.ts';
export type { SearchReport, KeywordRow, ZeroResultReport, CartReport } from '../../src/analytics/index.ts';
