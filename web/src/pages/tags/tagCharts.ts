import type { EChartsCoreOption } from 'echarts/core';
import type { Format } from '../../i18n/index.tsx';
import type { Bucket, TagDetail } from '../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };

/** A tag's values (binned ranges for numbers) with how many people hold each, as bars. */
export function distributionChart(buckets: Bucket[], label: (v: string) => string, series: string, fmt: Format): EChartsCoreOption {
  const many = buckets.length > 8;
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => fmt.number(v) },
    grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: buckets.map((b) => label(b.value)),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: '#d5d9e3' } },
      axisLabel: { ...axisLabel, interval: 0, rotate: many ? 35 : 0, hideOverlap: true },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine },
    series: [{ name: series, type: 'bar', data: buckets.map((b) => b.count), barMaxWidth: 28, itemStyle: { borderRadius: [3, 3, 0, 0] } }],
  };
}

/** Coverage of each full build, by the day it ran. */
export function historyChart(history: TagDetail['history'], series: string, fmt: Format): EChartsCoreOption {
  // oldest first, whichever order the API sent
  const h = history.length > 1 && history[0]!.date >= history[history.length - 1]!.date ? [...history].reverse() : history;
  // several builds on one day: 2025-06-01, 2025-06-01 #2, …
  const seen = new Map<string, number>();
  const labels = h.map((x) => {
    const n = (seen.get(x.date) ?? 0) + 1;
    seen.set(x.date, n);
    return n > 1 ? `${x.date} #${n}` : x.date;
  });
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmt.percent(v) },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: labels, axisTick: { show: false }, axisLine: { lineStyle: { color: '#d5d9e3' } }, axisLabel },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine },
    series: [{ name: series, type: 'line', data: h.map((x) => x.coverage), symbolSize: 7, areaStyle: { opacity: 0.12 } }],
  };
}
