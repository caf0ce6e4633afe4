import type { CampaignStatus } from './types.ts';

/**
 * The campaign status machine (docs/campaigns.md):
 *
 *   draft ─► scheduled ─► running ─► done
 *     │          │  ▲        │ │
 *     │          │  └────────┘ └► paused ─► scheduled | running
 *     └──────────┴───────────────────────► cancelled
 *
 * A recurring campaign goes back from running to scheduled after each run; `done` and `cancelled` are final.
 */
export const TRANSITIONS: Readonly<Record<CampaignStatus, readonly CampaignStatus[]>> = {
  draft: ['scheduled', 'cancelled'],
  scheduled: ['running', 'paused', 'cancelled', 'draft'],
  running: ['done', 'paused', 'cancelled', 'scheduled'],
  paused: ['scheduled', 'running', 'cancelled'],
  done: [],
  cancelled: [],
};

/** Statuses in which a campaign's definition may still change. */
export const EDITABLE: readonly CampaignStatus[] = ['draft', 'scheduled', 'paused'];

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A status change the machine does not allow; names both ends. */
export class InvalidTransitionError extends Error {
  constructor(
    readonly campaignId: string,
    readonly from: CampaignStatus,
    readonly to: CampaignStatus,
  ) {
    super(`campaign '${campaignId}' cannot go from ${from} to ${to}${TRANSITIONS[from].length ? ` (from ${from}: ${TRANSITIONS[from].join(', ')})` : ` (${from} is final)`}`);
  }
}

/** A change of a campaign's definition outside draft/scheduled/paused. */
export class CampaignLockedError extends Error {
  constructor(readonly campaignId: string, readonly status: CampaignStatus) {
    super(`campaign '${campaignId}' is ${status}; its definition can change only while ${EDITABLE.join(', ')}`);
  }
}

export function assertTransition(id: string, from: CampaignStatus, to: CampaignStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(id, from, to);
}
