import { useCallback, useState } from 'react';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { Profile, ProfileTag, TimelineEvent } from '../../types.ts';
import { isNotFound, useApi } from '../../useApi.ts';
import { ActivityHeatmap } from './ActivityHeatmap.tsx';
import { EventCounts } from './EventCounts.tsx';
import { IdentityCard } from './IdentityCard.tsx';
import { KeyFigures } from './KeyFigures.tsx';
import { lastSearch } from './lastSearch.ts';
import { PreferenceChart } from './PreferenceChart.tsx';
import { ProfileBadges } from './ProfileBadges.tsx';
import { TagGroups } from './TagGroups.tsx';
import { Timeline, TIMELINE_PAGE } from './Timeline.tsx';
import { TraitsCard } from './TraitsCard.tsx';
import { WhyPanel } from './WhyPanel.tsx';

/** The 360° view of one person: who they are, their tags (with why), preferences, activity and timeline. */
export function ProfilePage({ userId }: { userId: string }) {
  const { t } = useI18n();
  const id = encodeURIComponent(userId);
  const profile = useApi<Profile>(`/api/v1/profiles/${id}`);
  // the first page of the timeline arrives with the profile, so the page appears whole
  const events = useApi<{ events: TimelineEvent[] }>(`/api/v1/profiles/${id}/events`, { limit: TIMELINE_PAGE });
  const ready = profile.status === 'ok' && events.status !== 'loading';
  const tags = useApi<{ tags: ProfileTag[] }>(`/api/v1/profiles/${id}/tags`);
  const [why, setWhy] = useState<ProfileTag | null>(null);
  const list = tags.data?.tags ?? [];
  const closeWhy = useCallback(() => setWhy(null), []);

  return (
    <section className="page profile-page">
      <header className="page-head">
        <div>
          <a
            className="back"
            href="/profiles"
            onClick={(e) => {
              e.preventDefault();
              navigate(lastSearch());
            }}
          >
            ← {t('profile.back')}
          </a>
          <h1 className="mono-title" data-testid="profile-user">{userId}</h1>
        </div>
        {profile.data && <ProfileBadges values={profile.data.tags} tags={list} />}
      </header>
      {(profile.status === 'loading' || (profile.status === 'ok' && !ready)) && <Loading />}
      {profile.status === 'error' &&
        (isNotFound(profile.error) ? (
          <div className="notice">{t('profile.notFound', { id: userId })}</div>
        ) : (
          <ErrorBox message={profile.error.message} onRetry={profile.reload} />
        ))}
      {ready && (
        <>
          <div className="grid-3">
            <IdentityCard profile={profile.data} />
            <TraitsCard traits={profile.data.traits} />
            <KeyFigures tags={list} />
          </div>
          {tags.status === 'error' && <ErrorBox message={tags.error.message} onRetry={tags.reload} />}
          {tags.status === 'loading' && <Loading />}
          {tags.status === 'ok' && <TagGroups tags={list} onWhy={setWhy} />}
          <div className="grid-2">
            <PreferenceChart id="top_categories" title="profile.prefCategories" value={profile.data.tags.top_categories} />
            <PreferenceChart id="top_brands" title="profile.prefBrands" value={profile.data.tags.top_brands} />
          </div>
          <div className="grid-2">
            <ActivityHeatmap userId={userId} />
            <EventCounts counts={profile.data.eventCounts} />
          </div>
          {events.status === 'error' ? <ErrorBox message={events.error.message} onRetry={events.reload} /> : <Timeline userId={userId} first={events.data?.events ?? []} />}
        </>
      )}
      {why && <WhyPanel userId={userId} tag={why} onClose={closeWhy} />}
    </section>
  );
}
