// The simulation engine. Visits are processed in start-time order from a priority queue (one
// pending background visit per person, plus scheduled replenishment, review and share visits).
// A visit's events go to a second queue and are released once no later-starting visit can
// produce an earlier event, so the output is strictly time-ordered while only in-flight visits
// are held in memory.

import { Calendar, DAY, HOUR, HOUR_WEIGHTS, MINUTE, PROMO_HOUR_WEIGHTS } from './calendar.ts';
import { buildCatalog, type Catalog } from './catalog.ts';
import { MESSAGE_KINDS, money, type MessageKind } from './encode.ts';
import { TimeHeap } from './heap.ts';
import { makePerson, type Person } from './people.ts';
import { Rng, cumulative, hashString } from './random.ts';
import { runVisit } from './session.ts';
import { Visit } from './visit.ts';

export const BG = 0;
export const DUE = 1;
export const SHARE = 2;
export const REVIEW = 3;

export interface Entry {
  t: number;
  kind: number;
  u: Person;
  /** Intent top category (due/share visits). */
  cat: number;
  /** Item to revisit, review or land on. */
  item: number;
  /** Share id (share visits) or order id (review visits). */
  ref: string;
  sharer: Person | null;
  /** Share channel (share visits). */
  via: string;
}

/** All entries are built here so they share one hidden class (keeps the engine monomorphic). */
export function entry(kind: number, u: Person, cat = -1, item = -1, ref = '', sharer: Person | null = null, via = ''): Entry {
  return { t: 0, kind, u, cat, item, ref, sharer, via };
}

export interface SimOptions {
  users: number;
  seed: number | string;
  start: number;
  horizon: number;
  end: number;
  items: number;
}

export interface SimStats {
  visits: number;
  orders: number;
  revenue: number;
  couponOrders: number;
  futureOrders: number;
  futureRevenue: number;
}

/** Where released lines go, in time order. */
export type LineSink = (t: number, line: string) => void;

const HOUR_CUM = cumulative(HOUR_WEIGHTS);
const PROMO_HOUR_CUM = cumulative(PROMO_HOUR_WEIGHTS);

export class Sim {
  readonly rng: Rng;
  readonly catalog: Catalog;
  readonly cal: Calendar;
  readonly people: Person[];
  readonly seedHash: number;
  readonly stats: SimStats = {
    visits: 0, orders: 0, revenue: 0, couponOrders: 0, futureOrders: 0, futureRevenue: 0,
  };
  /** Messages per kind: [past, future] pairs indexed by MessageKind.id. */
  private readonly kindCounts = new Float64Array(MESSAGE_KINDS.length * 2);
  private readonly visits = new TimeHeap<Entry>();
  private readonly pending = new TimeHeap<string>();
  private readonly visit: Visit;
  readonly midPrefix: string;
  private seq = 0;
  private msg = 0;
  private finished = false;

  constructor(readonly opts: SimOptions) {
    this.seedHash = typeof opts.seed === 'number' ? opts.seed >>> 0 : hashString(opts.seed);
    this.midPrefix = `w-${String(opts.seed).replace(/[^A-Za-z0-9_.-]/g, '_')}-`;
    this.cal = new Calendar(opts.start, opts.horizon, opts.end);
    this.catalog = buildCatalog(new Rng(opts.seed, 'catalog'), { items: opts.items, start: opts.start, end: opts.end });
    const prng = new Rng(opts.seed, 'people');
    const popts = { users: opts.users, start: opts.start, end: opts.end };
    this.people = Array.from({ length: opts.users }, (_, i) => makePerson(prng, this.catalog, i, popts));
    this.rng = new Rng(opts.seed, 'behaviour');
    this.visit = new Visit(this);
    for (const u of this.people) {
      // New arrivals' first visit is their arrival; members continue their rhythm.
      const t = u.firstSeenAt >= opts.start ? u.firstSeenAt : this.nextBackgroundVisit(u, opts.start);
      if (t < opts.end && t < u.churnAt) this.schedule(t, entry(BG, u));
    }
  }

  get horizon(): number {
    return this.opts.horizon;
  }

  emit(t: number, line: string): void {
    this.pending.push(t, this.seq++, line);
  }

  mid(): string {
    return this.midPrefix + this.msg++;
  }

  /** The next message number (lines append it to a prefix that already ends in `w-<seed>-`). */
  nextMessage(): number {
    return this.msg++;
  }

  schedule(t: number, e: Entry): void {
    e.t = Math.floor(t);
    if (e.t < this.opts.end) this.visits.push(e.t, this.seq++, e);
  }

  count(kind: MessageKind, t: number): void {
    if (t >= this.opts.end) return; // dropped with the events past the end
    this.kindCounts[kind.id * 2 + (t < this.opts.horizon ? 0 : 1)]++;
  }

  /** Messages generated per event name / message type, before (or after) the horizon. */
  typeCounts(future: boolean): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of MESSAGE_KINDS) {
      const n = this.kindCounts[k.id * 2 + (future ? 1 : 0)];
      if (n > 0) out[k.name] = n;
    }
    return out;
  }

  recordVisit(u: Person, t: number): void {
    this.stats.visits++;
    u.sessions++;
    u.lastActiveAt = t;
  }

  recordOrder(u: Person, t: number, total: number, coupon: boolean): void {
    if (t >= this.opts.end) return;
    if (t < this.opts.horizon) {
      this.stats.orders++;
      this.stats.revenue = money(this.stats.revenue + total);
      if (coupon) this.stats.couponOrders++;
      u.orders++;
      u.revenue = money(u.revenue + total);
    } else {
      this.stats.futureOrders++;
      this.stats.futureRevenue = money(this.stats.futureRevenue + total);
      u.futureOrders++;
      u.futureRevenue = money(u.futureRevenue + total);
      if (Number.isNaN(u.nextPurchaseAt)) u.nextPurchaseAt = t;
    }
    u.lastOrderAt = t;
  }

  /** Local hour of a visit: the person's favourite hours or the population curve. */
  private drawHour(u: Person, promoDay: boolean): number {
    const rng = this.rng;
    if (!promoDay && rng.chance(u.hourConcentration)) {
      const h = rng.chance(0.7) ? u.favouriteHours[0] : u.favouriteHours[1];
      return (h + Math.round(rng.normal(0, 0.7)) + 24) % 24;
    }
    return rng.fromCumulative(promoDay ? PROMO_HOUR_CUM : HOUR_CUM);
  }

  /**
   * Next background visit after `after`, by thinning a Poisson process whose daily rate is the
   * person's activity × the calendar (weekends, festivals) × life stage (eager in the first two
   * weeks, fading in the month before churn); the hour comes from the person's hour pattern.
   */
  nextBackgroundVisit(u: Person, after: number): number {
    const rng = this.rng;
    const cal = this.cal;
    const maxRate = u.activityPerDay * cal.maxMult * 1.5;
    const stop = Math.min(u.churnAt, this.opts.end);
    let t = after;
    for (let k = 0; k < 500; k++) {
      t += rng.exponential(maxRate) * DAY;
      if (t >= stop) return Infinity;
      let m = cal.multAt(t);
      if (t - u.firstSeenAt < 14 * DAY) m *= 1.5;
      if (u.churnAt - t < 30 * DAY) m *= 0.4;
      if (rng.next() * cal.maxMult * 1.5 >= m) continue;
      const d = cal.dayIndex(t);
      const promo = cal.promo[d];
      let at = cal.dayStart(d) + this.drawHour(u, promo?.mainDay === true) * HOUR + rng.int(HOUR);
      if (at <= after) at = after + MINUTE * (10 + rng.int(120));
      return at < stop ? Math.floor(at) : Infinity;
    }
    return Infinity;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Generate visits until at least `budget` lines have been released to `sink` (or the end). */
  pump(sink: LineSink, budget: number): boolean {
    const end = this.opts.end;
    let released = 0;
    while (released < budget) {
      const next = this.visits.peekTime();
      if (next >= end) {
        while (this.pending.size) {
          const t = this.pending.peekTime();
          const line = this.pending.pop()!;
          if (t < end) sink(t, line);
        }
        this.finished = true;
        return true;
      }
      const e = this.visits.pop()!;
      const u = e.u;
      if (e.t >= u.churnAt && e.kind !== BG) continue; // churned: scheduled intents lapse
      if (e.t < u.busyUntil) {
        // Still in another visit: this one starts a little after it ends.
        this.schedule(u.busyUntil + MINUTE * (1 + this.rng.int(20)), e);
        continue;
      }
      const leftAt = runVisit(this, this.visit, e);
      u.busyUntil = leftAt;
      if (e.kind === BG) {
        const nt = this.nextBackgroundVisit(u, leftAt + 5 * MINUTE);
        if (nt < end) this.schedule(nt, entry(BG, u));
      }
      const until = this.visits.peekTime();
      while (this.pending.size && this.pending.peekTime() <= until) {
        const t = this.pending.peekTime();
        const line = this.pending.pop()!;
        if (t < end) {
          sink(t, line);
          released++;
        }
      }
    }
    return false;
  }
}
