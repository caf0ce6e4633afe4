import type { EChartsCoreOption } from 'echarts/core';
import type { Format, Translate } from '../../../i18n/index.tsx';
import type { CartReport } from '../../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };

/** A duration bucket's label: 10–30 min, 1–3 h, ≥ 7 d. */
function bucketLabel(fromMinutes: number, toMinutes: number | null, t: Translate): string {
  const one = (m: number) => (m < 60 ? `${m}m` : m < 1440 ? `${m / 60}h` : `${m / 1440}d`);
  void t;
  return toMinutes === null ? `≥ ${one(fromMinutes)}` : `${one(fromMinutes)}–${one(toMinutes)}`;
}

/** The carts page's charts: carts per day by outcome with the abandonment rate, and time from first add to order. */
export function cartsCharts(d: CartReport, t: Translate, fmt: Format): Record<'daily' | 'histogram', EChartsCoreOption> {
  const daily: EChartsCoreOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 8, top: 44, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: d.daily.map((p) => p.date.slice(5)), axisTick: { show: false }, axisLine: { lineStyle: { color: '#d5d9e3' } }, axisLabel },
    yAxis: [
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine: { show: false }, min: 0, max: 1 },
    ],
    series: [
      { name: t('carts.series.purchased'), type: 'bar', stack: 'carts', yAxisIndex: 0, data: d.daily.map((p) => p.purchased), barMaxWidth: 18, itemStyle: { color: '#16b48f' } },
      { name: t('carts.series.abandoned'), type: 'bar', stack: 'carts', yAxisIndex: 0, data: d.daily.map((p) => p.abandoned), barMaxWidth: 18, itemStyle: { color: '#ef4f6d' } },
      { name: t('carts.series.other'), type: 'bar', stack: 'carts', yAxisIndex: 0, data: d.daily.map((p) => p.carts - p.purchased - p.abandoned), barMaxWidth: 18, itemStyle: { color: '#c7ccd8' } },
      {
        name: t('carts.series.rate'), type: 'line', yAxisIndex: 1, symbolSize: 5, itemStyle: { color: '#3461ff' },
        data: d.daily.map((p) => (p.purchased + p.abandoned ? p.abandoned / (p.purchased + p.abandoned) : null)),
        tooltip: { valueFormatter: (v: number) => fmt.percent(v) },
      },
    ],
  };
  const histogram: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: d.timeToPurchase.map((b) => bucketLabel(b.fromMinutes, b.toMinutes, t)), axisTick: { show: false }, axisLabel },
    yAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
    series: [{ name: t('carts.histogramAxis'), type: 'bar', data: d.timeToPurchase.map((b) => b.carts), barMaxWidth: 36, itemStyle: { borderRadius: [3, 3, 0, 0], color: '#16b48f' } }],
  };
  return { daily, histogram };
}
