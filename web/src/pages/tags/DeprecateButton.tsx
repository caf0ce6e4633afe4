import { useState } from 'react';
import { apiSend } from '../../api.ts';
import { useI18n } from '../../i18n/index.tsx';

/** Deprecates a user-defined tag after an in-page confirmation (POST /api/v1/tags/:code/deprecate). */
export function DeprecateButton({ code, onDone }: { code: string; onDone(): void }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!asking) {
    return (
      <button type="button" className="btn danger" onClick={() => setAsking(true)} data-testid="deprecate">
        {t('tags.deprecate')}
      </button>
    );
  }
  return (
    <div className="confirm" role="alertdialog" aria-label={t('tags.deprecate')}>
      <span>{t('tags.deprecateConfirm')}</span>
      <button
        type="button"
        className="btn danger"
        disabled={busy}
        data-testid="deprecate-confirm"
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await apiSend('POST', `/api/v1/tags/${encodeURIComponent(code)}/deprecate`, {});
            setAsking(false);
            onDone();
          } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {t('tags.confirm')}
      </button>
      <button type="button" className="btn ghost" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
      {error && <span className="field-error">{error}</span>}
    </div>
  );
}
