import { useMemo } from 'react';
import { Tabs } from '../../components/Tabs.tsx';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useApi } from '../../useApi.ts';
import { CouponsView } from './CouponsView.tsx';
import { SocialView } from './SocialView.tsx';
import type { EarnRule, LoyaltyOverview, Tier } from './types.ts';

const TABS = ['overview', 'coupons', 'social'] as const;
type Tab = (typeof TABS)[number];
const tabPath = (tab: Tab) => (tab === 'overview' ? '/loyalty' : `/loyalty/${tab}`);

/** The loyalty area: /loyalty (overview), /loyalty/coupons, /loyalty/social. */
export function LoyaltyPage({ route }: { route: string[] }) {
  const { t } = useI18n();
  const [first = ''] = route;
  const tab: Tab = (TABS as readonly string[]).includes(first) ? (first as Tab) : 'overview';
  return (
    <section className="page loyalty-page">
      <header className="page-head">
        <div>
          <h1>{t('loy.title')}</h1>
          <p className="muted">{t('loy.tagline')}</p>
        </div>
      </header>
      <Tabs tabs={TABS} label={t('loy.title')} active={tab} current={tab} path={tabPath} name={(x) => t(`loy.tab.${x}` as MessageKey)} />
      {tab === 'overview' && <OverviewView />}
      {tab === 'coupons' && <CouponsView />}
      {tab === 'social' && <SocialView />}
    </section>
  );
}

function OverviewView() {
  const { t, fmt, lang } = useI18n();
  const ov = useApi<LoyaltyOverview>('/api/v1/loyalty/overview');
  const rules = useApi<{ rules: EarnRule[] }>('/api/v1/loyalty/rules');
  const tiers = useApi<{ tiers: Tier[]; members: { tier: string | null; members: number }[] }>('/api/v1/loyalty/tiers');
  const option = useMemo(() => {
    if (!tiers.data) return null;
    const count = new Map(tiers.data.members.map((m) => [m.tier, m.members]));
    const names = tiers.data.tiers.map((x) => (lang === 'en' ? x.name_en : x.name_zh));
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: [...names, t('loy.tiers.none')] },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: [...tiers.data.tiers.map((x) => count.get(x.code) ?? 0), count.get(null) ?? 0], barMaxWidth: 48 }],
    };
  }, [tiers.data, lang, t]);
  if (ov.status === 'error') return <ErrorBox message={ov.error.message} onRetry={ov.reload} />;
  if (!ov.data) return <Loading />;
  const d = ov.data;
  const kpis: [MessageKey, number, string][] = [
    ['loy.kpi.members', d.members, 'members'],
    ['loy.kpi.outstanding', d.pointsOutstanding, 'outstanding'],
    ['loy.kpi.earned30', d.last30Days.earn?.points ?? 0, 'earned'],
    ['loy.kpi.redeemed30', -(d.last30Days.redeem?.points ?? 0), 'redeemed'],
  ];
  return (
    <div className="stack" data-testid="loyalty-overview">
      <div className="kpis">
        {kpis.map(([label, value, id]) => (
          <div key={id} className="kpi" data-kpi={id} data-value={value}>
            <div className="kpi-label">{t(label)}</div>
            <div className="kpi-value">{fmt.number(value)}</div>
          </div>
        ))}
      </div>
      <div className="grid-2">
        <div className="card">
          <h3>{t('loy.tiers')}</h3>
          {option ? <Chart option={option} lang={lang} height={260} label={t('loy.tiers')} /> : <Loading />}
        </div>
        <div className="card">
          <h3>{t('loy.rules')}</h3>
          {rules.data ? (
            <div className="table-wrap">
              <table className="table" data-testid="loyalty-rules">
                <thead>
                  <tr><th>{t('loy.col.rule')}</th><th>{t('loy.col.params')}</th><th>{t('loy.col.caps')}</th><th>{t('loy.col.active')}</th></tr>
                </thead>
                <tbody>
                  {rules.data.rules.map((r) => (
                    <tr key={r.code} data-rule={r.code}>
                      <td>{lang === 'en' ? r.name_en : r.name_zh} <span className="muted">{r.kind}</span></td>
                      <td><code>{JSON.stringify(r.params)}</code></td>
                      <td className="num">{r.dailyCap ?? t('loy.noCap')} / {r.monthlyCap ?? t('loy.noCap')}</td>
                      <td>{r.active ? t('loy.yes') : t('loy.no')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : <Loading />}
        </div>
      </div>
    </div>
  );
}
