import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { audienceOf, type Draft } from './draft.ts';
import type { PostState } from './useDebouncedPost.ts';

/**
 * Beside the wizard: the audience's live count (POST /api/v1/campaigns/audience/count, 0.5 s after the last
 * change) and how it splits into the control and the variants by the holdout and the weights.
 */
export function WizardSummary({ draft, count }: { draft: Draft; count: PostState<{ count: number; unknown?: number }> }) {
  const { t, fmt } = useI18n();
  const shown = count.status === 'ok' ? count.result : count.status === 'idle' ? null : count.last;
  const holdout = Math.min(Math.max(Number(draft.holdout) || 0, 0), 99) / 100;
  const total = draft.variants.reduce((s, v) => s + (Number(v.weight) > 0 ? Number(v.weight) : 0), 0);
  return (
    <div className="card cmp-summary preview" data-testid="audience-count" data-status={count.status}>
      <div className="card-head">
        <h2>{t('cmp.count.title')}</h2>
        {count.status === 'running' && (
          <span className="muted small" role="status">
            <span className="spinner inline" aria-hidden="true" /> {t('cmp.count.running')}
          </span>
        )}
      </div>
      {!audienceOf(draft) && <p className="muted">{t('cmp.count.waiting')}</p>}
      {count.status === 'error' && (
        <div className="form-error" role="alert">
          {t('cmp.count.error', { msg: count.message })}
        </div>
      )}
      {shown && audienceOf(draft) && (
        <div className={count.status === 'running' ? 'stale' : ''}>
          <div className="count-line">
            <span className="count-big" data-testid="live-count" data-value={shown.count}>
              {fmt.number(shown.count)}
            </span>
            <span className="muted">{t('cmp.count.people')}</span>
          </div>
          {(shown.unknown ?? 0) > 0 && (
            <div className="notice small" data-testid="unknown-ids" data-value={shown.unknown}>
              {t('cmp.count.unknown', { n: fmt.number(shown.unknown!) })}
            </div>
          )}
          <table className="table compact cmp-split">
            <tbody>
              <tr data-arm="control">
                <td>{t('cmp.arm.control')}</td>
                <td className="num">≈ {fmt.number(Math.round(shown.count * holdout))}</td>
                <td className="num muted">{fmt.percent(holdout, 0)}</td>
              </tr>
              {draft.variants.map((v, i) => {
                const share = total > 0 ? ((1 - holdout) * Math.max(Number(v.weight) || 0, 0)) / total : 0;
                return (
                  <tr key={i} data-arm={v.name}>
                    <td>{t('cmp.content.variant')} {v.name}</td>
                    <td className="num">≈ {fmt.number(Math.round(shown.count * share))}</td>
                    <td className="num muted">{fmt.percent(share, 0)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="muted small">{t('cmp.count.splitHint')}</p>
        </div>
      )}
      <p className="muted small">
        {t('cmp.f.channel')}: {t(`cmp.channel.${draft.channel}` as MessageKey)}
      </p>
    </div>
  );
}
