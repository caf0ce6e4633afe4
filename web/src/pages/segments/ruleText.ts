import type { Format, Lang, MessageKey, Translate } from '../../i18n/index.tsx';
import { enumLabel, tagName } from '../../tagText.ts';
import type { Tag } from '../../types.ts';

/** A rule in words, in the dashboard language: "性别 等于 女 且 近 30 天 Product Viewed 大于等于 2 次". */

export interface TextContext {
  t: Translate;
  fmt: Format;
  lang: Lang;
  tags: ReadonlyMap<string, Tag>;
  /** segment id → name */
  segments: ReadonlyMap<string, string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function when(w: unknown, c: TextContext): string {
  if (!isObj(w)) return '';
  if (typeof w.days === 'number') return c.t('seg.text.lastDays', { n: w.days });
  if (typeof w.hours === 'number') return c.t('seg.text.lastHours', { n: w.hours });
  if (typeof w.from === 'string' && typeof w.to === 'string') return c.t('seg.text.range', { from: w.from, to: w.to });
  return '';
}

function span(w: unknown, c: TextContext): string {
  if (!isObj(w)) return '';
  return (['days', 'hours', 'minutes'] as const)
    .filter((u) => typeof w[u] === 'number')
    .map((u) => c.t(`seg.unit.${u}` as MessageKey, { n: w[u] as number }))
    .join(' ');
}

function valueText(v: unknown, code: string | null, c: TextContext): string {
  if (Array.isArray(v)) return v.map((x) => valueText(x, code, c)).join(c.t('seg.text.list'));
  if (typeof v === 'boolean') return c.t(v ? 'value.true' : 'value.false');
  const tag = code ? c.tags.get(code) : undefined;
  if (tag?.valueType === 'boolean' && (v === 'true' || v === 'false')) return c.t(v === 'true' ? 'value.true' : 'value.false');
  if (tag?.valueType === 'enum' && typeof v === 'string') return enumLabel(tag.code, v, c.t, tag.labels, c.lang);
  return typeof v === 'number' ? c.fmt.decimal(v, 4) : String(v);
}

function steps(list: unknown): string {
  return Array.isArray(list) ? list.map((s) => (isObj(s) ? String(s.event) + (Array.isArray(s.where) && s.where.length ? '*' : '') : '?')).join(' → ') : '';
}

/** One rule (or part of one) in words; `nested` puts combinations in brackets. */
export function ruleText(rule: unknown, c: TextContext, nested = false): string {
  if (!isObj(rule)) return JSON.stringify(rule);
  const { t } = c;
  if (Array.isArray(rule.all) || Array.isArray(rule.any)) {
    const and = Array.isArray(rule.all);
    const parts = ((and ? rule.all : rule.any) as unknown[]).map((r) => ruleText(r, c, true));
    const text = parts.join(t(and ? 'seg.text.and' : 'seg.text.or'));
    return nested && parts.length > 1 ? `(${text})` : text;
  }
  if ('not' in rule) {
    const inner = ruleText(rule.not, c, true);
    return `${t('seg.text.not')}${inner.startsWith('(') ? inner : `(${inner})`}`;
  }
  if (typeof rule.tag === 'string' || typeof rule.trait === 'string') {
    const code = typeof rule.tag === 'string' ? rule.tag : null;
    const tag = code ? c.tags.get(code) : undefined;
    const subject = code ? (tag ? tagName(tag, c.lang) : code) : t('seg.text.trait', { path: String(rule.trait) });
    const op = t(`op.${String(rule.op)}` as MessageKey);
    const value = rule.value === undefined ? '' : ` ${valueText(rule.value, code, c)}`;
    const top = typeof rule.topN === 'number' ? t('seg.text.topN', { n: rule.topN }) : '';
    return `${subject}${top} ${op}${value}`;
  }
  if ('event' in rule) {
    const event = Array.isArray(rule.event) ? rule.event.join(' / ') : String(rule.event);
    const period = when(rule.within, c);
    const where = Array.isArray(rule.where) && rule.where.length ? t('seg.text.where', { n: rule.where.length }) : '';
    let what: string;
    if (rule.performed === false) what = t('seg.text.didNot', { event });
    else if (isObj(rule.count)) what = t('seg.text.count', { event, op: t(`op.${String(rule.count.op)}` as MessageKey), n: Number(rule.count.value) });
    else what = t('seg.text.did', { event });
    return `${period ? `${period} ` : ''}${what}${where}`;
  }
  if ('sequence' in rule) {
    const period = when(rule.during, c);
    return `${period ? `${period} ` : ''}${t('seg.text.sequence', { steps: steps(rule.sequence), span: span(rule.within, c) })}`;
  }
  if ('funnel' in rule) {
    const period = when(rule.during, c);
    return `${period ? `${period} ` : ''}${t('seg.text.funnel', { steps: steps(rule.funnel), n: Number(rule.reached), span: span(rule.within, c) })}`;
  }
  if (Array.isArray(rule.rfm)) return t('seg.text.rfm', { list: rule.rfm.map((x) => enumLabel('rfm_class', String(x), t, c.tags.get('rfm_class')?.labels, c.lang)).join(t('seg.text.list')) });
  if (Array.isArray(rule.lifecycle)) {
    return t('seg.text.lifecycle', { list: rule.lifecycle.map((x) => enumLabel('lifecycle_stage', String(x), t, c.tags.get('lifecycle_stage')?.labels, c.lang)).join(t('seg.text.list')) });
  }
  if (typeof rule.segment === 'string') {
    const name = c.segments.get(rule.segment) ?? rule.segment;
    return t(rule.member === false ? 'seg.text.notSegment' : 'seg.text.segment', { name });
  }
  return JSON.stringify(rule);
}
