// The campaigns API's shapes. The campaign itself comes type-only from the server's shared vocabulary, so the
// dashboard and the engine cannot drift apart; results and journeys are written out from their HTTP contracts.
import type { Audience, Campaign, CampaignStatus, ChannelName, Content, Goal, Locale, RenderedMessage, Schedule, Variant } from '../../../../src/campaigns/types.ts';

export type { Audience, Campaign, CampaignStatus, ChannelName, Content, Goal, Locale, RenderedMessage, Schedule, Variant };

// the lists the pages offer (the server's own constants are not bundled; the type keeps them in step)
export const CHANNELS = ['inapp', 'email', 'sms', 'push', 'webhook', 'coupon'] as const satisfies readonly ChannelName[];
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'done', 'cancelled'] as const satisfies readonly CampaignStatus[];
export const CONTROL_ARM = 'control';

/** A row of GET /api/v1/campaigns: the campaign with its message counts. */
export type CampaignRow = Campaign & {
  counts?: { audience: number; queued: number; sent: number; suppressed: number; failed: number };
  /** conversions, when the list carries them */
  conversions?: number;
  winner?: string | null;
};

/** The body of POST /api/v1/campaigns. */
export type CampaignInput = Omit<Campaign, 'id' | 'status' | 'createdAt' | 'updatedAt'>;

export interface CampaignChange {
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
  at: string;
}

export interface Uplift {
  /** treated rate − control rate (of the campaign's goal) */
  absolute: number;
  ci: [number, number];
  relative: number | null;
  pValue: number;
}

export interface ArmResult {
  arm: string;
  audience: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
  gmv: number;
  ctr: number;
  cvr: number;
  uplift: Uplift | null;
}

/** GET /api/v1/campaigns/:id/results */
export interface CampaignResults {
  campaign: string;
  goal: Goal;
  control: string;
  winner: string | null;
  arms: ArmResult[];
  groups?: { key: string; arms: ArmResult[] }[];
}

/** A journey as GET /api/v1/journeys… answers it: read loosely, since only the drawing needs it. */
export interface JourneyStep {
  id: string;
  kind?: string;
  type?: string;
  name?: string;
  next?: string | null;
  [k: string]: unknown;
}

export interface Journey {
  id: string;
  name: string;
  status?: string;
  entry?: Record<string, unknown>;
  steps: JourneyStep[];
  template?: string | null;
  [k: string]: unknown;
}

export interface JourneyTemplate {
  id: string;
  name_zh: string;
  name_en: string;
  description_zh?: string;
  description_en?: string;
  journey: Partial<Journey> & { steps: JourneyStep[] };
}

export type StepStats = Record<string, { entered: number; waiting: number; completed: number; [k: string]: number }>;
