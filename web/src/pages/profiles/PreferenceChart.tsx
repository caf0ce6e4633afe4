import { useMemo } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { isRanked } from '../../tagText.ts';
import { preferenceChart } from './profileCharts.ts';

/** A ranked preference tag (top_categories, top_brands) as a bar chart of its weights. */
export function PreferenceChart({ id, title, value }: { id: string; title: MessageKey; value: unknown }) {
  const { t, lang, fmt } = useI18n();
  const items = isRanked(value) ? value : [];
  const option = useMemo(() => preferenceChart(items, t('series.weight'), fmt), [value, t, fmt]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className="card">
      <h2>{t(title)}</h2>
      {items.length ? (
        <Chart option={option} lang={lang} label={id} height={Math.max(160, 40 + items.length * 34)} />
      ) : (
        <p className="empty">{t('state.nothing')}</p>
      )}
    </div>
  );
}
