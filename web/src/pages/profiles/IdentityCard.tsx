import { useI18n } from '../../i18n/index.tsx';
import type { Profile } from '../../types.ts';

/** Who the person is across devices: the userId, each device's anonymous id, merged aliases, first/last seen. */
export function IdentityCard({ profile }: { profile: Profile }) {
  const { t, fmt } = useI18n();
  return (
    <div className="card">
      <h2>{t('profile.ids')}</h2>
      <dl className="facts">
        <dt>{t('profile.userId')}</dt>
        <dd className="mono">{profile.userId}</dd>
        <dt>{t('profile.devices')}</dt>
        <dd className="mono">
          {profile.anonymousIds.length ? (
            <ul className="id-list" data-testid="anonymous-ids">
              {profile.anonymousIds.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          ) : (
            '—'
          )}
        </dd>
        <dt>{t('profile.aliases')}</dt>
        <dd className="mono">{profile.aliases.length ? profile.aliases.join(', ') : '—'}</dd>
        <dt>{t('profile.firstSeen')}</dt>
        <dd>{profile.firstSeen ? fmt.dateTime(profile.firstSeen) : '—'}</dd>
        <dt>{t('profile.lastSeen')}</dt>
        <dd>{profile.lastSeen ? fmt.dateTime(profile.lastSeen) : '—'}</dd>
        {profile.segments.length > 0 && (
          <>
            <dt>{t('profile.segments')}</dt>
            <dd>{profile.segments.join(', ')}</dd>
          </>
        )}
      </dl>
    </div>
  );
}
