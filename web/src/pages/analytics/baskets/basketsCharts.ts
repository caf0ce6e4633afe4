import type { EChartsCoreOption } from 'echarts/core';
import type { Format } from '../../../i18n/index.tsx';
import type { BasketRules } from '../../../types.ts';

const axisLabel = { color: '#6b7489' };

/** A symmetric heatmap of the most frequent pairs' lift over the keys they involve (at most 15 keys). */
export function pairsHeatmap(d: BasketRules, series: string, fmt: Format): EChartsCoreOption {
  const keys: string[] = [];
  for (const p of d.topPairs) for (const k of p.items) if (!keys.includes(k) && keys.length < 15) keys.push(k);
  const idx = new Map(keys.map((k, i) => [k, i]));
  const cells: [number, number, number, number][] = [];
  for (const p of d.topPairs) {
    const a = idx.get(p.items[0]);
    const b = idx.get(p.items[1]);
    if (a === undefined || b === undefined) continue;
    cells.push([a, b, p.lift, p.count], [b, a, p.lift, p.count]);
  }
  const label = (k: string) => {
    const n = d.names[k] ?? k;
    return n.length > 14 ? `${n.slice(0, 13)}…` : n;
  };
  const max = Math.max(1, ...cells.map((c) => c[2]));
  return {
    tooltip: {
      formatter: (p: { data: [number, number, number, number] }) =>
        `${d.names[keys[p.data[0]]!] ?? keys[p.data[0]]}<br/>${d.names[keys[p.data[1]]!] ?? keys[p.data[1]]}<br/>${series} ${fmt.decimal(p.data[2], 2)} · ${fmt.number(p.data[3])}`,
    },
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    xAxis: { type: 'category', data: keys.map(label), axisLabel: { ...axisLabel, rotate: 40 }, splitArea: { show: true } },
    yAxis: { type: 'category', data: keys.map(label), axisLabel, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#eef3ff', '#3461ff'] }, textStyle: axisLabel },
    series: [{ name: series, type: 'heatmap', data: cells, label: { show: false }, emphasis: { itemStyle: { borderColor: '#1c2333', borderWidth: 1 } } }],
  };
}
