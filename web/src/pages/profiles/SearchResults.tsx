import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import { enumLabel } from '../../tagText.ts';
import type { Tag, UserHit } from '../../types.ts';

/** The people a search found; a row opens the profile. */
export function SearchResults({ users, limit, catalog }: { users: UserHit[]; limit: number; catalog: Tag[] }) {
  const { t, fmt, lang } = useI18n();
  const labels = (code: string) => catalog.find((x) => x.code === code)?.labels;
  if (!users.length) return <div className="notice">{t('search.none')}</div>;
  const open = (id: string) => navigate(`/profiles/${encodeURIComponent(id)}`);
  return (
    <div className="card">
      <h2 data-testid="result-count">
        {t('search.results', { n: users.length })}
        {users.length >= limit && <span className="muted small">{t('search.limited', { n: limit })}</span>}
      </h2>
      <div className="table-wrap">
        <table className="table clickable" data-testid="search-results">
          <thead>
            <tr>
              <th>{t('col.userId')}</th>
              <th>{t('col.lastSeen')}</th>
              <th>{t('col.rfm')}</th>
              <th>{t('col.lifecycle')}</th>
              <th className="num">{t('col.gmv365')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.userId} onClick={() => open(u.userId)} data-user={u.userId}>
                <td className="mono">
                  <a
                    href={`/profiles/${encodeURIComponent(u.userId)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      e.stopPropagation();
                      open(u.userId);
                    }}
                  >
                    {u.userId}
                  </a>
                </td>
                <td className="nowrap">{u.lastSeen ? fmt.dateTime(u.lastSeen) : '—'}</td>
                <td>{u.tags.rfm_class ? <span className={`seg-badge rfm-${u.tags.rfm_class}`}>{enumLabel('rfm_class', u.tags.rfm_class, t, labels('rfm_class'), lang)}</span> : '—'}</td>
                <td>{u.tags.lifecycle_stage ? <span className={`seg-badge life-${u.tags.lifecycle_stage}`}>{enumLabel('lifecycle_stage', u.tags.lifecycle_stage, t, labels('lifecycle_stage'), lang)}</span> : '—'}</td>
                <td className="num">{typeof u.tags.gmv_365d === 'number' ? fmt.money(u.tags.gmv_365d, 'CNY') : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
