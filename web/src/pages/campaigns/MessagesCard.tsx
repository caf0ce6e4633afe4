import { useEffect, useState } from 'react';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import { useApi } from '../../useApi.ts';
import { armName } from './campaignCharts.ts';
import { CONTROL_ARM, MESSAGE_STATUSES, SUPPRESSION_REASONS, type MessageRow } from './types.ts';

const LIMIT = 50;

/**
 * The campaign's delivery log (GET /api/v1/campaigns/:id/messages), newest first, filtered by status: who,
 * which arm, the status with the guard rail that suppressed it, attempts, when sent, opened and clicked, the
 * last error. Asked again with the page.
 */
export function MessagesCard({ id, tick }: { id: string; tick: number }) {
  const { t, fmt } = useI18n();
  const [status, setStatus] = useState('');
  const msgs = useApi<{ messages: MessageRow[] }>(`/api/v1/campaigns/${encodeURIComponent(id)}/messages`, { status: status || undefined, limit: LIMIT });
  useEffect(() => {
    if (tick) msgs.reload();
  }, [tick]); // eslint-disable-line react-hooks/exhaustive-deps
  const reason = (r: string | null) => (r === null ? '' : (SUPPRESSION_REASONS as readonly string[]).includes(r) ? t(`cmp.reason.${r}` as MessageKey) : r);
  const at = (s: string | null) => (s ? fmt.dateTime(s) : '—');
  return (
    <div className="card" data-testid="campaign-messages">
      <div className="card-head">
        <h2>{t('cmp.msg.title')}</h2>
        <label className="inline-field">
          <span>{t('cmp.f.status')}</span>
          <select name="messageStatus" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t('cmp.list.all')}</option>
            {MESSAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`cmp.msg.status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {msgs.status === 'error' && !msgs.data && <ErrorBox message={msgs.error.message} onRetry={msgs.reload} />}
      {!msgs.data && msgs.status !== 'error' && <Loading />}
      {msgs.data && msgs.data.messages.length === 0 && <p className="muted">{t('cmp.msg.none')}</p>}
      {msgs.data && msgs.data.messages.length > 0 && (
        <div className="table-wrap scroll-box">
          <table className="table compact">
            <thead>
              <tr>
                <th>{t('cmp.msg.user')}</th>
                <th>{t('cmp.res.arm')}</th>
                <th>{t('cmp.f.status')}</th>
                <th className="num">{t('cmp.msg.attempts')}</th>
                <th>{t('cmp.msg.sentAt')}</th>
                <th>{t('cmp.msg.openedAt')}</th>
                <th>{t('cmp.msg.clickedAt')}</th>
                <th>{t('cmp.msg.error')}</th>
              </tr>
            </thead>
            <tbody>
              {msgs.data.messages.map((m) => (
                <tr key={m.id} data-message={m.id} data-status={m.status} data-reason={m.reason ?? ''}>
                  <td>
                    <a
                      className="mono"
                      href={`/profiles/${encodeURIComponent(m.userId)}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`/profiles/${encodeURIComponent(m.userId)}`);
                      }}
                    >
                      {m.userId}
                    </a>
                  </td>
                  <td>{armName(m.arm, CONTROL_ARM, t)}</td>
                  <td>
                    <span className={`cmp-msg st-${m.status}`}>{t(`cmp.msg.status.${m.status}` as MessageKey)}</span>
                    {m.reason && <span className="muted small"> · {reason(m.reason)}</span>}
                  </td>
                  <td className="num">{m.attempts}</td>
                  <td className="nowrap">{at(m.sentAt)}</td>
                  <td className="nowrap">{at(m.openedAt)}</td>
                  <td className="nowrap">{at(m.clickedAt)}</td>
                  <td className="muted small clip">{m.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {msgs.data.messages.length === LIMIT && <p className="muted small">{t('cmp.msg.newest', { n: LIMIT })}</p>}
        </div>
      )}
    </div>
  );
}
