import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { Loaded } from '../../useApi.ts';
import type { CampaignChange } from './types.ts';

/** Fields whose values differ between two versions (top level), for a change's one-line summary. */
function changedFields(before: unknown, after: unknown): string[] {
  if (!before || !after || typeof before !== 'object' || typeof after !== 'object') return [];
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => k !== 'updatedAt' && JSON.stringify(b[k]) !== JSON.stringify(a[k]));
}

/** The campaign's change history (GET /api/v1/campaigns/:id/changes), newest first, each with before/after. */
export function ChangeHistory({ state }: { state: Loaded<{ changes: CampaignChange[] }> & { reload(): void } }) {
  const { t, fmt } = useI18n();
  const rows = state.data ? [...state.data.changes].sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0)) : null;
  return (
    <div className="card" data-testid="change-history">
      <h2>{t('cmp.changes.title')}</h2>
      {state.status === 'error' && !rows && <ErrorBox message={state.error.message} onRetry={state.reload} />}
      {!rows && state.status !== 'error' && <Loading />}
      {rows && rows.length === 0 && <p className="muted">{t('cmp.changes.none')}</p>}
      {rows && rows.length > 0 && (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('cmp.changes.at')}</th>
              <th>{t('cmp.changes.actor')}</th>
              <th>{t('cmp.changes.action')}</th>
              <th>{t('cmp.changes.what')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c, i) => {
              const fields = changedFields(c.before, c.after);
              return (
                <tr key={`${c.at}-${i}`} data-action={c.action}>
                  <td className="nowrap">{fmt.dateTime(c.at)}</td>
                  <td>{c.actor}</td>
                  <td><span className="tbadge">{c.action}</span></td>
                  <td>
                    {fields.length > 0 && <span className="muted small">{fields.join(', ')} </span>}
                    {(c.before !== null || c.after !== null) && (
                      <details className="spec-json">
                        <summary className="small">{t('cmp.changes.diff')}</summary>
                        <div className="grid-2">
                          <pre className="code">{JSON.stringify(c.before, null, 2)}</pre>
                          <pre className="code">{JSON.stringify(c.after, null, 2)}</pre>
                        </div>
                      </details>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
