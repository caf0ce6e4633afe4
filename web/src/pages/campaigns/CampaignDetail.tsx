import { useEffect, useMemo, useState } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { enumLabel, tagName } from '../../tagText.ts';
import type { Segment, TagList } from '../../types.ts';
import { navigate } from '../../router.ts';
import { isNotFound, useApi } from '../../useApi.ts';
import { CampaignActions, StatusBadge } from './CampaignActions.tsx';
import { armName, funnelOption, upliftOption, type UpliftMetric } from './campaignCharts.ts';
import { AudienceText, ScheduleText } from './CampaignWizard.tsx';
import { ChangeHistory } from './ChangeHistory.tsx';
import { MessagesCard } from './MessagesCard.tsx';
import { EDITABLE_STATUSES, type ArmResult, type Campaign, type CampaignChange, type CampaignResults, type CampaignRow } from './types.ts';

/** A person without a value of the grouping tag (src/campaigns/results/outcomes.ts). */
const NO_VALUE = '(none)';

/** How often the live page asks again (ms). */
export const REFRESH_MS = 4000;

/** Re-asks the given loaders every REFRESH_MS while `live`; the count of ticks lets other cards follow. */
function useRefresh(live: boolean, ...reloads: (() => void)[]): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      reloads.forEach((r) => r());
      setTick((n) => n + 1);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [live]); // eslint-disable-line react-hooks/exhaustive-deps
  return tick;
}

/**
 * /campaigns/:id — the live results page: the campaign's settings and status actions; per arm the delivery
 * funnel, CTR/CVR, uplift against the control with its 95 % interval and p-value, the winner; results by
 * segment on request; the change history. Asks again every few seconds.
 */
export function CampaignDetail({ id, segments }: { id: string; segments: Segment[] }) {
  const { t, fmt } = useI18n();
  const path = `/api/v1/campaigns/${encodeURIComponent(id)}`;
  const camp = useApi<CampaignRow>(path);
  const [by, setBy] = useState<GroupBy>({ kind: 'segment', ids: [] });
  const byParam = by.kind === 'segment' ? (by.ids.length ? `segment:${by.ids.join(',')}` : undefined) : by.code ? `tag:${by.code}` : undefined;
  const results = useApi<CampaignResults>(camp.data && camp.data.status !== 'draft' ? `${path}/results` : null, byParam ? { by: byParam } : undefined);
  const changes = useApi<{ changes: CampaignChange[] }>(`${path}/changes`);
  const [live, setLive] = useState(true);
  const tick = useRefresh(live, camp.reload, results.reload, changes.reload);

  if (camp.status === 'error') {
    return isNotFound(camp.error) ? <div className="notice">{t('cmp.notFound', { id })}</div> : <ErrorBox message={camp.error.message} onRetry={camp.reload} />;
  }
  if (!camp.data) return <Loading />;
  const c = camp.data;
  const seg = 'segmentId' in c.audience ? segments.find((s) => s.id === (c.audience as { segmentId: string }).segmentId) : undefined;
  return (
    <div className="cmp-detail" data-testid="campaign-detail" data-campaign={c.id} data-status={c.status}>
      <div className="card">
        <div className="detail-head">
          <div>
            <h2 className="detail-title" data-testid="campaign-name">{c.name}</h2>
            <div className="badges">
              <StatusBadge status={c.status} />
              <span className="tbadge">{t(`cmp.channel.${c.channel}` as MessageKey)}</span>
              <span className="muted small mono">{c.id}</span>
            </div>
          </div>
          <div className="detail-actions-wrap">
            <div className="cmp-actions">
              <CampaignActions campaign={c} onChanged={() => (camp.reload(), changes.reload(), results.reload())} />
              {EDITABLE_STATUSES.includes(c.status) && (
                <button type="button" className="btn" onClick={() => navigate(`/campaigns/${encodeURIComponent(c.id)}/edit`)} data-action="edit">
                  {t('cmp.action.edit')}
                </button>
              )}
              <button type="button" className="btn" onClick={() => navigate(`/campaigns/new?from=${encodeURIComponent(c.id)}`)} data-action="copy">
                {t('cmp.action.copy')}
              </button>
            </div>
            <label className="not-toggle small">
              <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} data-testid="live-toggle" />
              {t('cmp.res.live', { s: REFRESH_MS / 1000 })}
            </label>
          </div>
        </div>
        <dl className="facts cmp-facts">
          <div className="fact"><dt>{t('cmp.step.audience')}</dt><dd><AudienceText audience={c.audience} segmentName={seg?.name} /></dd></div>
          <div className="fact"><dt>{t('cmp.step.goal')}</dt><dd>{t('cmp.goal.text', { event: c.goal.event, days: c.goal.windowDays })}{c.goal.category ? ` · ${c.goal.category}` : ''}</dd></div>
          <div className="fact"><dt>{t('cmp.f.schedule')}</dt><dd><ScheduleText schedule={c.schedule} />{c.sendTimeOptimisation ? ` · ${t('cmp.sched.sto')}` : ''}</dd></div>
          <div className="fact"><dt>{t('cmp.f.variants')}</dt><dd>{c.variants.map((v) => `${v.name} (${v.weight})`).join(' · ')} · {t('cmp.arm.control')} {fmt.percent(c.experiment.holdout, 0)}{c.experiment.autoWinner ? ` · ${t('cmp.res.autoWinnerText', { metric: t(`cmp.metric.${c.experiment.autoWinner.metric}` as MessageKey), n: fmt.number(c.experiment.autoWinner.minSample) })}` : ''}</dd></div>
          <div className="fact"><dt>{t('cmp.budget')}</dt><dd>{t('cmp.budget.maxSends')}: {c.budget.maxSends !== undefined ? fmt.number(c.budget.maxSends) : t('cmp.budget.unlimited')} · {t('cmp.budget.coupon')}: {c.budget.couponBudget !== undefined ? fmt.money(c.budget.couponBudget, 'CNY') : t('cmp.budget.unlimited')}</dd></div>
          <div className="fact"><dt>{t('cmp.f.owner')}</dt><dd>{c.owner} · {t('cmp.res.updated', { at: fmt.dateTime(c.updatedAt) })}</dd></div>
          {c.counts && (
            <div className="fact"><dt>{t('cmp.res.queue')}</dt><dd data-testid="queue-counts">{(['audience', 'queued', 'sent', 'suppressed', 'failed'] as const).map((k) => `${t(`cmp.count.${k}` as MessageKey)} ${fmt.number(c.counts![k])}`).join(' · ')}</dd></div>
          )}
        </dl>
      </div>
      {c.status === 'draft' ? (
        <div className="card intro muted" data-testid="results-draft">{t('cmp.res.draft')}</div>
      ) : (
        <>
          {c.nextRunAt && (c.status === 'scheduled' || c.status === 'paused') && (
            <div className="notice" data-testid="next-run">{t('cmp.res.nextRun', { at: fmt.dateTime(c.nextRunAt) })}</div>
          )}
          <Results state={results} segments={segments} by={by} setBy={setBy} />
        </>
      )}
      {c.status !== 'draft' && <MessagesCard id={c.id} tick={tick} />}
      <ChangeHistory state={changes} />
    </div>
  );
}

/** How the results are split: by saved segments, or by the values of a tag. */
type GroupBy = { kind: 'segment'; ids: string[] } | { kind: 'tag'; code: string };

function Results({ state, segments, by, setBy }: { state: ReturnType<typeof useApi<CampaignResults>>; segments: Segment[]; by: GroupBy; setBy(x: GroupBy): void }) {
  const { t, fmt, lang } = useI18n();
  const r = state.data;
  const funnel = useMemo(() => (r ? funnelOption(r.arms, r.control, t, fmt) : null), [r, t, fmt]);
  const [metric, setMetric] = useState<UpliftMetric>('cvr');
  const uplift = useMemo(() => (r ? upliftOption(r.arms, r.control, r.winner, t, fmt, metric) : null), [r, t, fmt, metric]);
  if (state.status === 'error' && !r) return <ErrorBox message={state.error.message} onRetry={state.reload} />;
  if (!r) return <Loading />;
  const hasUplift = r.arms.some((a) => a.arm !== r.control && (metric === 'gmv' ? a.gmvUplift : a.uplift));
  return (
    <>
      <div className="card" data-testid="campaign-results" data-winner={r.winner ?? ''}>
        <div className="card-head">
          <h2>{t('cmp.res.title')}</h2>
          <span className="muted small">{t('cmp.goal.text', { event: r.goal.event, days: r.goal.windowDays })}</span>
        </div>
        <p className="cmp-winner" data-testid="winner">
          {r.winner ? t('cmp.res.winner', { arm: r.winner }) : t('cmp.res.noWinner')}
        </p>
        <ArmsTable arms={r.arms} control={r.control} winner={r.winner} testid="arms-table" />
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>{t('cmp.res.funnel')}</h2>
          {funnel && <Chart option={funnel} lang={lang} height={300} label={t('cmp.res.funnel')} />}
        </div>
        <div className="card" data-testid="uplift-card" data-metric={metric}>
          <div className="card-head">
            <h2>{t(metric === 'gmv' ? 'cmp.res.upliftChartGmv' : 'cmp.res.upliftChart')}</h2>
            <div className="segmented small" role="group" aria-label={t('cmp.exp.metric')}>
              {(['cvr', 'gmv'] as const).map((m) => (
                <button key={m} type="button" className={metric === m ? 'active' : ''} aria-pressed={metric === m} data-metric={m} onClick={() => setMetric(m)}>
                  {t(m === 'cvr' ? 'cmp.metric.cvr' : 'cmp.res.gmvPerPerson')}
                </button>
              ))}
            </div>
          </div>
          {hasUplift && uplift ? <Chart option={uplift} lang={lang} height={300} label={t('cmp.res.upliftChart')} /> : <p className="empty">{t('cmp.res.noUplift')}</p>}
          <p className="muted small">{t(metric === 'gmv' ? 'cmp.res.upliftHintGmv' : 'cmp.res.upliftHint')}</p>
        </div>
      </div>
      <BySegment groups={r.groups} control={r.control} segments={segments} by={by} setBy={setBy} loading={state.status === 'loading'} />
    </>
  );
}

function ArmsTable({ arms, control, winner, testid }: { arms: ArmResult[]; control: string; winner: string | null; testid?: string }) {
  const { t, fmt } = useI18n();
  const pp = (x: number) => `${x > 0 ? '+' : ''}${fmt.decimal(x * 100, 2)}`;
  return (
    <div className="table-wrap">
      <table className="table compact cmp-arms" data-testid={testid}>
        <thead>
          <tr>
            <th>{t('cmp.res.arm')}</th>
            {(['audience', 'sent', 'delivered', 'opened', 'clicked', 'converted'] as const).map((s) => (
              <th key={s} className="num">{t(`cmp.stage.${s}`)}</th>
            ))}
            <th className="num">{t('cmp.res.gmv')}</th>
            <th className="num">CTR</th>
            <th className="num">CVR</th>
            <th className="num">{t('cmp.res.uplift')} ({t('cmp.pp')})</th>
            <th className="num">95% CI</th>
            <th className="num">{t('cmp.res.relative')}</th>
            <th className="num">p</th>
          </tr>
        </thead>
        <tbody>
          {arms.map((a) => (
            <tr key={a.arm} data-arm={a.arm} className={a.arm === winner ? 'chosen' : ''}>
              <td>
                {armName(a.arm, control, t)}
                {a.arm === winner && <span className="cmp-status st-winner">{t('cmp.res.winnerBadge')}</span>}
              </td>
              {(['audience', 'sent', 'delivered', 'opened', 'clicked', 'converted'] as const).map((s) => (
                <td key={s} className="num" data-col={s} data-value={a[s]}>
                  {a.arm === control && s !== 'audience' && s !== 'converted' ? '—' : fmt.number(a[s])}
                </td>
              ))}
              <td className="num" data-col="gmv">{fmt.money(a.gmv, 'CNY')}</td>
              <td className="num" data-col="ctr">{a.arm === control ? '—' : fmt.percent(a.ctr, 2)}</td>
              <td className="num" data-col="cvr" data-value={a.cvr}>{fmt.percent(a.cvr, 2)}</td>
              <td className="num" data-col="uplift">{a.uplift ? pp(a.uplift.absolute) : '—'}</td>
              <td className="num" data-col="ci">{a.uplift ? `[${pp(a.uplift.ci[0])}, ${pp(a.uplift.ci[1])}]` : '—'}</td>
              <td className="num">{a.uplift && a.uplift.relative !== null && Number.isFinite(a.uplift.relative) ? `${a.uplift.relative > 0 ? '+' : ''}${fmt.percent(a.uplift.relative, 1)}` : '—'}</td>
              <td className={`num${a.uplift && a.uplift.pValue < 0.05 ? ' cmp-sig' : ''}`} data-col="p">{a.uplift ? fmt.decimal(a.uplift.pValue, 4) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Results by segment (pick saved segments) or by a tag's values; each group is its own arms table. */
function BySegment({ groups, control, segments, by, setBy, loading }: { groups: CampaignResults['groups']; control: string; segments: Segment[]; by: GroupBy; setBy(x: GroupBy): void; loading: boolean }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const tags = useApi<TagList>(open && by.kind === 'tag' ? '/api/v1/tags' : null);
  const splittable = (tags.data?.tags ?? []).filter((x) => x.status === 'active' && (x.valueType === 'enum' || x.valueType === 'boolean'));
  const tag = by.kind === 'tag' ? splittable.find((x) => x.code === by.code) : undefined;
  const names = new Map(segments.map((s) => [s.id, s.name]));
  const label = (key: string) => {
    if (by.kind === 'segment') return names.get(key) ?? key;
    if (key === NO_VALUE) return t('cmp.res.noValue');
    if (tag?.valueType === 'boolean') return key === 'true' || key === '1' ? t('cmp.res.yes') : key === 'false' || key === '0' ? t('cmp.res.no') : key;
    return enumLabel(by.code, key, t, tag?.labels, lang);
  };
  const asked = by.kind === 'segment' ? by.ids.length > 0 : by.code !== '';
  return (
    <div className="card" data-testid="results-by-segment">
      <div className="card-head">
        <h2>{t('cmp.res.bySegment')}</h2>
        {!open && (
          <button type="button" className="btn small" onClick={() => setOpen(true)} data-testid="open-by-segment">
            {t('cmp.res.bySegmentOpen')}
          </button>
        )}
      </div>
      {open && (
        <>
          <div className="segmented small cmp-by" role="group" aria-label={t('cmp.res.bySegment')}>
            {(['segment', 'tag'] as const).map((k) => (
              <button key={k} type="button" className={by.kind === k ? 'active' : ''} data-by={k} aria-pressed={by.kind === k} onClick={() => by.kind !== k && setBy(k === 'segment' ? { kind: 'segment', ids: [] } : { kind: 'tag', code: '' })}>
                {t(k === 'segment' ? 'cmp.res.bySegments' : 'cmp.res.byTag')}
              </button>
            ))}
          </div>
          {by.kind === 'segment' && (
            <>
              {!segments.length && <p className="muted">{t('cmp.aud.noSegments')}</p>}
              <div className="choice-list">
                {segments.map((s) => {
                  const on = by.ids.includes(s.id);
                  return (
                    <label key={s.id} className={`chip${on ? ' on' : ''}`}>
                      <input type="checkbox" checked={on} data-segment={s.id} onChange={() => setBy({ kind: 'segment', ids: on ? by.ids.filter((x) => x !== s.id) : [...by.ids, s.id] })} />
                      {s.name}
                    </label>
                  );
                })}
              </div>
            </>
          )}
          {by.kind === 'tag' && (
            <select name="byTag" value={by.code} onChange={(e) => setBy({ kind: 'tag', code: e.target.value })} className={by.code ? '' : 'placeholder'}>
              <option value="">{t('cmp.res.pickTag')}</option>
              {splittable.map((x) => (
                <option key={x.code} value={x.code}>
                  {tagName(x, lang)}
                </option>
              ))}
            </select>
          )}
          {asked && loading && !groups && <Loading />}
          {asked &&
            groups?.map((g) => (
              <div key={g.key} className="cmp-group" data-group={g.key}>
                <h3>{label(g.key)}</h3>
                <ArmsTable arms={g.arms} control={control} winner={null} />
              </div>
            ))}
        </>
      )}
    </div>
  );
}
