import { randomUUID } from 'node:crypto';
import type { OlapStore } from '../../store/olap/index.ts';
import type { OltpStore } from '../../store/oltp/index.ts';
import { writeModelValues } from '../../tags/index.ts';
import { shareEdges, type ShareEdge } from './graph.ts';
import { influenceScores, type Influence } from './influence.ts';

export { shareEdges, type ShareEdge } from './graph.ts';
export { influenceScores, spearman, PRIOR_SHARES, type Influence } from './influence.ts';

/** The model tags the computation writes (src/tags/builtin/engagement.ts). */
export const INFLUENCE_TAG = 'influence_score';
export const KOL_TAG = 'is_kol';

/** Evidence a KOL (达人) needs besides a top score: this many shares, this many that brought a visit. */
export const KOL_MIN_SHARES = 5;
export const KOL_MIN_VISITS = 3;
/** … and a score in the top share of the people who shared */
export const KOL_TOP = 0.02;

export interface InfluenceRow extends Influence {
  userId: string;
  rank: number;
  isKol: boolean;
}

/**
 * The KOL rule: enough evidence (shares, converted shares) and a score among the top KOL_TOP of sharers.
 * Returns the score a KOL needs.
 */
export function kolThreshold(scores: readonly Influence[]): number {
  const sharers = scores.filter((s) => s.shares > 0).map((s) => s.score).sort((a, b) => b - a);
  if (sharers.length === 0) return Infinity;
  return sharers[Math.max(0, Math.ceil(sharers.length * KOL_TOP) - 1)]!;
}

/**
 * The share graph and influence: computed from the events on demand or on the maintenance schedule, kept
 * in Postgres (loyalty_influence) for the API and as two profile tags (influence_score, is_kol).
 */
export class SocialGraph {
  constructor(private readonly d: { olap: OlapStore; oltp: OltpStore; now: () => Date }) {}

  async compute(): Promise<{ people: number; edges: number; kols: number; seconds: number }> {
    const started = performance.now();
    const edges = await shareEdges(this.d.olap);
    const scores = influenceScores(edges);
    const threshold = kolThreshold([...scores.values()]);
    const rows: InfluenceRow[] = [...scores.entries()]
      .sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]))
      .map(([userId, s], i) => ({ userId, ...s, rank: i + 1, isKol: s.score >= threshold && s.shares >= KOL_MIN_SHARES && s.visits >= KOL_MIN_VISITS }));
    const at = this.d.now().toISOString();
    await this.d.oltp.transaction(async (tx) => {
      await tx.query('DELETE FROM loyalty_influence');
      for (let i = 0; i < rows.length; i += 20_000) {
        const part = rows.slice(i, i + 20_000);
        await tx.query(
          `INSERT INTO loyalty_influence (user_id, score, rank, shares, visits, orders, revenue, is_kol, reached, computed_at)
           SELECT *, $10::timestamptz FROM unnest($1::text[], $2::float8[], $3::int[], $4::int[], $5::int[], $6::int[], $7::numeric[], $8::bool[], $9::int[])`,
          [part.map((r) => r.userId), part.map((r) => r.score), part.map((r) => r.rank), part.map((r) => r.shares), part.map((r) => r.visits),
            part.map((r) => r.orders), part.map((r) => r.revenue), part.map((r) => r.isKol), part.map((r) => r.reached), at],
        );
      }
    });
    const run = `social_${randomUUID()}`;
    await writeModelValues(this.d.olap, INFLUENCE_TAG, run, rows.map((r) => ({ personId: r.userId, num: Math.round(r.score * 1000) / 1000 })));
    await writeModelValues(this.d.olap, KOL_TAG, run, rows.map((r) => ({ personId: r.userId, num: r.isKol ? 1 : 0 })));
    return { people: rows.length, edges: edges.length, kols: rows.filter((r) => r.isKol).length, seconds: (performance.now() - started) / 1000 };
  }

  /** People by influence, highest first; `kolsOnly` for the KOL list. */
  async ranking(o: { limit?: number; kolsOnly?: boolean; orderBy?: 'score' | 'orders' } = {}): Promise<(InfluenceRow & { computedAt: string })[]> {
    const order = o.orderBy === 'orders' ? 'orders DESC, revenue DESC, visits DESC, rank' : 'rank';
    const rows = await this.d.oltp.query<Record<string, unknown>>(
      `SELECT * FROM loyalty_influence ${o.kolsOnly ? 'WHERE is_kol' : ''} ORDER BY ${order} LIMIT $1`, [o.limit ?? 100]);
    return rows.map((r) => ({
      userId: r.user_id as string, score: Number(r.score), rank: Number(r.rank), shares: Number(r.shares), reached: Number(r.reached), visits: Number(r.visits),
      orders: Number(r.orders), revenue: Number(r.revenue), isKol: Boolean(r.is_kol), computedAt: new Date(r.computed_at as string).toISOString(),
    }));
  }

  /**
   * The graph for a chart: the `limit` most influential people and the share edges among them (an edge to
   * someone outside the set is left out), as ECharts graph nodes and links.
   */
  async view(limit = 200): Promise<{ nodes: { id: string; score: number; isKol: boolean; shares: number; orders: number }[]; links: (Omit<ShareEdge, 'from' | 'to'> & { source: string; target: string })[] }> {
    const top = await this.ranking({ limit });
    const ids = new Set(top.map((t) => t.userId));
    const edges = top.length ? await shareEdges(this.d.olap) : [];
    const links = edges.filter((e) => ids.has(e.from) && ids.has(e.to)).map(({ from, to, ...rest }) => ({ source: from, target: to, ...rest }));
    return { nodes: top.map((t) => ({ id: t.userId, score: t.score, isKol: t.isKol, shares: t.shares, orders: t.orders })), links };
  }
}
