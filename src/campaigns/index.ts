export * from './types.ts';
export { CampaignEngine, type CampaignDeps } from './engine.ts';
export { JourneyEngine } from './journeys/engine.ts';
