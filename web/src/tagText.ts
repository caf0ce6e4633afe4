import type { Format, Lang, MessageKey, Translate } from './i18n/index.tsx';
import type { Ranked, TagValue, ValueLabels, ValueType } from './types.ts';

/** Display texts for tags: names and paths in the dashboard language, and labels for coded values. */

export function tagName(tag: { name_zh: string; name_en: string }, lang: Lang): string {
  return lang === 'en' ? tag.name_en : tag.name_zh;
}

/** Enum tags whose values are stored as codes with a label in the dictionaries. */
const CODED: Record<string, { prefix: string; codes: string[] }> = {
  lifecycle_stage: { prefix: 'lifecycle', codes: ['new', 'growing', 'mature', 'declining', 'churned'] },
  rfm_class: {
    prefix: 'rfm',
    codes: ['important_value', 'important_develop', 'important_keep', 'important_winback', 'general_value', 'general_develop', 'general_keep', 'general_winback'],
  },
};

/** Known codes of an enum tag (for a value picker), or null when its values are free labels. */
export function codesOf(tagCode: string): string[] | null {
  return CODED[tagCode]?.codes ?? null;
}

/** A coded value's display name: the tag's own labels (from the API) first, then the dictionaries. */
export function enumLabel(tagCode: string, value: string, t: Translate, labels?: ValueLabels | null, lang?: Lang): string {
  const l = labels?.[value];
  if (l) return lang === 'en' ? l.en : l.zh;
  const c = CODED[tagCode];
  return c && c.codes.includes(value) ? t(`${c.prefix}.${value}` as MessageKey) : value;
}

/** What formatting a value needs to know about its tag. */
export interface TagShape {
  code: string;
  valueType: ValueType;
  labels?: ValueLabels | null;
}

/** Number tags that are amounts of money (the shop's currency, CNY). */
const MONEY = new Set(['gmv_365d', 'aov_365d']);

export function isRanked(v: unknown): v is Ranked {
  return Array.isArray(v) && v.every((x) => x && typeof x === 'object' && 'value' in x && 'weight' in x);
}

/** One value as text, formatted for its value type (ranked values as "a, b, c"). */
export function formatValue(tag: TagShape, value: TagValue | undefined, t: Translate, fmt: Format, lang: Lang): string {
  const { code, valueType } = tag;
  if (value === null || value === undefined || value === '') return t('value.none');
  if (isRanked(value)) return value.map((x) => x.value).join(', ');
  if (typeof value === 'boolean') return t(value ? 'value.true' : 'value.false');
  if (typeof value === 'number') {
    if (valueType === 'date') return fmt.date(new Date(value).toISOString());
    return MONEY.has(code) ? fmt.money(value, 'CNY') : fmt.decimal(value);
  }
  if (valueType === 'boolean' && (value === 'true' || value === 'false')) return t(value === 'true' ? 'value.true' : 'value.false');
  if (valueType === 'date') return fmt.date(value);
  if (valueType === 'enum') return enumLabel(code, value, t, tag.labels, lang);
  return String(value);
}

/** A tag's taxonomy path without its own name: the group it is shown in. */
export function groupOf(path: string): string {
  const parts = path.split('/');
  return parts.length > 1 ? parts.slice(0, -1).join(' / ') : path;
}
