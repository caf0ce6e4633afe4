import { useMemo } from 'react';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import type { ActivityCell } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import { heatmapChart } from './profileCharts.ts';

/** When the person is active: event counts by local hour × weekday. */
export function ActivityHeatmap({ userId }: { userId: string }) {
  const { t, lang, fmt } = useI18n();
  const activity = useApi<{ cells: ActivityCell[]; timezone?: string }>(`/api/v1/profiles/${encodeURIComponent(userId)}/activity`);
  const cells = activity.data?.cells ?? [];
  const total = cells.reduce((a, c) => a + c.count, 0);
  const option = useMemo(
    () =>
      heatmapChart(
        cells,
        {
          weekdays: [1, 2, 3, 4, 5, 6, 7].map((d) => t(`weekday.${d}` as MessageKey)),
          hour: (h) => t('hour', { h }),
          series: t('series.events'),
        },
        fmt,
      ),
    [activity.data, t, fmt], // eslint-disable-line react-hooks/exhaustive-deps
  );
  return (
    <div className="card" data-testid="activity" data-total={activity.status === 'ok' ? total : undefined}>
      <h2>{t('profile.activity', { tz: activity.data?.timezone ?? 'Asia/Shanghai' })}</h2>
      {activity.status === 'loading' && <Loading />}
      {activity.status === 'error' && <ErrorBox message={activity.error.message} onRetry={activity.reload} />}
      {activity.status === 'ok' && (total > 0 ? <Chart option={option} lang={lang} label="activity" height={300} /> : <p className="empty">{t('profile.noActivity')}</p>)}
    </div>
  );
}
