import { useEffect, useState } from 'react';
import { apiGet, ApiError } from '../api.ts';
import { ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';
import { navigate } from '../router.ts';
import type { Profile, TimelineEvent } from '../types.ts';

const TIMELINE = 50;

/** Look up one person: identities, traits, event counts and the timeline, from the profiles API. */
export function Profiles({ userId }: { userId: string | null }) {
  const { t } = useI18n();
  const [input, setInput] = useState(userId ?? '');
  const [state, setState] = useState<
    { kind: 'idle' } | { kind: 'loading' } | { kind: 'missing' } | { kind: 'error'; message: string } | { kind: 'ok'; profile: Profile; events: TimelineEvent[] }
  >({ kind: 'idle' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setInput(userId ?? '');
    if (!userId) return setState({ kind: 'idle' });
    const ctl = new AbortController();
    setState({ kind: 'loading' });
    const id = encodeURIComponent(userId);
    Promise.all([
      apiGet<Profile>(`/api/v1/profiles/${id}`, undefined, { signal: ctl.signal }),
      apiGet<{ events: TimelineEvent[] }>(`/api/v1/profiles/${id}/events`, { limit: TIMELINE }, { signal: ctl.signal }),
    ]).then(
      ([profile, tl]) => setState({ kind: 'ok', profile, events: tl.events }),
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        if (e instanceof ApiError && e.status === 404) setState({ kind: 'missing' });
        else setState({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => ctl.abort();
  }, [userId, attempt]);

  return (
    <section className="page">
      <header className="page-head">
        <div>
          <h1>{t('profile.title')}</h1>
          <p className="muted">{t('profile.lookup')}</p>
        </div>
      </header>
      <form
        className="lookup"
        onSubmit={(e) => {
          e.preventDefault();
          const id = input.trim();
          if (id) navigate(`/profiles/${encodeURIComponent(id)}`);
        }}
      >
        <input value={input} onChange={(e) => setInput(e.target.value)} placeholder={t('profile.placeholder')} aria-label={t('profile.userId')} spellCheck={false} />
        <button type="submit" className="btn primary" disabled={!input.trim()}>
          {t('profile.search')}
        </button>
      </form>
      {state.kind === 'loading' && <Loading />}
      {state.kind === 'missing' && <div className="notice">{t('profile.notFound', { id: userId ?? '' })}</div>}
      {state.kind === 'error' && <ErrorBox message={state.message} onRetry={() => setAttempt((n) => n + 1)} />}
      {state.kind === 'ok' && <ProfileView profile={state.profile} events={state.events} />}
    </section>
  );
}

function ProfileView({ profile, events }: { profile: Profile; events: TimelineEvent[] }) {
  const { t, fmt } = useI18n();
  const counts = Object.entries(profile.eventCounts).sort((a, b) => b[1] - a[1]);
  const max = counts[0]?.[1] ?? 1;
  const traits = Object.entries(profile.traits);
  return (
    <>
      <div className="grid-3">
        <div className="card">
          <h2>{t('profile.ids')}</h2>
          <dl className="facts">
            <dt>{t('profile.userId')}</dt>
            <dd className="mono">{profile.userId}</dd>
            <dt>{t('profile.anonymousIds')}</dt>
            <dd className="mono">{profile.anonymousIds.length ? profile.anonymousIds.join(', ') : '—'}</dd>
            <dt>{t('profile.aliases')}</dt>
            <dd className="mono">{profile.aliases.length ? profile.aliases.join(', ') : '—'}</dd>
            <dt>{t('profile.firstSeen')}</dt>
            <dd>{profile.firstSeen ? fmt.dateTime(profile.firstSeen) : '—'}</dd>
            <dt>{t('profile.lastSeen')}</dt>
            <dd>{profile.lastSeen ? fmt.dateTime(profile.lastSeen) : '—'}</dd>
          </dl>
        </div>
        <div className="card">
          <h2>{t('profile.traits')}</h2>
          {traits.length ? (
            <dl className="facts">
              {traits.map(([k, v]) => (
                <div key={k} className="fact">
                  <dt>{k}</dt>
                  <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="muted">{t('profile.noTraits')}</p>
          )}
        </div>
        <div className="card">
          <h2>{t('profile.eventCounts')}</h2>
          <ul className="bars">
            {counts.map(([name, n]) => (
              <li key={name}>
                <span className="bar-label">{name}</span>
                <span className="bar-track">
                  <span className="bar-fill" style={{ width: `${(100 * n) / max}%` }} />
                </span>
                <span className="bar-value">{fmt.number(n)}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
      <div className="card">
        <h2>{t('profile.timeline', { n: TIMELINE })}</h2>
        {events.length ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>{t('profile.time')}</th>
                  <th>{t('profile.event')}</th>
                  <th>{t('profile.details')}</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.messageId}>
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
        ) : (
          <p className="muted">{t('profile.noEvents')}</p>
        )}
      </div>
    </>
  );
}

/** A one-line digest of an event's properties for the timeline. */
function summary(props: Record<string, unknown>): string {
  return Object.entries(props)
    .filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.length}]` : typeof v === 'object' ? '{…}' : String(v)}`)
    .join('  ');
}
