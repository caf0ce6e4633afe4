import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { PreviewState } from './useSegmentPreview.ts';

/** Beside the builder: how many people the rule matches now, how long it took, and a few of them. */
export function LiveCount({ state, incomplete }: { state: PreviewState; incomplete: number }) {
  const { t, fmt } = useI18n();
  const shown = state.status === 'ok' ? state.result : state.status === 'running' ? state.last : null;
  return (
    <div className="card preview seg-preview" data-testid="segment-preview" data-status={state.status}>
      <div className="card-head">
        <h2>{t('seg.preview.title')}</h2>
        {state.status === 'running' && (
          <span className="muted small" role="status">
            <span className="spinner inline" aria-hidden="true" /> {t('seg.preview.running')}
          </span>
        )}
      </div>
      <p className="muted small">{t('seg.preview.hint')}</p>
      {state.status === 'idle' && <p className="muted">{t('seg.preview.waiting')}</p>}
      {state.status === 'error' && (
        <div className="form-error" role="alert" data-testid="preview-error">
          {t('seg.preview.error', { msg: state.message })}
        </div>
      )}
      {incomplete > 0 && <div className="notice small">{t('seg.preview.incomplete', { n: incomplete })}</div>}
      {shown && (
        <div className={state.status === 'running' ? 'stale' : ''}>
          <div className="count-line">
            <span className="count-big" data-testid="live-count" data-value={shown.count} data-rule={shown.rule}>
              {fmt.number(shown.count)}
            </span>
            <span className="muted">{t('seg.preview.people')}</span>
            <span className="muted small count-ms">{t('seg.preview.ms', { ms: fmt.decimal(shown.ms, 0) })}</span>
          </div>
          {shown.sample.length > 0 && (
            <>
              <h3>{t('seg.preview.sample')}</h3>
              <ul className="sample-list" data-testid="preview-sample">
                {shown.sample.map((u) => (
                  <li key={u}>
                    <a
                      className="mono"
                      href={`/profiles/${encodeURIComponent(u)}`}
                      data-user={u}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate(`/profiles/${encodeURIComponent(u)}`);
                      }}
                    >
                      {u}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}
