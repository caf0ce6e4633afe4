import { useMemo, useState } from 'react';
import { apiSend, ApiError } from '../../api.ts';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import type { Segment } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import type { CouponTemplate, IssueResult, TemplateStats } from './types.ts';

const KINDS = ['threshold', 'amount_off', 'percent_off', 'free_shipping'] as const;

/** Coupon templates: create one, pick one to see its stats, issue it to a segment. */
export function CouponsView() {
  const { t } = useI18n();
  const list = useApi<{ templates: CouponTemplate[] }>('/api/v1/loyalty/coupons/templates');
  const [selected, setSelected] = useState<string | null>(null);
  if (list.status === 'error') return <ErrorBox message={list.error.message} onRetry={list.reload} />;
  if (!list.data) return <Loading />;
  const templates = list.data.templates;
  return (
    <div className="grid-2 loyalty-coupons">
      <div className="stack">
        <div className="card">
          <h3>{t('loy.cp.templates')}</h3>
          {templates.length === 0 ? <p className="muted">{t('loy.cp.none')}</p> : (
            <table className="table" data-testid="coupon-templates">
              <thead><tr><th>{t('loy.cp.name')}</th><th>{t('loy.cp.kind')}</th><th className="num">{t('loy.cp.issued')}</th><th className="num">{t('loy.cp.stock')}</th></tr></thead>
              <tbody>
                {templates.map((x) => (
                  <tr key={x.id} data-template={x.id} className={x.id === selected ? 'selected' : undefined} onClick={() => setSelected(x.id)} style={{ cursor: 'pointer' }}>
                    <td>{x.name}</td>
                    <td>{t(`loy.cp.kind.${x.kind}` as MessageKey)}</td>
                    <td className="num">{x.issued}</td>
                    <td className="num">{x.stock ?? t('loy.cp.unlimited')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <NewTemplate onCreated={(id) => { list.reload(); setSelected(id); }} />
      </div>
      <div>
        {selected ? <TemplateDetail key={selected} id={selected} onIssued={list.reload} /> : <div className="card muted">{t('loy.cp.pick')}</div>}
      </div>
    </div>
  );
}

function NewTemplate({ onCreated }: { onCreated(id: string): void }) {
  const { t } = useI18n();
  const [f, setF] = useState({ name: '', kind: 'threshold' as (typeof KINDS)[number], amount: '', percent: '', minSpend: '', validDays: '30', stock: '' });
  const [error, setError] = useState<string | null>(null);
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const submit = async () => {
    setError(null);
    try {
      const body = {
        name: f.name, kind: f.kind, amount: num(f.amount) ?? null, percent: num(f.percent) ?? null,
        minSpend: num(f.minSpend) ?? 0, validDays: num(f.validDays) ?? null, stock: num(f.stock) ?? null,
      };
      const created = await apiSend<CouponTemplate>('POST', '/api/v1/loyalty/coupons/templates', body);
      onCreated(created.id);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const field = (k: keyof typeof f, label: MessageKey, type = 'number') => (
    <label className="field">
      {t(label)}
      <input name={k} type={type} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} />
    </label>
  );
  return (
    <div className="card" data-testid="new-template">
      <h3>{t('loy.cp.new')}</h3>
      <div className="grid-2">
        {field('name', 'loy.cp.name', 'text')}
        <label className="field">
          {t('loy.cp.kind')}
          <select name="kind" value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value as (typeof KINDS)[number] })}>
            {KINDS.map((k) => <option key={k} value={k}>{t(`loy.cp.kind.${k}` as MessageKey)}</option>)}
          </select>
        </label>
        {f.kind === 'percent_off' ? field('percent', 'loy.cp.percent') : field('amount', 'loy.cp.amount')}
        {field('minSpend', 'loy.cp.minSpend')}
        {field('validDays', 'loy.cp.validDays')}
        {field('stock', 'loy.cp.stock')}
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      <button type="button" className="btn primary" onClick={() => void submit()} data-testid="create-template">{t('loy.cp.create')}</button>
    </div>
  );
}

function TemplateDetail({ id, onIssued }: { id: string; onIssued(): void }) {
  const { t, fmt, lang } = useI18n();
  const detail = useApi<{ template: CouponTemplate; stats: TemplateStats }>(`/api/v1/loyalty/coupons/templates/${encodeURIComponent(id)}`);
  const segments = useApi<{ segments: Segment[] }>('/api/v1/segments');
  const [segment, setSegment] = useState('');
  const [result, setResult] = useState<IssueResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const option = useMemo(() => detail.data && {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: detail.data.stats.daily.map((d) => d.date) },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', name: t('loy.cp.redeemed'), data: detail.data.stats.daily.map((d) => d.redeemed), barMaxWidth: 36 }],
  }, [detail.data, t]);
  if (detail.status === 'error') return <ErrorBox message={detail.error.message} onRetry={detail.reload} />;
  if (!detail.data) return <Loading />;
  const { template, stats } = detail.data;
  const issue = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await apiSend<IssueResult>('POST', `/api/v1/loyalty/coupons/templates/${encodeURIComponent(id)}/issue`, { segmentId: segment }));
      detail.reload();
      onIssued();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const figures: [MessageKey, string, string | number][] = [
    ['loy.cp.issued', fmt.number(stats.issued), stats.issued],
    ['loy.cp.redeemed', fmt.number(stats.redeemed), stats.redeemed],
    ['loy.cp.rate', stats.redemptionRate === null ? '–' : fmt.percent(stats.redemptionRate), stats.redemptionRate ?? ''],
    ['loy.cp.cost', fmt.money(stats.cost, 'CNY'), stats.cost],
    ['loy.cp.revenue', fmt.money(stats.revenue, 'CNY'), stats.revenue],
    ['loy.cp.stockLeft', stats.stockLeft === null ? t('loy.cp.unlimited') : fmt.number(stats.stockLeft), stats.stockLeft ?? ''],
  ];
  return (
    <div className="stack" data-testid="template-detail" data-template={template.id}>
      <div className="card">
        <h3>{template.name} <span className="badge">{t(`loy.cp.kind.${template.kind}` as MessageKey)}</span></h3>
        <div className="kpis" data-testid="coupon-stats">
          {figures.map(([label, text, value]) => (
            <div key={label} className="kpi" data-stat={label.split('.').pop()} data-value={value}>
              <div className="kpi-label">{t(label)}</div>
              <div className="kpi-value">{text}</div>
            </div>
          ))}
        </div>
      </div>
      <div className="card">
        <h3>{t('loy.cp.issueTo')}</h3>
        <div className="inline-form">
          <select name="segment" value={segment} onChange={(e) => setSegment(e.target.value)} data-testid="issue-segment">
            <option value="">{t('loy.cp.pickSegment')}</option>
            {(segments.data?.segments ?? []).map((s) => <option key={s.id} value={s.id}>{s.name} ({fmt.number(s.size)})</option>)}
          </select>
          <button type="button" className="btn primary" disabled={!segment || busy} onClick={() => void issue()} data-testid="issue-coupons">{t('loy.cp.issue')}</button>
        </div>
        {result && <p className="notice" data-testid="issue-result">{t('loy.cp.issueResult', { issued: result.issued, requested: result.requested, overLimit: result.overLimit, outOfStock: result.outOfStock })}</p>}
        {error && <p className="form-error" role="alert">{error}</p>}
      </div>
      {stats.issues.length > 0 && (
        <div className="card">
          <h3>{t('loy.cp.issues')}</h3>
          <table className="table" data-testid="coupon-issues">
            <thead><tr><th>{t('loy.cp.target')}</th><th className="num">{t('loy.cp.issued')}</th></tr></thead>
            <tbody>{stats.issues.map((i) => <tr key={i.issueId}><td>{i.target} · {i.targetRef}</td><td className="num">{i.issued} / {i.requested}</td></tr>)}</tbody>
          </table>
        </div>
      )}
      {option && stats.daily.length > 0 && (
        <div className="card">
          <h3>{t('loy.cp.daily')}</h3>
          <Chart option={option} lang={lang} height={220} label={t('loy.cp.daily')} />
        </div>
      )}
    </div>
  );
}
