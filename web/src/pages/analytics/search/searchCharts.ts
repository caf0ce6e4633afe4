import type { EChartsCoreOption } from 'echarts/core';
import type { Format, Translate } from '../../../i18n/index.tsx';
import type { SearchReport } from '../../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };
const legend = { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } };

/** The search page's charts: daily searches with click-through and conversion, top terms, top keyword trends. */
export function searchCharts(d: SearchReport, t: Translate, fmt: Format): Record<'trend' | 'terms' | 'keywords', EChartsCoreOption> {
  const pct = (v: number) => fmt.percent(v);
  const trend: EChartsCoreOption = {
    tooltip: { trigger: 'axis' },
    legend,
    grid: { left: 8, right: 8, top: 44, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: d.daily.map((p) => p.date.slice(5)), axisTick: { show: false }, axisLine: { lineStyle: { color: '#d5d9e3' } }, axisLabel },
    yAxis: [
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine: { show: false }, min: 0, max: 1 },
    ],
    series: [
      { name: t('searchReport.series.searches'), type: 'bar', yAxisIndex: 0, data: d.daily.map((p) => p.searches), barMaxWidth: 18, itemStyle: { borderRadius: [3, 3, 0, 0] } },
      { name: t('searchReport.series.ctr'), type: 'line', yAxisIndex: 1, data: d.daily.map((p) => (p.searches ? p.ctr : null)), symbolSize: 5, tooltip: { valueFormatter: pct } },
      { name: t('searchReport.series.conversion'), type: 'line', yAxisIndex: 1, data: d.daily.map((p) => (p.searches ? p.conversion : null)), symbolSize: 5, tooltip: { valueFormatter: pct } },
    ],
  };
  const top = d.terms.slice(0, 20).reverse(); // the largest at the top of a horizontal bar chart
  const terms: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
    yAxis: { type: 'category', data: top.map((x) => x.term), axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: '#3b4458' } },
    series: [{
      name: t('searchReport.series.searches'), type: 'bar', data: top.map((x) => x.searches), barMaxWidth: 14, itemStyle: { borderRadius: [0, 3, 3, 0] },
      label: { show: true, position: 'right', color: '#6b7489', formatter: (p: { value: number }) => fmt.compact(p.value) },
    }],
  };
  const keywords: EChartsCoreOption = {
    tooltip: { trigger: 'axis' },
    legend,
    grid: { left: 8, right: 8, top: 44, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: (d.trends[0]?.points ?? d.daily).map((p) => p.date.slice(5)), axisTick: { show: false }, axisLabel },
    yAxis: { type: 'value', axisLabel, splitLine, minInterval: 1 },
    series: d.trends.map((k) => ({ name: k.keyword, type: 'line', data: k.points.map((p) => p.searches), symbolSize: 4 })),
  };
  return { trend, terms, keywords };
}
