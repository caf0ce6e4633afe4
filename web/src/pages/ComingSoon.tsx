import { useI18n, type MessageKey } from '../i18n/index.tsx';

export type PendingModule = 'campaigns';

/** An honest placeholder for a module that is not built yet: what it will do, and no made-up data. */
export function ComingSoon({ module }: { module: PendingModule }) {
  const { t } = useI18n();
  const name = t(`nav.${module}` as MessageKey);
  return (
    <section className="page">
      <header className="page-head">
        <h1>{name}</h1>
      </header>
      <div className="card soon" data-testid="coming-soon">
        <span className="badge">{t('soon.badge')}</span>
        <h2>{t('soon.title', { module: name })}</h2>
        <p>{t('soon.body')}</p>
        <p className="muted">
          {t('soon.what')} {t(`soon.${module}` as MessageKey)}
        </p>
      </div>
    </section>
  );
}
