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
  /** the variant the automatic winner rule chose, and when the scheduler starts the next run (StoredCampaign) */
  winner?: string | null;
  nextRunAt?: string | null;
  counts?: { audience: number; queued: number; sent: number; suppressed: number; failed: number };
  /** conversions, when the list carries them */
  conversions?: number;
};

/** The body of POST /api/v1/campaigns. */
export type CampaignInput = Omit<Campaign, 'id' | 'status' | 'createdAt' | 'updatedAt'>;

export type { CampaignChange } from '../../../../src/campaigns/store.ts';

// results: type-only from the results module (GET /api/v1/campaigns/:id/results)
export type { ArmResult, CampaignResults, Uplift } from '../../../../src/campaigns/results.ts';

// journeys: the definition language and templates, type-only from the journey engine
import type { Journey as StoredJourney, Step, Duration, Entry } from '../../../../src/campaigns/journeys/definition.ts';
import type { JourneyTemplate } from '../../../../src/campaigns/journeys/templates.ts';
export type { Step as JourneyStep, Duration, Entry, JourneyTemplate };

export interface StepStat {
  entered: number;
  waiting: number;
  completed: number;
  heldOut: number;
}
export type StepStats = Record<string, StepStat>;

/** GET /api/v1/journeys/:id (and a row of GET /api/v1/journeys, without `stats`). */
export type Journey = StoredJourney & { stats?: StepStats; people?: { waiting: number; done: number; exited: number; control: number } };

// the delivery log: type-only from the engine (GET /api/v1/campaigns/:id/messages)
export type { MessageRow } from '../../../../src/campaigns/engine.ts';
export const MESSAGE_STATUSES = ['queued', 'suppressed', 'sending', 'sent', 'delivered', 'failed', 'opened', 'clicked'] as const satisfies readonly MessageStatus[];
export const SUPPRESSION_REASONS = ['no_consent', 'unsubscribed', 'frequency_cap', 'duplicate', 'no_address', 'budget', 'erased'] as const satisfies readonly SuppressionReason[];
import type { MessageStatus, SuppressionReason } from '../../../../src/campaigns/types.ts';
