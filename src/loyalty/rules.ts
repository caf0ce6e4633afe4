import { z } from 'zod';
import type { OltpStore } from '../store/oltp/index.ts';

/**
 * Earning rules, configured without code: the kind says what earns (spend, a review, a share that brought
 * a visit, a daily sign-in, a birthday, a fission campaign's every N friends invited), params say how much, caps limit what one person may earn from
 * the rule per shop-time day and month.
 */
const points = z.number().int().min(0).max(1_000_000);
const code = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower-case letters, digits and _ (starting with a letter)');
const base = {
  code,
  name_zh: z.string().min(1).max(100),
  name_en: z.string().min(1).max(100),
  active: z.boolean().default(true),
  dailyCap: points.nullable().default(null),
  monthlyCap: points.nullable().default(null),
};

export const orderSpendParams = z.strictObject({
  /** points per currency unit paid (revenue after discounts) */
  pointsPerUnit: z.number().min(0).max(1000),
  /** multipliers by category path prefix ("美妆" or "美妆/护肤"); the longest matching prefix wins */
  categoryMultipliers: z.record(z.string().min(1).max(200), z.number().min(0).max(100)).default({}),
});
export const reviewParams = z.strictObject({ points, minLength: z.number().int().min(0).max(10_000).default(0) });
export const fixedParams = z.strictObject({ points });
export const signInParams = z.strictObject({ points, event: z.string().min(1).max(200).default('Signed In') });

export const fissionParams = z.strictObject({
  /** every this many different people brought in through one's shares … */
  invites: z.number().int().min(1).max(1000),
  /** … earn this many points */
  points,
});

export const ruleInput = z.discriminatedUnion('kind', [
  z.strictObject({ ...base, kind: z.literal('order_spend'), params: orderSpendParams }),
  z.strictObject({ ...base, kind: z.literal('review'), params: reviewParams }),
  z.strictObject({ ...base, kind: z.literal('share_visit'), params: fixedParams }),
  z.strictObject({ ...base, kind: z.literal('sign_in'), params: signInParams }),
  z.strictObject({ ...base, kind: z.literal('birthday'), params: fixedParams }),
  z.strictObject({ ...base, kind: z.literal('fission'), params: fissionParams }),
]);
export type RuleInput = z.input<typeof ruleInput>;
export type EarnRule = z.output<typeof ruleInput> & { updatedBy: string; updatedAt: string };
export type RuleKind = EarnRule['kind'];

interface Row {
  code: string; kind: RuleKind; name_zh: string; name_en: string; active: boolean; params: unknown;
  daily_cap: number | string | null; monthly_cap: number | string | null; updated_by: string; updated_at: Date | string;
}

const toRule = (r: Row): EarnRule => ({
  code: r.code, kind: r.kind, name_zh: r.name_zh, name_en: r.name_en, active: r.active,
  params: (typeof r.params === 'string' ? JSON.parse(r.params) : r.params) as never,
  dailyCap: r.daily_cap === null ? null : Number(r.daily_cap),
  monthlyCap: r.monthly_cap === null ? null : Number(r.monthly_cap),
  updatedBy: r.updated_by, updatedAt: new Date(r.updated_at).toISOString(),
});

export class RuleNotFoundError extends Error {}

export class RuleStore {
  constructor(private readonly db: OltpStore) {}

  async list(): Promise<EarnRule[]> {
    return (await this.db.query<Row>('SELECT * FROM loyalty_rules ORDER BY code')).map(toRule);
  }

  async active(): Promise<EarnRule[]> {
    return (await this.list()).filter((r) => r.active);
  }

  async get(code: string): Promise<EarnRule> {
    const [r] = await this.db.query<Row>('SELECT * FROM loyalty_rules WHERE code = $1', [code]);
    if (!r) throw new RuleNotFoundError(`no earning rule '${code}'`);
    return toRule(r);
  }

  /** Creates or replaces a rule (checked by `ruleInput`). A rule's kind is fixed once it has earned. */
  async put(input: z.output<typeof ruleInput>, by: string): Promise<EarnRule> {
    const [r] = await this.db.query<Row>(
      `INSERT INTO loyalty_rules (code, kind, name_zh, name_en, active, params, daily_cap, monthly_cap, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
         active = EXCLUDED.active, params = EXCLUDED.params, daily_cap = EXCLUDED.daily_cap, monthly_cap = EXCLUDED.monthly_cap,
         updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING *`,
      [input.code, input.kind, input.name_zh, input.name_en, input.active, JSON.stringify(input.params), input.dailyCap, input.monthlyCap, by],
    );
    return toRule(r!);
  }
}

/** The multiplier of a category path under a rule: the longest configured prefix that matches, else 1. */
export function categoryMultiplier(multipliers: Record<string, number>, category: string): number {
  let best = '';
  for (const prefix of Object.keys(multipliers)) {
    if ((category === prefix || category.startsWith(`${prefix}/`)) && prefix.length > best.length) best = prefix;
  }
  return best ? multipliers[best]! : 1;
}

export interface OrderLine {
  category: string;
  price: number;
  quantity: number;
}

/**
 * Points for one order: each line's value × its category multiplier, scaled so that the lines add up to
 * what was paid (revenue after discounts), × points per unit, rounded down. Without lines, revenue ×
 * points per unit.
 */
export function orderPoints(params: z.output<typeof orderSpendParams>, revenue: number, lines: readonly OrderLine[]): number {
  if (!(revenue > 0)) return 0;
  const listed = lines.reduce((s, l) => s + l.price * l.quantity, 0);
  if (listed <= 0) return Math.floor(revenue * params.pointsPerUnit + 1e-9);
  const weighted = lines.reduce((s, l) => s + l.price * l.quantity * categoryMultiplier(params.categoryMultipliers, l.category), 0);
  return Math.floor((revenue / listed) * weighted * params.pointsPerUnit + 1e-9);
}
