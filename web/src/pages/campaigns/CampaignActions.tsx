import { useState } from 'react';
import { apiSend } from '../../api.ts';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import type { Campaign, CampaignStatus } from './types.ts';

/** The status as a coloured badge. */
export function StatusBadge({ status }: { status: CampaignStatus | string }) {
  const { t } = useI18n();
  return (
    <span className={`cmp-status st-${status}`} data-status={status}>
      {t(`cmp.status.${status}` as MessageKey)}
    </span>
  );
}

type Action = 'start' | 'schedule' | 'pause' | 'resume' | 'cancel';

/** What a campaign in each status can be told to do (src/campaigns/status.ts holds the machine). */
export function actionsFor(c: Pick<Campaign, 'status' | 'schedule'>): Action[] {
  switch (c.status) {
    case 'draft':
      return [c.schedule.kind === 'now' ? 'start' : 'schedule', 'cancel'];
    case 'scheduled':
      return ['pause', 'cancel'];
    case 'running':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    default:
      return [];
  }
}

/**
 * The status buttons (POST /api/v1/campaigns/:id/{start|schedule|pause|resume|cancel}); cancelling asks first.
 * A refused change (409, invalid transition) shows the server's message.
 */
export function CampaignActions({ campaign, onChanged, small }: { campaign: Campaign; onChanged(c: Campaign): void; small?: boolean }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (a: Action) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await apiSend<Campaign>('POST', `/api/v1/campaigns/${encodeURIComponent(campaign.id)}/${a}`, {}));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
      setConfirm(false);
    }
  };
  const actions = actionsFor(campaign);
  if (!actions.length) return null;
  const cls = small ? 'btn small' : 'btn';
  return (
    <div className="cmp-actions" onClick={(e) => e.stopPropagation()}>
      {actions.map((a) =>
        a === 'cancel' ? (
          confirm ? (
            <span key={a} className="confirm">
              {t('cmp.action.confirmCancel')}
              <button type="button" className={`${cls} danger`} disabled={busy} onClick={() => void run('cancel')} data-action="confirm-cancel">
                {t('cmp.action.cancel')}
              </button>
              <button type="button" className={cls} onClick={() => setConfirm(false)}>
                {t('cmp.action.keep')}
              </button>
            </span>
          ) : (
            <button key={a} type="button" className={`${cls} danger`} disabled={busy} onClick={() => setConfirm(true)} data-action="cancel">
              {t('cmp.action.cancel')}
            </button>
          )
        ) : (
          <button key={a} type="button" className={a === 'start' || a === 'resume' ? `${cls} primary` : cls} disabled={busy} onClick={() => void run(a)} data-action={a}>
            {t(`cmp.action.${a}` as MessageKey)}
          </button>
        ),
      )}
      {error && (
        <span className="form-error small" role="alert" data-testid="action-error">
          {error}
        </span>
      )}
    </div>
  );
}
