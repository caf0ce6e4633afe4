import type { OlapStore } from '../store/olap/index.ts';
import { armStats, uplift, type ArmStats, type Uplift } from './stats.ts';
import type { Experiment } from './store.ts';

/**
 * Results of an experiment from recorded events. A person is *exposed* at their first event carrying
 * `properties.experiment_id` = the experiment (a recommendation impression, a campaign message …) and
 * counts in the arm that event names (`properties.experiment_arm`). Per exposed person, within the
 * experiment's window after exposure: clicks (events of the experiment named `Product Clicked`), cart
 * adds, orders and GMV (`Order Completed` revenue) — all in one ClickHouse query; the per-arm means, and
 * each arm's uplift over the first (control) arm with its 95% interval, in TypeScript.
 */
export const METRICS = ['clicks', 'carts', 'orders', 'gmv'] as const;
export type Metric = (typeof METRICS)[number];

export interface ArmResult {
  arm: string;
  exposed: number;
  /** per metric: total, mean per exposed person, variance; and the uplift over the control (absent for it) */
  metrics: Record<Metric, { total: number } & ArmStats & { uplift?: Uplift }>;
}

export interface ExperimentResults {
  experiment: Experiment;
  control: string;
  arms: ArmResult[];
}

export interface PersonOutcome {
  person: string;
  arm: string;
  clicks: number;
  carts: number;
  orders: number;
  gmv: number;
}

export async function personOutcomes(olap: OlapStore, e: Pick<Experiment, 'id' | 'windowDays'>): Promise<PersonOutcome[]> {
  const db = olap.db;
  const pm = `LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM ${db}.person_ids GROUP BY distinct_id) AS pm ON pm.distinct_id = e.distinct_id`;
  const person = `if(pm.person_id != '', pm.person_id, e.distinct_id)`;
  const rows = await olap.query<{ person: string; arm: string; clicks: string; carts: string; orders: string; gmv: number }>(
    `WITH exposed AS (
       SELECT ${person} AS person, argMin(JSONExtractString(e.properties, 'experiment_arm'), e.timestamp) AS arm,
              min(toUnixTimestamp64Milli(e.timestamp)) AS first
       FROM ${db}.events AS e ${pm}
       WHERE e.type = 'track' AND e.event != 'Product Clicked' AND JSONExtractString(e.properties, 'experiment_id') = {id:String}
       GROUP BY person
     ),
     outcomes AS (
       SELECT ${person} AS person, e.event AS event, toUnixTimestamp64Milli(e.timestamp) AS ts, ifNull(e.revenue, 0) AS revenue,
              JSONExtractString(e.properties, 'experiment_id') = {id:String} AS ours
       FROM ${db}.events AS e ${pm}
       WHERE e.event IN ('Product Clicked', 'Product Added', 'Order Completed')
         AND ${person} IN (SELECT person FROM exposed)
     )
     SELECT x.person AS person, x.arm AS arm,
            countIf(o.event = 'Product Clicked' AND o.ours AND o.ts >= x.first AND o.ts < x.first + {window:Int64}) AS clicks,
            countIf(o.event = 'Product Added' AND o.ts >= x.first AND o.ts < x.first + {window:Int64}) AS carts,
            countIf(o.event = 'Order Completed' AND o.ts >= x.first AND o.ts < x.first + {window:Int64}) AS orders,
            sumIf(o.revenue, o.event = 'Order Completed' AND o.ts >= x.first AND o.ts < x.first + {window:Int64}) AS gmv
     FROM exposed AS x LEFT JOIN outcomes AS o ON o.person = x.person
     GROUP BY x.person, x.arm
     ORDER BY person`,
    { id: e.id, window: e.windowDays * 86_400_000 },
  );
  return rows.map((r) => ({ person: r.person, arm: r.arm, clicks: Number(r.clicks), carts: Number(r.carts), orders: Number(r.orders), gmv: Number(r.gmv) }));
}

/** per-arm means and uplifts over the control from per-person outcomes */
export function summarise(e: Experiment, outcomes: readonly PersonOutcome[]): ExperimentResults {
  const control = e.arms[0]!.name;
  const byArm = new Map<string, PersonOutcome[]>(e.arms.map((a) => [a.name, []]));
  for (const o of outcomes) byArm.get(o.arm)?.push(o);
  const stats = new Map([...byArm].map(([arm, os]) => [arm, Object.fromEntries(METRICS.map((m) => [m, armStats(os.map((o) => o[m]))])) as Record<Metric, ArmStats>]));
  const arms = [...byArm].map(([arm, os]) => ({
    arm,
    exposed: os.length,
    metrics: Object.fromEntries(METRICS.map((m) => {
      const s = stats.get(arm)![m];
      const total = os.reduce((a, o) => a + o[m], 0);
      return [m, { total, ...s, ...(arm === control ? {} : { uplift: uplift(s, stats.get(control)![m]) }) }];
    })) as ArmResult['metrics'],
  }));
  return { experiment: e, control, arms };
}

export async function experimentResults(olap: OlapStore, e: Experiment): Promise<ExperimentResults> {
  return summarise(e, await personOutcomes(olap, e));
}
