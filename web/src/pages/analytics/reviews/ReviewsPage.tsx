import { useMemo, useState } from 'react';
import { Chart } from '../../../components/Chart.tsx';
import { RangePicker } from '../../../components/RangePicker.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { addDays } from '../../../dates.ts';
import { useI18n } from '../../../i18n/index.tsx';
import type { ReviewsReport } from '../../../types.ts';
import { useApi } from '../../../useApi.ts';
import { useReportQuery } from '../useReportQuery.ts';
import { reviewsCharts } from './reviewsCharts.ts';

type By = ReviewsReport['by'];
type Lang = ReviewsReport['lang'];

/** The reviews report (docs/analytics-reviews.md): ratings, sentiment over time and by group, terms and aspects. */
export function ReviewsPage() {
  const { t, fmt, lang: uiLang } = useI18n();
  const report = useReportQuery(90);
  const [by, setBy] = useState<By>('category');
  const [lang, setLang] = useState<Lang>('all');
  const res = useApi<ReviewsReport>('/api/v1/analytics/reviews', { ...report.range, by, lang });
  const data = res.data;
  const aspectName = (a: ReviewsReport['aspects'][number]) => (uiLang === 'en' ? a.name_en : a.name_zh);
  const charts = useMemo(() => (data ? reviewsCharts(data, t, fmt, aspectName) : null), [data, t, fmt, uiLang]); // eslint-disable-line react-hooks/exhaustive-deps
  const share = (x: number | null) => (x === null ? '—' : fmt.percent(x));
  const stars = (x: number | null) => (x === null ? '—' : fmt.decimal(x, 2));

  return (
    <div className="reviews-page" data-testid="reviews-page">
      <div className="report-controls">
        <RangePicker selection={report.selection} shown={data ? data.range : null} tz={report.tz} onSelect={report.setSelection} onTz={report.setTz} />
        <div className="segmented" role="group" aria-label={t('reviews.by')}>
          {(['category', 'brand', 'item'] as const).map((b) => (
            <button type="button" key={b} data-by={b} className={b === by ? 'active' : ''} aria-pressed={b === by} onClick={() => setBy(b)}>
              {t(`reviews.by.${b}`)}
            </button>
          ))}
        </div>
        <label className="inline-field">
          <span>{t('reviews.lang')}</span>
          <select name="lang" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            {(['all', 'zh', 'en'] as const).map((l) => <option key={l} value={l}>{t(`reviews.lang.${l}`)}</option>)}
          </select>
        </label>
      </div>

      {res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {!data && res.status === 'loading' && <Loading />}
      {data && charts && (
        <div className={`reviews-result ${res.status === 'loading' ? 'stale' : ''}`} aria-busy={res.status === 'loading'} data-testid="reviews-result" data-status={res.status}
          data-reviews={data.totals.reviews} data-ratings={data.ratings.map((r) => r.count).join(',')} data-positive={data.totals.positiveShare ?? ''}>
          <p className="muted">{t('reviews.caption', { from: data.range.from, to: addDays(data.range.to, -1), tz: data.range.tz })}</p>
          {data.totals.reviews === 0 && <div className="notice">{t('reviews.empty')}</div>}
          {data.totals.capped && <div className="notice" data-testid="reviews-capped">{t('reviews.capped', { n: fmt.number(data.totals.withText), cap: fmt.number(data.totals.cap) })}</div>}

          <div className="kpis">
            <div className="kpi" data-kpi="reviews" data-value={data.totals.reviews}>
              <div className="kpi-label">{t('reviews.kpi.reviews')}</div>
              <div className="kpi-value">{fmt.number(data.totals.reviews)}</div>
              <div className="kpi-delta none">{t('reviews.kpi.rated', { n: fmt.number(data.totals.rated) })}</div>
            </div>
            <div className="kpi" data-kpi="avgRating" data-value={data.totals.avgRating ?? ''}>
              <div className="kpi-label">{t('reviews.kpi.avgRating')}</div>
              <div className="kpi-value">{stars(data.totals.avgRating)}</div>
              <div className="kpi-delta none">★ 1–5</div>
            </div>
            <div className="kpi" data-kpi="positive" data-value={data.totals.positiveShare ?? ''}>
              <div className="kpi-label">{t('reviews.kpi.positive')}</div>
              <div className="kpi-value">{share(data.totals.positiveShare)}</div>
              <div className="kpi-delta none">{t('reviews.model')}</div>
            </div>
            <div className="kpi" data-kpi="scored" data-value={data.totals.scored}>
              <div className="kpi-label">{t('reviews.kpi.scored')}</div>
              <div className="kpi-value">{fmt.number(data.totals.scored)}</div>
              <div className="kpi-delta none">{t('reviews.kpi.withText', { n: fmt.number(data.totals.withText) })}</div>
            </div>
          </div>

          <div className="grid-2">
            <div className="card">
              <h2>{t('reviews.ratings')}</h2>
              <Chart option={charts.ratings} lang={uiLang} label="reviews-ratings" height={280} />
            </div>
            <div className="card">
              <h2>{t('reviews.trend')}</h2>
              <Chart option={charts.trend} lang={uiLang} label="reviews-trend" height={280} />
            </div>
          </div>

          {data.groupTrend.length > 0 && (
            <div className="card">
              <h2>{t('reviews.groupTrend')}</h2>
              <Chart option={charts.groupTrend} lang={uiLang} label="reviews-group-trend" height={300} />
            </div>
          )}

          <div className="card">
            <h2>{t('reviews.groups')}</h2>
            <div className="table-wrap">
              <table className="table reviews-groups" data-testid="reviews-groups">
                <thead>
                  <tr>
                    <th>{t('reviews.col.group')}</th>
                    <th className="num">{t('reviews.col.reviews')}</th>
                    <th className="num">{t('reviews.col.avgRating')}</th>
                    <th>{t('reviews.col.positive')}</th>
                    <th className="num">{t('reviews.col.scored')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.groups.map((g) => (
                    <tr key={g.key} data-group={g.key} data-reviews={g.reviews}>
                      <td>{g.label}{g.label !== g.key && <span className="muted"> · {g.key}</span>}</td>
                      <td className="num">{fmt.number(g.reviews)}</td>
                      <td className="num">{stars(g.avgRating)}</td>
                      <td>
                        {g.positiveShare !== null && (
                          <span className="share-bar" title={share(g.positiveShare)}>
                            <span className="share-bar-fill" style={{ width: `${(g.positiveShare * 100).toFixed(1)}%` }} />
                          </span>
                        )}
                        <span className="num"> {share(g.positiveShare)}</span>
                      </td>
                      <td className="num">{fmt.number(g.scored)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>

          <div className="grid-2">
            <div className="card">
              <h2>{t('reviews.terms.positive')}</h2>
              <p className="muted small">{t('reviews.terms.hint')}</p>
              {data.terms.positive.length ? <Chart option={charts.positiveTerms} lang={uiLang} label="reviews-terms-positive" height={Math.max(180, 22 * data.terms.positive.length + 30)} /> : <p className="muted">{t('reviews.terms.none')}</p>}
            </div>
            <div className="card">
              <h2>{t('reviews.terms.negative')}</h2>
              <p className="muted small">{t('reviews.terms.hint')}</p>
              {data.terms.negative.length ? <Chart option={charts.negativeTerms} lang={uiLang} label="reviews-terms-negative" height={Math.max(180, 22 * data.terms.negative.length + 30)} /> : <p className="muted">{t('reviews.terms.none')}</p>}
            </div>
          </div>

          <div className="card">
            <h2>{t('reviews.aspects')}</h2>
            <Chart option={charts.aspects} lang={uiLang} label="reviews-aspects" height={Math.max(200, 30 * charts.aspectRows + 60)} />
          </div>

          <div className="card reviews-models" data-testid="reviews-models">
            <h2>{t('reviews.model')}</h2>
            <ul>
              {(['zh', 'en'] as const).map((l) => {
                const m = data.models[l];
                const acc = m.heldOutAccuracy === null ? '—' : fmt.percent(m.heldOutAccuracy);
                return (
                  <li key={l} data-lang={l} data-source={m.source}>
                    {t(m.source === 'shop' ? 'reviews.model.shop' : 'reviews.model.default', { lang: t(`reviews.lang.${l}`), on: m.trainedOn, acc })}
                  </li>
                );
              })}
            </ul>
            <p className="muted small"><code>{t('reviews.model.retrain')}</code></p>
          </div>
        </div>
      )}
    </div>
  );
}
