import { useCallback, useRef, useState } from 'react';
import { apiGet } from '../../api.ts';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { TimelineEvent } from '../../types.ts';

export const TIMELINE_PAGE = 20;
const PAGE = TIMELINE_PAGE;

/**
 * The person's events, newest first, a page at a time (the first page comes with the profile). "More" asks for the events before the oldest one
 * shown (plus one millisecond, so events sharing that instant are not skipped; repeats are dropped by id).
 */
export function Timeline({ userId, first }: { userId: string; first: TimelineEvent[] }) {
  const { t, fmt } = useI18n();
  const [events, setEvents] = useState<TimelineEvent[]>(first);
  const shown = useRef<TimelineEvent[]>(first);
  const [state, setState] = useState<'loading' | 'idle' | 'end' | { error: string }>(first.length < PAGE ? 'end' : 'idle');

  const load = useCallback(
    async (before: string | undefined, signal?: AbortSignal) => {
      setState('loading');
      try {
        const r = await apiGet<{ events: TimelineEvent[] }>(`/api/v1/profiles/${encodeURIComponent(userId)}/events`, { limit: PAGE, before }, { signal });
        const seen = new Set(shown.current.map((e) => e.messageId));
        const add = before ? r.events.filter((e) => !seen.has(e.messageId)) : r.events;
        shown.current = before ? [...shown.current, ...add] : add;
        setEvents(shown.current);
        setState(r.events.length < PAGE || add.length === 0 ? 'end' : 'idle');
      } catch (e) {
        if (!signal?.aborted) setState({ error: e instanceof Error ? e.message : String(e) });
      }
    },
    [userId],
  );

  const oldest = events[events.length - 1];
  const more = () => oldest && load(new Date(Date.parse(oldest.timestamp) + 1).toISOString());

  return (
    <div className="card">
      <h2>{t('profile.timeline', { n: events.length })}</h2>
      {events.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="timeline">
            <thead>
              <tr>
                <th>{t('profile.time')}</th>
                <th>{t('profile.event')}</th>
                <th>{t('profile.details')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.messageId} data-ts={e.timestamp}>
                  <td className="nowrap">{fmt.dateTime(e.timestamp)}</td>
                  <td>
                    <span className={`pill ${e.type}`}>{e.type}</span> {e.event}
                  </td>
                  <td className="mono small clip">{summary(e.properties)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {state === 'loading' && <Loading />}
      {typeof state === 'object' && <ErrorBox message={state.error} onRetry={() => void (oldest ? more() : load(undefined))} />}
      {state === 'end' && events.length === 0 && <p className="muted">{t('profile.noEvents')}</p>}
      {state === 'end' && events.length > 0 && <p className="muted small center">{t('profile.end')}</p>}
      {state === 'idle' && (
        <div className="center">
          <button type="button" className="btn" onClick={() => void more()} data-testid="timeline-more">
            {t('profile.more')}
          </button>
        </div>
      )}
    </div>
  );
}

/** A one-line digest of an event's properties. */
function summary(props: Record<string, unknown>): string {
  return Object.entries(props)
    .filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.length}]` : typeof v === 'object' ? '{…}' : String(v)}`)
    .join('  ');
}
