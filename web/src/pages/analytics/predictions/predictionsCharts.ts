import type { EChartsCoreOption } from 'echarts/core';
import type { Format, Lang, Translate } from '../../../i18n/index.tsx';
import type { ChurnReport, Repurchase } from '../../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };
const grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
const legend = { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } };

/** The churn card's charts: calibration (predicted vs observed per decile), top features, risk distribution. */
export function churnCharts(d: ChurnReport, t: Translate, fmt: Format, lang: Lang): Record<'calibration' | 'features' | 'distribution', EChartsCoreOption> {
  const pct = (v: number) => fmt.percent(v, 0);
  const calibration: EChartsCoreOption = {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmt.percent(v) },
    legend,
    grid: { ...grid, bottom: 24 },
    xAxis: { type: 'category', name: t('predictions.calibration.axis'), nameLocation: 'middle', nameGap: 24, data: d.calibration.map((c) => c.decile), axisTick: { show: false }, axisLabel },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { ...axisLabel, formatter: pct }, splitLine },
    series: [
      { name: t('predictions.calibration.observed'), type: 'bar', data: d.calibration.map((c) => c.observed), barMaxWidth: 22, itemStyle: { borderRadius: [3, 3, 0, 0] } },
      { name: t('predictions.calibration.predicted'), type: 'line', data: d.calibration.map((c) => c.predicted), symbolSize: 6 },
    ],
  };
  const top = d.features.slice(0, 10).reverse();
  const features: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { ...grid, top: 8 },
    xAxis: { type: 'value', axisLabel, splitLine },
    yAxis: { type: 'category', data: top.map((f) => (lang === 'en' ? f.label_en : f.label_zh)), axisTick: { show: false }, axisLabel },
    series: [{
      name: t('predictions.features.series'), type: 'bar', barMaxWidth: 16,
      data: top.map((f) => ({ value: f.weight, itemStyle: { color: f.weight > 0 ? '#ef4f6d' : '#16b48f', borderRadius: 3 } })),
    }],
  };
  const distribution: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { ...grid, top: 8 },
    xAxis: { type: 'category', data: d.scored.distribution.map((b) => `${b.from.toFixed(1)}–${b.to.toFixed(1)}`), axisTick: { show: false }, axisLabel },
    yAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
    series: [{
      name: t('predictions.distribution.series'), type: 'bar', barMaxWidth: 28,
      data: d.scored.distribution.map((b) => ({ value: b.count, itemStyle: { color: b.from >= 0.5 ? '#ef4f6d' : '#3461ff', borderRadius: [3, 3, 0, 0] } })),
    }],
  };
  return { calibration, features, distribution };
}

/** People due per day of the week. */
export function dueChart(d: Repurchase, series: string): EChartsCoreOption {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { ...grid, top: 8 },
    xAxis: { type: 'category', data: d.byDay.map((p) => p.date.slice(5)), axisTick: { show: false }, axisLabel },
    yAxis: { type: 'value', axisLabel, splitLine, minInterval: 1 },
    series: [{ name: series, type: 'bar', data: d.byDay.map((p) => p.count), barMaxWidth: 28, itemStyle: { borderRadius: [3, 3, 0, 0] } }],
  };
}
