// The campaigns API's shapes, type-only from the server's own modules (nothing of the server is bundled), so the
// dashboard and the engine cannot drift apart: the shared vocabulary (src/campaigns/types.ts), the store, the
// engine's delivery log, the results module and the journey definition language.
import type { Audience, Campaign, CampaignStatus, ChannelName, Content, Goal, Locale, MessageStatus, RenderedMessage, Schedule, SuppressionReason, Variant } from '../../../../src/campaigns/types.ts';
import type { StoredCampaign } from '../../../../src/campaigns/store.ts';
import type { Journey as StoredJourney } from '../../../../src/campaigns/journeys/definition.ts';

export type { Audience, Campaign, CampaignStatus, ChannelName, Content, Goal, Locale, RenderedMessage, Schedule, Variant };
export type { CampaignChange } from '../../../../src/campaigns/store.ts';
export type { MessageRow } from '../../../../src/campaigns/engine.ts';
export type { ArmResult, CampaignResults, Uplift } from '../../../../src/campaigns/results.ts';
export type { Step as JourneyStep, Duration, Entry } from '../../../../src/campaigns/journeys/definition.ts';
export type { JourneyTemplate } from '../../../../src/campaigns/journeys/templates.ts';

/** `true` only when the list names every member of the union: a new status or channel on the server fails the build here. */
type Complete<Union, List extends readonly Union[]> = [Exclude<Union, List[number]>] extends [never] ? true : false;

// the lists the pages offer, in the order they offer them
export const CHANNELS = ['inapp', 'email', 'sms', 'push', 'webhook', 'coupon'] as const satisfies readonly ChannelName[];
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'done', 'cancelled'] as const satisfies readonly CampaignStatus[];
/** the statuses whose definition can still change (EDITABLE in src/campaigns/status.ts; PATCH answers 409 otherwise) */
export const EDITABLE_STATUSES: readonly CampaignStatus[] = ['draft', 'scheduled', 'paused'];
export const MESSAGE_STATUSES = ['queued', 'suppressed', 'sending', 'sent', 'delivered', 'failed', 'opened', 'clicked'] as const satisfies readonly MessageStatus[];
export const SUPPRESSION_REASONS = ['no_consent', 'unsubscribed', 'frequency_cap', 'duplicate', 'no_address', 'budget', 'erased'] as const satisfies readonly SuppressionReason[];
const complete: [
  Complete<ChannelName, typeof CHANNELS>,
  Complete<CampaignStatus, typeof CAMPAIGN_STATUSES>,
  Complete<MessageStatus, typeof MESSAGE_STATUSES>,
  Complete<SuppressionReason, typeof SUPPRESSION_REASONS>,
] = [true, true, true, true];
void complete;
export const CONTROL_ARM = 'control';

/** GET /api/v1/campaigns/:id and a row of GET /api/v1/campaigns: the stored campaign with its message counts. */
export type CampaignRow = StoredCampaign & { counts?: { audience: number; queued: number; sent: number; suppressed: number; failed: number } };

/** The body of POST /api/v1/campaigns. */
export type CampaignInput = Omit<Campaign, 'id' | 'status' | 'createdAt' | 'updatedAt'>;

export interface StepStat {
  entered: number;
  waiting: number;
  completed: number;
  heldOut: number;
}
export type StepStats = Record<string, StepStat>;

/** GET /api/v1/journeys/:id (and a row of GET /api/v1/journeys, without `stats`). */
export type Journey = StoredJourney & { stats?: StepStats; people?: { waiting: number; done: number; exited: number; control: number } };
