export * from './types.ts';
export { CampaignEngine, type CampaignDeps, type RunResult, type MessageCounts, type MessageRow } from './engine.ts';
export { JourneyEngine } from './journeys/engine.ts';
export {
  CampaignStore, CampaignNotFoundError, CampaignExistsError, campaignInput, campaignPatch, audienceSchema, contentSchema, scheduleSchema,
  type StoredCampaign, type CampaignInput, type CampaignPatch, type CampaignChange, type By,
} from './store.ts';
export { TRANSITIONS, EDITABLE, canTransition, InvalidTransitionError, CampaignLockedError } from './status.ts';
export { armsOf, armSql, AudienceError } from './audience.ts';
export { loadRecipients } from './recipients.ts';
export { firstRunAt, nextOccurrence, runIdOf, ScheduleEndedError } from './scheduler.ts';
export { verdict, CapCounter, quietUntil, parseQuietHours, preferredSendTime, type Verdict, type GuardSettings } from './guards/index.ts';
export { backoffMs } from './delivery/pipeline.ts';
