import type { CampaignEngine } from '../engine.ts';

/** Event-triggered journeys: entry, waits, splits, sends, exits (docs/journeys.md). */
export class JourneyEngine {
  constructor(readonly campaigns: CampaignEngine) {}

  async init(): Promise<void> {}

  /** starts the journey clock (serve/demo) */
  schedule(): void {}

  async stop(): Promise<void> {}
}
