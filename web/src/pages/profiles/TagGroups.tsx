import { useMemo, useState } from 'react';
import { TagValue } from '../../components/TagValue.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { groupOf, tagName } from '../../tagText.ts';
import type { ProfileTag } from '../../types.ts';

/** The person's tags under their taxonomy paths, in collapsible groups; each has a "why" button. */
export function TagGroups({ tags, onWhy }: { tags: ProfileTag[]; onWhy(tag: ProfileTag): void }) {
  const { t, lang } = useI18n();
  const groups = useMemo(() => {
    const m = new Map<string, ProfileTag[]>();
    for (const x of tags) {
      const g = groupOf(lang === 'en' ? x.pathEn : x.path);
      m.set(g, [...(m.get(g) ?? []), x]);
    }
    return [...m];
  }, [tags, lang]);
  const [closed, setClosed] = useState<Set<string>>(new Set());

  return (
    <div className="card">
      <div className="card-head">
        <h2>{t('profile.tags', { n: tags.length })}</h2>
        {tags.length > 0 && (
          <div className="card-actions">
            <button type="button" className="btn ghost small" onClick={() => setClosed(new Set())}>
              {t('profile.expandAll')}
            </button>
            <button type="button" className="btn ghost small" onClick={() => setClosed(new Set(groups.map(([g]) => g)))}>
              {t('profile.collapseAll')}
            </button>
          </div>
        )}
      </div>
      {tags.length === 0 && <p className="muted">{t('profile.noBuild')}</p>}
      <div className="tag-groups" data-testid="tag-groups">
        {groups.map(([group, items]) => (
          <details
            key={group}
            className="tag-group"
            open={!closed.has(group)}
            data-group={group}
            onToggle={(e) => {
              const open = (e.currentTarget as HTMLDetailsElement).open;
              setClosed((s) => {
                if (open === !s.has(group)) return s;
                const n = new Set(s);
                if (open) n.delete(group);
                else n.add(group);
                return n;
              });
            }}
          >
            <summary>
              {group} <span className="muted small">({items.length})</span>
            </summary>
            <ul className="tag-rows">
              {items.map((x) => (
                <li key={x.code} data-tag={x.code}>
                  <span className="tag-name" title={x.code}>
                    {tagName(x, lang)}
                  </span>
                  <span className="tag-cell">
                    <TagValue tag={x} value={x.value} />
                  </span>
                  <button type="button" className="btn ghost small why-btn" data-why={x.code} onClick={() => onWhy(x)}>
                    {t('profile.why')}
                  </button>
                </li>
              ))}
            </ul>
          </details>
        ))}
      </div>
    </div>
  );
}
