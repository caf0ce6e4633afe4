import { useMemo } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { groupOf, tagName } from '../../tagText.ts';
import { useBuilder } from './builderContext.ts';

/** A tag from the taxonomy, grouped by its path (active tags only), shown as "name · code". */
export function TagPicker({ value, onChange, name = 'tag' }: { value: string; onChange(code: string): void; name?: string }) {
  const { t, lang } = useI18n();
  const { tags } = useBuilder();
  const groups = useMemo(() => {
    const by = new Map<string, typeof tags>();
    for (const x of tags) {
      if (x.status !== 'active') continue;
      const g = groupOf(lang === 'en' ? x.pathEn : x.path);
      by.set(g, [...(by.get(g) ?? []), x]);
    }
    return [...by.entries()];
  }, [tags, lang]);
  const known = tags.some((x) => x.code === value);
  return (
    <select name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-label={t('seg.field.tag')} className={value ? '' : 'placeholder'}>
      <option value="">{t('seg.field.chooseTag')}</option>
      {value && !known && <option value={value}>{value}</option>}
      {groups.map(([g, list]) => (
        <optgroup key={g} label={g}>
          {list.map((x) => (
            <option key={x.code} value={x.code}>
              {tagName(x, lang)} · {x.code}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}
