import type { EChartsCoreOption } from 'echarts/core';
import type { Format } from '../../i18n/index.tsx';
import type { ActivityCell, Ranked } from '../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };

/** A ranked tag's items as horizontal bars, heaviest at the top. */
export function preferenceChart(items: Ranked, seriesName: string, fmt: Format): EChartsCoreOption {
  const rows = [...items].reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => fmt.decimal(v, 3) },
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel, splitLine },
    yAxis: { type: 'category', data: rows.map((r) => r.value), axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: '#3b4458' } },
    series: [
      {
        name: seriesName,
        type: 'bar',
        data: rows.map((r) => r.weight),
        barMaxWidth: 16,
        itemStyle: { borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: 'right', color: '#6b7489', formatter: (p: { value: number }) => fmt.decimal(p.value, 2) },
      },
    ],
  };
}

/** Events by hour (x, 0–23) and weekday (y, Monday at the top). */
export function heatmapChart(cells: ActivityCell[], labels: { weekdays: string[]; hour(h: number): string; series: string }, fmt: Format): EChartsCoreOption {
  const max = Math.max(1, ...cells.map((c) => c.count));
  const hours = Array.from({ length: 24 }, (_, h) => String(h));
  const days = [...labels.weekdays].reverse(); // category axes grow upwards: Sunday at the bottom
  return {
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, number] }) => `${days[p.value[1]]} ${labels.hour(p.value[0])}<br/>${labels.series}: ${fmt.number(p.value[2])}`,
    },
    grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: hours, splitArea: { show: true }, axisTick: { show: false }, axisLabel },
    yAxis: { type: 'category', data: days, splitArea: { show: true }, axisTick: { show: false }, axisLabel: { color: '#3b4458' } },
    visualMap: {
      min: 0,
      max,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      itemWidth: 10,
      textStyle: { color: '#6b7489' },
      inRange: { color: ['#f2f5ff', '#9db4ff', '#3461ff', '#1a2f99'] },
    },
    series: [
      {
        name: labels.series,
        type: 'heatmap',
        data: cells.filter((c) => c.count > 0).map((c) => [c.hour, 7 - c.weekday, c.count]),
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0,0,0,0.25)' } },
      },
    ],
  };
}
