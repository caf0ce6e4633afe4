/** Shapes of the loyalty API's answers (src/server/routes/loyalty.ts), as the dashboard reads them. */
export interface LoyaltyOverview {
  members: number;
  pointsOutstanding: number;
  last30Days: Record<string, { entries: number; points: number }>;
  earnedByRule: { rule: string; points: number }[];
  tiers: { tier: string | null; members: number }[];
  coupons: { issued: number; redeemed: number; cost: number };
}

export interface EarnRule {
  code: string;
  kind: string;
  name_zh: string;
  name_en: string;
  active: boolean;
  params: Record<string, unknown>;
  dailyCap: number | null;
  monthlyCap: number | null;
}

export interface Tier {
  code: string;
  rank: number;
  name_zh: string;
  name_en: string;
  minPoints: number | null;
  minGmv: number | null;
  benefits: string[];
}

export interface CouponTemplate {
  id: string;
  name: string;
  kind: 'amount_off' | 'percent_off' | 'threshold' | 'free_shipping';
  amount: number | null;
  percent: number | null;
  minSpend: number;
  validDays: number | null;
  stock: number | null;
  issued: number;
  status: string;
}

export interface IssueResult {
  issueId: string;
  target: string;
  targetRef: string;
  requested: number;
  issued: number;
  overLimit: number;
  outOfStock: number;
}

export interface TemplateStats {
  issued: number;
  redeemed: number;
  redemptionRate: number | null;
  cost: number;
  revenue: number;
  stockLeft: number | null;
  issues: IssueResult[];
  daily: { date: string; redeemed: number; cost: number }[];
}

export interface InfluenceRow {
  userId: string;
  score: number;
  rank: number;
  shares: number;
  visits: number;
  orders: number;
  revenue: number;
  isKol: boolean;
}

export interface ShareGraph {
  nodes: { id: string; score: number; isKol: boolean; shares: number; orders: number }[];
  links: { source: string; target: string; shares: number; visits: number; orders: number }[];
}
