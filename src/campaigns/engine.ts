import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { LoyaltyEngine } from '../loyalty/index.ts';
import type { AuditLog } from '../privacy/audit.ts';
import type { Keyring } from '../privacy/keyring.ts';
import type { RecommendEngine } from '../recommend/index.ts';
import type { SegmentEngine } from '../segments/index.ts';
import type { TagEngine } from '../tags/index.ts';
import type { IdentityGraph } from '../identity/index.ts';
import type { BatchingWriter } from '../ingest/index.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';

export interface CampaignDeps {
  config: Config;
  log: Logger;
  olap: OlapStore;
  oltp: OltpStore;
  keyring: Keyring;
  audit: AuditLog;
  segments: SegmentEngine;
  tags: TagEngine;
  identity: IdentityGraph;
  writer: BatchingWriter;
  recommend: RecommendEngine;
  loyalty: LoyaltyEngine;
  registry: Registry;
}

/** Campaigns: definitions, audiences, the scheduler and the delivery pipeline (docs/campaigns.md). */
export class CampaignEngine {
  constructor(readonly deps: CampaignDeps) {}

  async init(): Promise<void> {}

  /** starts the scheduler and the delivery workers (serve/demo) */
  schedule(): void {}

  async stop(): Promise<void> {}
}
