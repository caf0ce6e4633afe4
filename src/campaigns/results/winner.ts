import type { ArmStats } from '../../experiments/stats.ts';
import type { ResultsDeps } from '../results.ts';
import { rateStats, sumStats, toUplift, type Uplift } from './figures.ts';
import type { By, CampaignStore, StoredCampaign } from '../store.ts';
import { CONTROL_ARM } from '../types.ts';
import { armOutcomes, type ArmOutcome } from './outcomes.ts';
import { messageCounts, type ArmMessages } from './messages.ts';

/**
 * The automatic winner rule (ExperimentSettings.autoWinner): once every variant has at least `minSample`
 * sends, the variant with the best metric — CTR (clicks per send), CVR (converted per assigned person) or
 * GMV per assigned person — wins if its lead is significant: the 95% interval of its difference over the
 * runner-up variant (over the control when there is only one variant) lies above 0. Until then, no winner.
 * A winner, once chosen, stays (it can be cleared through the campaign store).
 */
export interface WinnerDecision {
  winner: string | null;
  /** why (for the change record and the API) */
  reason: string;
  metric?: 'ctr' | 'cvr' | 'gmv';
  leader?: { arm: string; value: number; sent: number };
  runnerUp?: { arm: string; value: number; sent: number };
  lead?: Uplift;
}

function metricStats(metric: 'ctr' | 'cvr' | 'gmv', o: ArmOutcome | undefined, m: ArmMessages | undefined): ArmStats {
  if (metric === 'ctr') return rateStats(m?.sent ?? 0, m?.clicked ?? 0);
  if (metric === 'cvr') return rateStats(o?.audience ?? 0, o?.converted ?? 0);
  return sumStats(o?.audience ?? 0, o?.gmv ?? 0, o?.gmvSq ?? 0);
}

/** The rule over the figures (pure). */
export function pickWinner(
  c: Pick<StoredCampaign, 'variants' | 'experiment' | 'winner'>,
  outcomes: readonly ArmOutcome[],
  messages: readonly ArmMessages[],
): WinnerDecision {
  if (c.winner) return { winner: c.winner, reason: 'already chosen' };
  const rule = c.experiment.autoWinner;
  if (!rule) return { winner: null, reason: 'no automatic winner rule' };
  const out = new Map(outcomes.map((o) => [o.arm, o]));
  const msg = new Map(messages.map((m) => [m.arm, m]));
  const variants = c.variants.map((v) => v.name);
  const short = variants.filter((v) => (msg.get(v)?.sent ?? 0) < rule.minSample);
  if (short.length) return { winner: null, metric: rule.metric, reason: `fewer than ${rule.minSample} sends in ${short.join(', ')}` };
  const ranked = variants
    .map((arm) => ({ arm, stats: metricStats(rule.metric, out.get(arm), msg.get(arm)), sent: msg.get(arm)?.sent ?? 0 }))
    .sort((a, b) => b.stats.mean - a.stats.mean || a.arm.localeCompare(b.arm));
  const leader = ranked[0]!;
  let rival: { arm: string; stats: ArmStats; sent: number };
  if (ranked.length > 1) rival = ranked[1]!;
  else {
    if (rule.metric === 'ctr') return { winner: null, metric: rule.metric, reason: 'one variant: CTR has no control to beat (the control gets no messages)' };
    rival = { arm: CONTROL_ARM, stats: metricStats(rule.metric, out.get(CONTROL_ARM), msg.get(CONTROL_ARM)), sent: 0 };
    if (rival.stats.n === 0) return { winner: null, metric: rule.metric, reason: 'one variant and no control to compare with' };
  }
  const lead = toUplift(leader.stats, rival.stats);
  const base = {
    metric: rule.metric, lead,
    leader: { arm: leader.arm, value: leader.stats.mean, sent: leader.sent },
    runnerUp: { arm: rival.arm, value: rival.stats.mean, sent: rival.sent },
  };
  if (lead.ci[0] > 0) return { winner: leader.arm, reason: `${leader.arm} leads ${rival.arm} on ${rule.metric} (p = ${lead.pValue.toPrecision(2)})`, ...base };
  return { winner: null, reason: `the lead of ${leader.arm} over ${rival.arm} on ${rule.metric} is not significant (p = ${lead.pValue.toPrecision(2)})`, ...base };
}

/**
 * Applies the rule to a campaign now: reads its figures and, when a winner emerges, records it through
 * the campaign store (a `winner` change). For the scheduler after each delivery pass, and the results route.
 */
export async function decideWinner(
  d: ResultsDeps & { store: Pick<CampaignStore, 'get' | 'setWinner'> },
  campaignId: string,
  by: By = 'system',
): Promise<WinnerDecision> {
  const c = await d.store.get(campaignId);
  if (c.winner || !c.experiment.autoWinner) return pickWinner(c, [], []);
  const [outcomes, messages] = await Promise.all([
    armOutcomes(d.olap, { campaignId, event: c.goal.event || 'Order Completed', windowDays: c.goal.windowDays, category: c.goal.category }),
    messageCounts(d.oltp, campaignId),
  ]);
  const decision = pickWinner(c, outcomes, messages);
  if (decision.winner) await d.store.setWinner(campaignId, decision.winner, by);
  return decision;
}
