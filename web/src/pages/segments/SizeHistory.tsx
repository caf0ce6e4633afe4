import { useMemo } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { SegmentDetail } from '../../types.ts';
import { sizeChart } from './segmentCharts.ts';

/** The size after each evaluation, with entries and exits. */
export function SizeHistory({ sizes }: { sizes: SegmentDetail['sizes'] }) {
  const { t, fmt, lang } = useI18n();
  const option = useMemo(() => sizeChart(sizes, { size: t('seg.series.size'), entered: t('seg.series.entered'), exited: t('seg.series.exited') }, fmt), [sizes, t, fmt]);
  return (
    <div className="card">
      <h2>{t('seg.sizes.title')}</h2>
      {sizes.length ? <Chart option={option} lang={lang} label="segment-sizes" height={260} /> : <p className="empty">{t('seg.sizes.none')}</p>}
    </div>
  );
}
