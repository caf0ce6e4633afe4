import type { Cond, Expr, Spec, Stat, TagInput } from '../dsl.ts';

/** A built-in tag: a definition plus display labels for enum values. */
export type Builtin = TagInput & { labels?: Record<string, { zh: string; en: string }> };

export const ORDER = 'Order Completed';
export const REFUND = 'Order Refunded';
export const VIEW = 'Product Viewed';
export const ADD = 'Product Added';
export const SEARCH = 'Products Searched';

export const stat = (s: Partial<Stat> & Pick<Stat, 'agg'>): { stat: Stat } => ({ stat: { window: 'all', ...s } as Stat });
export const tag = (code: string): Expr => ({ tag: code });
export const gt = (a: Expr, b: Expr): Cond => ({ gt: [a, b] });
export const gte = (a: Expr, b: Expr): Cond => ({ gte: [a, b] });
export const lt = (a: Expr, b: Expr): Cond => ({ lt: [a, b] });
export const lte = (a: Expr, b: Expr): Cond => ({ lte: [a, b] });
export const eq = (a: Expr, b: Expr): Cond => ({ eq: [a, b] });
export const all = (...c: Cond[]): Cond => ({ all: c });
export const any = (...c: Cond[]): Cond => ({ any: c });

export function statTag(code: string, category: string, zh: string, en: string, s: Parameters<typeof stat>[0], more: Partial<Builtin> = {}): Builtin {
  return { code, category, name_zh: zh, name_en: en, valueType: 'number', spec: { type: 'stat', stat: stat(s).stat } as Spec, ...more };
}

export const labels = (m: Record<string, [string, string]>) =>
  Object.fromEntries(Object.entries(m).map(([k, [zh, en]]) => [k, { zh, en }]));
