import { describeStat } from './compile/plan.ts';
import type { Cond, Expr, Spec } from './dsl.ts';

/** A definition as a sentence, in Chinese and English, for explanations and the tag centre. */
export function describeSpec(s: Spec): { zh: string; en: string } {
  const both = (f: (l: 'zh' | 'en') => string) => ({ zh: f('zh'), en: f('en') });
  switch (s.type) {
    case 'stat':
      return describeStat(s.stat);
    case 'trait':
      return both((l) => (l === 'zh' ? `用户属性 ${s.trait}（最近一次 identify）` : `trait ${s.trait} (latest identify)`));
    case 'expr':
      return both((l) => expr(s.expr, l));
    case 'bins':
      return both((l) => `${expr(s.of, l)} → ${s.bins.map((b) => (b.upTo === undefined ? (l === 'zh' ? `其余: ${b.label}` : `else ${b.label}`) : `< ${b.upTo}: ${b.label}`)).join('; ')}`);
    case 'rule':
      return both((l) => cond(s.when, l));
    case 'cases':
      return both((l) => [...s.cases.map((c) => `${c.label} ${l === 'zh' ? '当' : 'when'} ${cond(c.when, l)}`), ...(s.else ? [`${l === 'zh' ? '否则' : 'else'} ${s.else}`] : [])].join('; '));
    case 'top':
      return both((l) =>
        l === 'zh'
          ? `${s.window === 'all' ? '全部时间' : `近${s.window}`} ${[s.event].flat().join('/')} 中按 ${s.key} 加权排名前 ${s.n}${s.halfLifeDays ? `（半衰期 ${s.halfLifeDays} 天）` : ''}`
          : `top ${s.n} ${s.key} by weight over ${[s.event].flat().join('/')} (${s.window === 'all' ? 'all time' : `last ${s.window}`}${s.halfLifeDays ? `, half-life ${s.halfLifeDays} days` : ''})`,
      );
    case 'score':
      return both((l) =>
        l === 'zh'
          ? `${expr(s.of, l)} 的 ${s.buckets} 分位评分（${s.descending ? '越小越高' : '越大越高'}）${s.when ? `，仅当 ${cond(s.when, l)}` : ''}`
          : `${s.buckets}-quantile score of ${expr(s.of, l)} (${s.descending ? 'lower is better' : 'higher is better'})${s.when ? `, only when ${cond(s.when, l)}` : ''}`,
      );
    case 'model':
      return both((l) => (l === 'zh' ? `模型 ${s.model} 的输出` : `output of model ${s.model}`));
  }
}

function expr(e: Expr, l: 'zh' | 'en'): string {
  if (typeof e !== 'object') return JSON.stringify(e);
  if ('tag' in e) return e.tag;
  if ('trait' in e) return `trait.${e.trait}`;
  if ('stat' in e) return `[${describeStat(e.stat)[l]}]`;
  if ('daysSince' in e) return `${l === 'zh' ? '距今天数' : 'days since'}(${expr(e.daysSince, l)})`;
  const [op, [a, b]] = Object.entries(e)[0] as [string, [Expr, Expr]];
  const sym: Record<string, string> = { div: '÷', mul: '×', add: '+', sub: '−' };
  return sym[op] ? `(${expr(a, l)} ${sym[op]} ${expr(b, l)})` : `${op}(${expr(a, l)}, ${expr(b, l)})`;
}

function cond(c: Cond, l: 'zh' | 'en'): string {
  if ('all' in c) return `(${c.all.map((x) => cond(x, l)).join(l === 'zh' ? ' 且 ' : ' and ')})`;
  if ('any' in c) return `(${c.any.map((x) => cond(x, l)).join(l === 'zh' ? ' 或 ' : ' or ')})`;
  if ('not' in c) return `${l === 'zh' ? '非' : 'not '}${cond(c.not, l)}`;
  if ('isNull' in c) return `${expr(c.isNull, l)} ${l === 'zh' ? '为空' : 'is missing'}`;
  if ('notNull' in c) return `${expr(c.notNull, l)} ${l === 'zh' ? '不为空' : 'is present'}`;
  if ('in' in c) return `${expr(c.in[0], l)} ∈ {${c.in[1].join(', ')}}`;
  const [op, [a, b]] = Object.entries(c)[0] as [string, [Expr, Expr]];
  const sym: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=', neq: '≠' };
  return `${expr(a, l)} ${sym[op]} ${expr(b, l)}`;
}
