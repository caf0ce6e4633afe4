import { useMemo } from 'react';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { Segment, SegmentDetail as Detail, Tag } from '../../types.ts';
import { isNotFound, useApi } from '../../useApi.ts';
import { ChangesList } from './ChangesList.tsx';
import { CompositionCard } from './CompositionCard.tsx';
import { SegmentKindBadge } from './KindBadge.tsx';
import { ruleText } from './ruleText.ts';
import { SegmentActions } from './SegmentActions.tsx';
import { SizeHistory } from './SizeHistory.tsx';

/** One segment: what it is, its size now and over time, who entered and left, its make-up by a tag. */
export function SegmentDetail({ id, tags, segments, onChanged }: { id: string; tags: Tag[]; segments: Segment[]; onChanged(): void }) {
  const { t, fmt, lang } = useI18n();
  const detail = useApi<Detail>(`/api/v1/segments/${encodeURIComponent(id)}`);
  const ctx = useMemo(() => ({ t, fmt, lang, tags: new Map(tags.map((x) => [x.code, x])), segments: new Map(segments.map((s) => [s.id, s.name])) }), [t, fmt, lang, tags, segments]);
  if (detail.status === 'loading' && !detail.data) return <Loading />;
  if (detail.status === 'error') {
    return isNotFound(detail.error) ? <div className="notice">{t('seg.notFound', { id })}</div> : <ErrorBox message={detail.error.message} onRetry={detail.reload} />;
  }
  const d = detail.data!;
  const changed = () => {
    detail.reload();
    onChanged();
  };
  return (
    <div className="seg-detail" data-testid="segment-detail" data-id={d.id}>
      <div className="card">
        <div className="detail-head">
          <div>
            <h2 className="detail-title" data-testid="segment-name">
              {d.name}
            </h2>
            {d.description && <div className="muted">{d.description}</div>}
            <div className="badges">
              <span className="mono">{d.id}</span>
              <SegmentKindBadge kind={d.kind} />
              {d.webhook && <span className="tbadge webhook">{t('seg.webhook')}</span>}
            </div>
          </div>
          <SegmentActions segment={d} onChanged={changed} />
        </div>
        <div className="seg-summary">
          <div className="seg-size">
            <div className="muted small">{t('seg.detail.size')}</div>
            <div className="count-big" data-testid="segment-size" data-value={d.size}>
              {fmt.number(d.size)}
            </div>
            <div className="muted small">{d.evaluatedAt ? t('seg.detail.evaluatedAt', { at: fmt.dateTime(d.evaluatedAt) }) : '—'}</div>
          </div>
          <dl className="facts detail-facts">
            <dt>{t('seg.detail.rule')}</dt>
            <dd data-testid="segment-rule-text">{d.rule ? ruleText(d.rule, ctx) : t('seg.detail.static')}</dd>
            <dt>{t('seg.detail.webhook')}</dt>
            <dd className={d.webhook ? 'mono' : 'muted'}>{d.webhook?.url ?? t('seg.detail.noWebhook')}</dd>
            <dt>{t('seg.col.createdBy')}</dt>
            <dd>{d.createdBy}</dd>
            <dt>{t('seg.detail.createdAt')}</dt>
            <dd>{fmt.dateTime(d.createdAt)}</dd>
            <dt>{t('seg.detail.updatedAt')}</dt>
            <dd>{fmt.dateTime(d.updatedAt)}</dd>
          </dl>
        </div>
      </div>
      <div className="grid-2">
        <SizeHistory sizes={d.sizes} />
        <CompositionCard segmentId={d.id} size={d.size} tags={tags.filter((x) => x.status === 'active')} />
      </div>
      <ChangesList changes={d.changes} />
      {d.rule && (
        <details className="card spec-json">
          <summary>{t('seg.detail.ruleJson')}</summary>
          <pre className="code" data-testid="segment-rule">{JSON.stringify(d.rule, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}
