import { useEffect, useState } from 'react';
import { restoreSession, signOut, type SessionInfo } from './api.ts';
import { Icon } from './components/Icon.tsx';
import { LangSwitch } from './components/LangSwitch.tsx';
import { useI18n, type MessageKey } from './i18n/index.tsx';
import { AnalyticsPage } from './pages/analytics/AnalyticsPage.tsx';
import { CampaignsPage } from './pages/campaigns/CampaignsPage.tsx';
import { Login } from './pages/Login.tsx';
import { LoyaltyPage } from './pages/loyalty/LoyaltyPage.tsx';
import { PrivacyPage } from './pages/privacy/PrivacyPage.tsx';
import { TransparencyPage } from './pages/privacy/TransparencyPage.tsx';
import { RecommendPage } from './pages/recommend/RecommendPage.tsx';
import { Overview } from './pages/Overview.tsx';
import { ProfilePage } from './pages/profiles/ProfilePage.tsx';
import { UserSearch } from './pages/profiles/UserSearch.tsx';
import { SegmentsPage } from './pages/segments/SegmentsPage.tsx';
import { TagCentre } from './pages/tags/TagCentre.tsx';
import { navigate, useLocation } from './router.ts';

type ModuleId = 'overview' | 'profiles' | 'tags' | 'segments' | 'analytics' | 'loyalty' | 'recommendations' | 'privacy' | 'transparency' | 'campaigns';

/** The navigation, in the order of the loop the product serves (docs/architecture.md). */
const sections: { title: MessageKey; items: ModuleId[] }[] = [
  { title: 'nav.section.insight', items: ['overview', 'profiles', 'tags', 'analytics'] },
  { title: 'nav.section.engage', items: ['segments', 'recommendations', 'campaigns', 'loyalty'] },
  { title: 'nav.section.govern', items: ['privacy', 'transparency'] },
];
const built = new Set<string>(['overview', 'profiles', 'tags', 'segments', 'analytics', 'loyalty', 'recommendations', 'privacy', 'campaigns', 'transparency']);

export function App() {
  // undefined while the server is asked whether this browser holds a session
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [reason, setReason] = useState<'expired' | null>(null);

  useEffect(() => {
    restoreSession().then(
      (r) => {
        setSession(r.session);
        if (!r.session && r.ended) setReason('expired');
      },
      () => setSession(null),
    );
    const onUnauthorized = () => {
      setSession(null);
      setReason('expired');
    };
    window.addEventListener('hx:unauthorized', onUnauthorized);
    return () => window.removeEventListener('hx:unauthorized', onUnauthorized);
  }, []);

  if (session === undefined) return <main className="login" aria-busy="true" />;
  if (!session) {
    return (
      <Login
        reason={reason}
        onLogin={(s) => {
          setSession(s);
          setReason(null);
        }}
      />
    );
  }
  return (
    <Shell
      session={session}
      onLogout={() => {
        void signOut()
          .catch(() => undefined)
          .then(() => {
            setSession(null);
            setReason(null);
          });
      }}
    />
  );
}

function Shell({ session, onLogout }: { session: SessionInfo; onLogout(): void }) {
  const { t } = useI18n();
  const { path } = useLocation();
  const [, first = '', rest = ''] = path.split('/');
  const current: ModuleId = first === '' ? 'overview' : (first as ModuleId);
  const known = built.has(current);

  useEffect(() => {
    document.title = `${t(`nav.${known ? current : 'overview'}` as MessageKey)} · ${t('app.name')}`;
  }, [current, known, t]);

  let page;
  if (!known || current === 'overview') page = <Overview />;
  else if (current === 'profiles') page = rest ? <ProfilePage key={rest} userId={decodeURIComponent(rest)} /> : <UserSearch />;
  else if (current === 'tags') page = <TagCentre route={path.split('/').slice(2).map(decodeURIComponent)} />;
  else if (current === 'segments') page = <SegmentsPage route={path.split('/').slice(2).map(decodeURIComponent)} />;
  else if (current === 'analytics') page = <AnalyticsPage route={path.split('/').slice(2).map(decodeURIComponent)} />;
  else if (current === 'loyalty') page = <LoyaltyPage route={path.split('/').slice(2).map(decodeURIComponent)} />;
  else if (current === 'campaigns') page = <CampaignsPage route={path.split('/').slice(2).map(decodeURIComponent)} />;
  else if (current === 'privacy') page = <PrivacyPage />;
  else if (current === 'transparency') page = <TransparencyPage />;
  else if (current === 'recommendations') page = <RecommendPage />;

  return (
    <div className="shell">
      <aside className="sidebar">
        <a
          className="brand"
          href="/overview"
          onClick={(e) => {
            e.preventDefault();
            navigate('/overview');
          }}
        >
          <img src="/favicon.svg" alt="" width={30} height={30} />
          <div>
            <div className="brand-name">{t('app.name')}</div>
            <div className="brand-sub">{t('app.subtitle')}</div>
          </div>
        </a>
        <nav aria-label="modules">
          {sections.map((s) => (
            <div key={s.title} className="nav-section">
              <div className="nav-title">{t(s.title)}</div>
              {s.items.map((id) => (
                <a
                  key={id}
                  href={`/${id}`}
                  data-nav={id}
                  className={`nav-item${id === current || (!known && id === 'overview') ? ' active' : ''}`}
                  aria-current={id === current ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/${id}`);
                  }}
                >
                  <Icon name={id} />
                  <span>{t(`nav.${id}` as MessageKey)}</span>
                </a>
              ))}
            </div>
          ))}
        </nav>
      </aside>
      <div className="main">
        <header className="topbar">
          <div className="crumb">{t(`nav.${known ? current : 'overview'}` as MessageKey)}</div>
          <div className="topbar-actions">
            <LangSwitch />
            <span className="muted small" style={{ alignSelf: 'center' }} data-testid="whoami" data-role={session.role}>
              {session.workspace && session.workspace !== 'default' ? <strong data-testid="workspace">{session.workspace} · </strong> : null}
              {session.keyName ?? session.keyId} · {session.role}
            </span>
            <button type="button" className="btn ghost" onClick={onLogout} data-testid="logout">
              {t('shell.logout')}
            </button>
          </div>
        </header>
        <main className="content">{page}</main>
      </div>
    </div>
  );
}
