import { useMemo, useState } from 'react';
import { KindBadge, TypeBadge } from '../../components/Badges.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import { tagName } from '../../tagText.ts';
import type { Tag, TagList } from '../../types.ts';
import { buildTree, type CategoryNode } from './categories.ts';

/** Categories → sub-categories → tags, with each tag's kind, value type and coverage; a filter box on top. */
export function TaxonomyTree({ list, selected }: { list: TagList; selected: string | null }) {
  const { t, lang } = useI18n();
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const roots = useMemo(
    () => buildTree(list.categories, list.tags, (x) => !needle || x.code.includes(needle) || x.name_zh.toLowerCase().includes(needle) || x.name_en.toLowerCase().includes(needle)),
    [list, needle],
  );
  const shown = roots.filter((r) => r.total > 0);
  return (
    <nav className="card tree" aria-label={t('tags.tree')} data-testid="taxonomy">
      <h2>{t('tags.tree')}</h2>
      <input className="tree-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('tags.filter')} aria-label={t('tags.filter')} />
      {shown.length === 0 && <p className="muted">{t('tags.noMatch')}</p>}
      <ul className="tree-root">
        {shown.map((n) => (
          <CategoryItem key={n.category.code} node={n} selected={selected} lang={lang} forceOpen={needle !== ''} />
        ))}
      </ul>
    </nav>
  );
}

function CategoryItem({ node, selected, lang, forceOpen }: { node: CategoryNode; selected: string | null; lang: 'zh-CN' | 'en'; forceOpen: boolean }) {
  const name = lang === 'en' ? node.category.name_en : node.category.name_zh;
  const [open, setOpen] = useState(true);
  return (
    <li className="tree-cat" data-category={node.category.code}>
      <details open={forceOpen || open} onToggle={(e) => !forceOpen && setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          <span className="tree-cat-name">{name}</span> <span className="muted small">{node.total}</span>
        </summary>
        <ul>
          {node.children
            .filter((c) => c.total > 0)
            .map((c) => (
              <CategoryItem key={c.category.code} node={c} selected={selected} lang={lang} forceOpen={forceOpen} />
            ))}
          {node.tags.map((x) => (
            <TagItem key={x.code} tag={x} active={x.code === selected} />
          ))}
        </ul>
      </details>
    </li>
  );
}

function TagItem({ tag, active }: { tag: Tag; active: boolean }) {
  const { t, lang, fmt } = useI18n();
  return (
    <li>
      <a
        href={`/tags/${encodeURIComponent(tag.code)}`}
        className={`tree-tag${active ? ' active' : ''}${tag.status === 'deprecated' ? ' deprecated' : ''}`}
        data-tag-code={tag.code}
        aria-current={active ? 'true' : undefined}
        onClick={(e) => {
          e.preventDefault();
          navigate(`/tags/${encodeURIComponent(tag.code)}`);
        }}
      >
        <span className="tree-tag-name">{tagName(tag, lang)}</span>
        <span className="tree-tag-meta">
          <KindBadge kind={tag.kind} />
          <TypeBadge valueType={tag.valueType} />
          <span className="coverage" data-coverage={tag.coverage ?? ''}>
            {tag.coverage === null ? t('tags.neverBuilt') : fmt.percent(tag.coverage, 0)}
          </span>
        </span>
      </a>
    </li>
  );
}
