import type { EChartsCoreOption } from 'echarts/core';
import type { Format, Translate } from '../../../i18n/index.tsx';
import type { Sessions } from '../../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };

/** The sessions page's charts: the daily trend (sessions, depth, bounce rate) and the depth histogram. */
export function sessionsCharts(d: Sessions, t: Translate, fmt: Format): Record<'trend' | 'histogram', EChartsCoreOption> {
  const trend: EChartsCoreOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 8, top: 44, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: d.trend.map((p) => p.date.slice(5)), axisTick: { show: false }, axisLine: { lineStyle: { color: '#d5d9e3' } }, axisLabel },
    yAxis: [
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine: { show: false }, max: 1 },
      // browse depth (views per session) on its own scale, just right of the bounce rate's
      { type: 'value', position: 'right', offset: 46, axisLabel: { ...axisLabel, color: '#ff9f2e' }, splitLine: { show: false }, minInterval: 1 },
    ],
    series: [
      { name: t('sessions.series.sessions'), type: 'bar', yAxisIndex: 0, data: d.trend.map((p) => p.sessions), barMaxWidth: 18, itemStyle: { borderRadius: [3, 3, 0, 0] } },
      { name: t('sessions.series.bounceRate'), type: 'line', yAxisIndex: 1, data: d.trend.map((p) => p.bounceRate), symbolSize: 5, tooltip: { valueFormatter: (v: number) => fmt.percent(v) } },
      { name: t('sessions.series.depth'), type: 'line', yAxisIndex: 2, data: d.trend.map((p) => p.depth), symbolSize: 5 },
    ],
  };
  const histogram: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 8, top: 16, bottom: 24, containLabel: true },
    xAxis: { type: 'category', name: t('sessions.histogramAxis'), nameLocation: 'middle', nameGap: 26, data: d.depthHistogram.map((b) => b.depth), axisTick: { show: false }, axisLabel },
    yAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
    series: [{ name: t('sessions.series.sessions'), type: 'bar', data: d.depthHistogram.map((b) => b.sessions), barMaxWidth: 36, itemStyle: { borderRadius: [3, 3, 0, 0] } }],
  };
  return { trend, histogram };
}
