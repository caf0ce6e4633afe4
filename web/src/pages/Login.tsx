import { useState } from 'react';
import { apiGet, ApiError } from '../api.ts';
import { LangSwitch } from '../components/LangSwitch.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Paste the admin token; it is checked against the API before it is kept. */
export function Login({ reason, onLogin }: { reason: 'expired' | null; onLogin(token: string): void }) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(reason === 'expired' ? t('login.expired') : null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const tok = token.trim();
    if (!tok) return;
    setBusy(true);
    setError(null);
    try {
      // a one-day range before any shop existed: authorised, and next to free
      await apiGet('/api/v1/analytics/overview', { from: '2000-01-01', to: '2000-01-02', tz: 'UTC' }, { token: tok });
      onLogin(tok);
    } catch (err) {
      setError(err instanceof ApiError ? (err.status === 401 || err.status === 403 ? t('login.invalid') : err.message) : t('login.unreachable', { msg: String(err) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <div className="login-lang">
        <LangSwitch />
      </div>
      <form className="login-card" onSubmit={submit}>
        <div className="brand big">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <div>
            <div className="brand-name">{t('app.name')}</div>
            <div className="brand-sub">{t('app.subtitle')}</div>
          </div>
        </div>
        <h1>{t('login.title')}</h1>
        <p className="muted">{t('login.hint')}</p>
        <label className="field">
          <span>{t('login.token')}</span>
          <input
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={t('login.placeholder')}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoFocus
          />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn primary wide" disabled={busy || !token.trim()}>
          {busy ? t('login.checking') : t('login.submit')}
        </button>
        <p className="muted small">{t('login.stored')}</p>
      </form>
    </main>
  );
}
