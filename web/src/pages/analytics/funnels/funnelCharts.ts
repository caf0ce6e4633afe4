import type { EChartsCoreOption } from 'echarts/core';
import type { Format, Translate } from '../../../i18n/index.tsx';
import type { Funnel } from '../../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };

/** Seconds as the largest unit that keeps the number readable. */
export function duration(s: number | null, t: Translate, fmt: Format): string {
  if (s === null) return '—';
  if (s < 90) return t('funnel.duration.s', { n: fmt.decimal(s, 1) });
  if (s < 5400) return t('funnel.duration.m', { n: fmt.decimal(s / 60, 1) });
  if (s < 172_800) return t('funnel.duration.h', { n: fmt.decimal(s / 3600, 1) });
  return t('funnel.duration.d', { n: fmt.decimal(s / 86_400, 1) });
}

/**
 * The funnel as bars (people per step, conversion from the start on each bar), and with a breakdown one
 * line per group of conversion from the start, so groups of different sizes compare.
 */
export function funnelCharts(d: Funnel, t: Translate, fmt: Format): { steps: EChartsCoreOption; groups: EChartsCoreOption | null } {
  const labels = d.steps.map((s) => `${s.step}. ${s.event}`);
  const steps: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: labels, axisTick: { show: false }, axisLine: { lineStyle: { color: '#d5d9e3' } }, axisLabel: { ...axisLabel, interval: 0 } },
    yAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
    series: [
      {
        name: t('funnel.series.count'),
        type: 'bar',
        data: d.steps.map((s) => s.count),
        barMaxWidth: 64,
        itemStyle: { borderRadius: [4, 4, 0, 0] },
        label: { show: true, position: 'top', color: '#3b4458', formatter: (p: { dataIndex: number; value: number }) => `${fmt.number(p.value)} · ${fmt.percent(d.steps[p.dataIndex]!.conversionFromStart)}` },
      },
    ],
  };
  const groups: EChartsCoreOption | null = d.groups && d.groups.length
    ? {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmt.percent(v) },
      legend: { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: labels, axisTick: { show: false }, axisLabel: { ...axisLabel, interval: 0 } },
      yAxis: { type: 'value', max: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine },
      series: d.groups.map((g) => ({ name: g.group, type: 'line', symbolSize: 6, data: g.steps.map((s) => s.conversionFromStart) })),
    }
    : null;
  return { steps, groups };
}
