import { useCallback, useMemo } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import { enumLabel } from '../../tagText.ts';
import type { RfmView as Rfm, Tag } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import { rfmSankey, rfmShareChart } from './segmentCharts.ts';

/**
 * The eight RFM classes of the last 365 days' buyers (GET /api/v1/segments/rfm): counts, share of buyers
 * and of spend, average R/F/M scores, and how people moved between classes since the previous build.
 */
export function RfmView({ tags }: { tags: Tag[] }) {
  const { t, fmt, lang } = useI18n();
  const rfm = useApi<Rfm>('/api/v1/segments/rfm');
  const labels = tags.find((x) => x.code === 'rfm_class')?.labels;
  const label = useCallback((c: string) => enumLabel('rfm_class', c, t, labels, lang), [t, labels, lang]);
  const shares = useMemo(() => (rfm.data ? rfmShareChart(rfm.data.classes, label, { buyers: t('seg.series.buyerShare'), gmv: t('seg.series.gmvShare') }, fmt) : null), [rfm.data, label, t, fmt]);
  const sankey = useMemo(
    () => (rfm.data?.movement.length ? rfmSankey(rfm.data.movement, label, { before: t('seg.rfm.before'), now: t('seg.rfm.now'), series: t('seg.rfm.movement') }, fmt) : null),
    [rfm.data, label, t, fmt],
  );
  if (rfm.status === 'loading' && !rfm.data) return <Loading />;
  if (rfm.status === 'error') return <ErrorBox message={rfm.error.message} onRetry={rfm.reload} />;
  const d = rfm.data!;
  const maxShare = Math.max(1e-9, ...d.classes.map((c) => Math.max(c.share, c.gmvShare)));
  const moved = d.movement.reduce((s, m) => s + m.count, 0);
  const segmentOf = (c: string) => navigate(`/segments/new?rule=${encodeURIComponent(JSON.stringify({ rfm: [c] }))}`);

  return (
    <div className="rfm-view" data-testid="rfm-view" data-buyers={d.buyers}>
      <div className="card">
        <div className="card-head">
          <h2>{t('seg.rfm.title')}</h2>
          <span className="muted small">{t('seg.rfm.buyers', { n: fmt.number(d.buyers) })}</span>
        </div>
        <p className="muted small">{t('seg.rfm.hint')}</p>
        {d.buyers === 0 && <div className="notice">{t('seg.rfm.noBuyers')}</div>}
        <div className="table-wrap">
          <table className="table" data-testid="rfm-classes">
            <thead>
              <tr>
                <th>{t('seg.rfm.class')}</th>
                <th className="num">{t('col.count')}</th>
                <th className="share-col">{t('seg.rfm.share')}</th>
                <th className="num">{t('seg.rfm.gmv')}</th>
                <th className="share-col">{t('seg.rfm.gmvShare')}</th>
                <th className="num">R</th>
                <th className="num">F</th>
                <th className="num">M</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {d.classes.map((c) => (
                <tr key={c.class} data-class={c.class} data-count={c.count}>
                  <td>
                    <span className={`seg-badge rfm-${c.class}`}>{label(c.class)}</span>
                  </td>
                  <td className="num">{fmt.number(c.count)}</td>
                  <td>
                    <div className="share">
                      <div className="share-bar" style={{ width: `${(70 * c.share) / maxShare}%` }} />
                      <span>{fmt.percent(c.share)}</span>
                    </div>
                  </td>
                  <td className="num">{fmt.money(c.gmv, 'CNY')}</td>
                  <td>
                    <div className="share">
                      <div className="share-bar gmv" style={{ width: `${(70 * c.gmvShare) / maxShare}%` }} />
                      <span data-gmv-share={c.gmvShare}>{fmt.percent(c.gmvShare)}</span>
                    </div>
                  </td>
                  <td className="num">{c.count ? fmt.decimal(c.avgR) : '—'}</td>
                  <td className="num">{c.count ? fmt.decimal(c.avgF) : '—'}</td>
                  <td className="num">{c.count ? fmt.decimal(c.avgM) : '—'}</td>
                  <td className="num">
                    <button type="button" className="btn ghost small" onClick={() => segmentOf(c.class)} disabled={!c.count} data-testid="rfm-make-segment">
                      {t('seg.makeSegment')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>{t('seg.rfm.chart')}</h2>
          {d.buyers > 0 ? <Chart option={shares!} lang={lang} label="rfm-shares" height={300} /> : <p className="empty">{t('state.nothing')}</p>}
        </div>
        <div className="card" data-testid="rfm-movement" data-moved={moved}>
          <div className="card-head">
            <h2>{t('seg.rfm.movement')}</h2>
            {d.previousBuild && <span className="muted small mono">{t('seg.rfm.previous', { id: d.previousBuild })}</span>}
          </div>
          {!d.previousBuild && <p className="muted">{t('seg.rfm.noPrevious')}</p>}
          {d.previousBuild && d.movement.length === 0 && <p className="muted">{t('seg.rfm.noMovement')}</p>}
          {sankey && <Chart option={sankey} lang={lang} label="rfm-sankey" height={Math.max(220, 36 * new Set(d.movement.map((m) => m.from)).size + 60)} />}
          {d.movement.length > 0 && (
            <table className="table compact" data-testid="rfm-movement-table">
              <thead>
                <tr>
                  <th>{t('seg.rfm.from')}</th>
                  <th>{t('seg.rfm.to')}</th>
                  <th className="num">{t('col.count')}</th>
                </tr>
              </thead>
              <tbody>
                {d.movement.map((m) => (
                  <tr key={`${m.from}>${m.to}`} data-from={m.from} data-to={m.to} data-count={m.count}>
                    <td>{label(m.from)}</td>
                    <td>→ {label(m.to)}</td>
                    <td className="num">{fmt.number(m.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </div>
  );
}
