// The shop's calendar: local (Asia/Shanghai, UTC+8, no DST) days, the weekday/weekend rhythm, the
// hour-of-day curve of Chinese e-commerce traffic, and the promotion peaks 618, 双11 and 双12 with
// their warm-up days and platform coupons. Per-day factors are precomputed once per world.

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const LOCAL_OFFSET = 8 * HOUR;

export interface Coupon {
  id: string;
  name: string;
  /** 满 minSpend 减 amount; minSpend 0 means no threshold (无门槛). */
  minSpend: number;
  amount: number;
}

export interface Promo {
  code: 'p618' | 'd11' | 'd12';
  zh: string;
  en: string;
  /** True on the festival day itself (midnight rush, deepest markdowns). */
  mainDay: boolean;
  coupons: Coupon[];
}

/** Relative traffic per local hour: quiet nights, a lunch bump, the 20–23h evening peak. */
export const HOUR_WEIGHTS = [
  0.6, 0.35, 0.2, 0.12, 0.1, 0.12, 0.25, 0.5, 0.8, 1.0, 1.2, 1.2,
  1.4, 1.2, 1.0, 1.0, 1.0, 1.0, 1.1, 1.4, 1.8, 2.0, 1.8, 1.2,
];
/** On a festival day the midnight opening is the biggest hour of the year. */
export const PROMO_HOUR_WEIGHTS = HOUR_WEIGHTS.map((w, h) => (h === 0 ? w * 6 : h === 1 ? w * 3 : h >= 20 ? w * 1.5 : w));

function coupons(code: string, tiers: [number, number][]): Coupon[] {
  return tiers.map(([min, amt]) => ({ id: `${code}-${min}-${amt}`, name: min > 0 ? `满${min}减${amt}` : `无门槛${amt}元`, minSpend: min, amount: amt }));
}

const PROMO_DEFS = [
  { code: 'p618' as const, zh: '618', en: '618 Mid-Year Sale', month: 5, day: 18, warmup: 4, peak: 3.0, warm: 1.4, tiers: [[199, 20], [299, 40], [599, 90]] as [number, number][] },
  { code: 'd11' as const, zh: '双11', en: "Singles' Day", month: 10, day: 11, warmup: 10, peak: 3.5, warm: 1.5, tiers: [[199, 30], [300, 50], [600, 110]] as [number, number][] },
  { code: 'd12' as const, zh: '双12', en: 'Double 12', month: 11, day: 12, warmup: 3, peak: 2.4, warm: 1.3, tiers: [[199, 20], [399, 50]] as [number, number][] },
];

/** Local-midnight instant (ms UTC) of a calendar date in Asia/Shanghai. */
export function localMidnight(year: number, month0: number, day: number): number {
  return Date.UTC(year, month0, day) - LOCAL_OFFSET;
}

export class Calendar {
  readonly days: number;
  /** Session-rate multiplier per day index (weekday rhythm × holidays × promotions). */
  readonly dayMult: Float64Array;
  readonly promo: (Promo | null)[];
  readonly maxMult: number;

  constructor(readonly start: number, readonly horizon: number, readonly end: number) {
    this.days = Math.ceil((end - start) / DAY) + 1;
    this.dayMult = new Float64Array(this.days);
    this.promo = new Array<Promo | null>(this.days).fill(null);
    for (let d = 0; d < this.days; d++) {
      const local = new Date(start + d * DAY + LOCAL_OFFSET);
      const dow = local.getUTCDay();
      let m = dow === 0 || dow === 6 ? 1.2 : 1;
      // 国庆 golden week: more leisure browsing.
      if (local.getUTCMonth() === 9 && local.getUTCDate() <= 7) m *= 1.15;
      for (const p of PROMO_DEFS) {
        const main = localMidnight(local.getUTCFullYear(), p.month, p.day);
        const delta = Math.round((start + d * DAY - main) / DAY);
        if (delta === 0) {
          m *= p.peak;
          this.promo[d] = { code: p.code, zh: p.zh, en: p.en, mainDay: true, coupons: coupons(p.code.toUpperCase(), p.tiers) };
        } else if (delta < 0 && delta >= -p.warmup) {
          m *= p.warm + (p.warmup + delta) * 0.04; // warm-up builds towards the day
          this.promo[d] = { code: p.code, zh: p.zh, en: p.en, mainDay: false, coupons: coupons(p.code.toUpperCase(), p.tiers) };
        } else if (delta === 1) {
          m *= 1.2; // the day after: late buyers and returns
        }
      }
      this.dayMult[d] = m;
    }
    let max = 0;
    for (const m of this.dayMult) max = Math.max(max, m);
    this.maxMult = max;
  }

  dayIndex(t: number): number {
    return Math.floor((t - this.start) / DAY);
  }

  dayStart(d: number): number {
    return this.start + d * DAY;
  }

  promoAt(t: number): Promo | null {
    const d = this.dayIndex(t);
    return d >= 0 && d < this.days ? this.promo[d] : null;
  }

  multAt(t: number): number {
    const d = this.dayIndex(t);
    return d >= 0 && d < this.days ? this.dayMult[d] : 1;
  }
}

/** Local hour 0–23 of an instant. */
export function localHour(t: number): number {
  return Math.floor(((t + LOCAL_OFFSET) % DAY) / HOUR);
}

/** Local calendar date YYYY-MM-DD of an instant. */
export function localDate(t: number): string {
  return new Date(t + LOCAL_OFFSET).toISOString().slice(0, 10);
}
