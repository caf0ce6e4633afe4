import { uplift, type ArmStats, type Uplift } from '../../experiments/index.ts';
import type { OlapStore } from '../../store/olap/index.ts';

export interface JourneyArmResult {
  arm: 'journey' | 'control';
  /** passes through the journey (one per entry) */
  entries: number;
  /** passes followed by the goal event within the window */
  converted: number;
  cvr: number;
  /** revenue of those goal events */
  gmv: number;
  gmvPerEntry: number;
}

export interface JourneyResults {
  journeyId: string;
  goal: string;
  windowDays: number;
  arms: JourneyArmResult[];
  /** the journey arm against the held-out: conversion rate and GMV per entry, with 95% intervals */
  uplift: { cvr: Uplift; gmv: Uplift } | null;
}

/** ArmStats of a per-unit metric from its count, sum and sum of squares. */
function stats(n: number, sum: number, sumSq: number): ArmStats {
  const mean = n ? sum / n : 0;
  return { n, mean, variance: n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0 };
}

/**
 * Did each pass through a journey lead to the goal? Every entry is a unit (campaign_assignments, campaign
 * `journey:<id>`, arm journey or control); a unit converts when its person (through person_ids) does the
 * goal event within `windowDays` after the entry. Sums are taken in ClickHouse; the uplift of the journey
 * arm over the held-out is Welch's (src/experiments/stats.ts).
 */
export async function journeyResults(olap: OlapStore, journeyId: string, goal: string, windowDays: number): Promise<JourneyResults> {
  const db = olap.db;
  const rows = await olap.query<{ arm: string; n: string; conv: string; gmv: number; gmv_sq: number }>(
    `WITH a AS (SELECT person_id, arm, assigned_at FROM ${db}.campaign_assignments FINAL WHERE campaign_id = {c:String}),
     ev AS (
       SELECT if(pm.person_id != '', pm.person_id, e.distinct_id) AS person, e.timestamp AS ts, coalesce(e.revenue, 0) AS revenue
       FROM ${db}.events AS e
       LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids GROUP BY distinct_id) AS pm ON pm.distinct_id = e.distinct_id
       WHERE e.event = {goal:String} AND e.timestamp >= (SELECT min(assigned_at) FROM a))
     SELECT arm, count() AS n, sum(unit_conv) AS conv, sum(unit_gmv) AS gmv, sum(unit_gmv * unit_gmv) AS gmv_sq FROM (
       SELECT a.person_id, a.arm AS arm, a.assigned_at,
              max(ev.ts >= a.assigned_at AND ev.ts < a.assigned_at + toIntervalDay({w:UInt32})) AS unit_conv,
              sumIf(ev.revenue, ev.ts >= a.assigned_at AND ev.ts < a.assigned_at + toIntervalDay({w:UInt32})) AS unit_gmv
       FROM a LEFT JOIN ev ON ev.person = a.person_id
       GROUP BY a.person_id, a.arm, a.assigned_at)
     GROUP BY arm ORDER BY arm`,
    { c: `journey:${journeyId}`, goal, w: windowDays },
  );
  const by = new Map(rows.map((r) => [r.arm, r]));
  const arms = (['journey', 'control'] as const).map((arm): JourneyArmResult & { s: { cvr: ArmStats; gmv: ArmStats } } => {
    const r = by.get(arm);
    const n = Number(r?.n ?? 0), conv = Number(r?.conv ?? 0), gmv = Number(r?.gmv ?? 0), gmvSq = Number(r?.gmv_sq ?? 0);
    return {
      arm, entries: n, converted: conv, cvr: n ? conv / n : 0, gmv: Math.round(gmv * 100) / 100, gmvPerEntry: n ? gmv / n : 0,
      s: { cvr: stats(n, conv, conv), gmv: stats(n, gmv, gmvSq) },
    };
  });
  const [t, c] = arms as [(typeof arms)[0], (typeof arms)[0]];
  return {
    journeyId, goal, windowDays,
    arms: arms.map(({ s: _, ...a }) => a),
    uplift: t.entries && c.entries ? { cvr: uplift(t.s.cvr, c.s.cvr), gmv: uplift(t.s.gmv, c.s.gmv) } : null,
  };
}
