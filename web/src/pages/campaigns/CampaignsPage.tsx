import { useI18n } from '../../i18n/index.tsx';

/** The campaigns area: /campaigns (list), /campaigns/new (wizard), /campaigns/:id (results), /campaigns/journeys. */
export function CampaignsPage({ route: _route }: { route: string[] }) {
  const { t } = useI18n();
  return (
    <section className="page campaigns-page">
      <h1>{t('cmp.title')}</h1>
    </section>
  );
}
