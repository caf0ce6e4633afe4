import { useMemo } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { TagDetail } from '../../types.ts';
import { NumericSummary } from './NumericSummary.tsx';
import { distributionChart, historyChart } from './tagCharts.ts';
import { useBucketLabel } from './useBucketLabel.ts';

/** How the tag came out in the latest build (coverage, distribution, numeric summary) and across builds. */
export function TagStats({ detail }: { detail: TagDetail }) {
  const { t, fmt, lang } = useI18n();
  const s = detail.stats;
  const label = useBucketLabel(detail.code, detail.valueType, detail.labels);
  const dist = useMemo(() => (s ? distributionChart(s.distribution, label, t('series.persons'), fmt) : null), [s, label, t, fmt]);
  const hist = useMemo(() => historyChart(detail.history, t('series.coverage'), fmt), [detail.history, t, fmt]);
  if (!s) return <div className="notice">{t('tags.notBuilt')}</div>;
  return (
    <>
      <div className="grid-2">
        <div className="card">
          <h2>{t('tags.coverage')}</h2>
          <div className="coverage-line">
            <span className="coverage-big" data-testid="tag-coverage" data-value={s.coverage}>
              {fmt.percent(s.coverage)}
            </span>
            <span className="muted">{t('tags.covered', { covered: fmt.number(s.covered), persons: fmt.number(s.persons) })}</span>
          </div>
          <div className="meter" aria-hidden="true">
            <div className="meter-fill" style={{ width: `${100 * s.coverage}%` }} />
          </div>
          <p className="muted small">{t('tags.builtAt', { at: fmt.dateTime(s.builtAt) })}</p>
          {s.numeric && <NumericSummary numeric={s.numeric} testId="tag-numeric" />}
        </div>
        <div className="card">
          <h2>{t('tags.distribution')}</h2>
          {s.distribution.length ? <Chart option={dist!} lang={lang} label="tag-distribution" height={260} /> : <p className="empty">{t('state.nothing')}</p>}
        </div>
      </div>
      <div className="card">
        <h2>{t('tags.history')}</h2>
        {detail.history.length ? <Chart option={hist} lang={lang} label="tag-history" height={220} /> : <p className="empty">{t('tags.noHistory')}</p>}
      </div>
    </>
  );
}
