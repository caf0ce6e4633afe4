// Options → a running world: resolves the window (default: ends 2026-11-20 local, so 90 days
// cover 双11), wires the engine to the dirt stage and splits lines at the horizon.

import { DAY, localMidnight } from './calendar.ts';
import { Dirt, emptyDirt, type DirtCounts } from './dirt.ts';
import { Sim } from './sim.ts';
import { ORDER_MARK } from './visit.ts';

export interface WorldOptions {
  /** Number of shoppers. */
  users: number;
  /** Days of history before the horizon (events.jsonl). */
  days: number;
  seed: number | string;
  /** Days after the horizon (future/events.jsonl); default 30. */
  future?: number;
  /** First local day of the window, YYYY-MM-DD; default = 2026-11-20 minus `days`. */
  startDate?: string;
  /** Share of lines that get dirt; default 0.003. */
  dirtRate?: number;
  /** Catalog size; default scales with users (2,000–40,000). */
  items?: number;
}

export interface ResolvedWorldOptions {
  users: number;
  days: number;
  seed: number | string;
  future: number;
  dirtRate: number;
  items: number;
  start: number;
  horizon: number;
  end: number;
}

export const DEFAULT_HORIZON = localMidnight(2026, 10, 20);

export function resolveOptions(o: WorldOptions): ResolvedWorldOptions {
  const users = Math.floor(o.users);
  if (!(users >= 1)) throw new RangeError('users must be at least 1');
  if (!(o.days > 0)) throw new RangeError('days must be positive');
  const future = o.future ?? 30;
  if (!(future >= 0)) throw new RangeError('future must be >= 0');
  const dirtRate = o.dirtRate ?? 0.003;
  if (!(dirtRate >= 0 && dirtRate < 0.5)) throw new RangeError('dirtRate must be in [0, 0.5)');
  let start: number;
  if (o.startDate) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(o.startDate);
    if (!m) throw new RangeError('startDate must be YYYY-MM-DD');
    start = localMidnight(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  } else {
    start = DEFAULT_HORIZON - Math.round(o.days * DAY);
  }
  const horizon = start + Math.round(o.days * DAY);
  const items = Math.floor(o.items ?? Math.min(40_000, Math.max(2_000, users / 8)));
  // CLI flags arrive as strings: '7' and 7 must be the same world.
  const seed = typeof o.seed === 'string' && /^\d{1,15}$/.test(o.seed) ? Number(o.seed) : o.seed;
  return { users, days: o.days, seed, future, dirtRate, items, start, horizon, end: horizon + Math.round(future * DAY) };
}

export interface StreamCounts {
  /** Lines written, including dirt. */
  lines: number;
  futureLines: number;
}

/** Receives each output line and whether it belongs to the future file. */
export type OutputSink = (line: string, future: boolean) => void;

export class WorldStream {
  readonly sim: Sim;
  readonly dirt: { events: DirtCounts; future: DirtCounts } = { events: emptyDirt(), future: emptyDirt() };
  readonly counts: StreamCounts = { lines: 0, futureLines: 0 };
  private readonly dirtStage: Dirt;
  private out: OutputSink = () => {};
  private readonly toPast = (line: string): void => {
    this.counts.lines++;
    this.out(line, false);
  };
  private readonly toFuture = (line: string): void => {
    this.counts.futureLines++;
    this.out(line, true);
  };
  private readonly sink = (t: number, raw: string): void => {
    const isOrder = raw.charCodeAt(0) === 1;
    const line = isOrder ? raw.slice(ORDER_MARK.length) : raw;
    if (t < this.options.horizon) this.dirtStage.apply(t, line, isOrder, this.dirt.events, this.toPast);
    else this.dirtStage.apply(t, line, isOrder, this.dirt.future, this.toFuture);
  };

  constructor(readonly options: ResolvedWorldOptions) {
    this.sim = new Sim({
      users: options.users, seed: options.seed, start: options.start, horizon: options.horizon,
      end: options.end, items: options.items,
    });
    this.dirtStage = new Dirt(options.dirtRate, options.seed, `w-${String(options.seed).replace(/[^A-Za-z0-9_.-]/g, '_')}-`);
  }

  get done(): boolean {
    return this.sim.done;
  }

  /** Generate until at least `budget` engine lines were released; returns true when finished. */
  pump(out: OutputSink, budget: number): boolean {
    this.out = out;
    return this.sim.pump(this.sink, budget);
  }
}
