import { useMemo } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { TagValue } from '../../components/TagValue.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { TagPreview, TagSpec, ValueType } from '../../types.ts';
import { useBucketLabel } from './useBucketLabel.ts';
import { NumericSummary } from './NumericSummary.tsx';
import { usePreview } from './usePreview.ts';
import { distributionChart } from './tagCharts.ts';

/** The live preview beside the form: coverage, distribution and a sample of people, with the SQL it ran. */
export function PreviewPanel({ code, valueType, spec }: { code: string; valueType: ValueType; spec: TagSpec | null }) {
  const { t } = useI18n();
  const state = usePreview(valueType, spec);
  const shown = state.status === 'ok' ? state.result : state.status === 'running' ? state.last : null;
  return (
    <div className="card preview" data-testid="preview" data-status={state.status}>
      <div className="card-head">
        <h2>{t('preview.title')}</h2>
        {state.status === 'running' && (
          <span className="muted small" role="status">
            <span className="spinner inline" aria-hidden="true" /> {t('preview.running')}
          </span>
        )}
      </div>
      <p className="muted small">{t('preview.hint')}</p>
      {state.status === 'idle' && <p className="muted">{t('preview.waiting')}</p>}
      {state.status === 'error' && (
        <div className="form-error" role="alert" data-testid="preview-error">
          {t('preview.error', { msg: state.message })}
        </div>
      )}
      {shown && <PreviewResult code={code} valueType={valueType} result={shown} stale={state.status === 'running'} />}
    </div>
  );
}

function PreviewResult({ code, valueType, result, stale }: { code: string; valueType: ValueType; result: TagPreview; stale: boolean }) {
  const { t, fmt, lang } = useI18n();
  const label = useBucketLabel(code, valueType);
  const option = useMemo(() => distributionChart(result.distribution, label, t('series.persons'), fmt), [result, label, t, fmt]);
  return (
    <div className={stale ? 'stale' : ''}>
      <div className="coverage-line">
        <span className="coverage-big" data-testid="preview-coverage" data-value={result.coverage}>
          {fmt.percent(result.coverage)}
        </span>
        <span className="muted">{t('tags.covered', { covered: fmt.number(result.covered), persons: fmt.number(result.persons) })}</span>
      </div>
      {result.distribution.length > 0 && <Chart option={option} lang={lang} label="preview-distribution" height={220} />}
      {result.numeric && <NumericSummary numeric={result.numeric} testId="preview-numeric" />}
      {result.sample.length > 0 && (
        <>
          <h3>{t('preview.sample')}</h3>
          <table className="table compact" data-testid="preview-sample">
            <tbody>
              {result.sample.slice(0, 10).map((s) => (
                <tr key={s.userId}>
                  <td className="mono">
                    <a
                      href={`/profiles/${encodeURIComponent(s.userId)}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`/profiles/${encodeURIComponent(s.userId)}`);
                      }}
                    >
                      {s.userId}
                    </a>
                  </td>
                  <td className="num">
                    <TagValue tag={{ code, valueType }} value={s.value} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <details className="spec-json">
        <summary>{t('preview.sql')}</summary>
        <pre className="code" data-testid="preview-sql">{result.sql}</pre>
      </details>
    </div>
  );
}
