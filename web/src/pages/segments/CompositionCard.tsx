import { useMemo, useState } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { Composition, Tag } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import { BuilderCtx } from './builderContext.ts';
import { tagTypes } from './ruleDraft.ts';
import { distributionChart } from '../tags/tagCharts.ts';
import { useBucketLabel } from '../tags/useBucketLabel.ts';
import { TagPicker } from './TagPicker.tsx';

/** The members by the values of one tag, as bars (GET /api/v1/segments/:id/composition). */
export function CompositionCard({ segmentId, size, tags }: { segmentId: string; size: number; tags: Tag[] }) {
  const { t, fmt, lang } = useI18n();
  const [code, setCode] = useState(() => (tags.some((x) => x.code === 'gender') ? 'gender' : (tags[0]?.code ?? '')));
  const tag = tags.find((x) => x.code === code);
  const comp = useApi<Composition>(code ? `/api/v1/segments/${encodeURIComponent(segmentId)}/composition` : null, { tag: code, limit: 20 });
  const label = useBucketLabel(code, tag?.valueType ?? 'string', tag?.labels);
  const values = comp.data?.tag === code ? comp.data.values : null;
  const option = useMemo(() => (values ? distributionChart(values, label, t('series.persons'), fmt) : null), [values, label, t, fmt]);
  const ctx = useMemo(() => ({ tags, byCode: new Map(tags.map((x) => [x.code, x])), types: tagTypes(tags), segments: [] }), [tags]);
  return (
    <div className="card" data-testid="composition" data-tag={code}>
      <div className="card-head">
        <h2>{t('seg.comp.title')}</h2>
        <label className="inline-field">
          <span>{t('seg.comp.tag')}</span>
          <BuilderCtx.Provider value={ctx}>
            <TagPicker name="compositionTag" value={code} onChange={setCode} />
          </BuilderCtx.Provider>
        </label>
      </div>
      <p className="muted small">{t('seg.comp.hint')}</p>
      {comp.status === 'loading' && !values && <Loading />}
      {comp.status === 'error' && <ErrorBox message={comp.error.message} onRetry={comp.reload} />}
      {values && values.length === 0 && <p className="empty">{t('seg.comp.none')}</p>}
      {values && values.length > 0 && (
        <div className="comp-grid">
          <Chart option={option!} lang={lang} label="segment-composition" height={240} />
          <table className="table compact" data-testid="composition-values">
            <thead>
              <tr>
                <th>{t('col.value')}</th>
                <th className="num">{t('col.count')}</th>
                <th className="num">{t('seg.comp.share')}</th>
              </tr>
            </thead>
            <tbody>
              {values.map((v) => (
                <tr key={v.value} data-value={v.value} data-count={v.count}>
                  <td>{label(v.value)}</td>
                  <td className="num">{fmt.number(v.count)}</td>
                  <td className="num">{size ? fmt.percent(v.count / size) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
