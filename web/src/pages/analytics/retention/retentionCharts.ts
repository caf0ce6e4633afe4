import type { EChartsCoreOption } from 'echarts/core';
import type { Format, MessageKey, Translate } from '../../../i18n/index.tsx';
import type { Retention } from '../../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };

export const periodLabel = (d: Retention, k: number, t: Translate) => t(`retention.period.${d.granularity}` as MessageKey, { n: k });

/** The cohort triangle (cohort × period, coloured by the share retained) and the curves (average, then one per group). */
export function retentionCharts(d: Retention, t: Translate, fmt: Format): { heatmap: EChartsCoreOption; curve: EChartsCoreOption } {
  const ks = Array.from({ length: d.periods + 1 }, (_, k) => k);
  const cohorts = [...d.cohorts].reverse(); // the oldest cohort at the top
  const cells: [number, number, number][] = [];
  // period 0 is the cohort itself (always 100%): the map starts at period 1
  cohorts.forEach((c, y) => c.rates.forEach((r, k) => { if (r !== null && k > 0) cells.push([k - 1, y, r]); }));
  const max = Math.max(0.01, ...cells.map((c) => c[2]));
  const heatmap: EChartsCoreOption = {
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, number] }) => {
        const c = cohorts[p.value[1]]!;
        const k = p.value[0] + 1;
        return `${c.start} · ${periodLabel(d, k, t)}<br/>${fmt.percent(p.value[2])} (${fmt.number(c.retained[k] ?? 0)} / ${fmt.number(c.size)})`;
      },
    },
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    xAxis: { type: 'category', data: ks.slice(1).map((k) => periodLabel(d, k, t)), splitArea: { show: true }, axisLabel },
    yAxis: { type: 'category', data: cohorts.map((c) => `${c.start} (${fmt.number(c.size)})`), splitArea: { show: true }, axisLabel },
    visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#eef2ff', '#3461ff'] }, formatter: (v: number) => fmt.percent(v, 0) },
    series: [
      {
        name: t('retention.heatmap'),
        type: 'heatmap',
        data: cells,
        label: { show: d.periods <= 16, formatter: (p: { value: [number, number, number] }) => fmt.percent(p.value[2], 0), fontSize: 10 },
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
      },
    ],
  };
  const series = [
    { name: t('retention.average'), type: 'line', data: d.average.rates, symbolSize: 6, lineStyle: { width: 3 }, connectNulls: false },
    ...(d.groups ?? []).map((g) => ({ name: g.group, type: 'line', data: g.curve.rates, symbolSize: 4 })),
  ];
  const curve: EChartsCoreOption = {
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : fmt.percent(v)) },
    legend: { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: ks.map((k) => periodLabel(d, k, t)), axisLabel },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine },
    series,
  };
  return { heatmap, curve };
}
