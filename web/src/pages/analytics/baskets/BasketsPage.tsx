import { useMemo, useState } from 'react';
import { Chart } from '../../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../../components/States.tsx';
import { useI18n } from '../../../i18n/index.tsx';
import type { BasketRule, BasketRules, BoughtTogether } from '../../../types.ts';
import { useApi } from '../../../useApi.ts';
import { pairsHeatmap } from './basketsCharts.ts';

type Level = 'item' | 'category';
type SortKey = 'support' | 'confidence' | 'lift' | 'count';
const PERIODS = [0, 30, 90, 365] as const;

/** The baskets report (docs/analytics-baskets.md): association rules, a heatmap of top pairs, "bought together" per item. */
export function BasketsPage() {
  const { t, fmt, lang } = useI18n();
  const [level, setLevel] = useState<Level>('item');
  const [days, setDays] = useState<number>(0);
  const [minSupport, setMinSupport] = useState(0.1);
  const [minConfidence, setMinConfidence] = useState(10);
  const [minLift, setMinLift] = useState(1);
  const [top, setTop] = useState(100);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'lift', desc: true });
  const [lookup, setLookup] = useState('');
  const [asked, setAsked] = useState<string | null>(null);

  const res = useApi<BasketRules>('/api/v1/analytics/baskets/rules', {
    level, minSupport: minSupport / 100, minConfidence: minConfidence / 100, minLift, top, ...(days ? { days } : {}),
  });
  const together = useApi<BoughtTogether>(asked ? `/api/v1/analytics/baskets/bought-together/${encodeURIComponent(asked)}` : null, { level, ...(days ? { days } : {}) });
  const data = res.data;
  const name = (k: string) => (data?.names[k] && data.names[k] !== k ? `${data.names[k]} (${k})` : k);
  const rules = useMemo(() => {
    if (!data) return [];
    const rs = [...data.rules];
    const v = (r: BasketRule) => (sort.key === 'count' ? r.count : r[sort.key]);
    rs.sort((a, b) => (sort.desc ? v(b) - v(a) : v(a) - v(b)));
    return rs;
  }, [data, sort]);
  const heat = useMemo(() => (data && data.topPairs.length ? pairsHeatmap(data, t('baskets.heatmap.series'), fmt) : null), [data, t, fmt]);
  const unit = t(level === 'item' ? 'baskets.level.item' : 'baskets.level.category');
  const ask = (k: string) => {
    setLookup(k);
    setAsked(k);
  };
  const th = (key: SortKey, label: string) => (
    <th className="num sortable" aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="link" data-sort={key} onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : true }))}>
        {label}{sort.key === key ? (sort.desc ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
  const num = (label: string, value: number, set: (n: number) => void, step: number, nameAttr: string) => (
    <label className="inline-field">
      <span>{label}</span>
      <input type="number" name={nameAttr} min={0} step={step} value={value} onChange={(e) => Number.isFinite(e.target.valueAsNumber) && set(e.target.valueAsNumber)} />
    </label>
  );

  return (
    <div className="baskets-page" data-testid="baskets-page">
      <div className="report-controls">
        <label className="inline-field">
          <span>{t('baskets.level')}</span>
          <select name="level" value={level} onChange={(e) => setLevel(e.target.value as Level)}>
            <option value="item">{t('baskets.level.item')}</option>
            <option value="category">{t('baskets.level.category')}</option>
          </select>
        </label>
        <label className="inline-field">
          <span>{t('baskets.period')}</span>
          <select name="days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {PERIODS.map((n) => <option key={n} value={n}>{n ? t('baskets.period.days', { n }) : t('baskets.period.all')}</option>)}
          </select>
        </label>
        {num(t('baskets.minSupport'), minSupport, setMinSupport, 0.01, 'minSupport')}
        {num(t('baskets.minConfidence'), minConfidence, setMinConfidence, 1, 'minConfidence')}
        {num(t('baskets.minLift'), minLift, setMinLift, 0.1, 'minLift')}
        {num(t('baskets.top'), top, setTop, 10, 'top')}
      </div>

      {res.status === 'error' && <ErrorBox message={res.error.message} onRetry={res.reload} />}
      {!data && res.status === 'loading' && <Loading />}
      {data && (
        <div className={`baskets-result${res.status === 'loading' ? ' stale' : ''}`} aria-busy={res.status === 'loading'} data-testid="baskets-result" data-status={res.status} data-rules={data.rules.length}>
          <p className="muted">{t('baskets.caption', { orders: fmt.number(data.orders), items: fmt.number(data.frequent.items), pairs: fmt.number(data.frequent.pairs), triples: fmt.number(data.frequent.triples), minCount: fmt.number(data.minCount), seconds: fmt.decimal(data.seconds, 2) })}</p>
          {data.skippedOrders > 0 && <div className="notice">{t('baskets.skipped', { n: fmt.number(data.skippedOrders), cap: data.thresholds.maxBasketItems, unit })}</div>}
          <div className="kpis">
            <Figure id="orders" label={t('baskets.kpi.orders')} value={fmt.number(data.orders)} />
            <Figure id="rules" label={t('baskets.kpi.rules')} value={fmt.number(data.rules.length)} />
            <Figure id="pairs" label={t('baskets.kpi.pairs')} value={fmt.number(data.frequent.pairs)} />
            <Figure id="triples" label={t('baskets.kpi.triples')} value={fmt.number(data.frequent.triples)} />
          </div>
          <div className="baskets-grid">
            <div className="card">
              <h2>{t('baskets.rules')}</h2>
              <p className="muted">{t('baskets.rules.hint')}</p>
              {rules.length === 0 ? <p className="empty">{t('baskets.empty')}</p> : (
                <div className="table-wrap baskets-rules">
                  <table className="table" data-testid="basket-rules">
                    <thead>
                      <tr>
                        <th>{t('baskets.col.antecedent')}</th>
                        <th>{t('baskets.col.consequent')}</th>
                        {th('support', t('baskets.col.support'))}
                        {th('confidence', t('baskets.col.confidence'))}
                        {th('lift', t('baskets.col.lift'))}
                        {th('count', t('baskets.col.count'))}
                      </tr>
                    </thead>
                    <tbody>
                      {rules.map((r) => (
                        <tr key={`${r.antecedent.join('+')}>${r.consequent}`}>
                          <td>{r.antecedent.map((k, i) => <span key={k}>{i > 0 && ' + '}<button type="button" className="link" onClick={() => ask(k)}>{name(k)}</button></span>)}</td>
                          <td>→ <button type="button" className="link" onClick={() => ask(r.consequent)}>{name(r.consequent)}</button></td>
                          <td className="num">{fmt.percent(r.support, 2)}</td>
                          <td className="num">{fmt.percent(r.confidence)}</td>
                          <td className="num">{fmt.decimal(r.lift, 2)}</td>
                          <td className="num">{fmt.number(r.count)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
            {heat && (
              <div className="card">
                <h2>{t('baskets.heatmap')}</h2>
                <Chart option={heat} lang={lang} label="baskets-heatmap" height={420} />
              </div>
            )}
          </div>
        </div>
      )}

      <div className="card" data-testid="bought-together">
        <h2>{t('baskets.together')}</h2>
        <form className="report-controls" onSubmit={(e) => { e.preventDefault(); if (lookup.trim()) setAsked(lookup.trim()); }}>
          <input type="text" name="itemId" value={lookup} placeholder={t('baskets.together.placeholder')} onChange={(e) => setLookup(e.target.value)} />
          <button type="submit" className="btn">{t('baskets.together.go')}</button>
        </form>
        {together.status === 'error' && <ErrorBox message={together.error.message} onRetry={together.reload} />}
        {asked && together.data && (
          <>
            <p className="muted">{t('baskets.together.caption', { key: asked, withKey: fmt.number(together.data.withKey), orders: fmt.number(together.data.orders) })}</p>
            {together.data.together.length === 0 ? <p className="empty">{t('baskets.together.none', { unit })}</p> : (
              <div className="table-wrap">
                <table className="table" data-testid="together-table">
                  <thead>
                    <tr>
                      <th>{t('baskets.col.item', { unit })}</th>
                      <th className="num">{t('baskets.col.together')}</th>
                      <th className="num">{t('baskets.col.confidence')}</th>
                      <th className="num">{t('baskets.col.lift')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {together.data.together.map((r) => (
                      <tr key={r.key}>
                        <td><button type="button" className="link" onClick={() => ask(r.key)}>{r.name !== r.key ? `${r.name} (${r.key})` : r.key}</button></td>
                        <td className="num">{fmt.number(r.count)}</td>
                        <td className="num">{fmt.percent(r.confidence)}</td>
                        <td className="num">{fmt.decimal(r.lift, 2)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}

function Figure({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div className="kpi" data-kpi={id}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
    </div>
  );
}
