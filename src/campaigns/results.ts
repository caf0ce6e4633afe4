/**
 * Measured results of a campaign (docs/campaigns-results.md): per arm — the control (held out) and each
 * variant — the audience, the message funnel (sent, delivered, opened, clicked), conversions and GMV of
 * the goal within its window from each person's assignment (intent to treat: control and treated are
 * measured the same way, by one ClickHouse query over campaign_assignments and events), CTR and CVR,
 * and each variant's uplift over the control on conversion rate and on GMV per person, with a 95%
 * interval and a two-sided p-value (src/experiments/stats.ts). Optionally split by segment or tag value.
 * The automatic winner rule (results/winner.ts) reads the same figures.
 */
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import { armOutcomes, groupKeysOf, groupOutcomes, type ArmOutcome, type GroupBy } from './results/outcomes.ts';
import { rateStats, sumStats, toUplift, type Uplift } from './results/figures.ts';
import { messageCounts, messageCountsByGroup, type ArmMessages } from './results/messages.ts';
import type { StoredCampaign } from './store.ts';
import { CONTROL_ARM, type Goal } from './types.ts';

export { NO_VALUE, type GroupBy } from './results/outcomes.ts';
export { rateStats, sumStats, toUplift, type Uplift } from './results/figures.ts';
export { decideWinner, pickWinner, type WinnerDecision } from './results/winner.ts';

export interface ArmResult {
  arm: string;
  /** people assigned to the arm */
  audience: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  suppressed: number;
  failed: number;
  /** people with at least one goal event in the window */
  converted: number;
  /** goal events in the window */
  orders: number;
  /** revenue of those events */
  gmv: number;
  /** clicked ÷ sent (0 when nothing was sent, e.g. the control) */
  ctr: number;
  /** converted ÷ audience */
  cvr: number;
  gmvPerPerson: number;
  /** on conversion rate, over the control; null for the control itself or when there is none */
  uplift: Uplift | null;
  /** on GMV per person, over the control */
  gmvUplift: Uplift | null;
}

export interface CampaignResults {
  campaign: string;
  goal: Goal;
  control: typeof CONTROL_ARM;
  winner: string | null;
  arms: ArmResult[];
  groups?: { key: string; arms: ArmResult[] }[];
}

export interface ResultsDeps {
  olap: OlapStore;
  oltp: OltpStore;
}

const NO_MESSAGES = { sent: 0, delivered: 0, opened: 0, clicked: 0, suppressed: 0, failed: 0 };

/** The arms of a campaign in order: control first, then the variants, then any arm only the data knows. */
export function armsOf(c: Pick<StoredCampaign, 'variants'>, seen: Iterable<string>): string[] {
  const arms = [CONTROL_ARM, ...c.variants.map((v) => v.name)];
  for (const a of seen) if (!arms.includes(a)) arms.push(a);
  return arms;
}

/** Combines outcomes and message counts into arm results with uplifts over the control. */
export function summariseArms(arms: string[], outcomes: readonly ArmOutcome[], messages: readonly ArmMessages[]): ArmResult[] {
  const out = new Map(outcomes.map((o) => [o.arm, o]));
  const msg = new Map(messages.map((m) => [m.arm, m]));
  const control = out.get(CONTROL_ARM);
  const hasControl = control !== undefined && control.audience > 0;
  const base = (arm: string) => {
    const o = out.get(arm) ?? { arm, audience: 0, converted: 0, orders: 0, gmv: 0, gmvSq: 0 };
    const m = msg.get(arm) ?? { arm, ...NO_MESSAGES };
    return { o, m };
  };
  const cConv = control ? rateStats(control.audience, control.converted) : null;
  const cGmv = control ? sumStats(control.audience, control.gmv, control.gmvSq) : null;
  return arms.map((arm) => {
    const { o, m } = base(arm);
    const treated = arm !== CONTROL_ARM && hasControl && o.audience > 0;
    return {
      arm,
      audience: o.audience,
      sent: m.sent, delivered: m.delivered, opened: m.opened, clicked: m.clicked, suppressed: m.suppressed, failed: m.failed,
      converted: o.converted,
      orders: o.orders,
      gmv: round2(o.gmv),
      ctr: m.sent ? m.clicked / m.sent : 0,
      cvr: o.audience ? o.converted / o.audience : 0,
      gmvPerPerson: o.audience ? o.gmv / o.audience : 0,
      uplift: treated ? toUplift(rateStats(o.audience, o.converted), cConv!) : null,
      gmvUplift: treated ? toUplift(sumStats(o.audience, o.gmv, o.gmvSq), cGmv!) : null,
    };
  });
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Results of a stored campaign, optionally split by segment membership or tag value. */
export async function campaignResults(d: ResultsDeps, c: StoredCampaign, opts: { by?: GroupBy } = {}): Promise<CampaignResults> {
  const goal: Goal = { event: c.goal.event || 'Order Completed', windowDays: c.goal.windowDays, ...(c.goal.category ? { category: c.goal.category } : {}) };
  const q = { campaignId: c.id, event: goal.event, windowDays: goal.windowDays, category: goal.category };
  const [outcomes, messages] = await Promise.all([armOutcomes(d.olap, q), messageCounts(d.oltp, c.id)]);
  const arms = armsOf(c, [...outcomes.map((o) => o.arm), ...messages.map((m) => m.arm)]);
  const result: CampaignResults = { campaign: c.id, goal, control: CONTROL_ARM, winner: c.winner, arms: summariseArms(arms, outcomes, messages) };
  if (opts.by) result.groups = await groupResults(d, c.id, q, arms, opts.by);
  return result;
}

async function groupResults(
  d: ResultsDeps, campaignId: string, q: { campaignId: string; event: string; windowDays: number; category?: string }, arms: string[], by: GroupBy,
): Promise<{ key: string; arms: ArmResult[] }[]> {
  const [outcomes, keys] = await Promise.all([groupOutcomes(d.olap, { ...q, by }), groupKeysOf(d.olap, campaignId, by)]);
  // the message funnel per (group, arm): each person's messages count in each of their groups
  const msgs = new Map<string, ArmMessages[]>();
  for (const m of await messageCountsByGroup(d.oltp, campaignId, keys)) {
    const { key, ...counts } = m;
    (msgs.get(key) ?? msgs.set(key, []).get(key)!).push(counts);
  }
  const groupKeys = by.kind === 'segment' ? by.ids : [...new Set(outcomes.map((o) => o.key))].sort();
  return groupKeys.map((key) => ({
    key,
    arms: summariseArms(arms, outcomes.filter((o) => o.key === key), msgs.get(key) ?? []),
  }));
}
