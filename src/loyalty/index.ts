export { LoyaltyEngine, TIER_TAG, type Actor, type LoyaltyDeps } from './engine.ts';
export { PointsLedger, ENTRY_KINDS, type EntryKind, type LedgerEntry, type Outcome } from './ledger.ts';
export { RuleStore, RuleNotFoundError, ruleInput, orderPoints, categoryMultiplier, type EarnRule, type RuleInput } from './rules.ts';
export { TierStore, TierInputError, tierInput, tierFor, type Tier, type TierChange } from './tiers.ts';
export { CouponStore, CouponInputError, TemplateNotFoundError, templateInput, type CouponTemplate, type IssueResult, type TemplateStats } from './coupons.ts';
export type { EarnReport } from './earn.ts';
export { loyaltyErasable } from './erasure.ts';
