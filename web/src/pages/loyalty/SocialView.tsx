import { useMemo, useState } from 'react';
import { GraphChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import { apiSend, ApiError } from '../../api.ts';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useApi } from '../../useApi.ts';
import type { InfluenceRow, ShareGraph } from './types.ts';

// the graph series is drawn only here, so it is registered here rather than in the shared Chart
echarts.use([GraphChart]);

/** The share graph (ECharts force layout), the KOL list and the referral leaderboard. */
export function SocialView() {
  const { t, lang } = useI18n();
  const graph = useApi<ShareGraph>('/api/v1/loyalty/social/graph', { limit: 150 });
  const kols = useApi<{ kols: InfluenceRow[] }>('/api/v1/loyalty/social/kols', { limit: 50 });
  const board = useApi<{ leaderboard: InfluenceRow[] }>('/api/v1/loyalty/social/leaderboard', { limit: 20 });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const option = useMemo(() => {
    if (!graph.data || graph.data.nodes.length === 0) return null;
    const max = Math.max(...graph.data.nodes.map((n) => n.score), 1);
    return {
      tooltip: {},
      series: [{
        type: 'graph', layout: 'force', roam: true, draggable: true,
        force: { repulsion: 60, edgeLength: [20, 80] },
        data: graph.data.nodes.map((n) => ({
          id: n.id, name: n.id, value: Math.round(n.score * 100) / 100,
          symbolSize: 6 + 30 * Math.sqrt(n.score / max),
          itemStyle: { color: n.isKol ? '#ef4f6d' : '#3461ff' },
        })),
        links: graph.data.links.map((l) => ({ source: l.source, target: l.target, value: l.shares, lineStyle: { width: 0.5 + Math.min(4, l.visits + l.orders) } })),
        edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 5,
        lineStyle: { color: 'source', opacity: 0.5, curveness: 0.15 },
      }],
    };
  }, [graph.data]);
  const compute = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiSend('POST', '/api/v1/loyalty/social/compute', {});
      graph.reload();
      kols.reload();
      board.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  if (graph.status === 'error') return <ErrorBox message={graph.error.message} onRetry={graph.reload} />;
  return (
    <div className="stack loyalty-social">
      <div className="card">
        <div className="page-head">
          <div>
            <h3>{t('loy.so.graph')}</h3>
            <p className="muted">{t('loy.so.graphHint')}</p>
          </div>
          <button type="button" className="btn" disabled={busy} onClick={() => void compute()} data-testid="compute-influence">{t('loy.so.compute')}</button>
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
        {!graph.data ? <Loading /> : option ? <Chart option={option} lang={lang} height={460} label={t('loy.so.graph')} /> : <p className="muted">{t('loy.so.empty')}</p>}
      </div>
      <div className="grid-2">
        <Ranking title="loy.so.kols" rows={kols.data?.kols} testid="kol-list" />
        <Ranking title="loy.so.leaderboard" rows={board.data?.leaderboard} testid="leaderboard" />
      </div>
    </div>
  );
}

function Ranking({ title, rows, testid }: { title: MessageKey; rows?: InfluenceRow[]; testid: string }) {
  const { t, fmt } = useI18n();
  return (
    <div className="card">
      <h3>{t(title)}</h3>
      {!rows ? <Loading /> : rows.length === 0 ? <p className="muted">{t('loy.so.empty')}</p> : (
        <table className="table" data-testid={testid}>
          <thead>
            <tr><th>{t('loy.so.user')}</th><th className="num">{t('loy.so.score')}</th><th className="num">{t('loy.so.shares')}</th><th className="num">{t('loy.so.visits')}</th><th className="num">{t('loy.so.orders')}</th><th className="num">{t('loy.so.revenue')}</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.userId}>
                <td><a href={`/profiles/${encodeURIComponent(r.userId)}`}>{r.userId}</a></td>
                <td className="num">{r.score.toFixed(2)}</td>
                <td className="num">{fmt.number(r.shares)}</td>
                <td className="num">{fmt.number(r.visits)}</td>
                <td className="num">{fmt.number(r.orders)}</td>
                <td className="num">{fmt.money(r.revenue, 'CNY')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
