import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { TagList } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import { TagDetail } from './TagDetail.tsx';
import { TagForm } from './TagForm.tsx';
import { TaxonomyTree } from './TaxonomyTree.tsx';

/**
 * The tag centre: the taxonomy on the left; on the right the chosen tag (/tags/<code>), the form for a new
 * one (/tags/new) or an edit (/tags/<code>/edit).
 */
export function TagCentre({ route }: { route: string[] }) {
  const { t } = useI18n();
  const list = useApi<TagList>('/api/v1/tags');
  const [first = '', second = ''] = route;
  const creating = first === 'new';
  const editing = !creating && second === 'edit' ? list.data?.tags.find((x) => x.code === first) : undefined;
  const selected = creating || !first ? null : first;

  let body;
  if (!list.data) body = null;
  else if (creating || editing)
    body = (
      <TagForm
        key={editing?.code ?? 'new'}
        categories={list.data.categories}
        editing={editing}
        onSaved={(code) => {
          list.reload();
          navigate(`/tags/${encodeURIComponent(code)}`);
        }}
        onCancel={() => navigate(editing ? `/tags/${encodeURIComponent(editing.code)}` : '/tags')}
      />
    );
  else if (selected) body = <TagDetail key={selected} code={selected} categories={list.data.categories} onChanged={list.reload} />;
  else body = <div className="card muted intro">{t('tags.pick')}</div>;

  return (
    <section className="page tag-centre">
      <header className="page-head">
        <div>
          <h1>{t('tags.title')}</h1>
          {list.data && <p className="muted">{t('tags.subtitle', { cats: list.data.categories.length, tags: list.data.tags.length })}</p>}
        </div>
        <button type="button" className="btn primary" onClick={() => navigate('/tags/new')} data-testid="new-tag" disabled={creating}>
          + {t('tags.new')}
        </button>
      </header>
      {list.status === 'loading' && !list.data && <Loading />}
      {list.status === 'error' && <ErrorBox message={list.error.message} onRetry={list.reload} />}
      {list.data && (
        <div className="tag-layout">
          <TaxonomyTree list={list.data} selected={selected} />
          <div className="tag-main">{body}</div>
        </div>
      )}
    </section>
  );
}
