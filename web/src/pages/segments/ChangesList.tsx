import { useState } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { SegmentDetail } from '../../types.ts';

const PAGE = 20;

/** The latest entries and exits (the API keeps the newest 100), 20 at a time. */
export function ChangesList({ changes }: { changes: SegmentDetail['changes'] }) {
  const { t, fmt } = useI18n();
  const [shown, setShown] = useState(PAGE);
  const entered = changes.filter((c) => c.change === 'entered').length;
  return (
    <div className="card">
      <div className="card-head">
        <h2>{t('seg.changes.title')}</h2>
        <span className="muted small">{t('seg.changes.counts', { entered, exited: changes.length - entered })}</span>
      </div>
      {changes.length === 0 ? (
        <p className="empty">{t('seg.changes.none')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table compact" data-testid="segment-changes">
              <thead>
                <tr>
                  <th>{t('col.userId')}</th>
                  <th>{t('seg.col.change')}</th>
                  <th>{t('seg.col.at')}</th>
                  <th>{t('seg.col.source')}</th>
                </tr>
              </thead>
              <tbody>
                {changes.slice(0, shown).map((c, i) => (
                  <tr key={`${c.userId}-${c.at}-${i}`} data-user={c.userId} data-change={c.change}>
                    <td className="mono">
                      <a
                        href={`/profiles/${encodeURIComponent(c.userId)}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`/profiles/${encodeURIComponent(c.userId)}`);
                        }}
                      >
                        {c.userId}
                      </a>
                    </td>
                    <td>
                      <span className={`change ${c.change}`}>{t(c.change === 'entered' ? 'seg.changes.entered' : 'seg.changes.exited')}</span>
                    </td>
                    <td className="nowrap">{fmt.dateTime(c.at)}</td>
                    <td>{sourceLabel(c.source, t)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {changes.length > shown && (
            <div className="center">
              <button type="button" className="btn" onClick={() => setShown((n) => n + PAGE)}>
                {t('profile.more')}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

const SOURCES = ['create', 'update', 'live', 'schedule', 'api', 'upload', 'freeze', 'delete'];

export function sourceLabel(source: string, t: (k: MessageKey) => string): string {
  return SOURCES.includes(source) ? t(`seg.source.${source}` as MessageKey) : source;
}
