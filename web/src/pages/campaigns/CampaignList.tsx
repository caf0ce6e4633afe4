import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { navigate, useLocation } from '../../router.ts';
import { useApi } from '../../useApi.ts';
import { CampaignActions, StatusBadge } from './CampaignActions.tsx';
import { CAMPAIGN_STATUSES, CONTROL_ARM, type CampaignResults, type CampaignRow } from './types.ts';

/** /campaigns: every campaign with its channel, status, audience, sends, conversions, owner and last change; filter by status. */
export function CampaignList({ rows, onChanged }: { rows: CampaignRow[]; onChanged(): void }) {
  const { t, fmt } = useI18n();
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const shown = status ? rows.filter((r) => r.status === status) : rows;
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const open = (id: string) => navigate(`/campaigns/${encodeURIComponent(id)}`);
  if (!rows.length) {
    return (
      <div className="card intro" data-testid="campaign-list-empty">
        <p className="muted">{t('cmp.list.empty')}</p>
        <button type="button" className="btn primary" onClick={() => navigate('/campaigns/new')}>
          + {t('cmp.tab.new')}
        </button>
      </div>
    );
  }
  return (
    <div className="card">
      <div className="segmented cmp-filter" role="group" aria-label={t('cmp.list.filter')}>
        {['', ...CAMPAIGN_STATUSES].map((s) => (
          <button
            key={s || 'all'}
            type="button"
            className={status === s ? 'active' : ''}
            data-filter={s || 'all'}
            aria-pressed={status === s}
            onClick={() => navigate(s ? `/campaigns?status=${s}` : '/campaigns', { replace: true })}
          >
            {s ? t(`cmp.status.${s}` as MessageKey) : t('cmp.list.all')} <span className="muted">{s ? (counts.get(s) ?? 0) : rows.length}</span>
          </button>
        ))}
      </div>
      {shown.length === 0 ? (
        <p className="empty">{t('cmp.list.noneWithStatus')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table clickable" data-testid="campaign-list">
            <thead>
              <tr>
                <th>{t('cmp.f.name')}</th>
                <th>{t('cmp.f.channel')}</th>
                <th>{t('cmp.f.status')}</th>
                <th className="num">{t('cmp.col.audience')}</th>
                <th className="num">{t('cmp.col.sent')}</th>
                <th className="num">{t('cmp.col.conversions')}</th>
                <th>{t('cmp.f.owner')}</th>
                <th>{t('cmp.col.updated')}</th>
                <th>{t('cmp.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c.id} onClick={() => open(c.id)} data-campaign={c.id} data-status={c.status}>
                  <td>
                    <a
                      href={`/campaigns/${encodeURIComponent(c.id)}`}
                      className="seg-name"
                      onClick={(e) => {
                        e.preventDefault();
                        e.stopPropagation();
                        open(c.id);
                      }}
                    >
                      {c.name}
                    </a>
                    <div className="muted small mono">{c.id}</div>
                  </td>
                  <td>{t(`cmp.channel.${c.channel}` as MessageKey)}</td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td className="num" data-col="audience">{c.counts ? fmt.number(c.counts.audience) : '—'}</td>
                  <td className="num" data-col="sent">{c.counts ? fmt.number(c.counts.sent) : '—'}</td>
                  <td className="num" data-col="conversions">
                    <Conversions row={c} />
                  </td>
                  <td>{c.owner}</td>
                  <td className="nowrap">{fmt.dateTime(c.updatedAt)}</td>
                  <td>
                    <CampaignActions campaign={c} onChanged={onChanged} small />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** Conversions of the treated arms, from the campaign's results (once it has run). */
function Conversions({ row }: { row: CampaignRow }) {
  const { fmt } = useI18n();
  const started = row.status !== 'draft' && !(row.status === 'scheduled' && !row.counts?.audience);
  const res = useApi<CampaignResults>(started ? `/api/v1/campaigns/${encodeURIComponent(row.id)}/results` : null);
  if (!started || !res.data) return <>—</>;
  const n = res.data.arms.filter((a) => a.arm !== CONTROL_ARM).reduce((s, a) => s + a.converted, 0);
  return <span data-value={n}>{fmt.number(n)}</span>;
}
