import { useState } from 'react';
import { ApiError, signIn, type SessionInfo } from '../api.ts';
import { LangSwitch } from '../components/LangSwitch.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Paste a secret key; the server checks it and opens a session (a cookie); the key itself is not kept. */
export function Login({ reason, onLogin }: { reason: 'expired' | null; onLogin(session: SessionInfo): void }) {
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
      const session = await signIn(tok);
      setToken('');
      onLogin(session);
    } catch (err) {
      // 403 says why a valid key may not sign in (a key restricted from personal data)
      setError(err instanceof ApiError ? (err.status === 401 ? t('login.invalid') : err.message) : t('login.unreachable', { msg: String(err) }));
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
      </form>
    </main>
  );
}
