import { KindBadge, StatusBadges, TypeBadge } from '../../components/Badges.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { TagCategory, TagDetail as Detail } from '../../types.ts';
import { isNotFound, useApi } from '../../useApi.ts';
import { categoryPath } from './categories.ts';
import { DeprecateButton } from './DeprecateButton.tsx';
import { TagStats } from './TagStats.tsx';

/** One tag: what it is (names, path, kind, owner, version, definition) and how it came out in builds. */
export function TagDetail({ code, categories, onChanged }: { code: string; categories: TagCategory[]; onChanged(): void }) {
  const { t, lang } = useI18n();
  const detail = useApi<Detail>(`/api/v1/tags/${encodeURIComponent(code)}`);
  if (detail.status === 'loading') return <Loading />;
  if (detail.status === 'error') {
    return isNotFound(detail.error) ? <div className="notice">{t('tags.notFound', { code })}</div> : <ErrorBox message={detail.error.message} onRetry={detail.reload} />;
  }
  const d = detail.data;
  const active = d.status === 'active';
  return (
    <div className="tag-detail" data-testid="tag-detail" data-code={d.code}>
      <div className="card">
        <div className="detail-head">
          <div>
            <h2 className="detail-title">
              {lang === 'en' ? d.name_en : d.name_zh} <span className="muted small">{lang === 'en' ? d.name_zh : d.name_en}</span>
            </h2>
            <div className="muted small">{(lang === 'en' ? d.pathEn : d.path).split('/').join(' / ')}</div>
            <div className="badges">
              <span className="mono">{d.code}</span>
              <KindBadge kind={d.kind} />
              <TypeBadge valueType={d.valueType} />
              <StatusBadges status={d.status} builtin={d.builtin} />
            </div>
          </div>
          {active && (
            <div className="detail-actions">
              <button type="button" className="btn" onClick={() => navigate(`/tags/${encodeURIComponent(d.code)}/edit`)} data-testid="edit-tag">
                {t('tags.edit')}
              </button>
              {!d.builtin && (
                <DeprecateButton
                  code={d.code}
                  onDone={() => {
                    detail.reload();
                    onChanged();
                  }}
                />
              )}
            </div>
          )}
        </div>
        <dl className="facts detail-facts">
          <dt>{t('tags.category')}</dt>
          <dd>{categoryPath(d.category, categories, lang) || d.category}</dd>
          <dt>{t('tags.version')}</dt>
          <dd data-testid="tag-version">v{d.version}</dd>
          <dt>{t('tags.owner')}</dt>
          <dd>{d.owner}</dd>
          <dt>{t('tags.purpose')}</dt>
          <dd>{t(`purpose.${d.purpose}` as MessageKey)}</dd>
          <dt>{t('tags.refresh')}</dt>
          <dd>{t(`refresh.${d.refresh}` as MessageKey)}</dd>
          <dt>{t('tags.description')}</dt>
          <dd>{d.description || <span className="muted">{t('tags.noDescription')}</span>}</dd>
        </dl>
      </div>
      <TagStats detail={d} />
      <details className="card spec-json" open>
        <summary>{t('tags.definition')}</summary>
        <pre className="code" data-testid="tag-spec">{JSON.stringify(d.spec, null, 2)}</pre>
      </details>
    </div>
  );
}
