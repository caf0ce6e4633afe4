import type { EChartsCoreOption } from 'echarts/core';
import type { Format } from '../../i18n/index.tsx';
import type { ClusterDescription, RfmView, SegmentDetail } from '../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };
const axisLine = { lineStyle: { color: '#d5d9e3' } };

/** The size after each evaluation (line) with the people who entered and left in it (bars), on a time axis. */
export function sizeChart(sizes: SegmentDetail['sizes'], names: { size: string; entered: string; exited: string }, fmt: Format): EChartsCoreOption {
  const at = (x: { at: string }) => Date.parse(x.at);
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmt.number(Math.abs(v)) },
    legend: { top: 0, right: 0, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'time', axisLine, axisLabel: { ...axisLabel, hideOverlap: true }, splitLine: { show: false } },
    yAxis: [
      { type: 'value', minInterval: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine },
      { type: 'value', minInterval: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(Math.abs(v)) }, splitLine: { show: false } },
    ],
    series: [
      { name: names.size, type: 'line', step: 'end', data: sizes.map((s) => [at(s), s.size]), symbolSize: 6, areaStyle: { opacity: 0.1 }, z: 3 },
      { name: names.entered, type: 'bar', yAxisIndex: 1, data: sizes.map((s) => [at(s), s.entered]), barMaxWidth: 10, itemStyle: { color: '#16b48f' } },
      { name: names.exited, type: 'bar', yAxisIndex: 1, data: sizes.map((s) => [at(s), -s.exited]), barMaxWidth: 10, itemStyle: { color: '#ef4f6d' } },
    ],
  };
}

/** Each RFM class's share of buyers beside its share of spend (horizontal bars, the first class on top). */
export function rfmShareChart(classes: RfmView['classes'], label: (c: string) => string, names: { buyers: string; gmv: string }, fmt: Format): EChartsCoreOption {
  const rows = [...classes].reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => fmt.percent(v) },
    legend: { top: 0, right: 0, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'value', max: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine },
    yAxis: { type: 'category', data: rows.map((c) => label(c.class)), axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: '#3b4458' } },
    series: [
      { name: names.buyers, type: 'bar', data: rows.map((c) => c.share), barMaxWidth: 10, itemStyle: { borderRadius: [0, 3, 3, 0] } },
      { name: names.gmv, type: 'bar', data: rows.map((c) => c.gmvShare), barMaxWidth: 10, itemStyle: { borderRadius: [0, 3, 3, 0] } },
    ],
  };
}

/** People moving between RFM classes since the previous build: before (left) → now (right). */
export function rfmSankey(movement: RfmView['movement'], label: (c: string) => string, names: { before: string; now: string; series: string }, fmt: Format): EChartsCoreOption {
  const from = [...new Set(movement.map((m) => m.from))];
  const to = [...new Set(movement.map((m) => m.to))];
  const nodes = [...from.map((c) => ({ name: `from:${c}`, depth: 0 })), ...to.map((c) => ({ name: `to:${c}`, depth: 1 }))];
  const nodeLabel = (n: string) => `${label(n.slice(n.indexOf(':') + 1))}`;
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataType: string; data: { source?: string; target?: string; value?: number; name?: string }; value: number }) =>
        p.dataType === 'edge' ? `${names.before} ${nodeLabel(p.data.source!)} → ${names.now} ${nodeLabel(p.data.target!)}: ${fmt.number(p.value)}` : `${nodeLabel(p.data.name!)}: ${fmt.number(p.value)}`,
    },
    series: [
      {
        name: names.series,
        type: 'sankey',
        left: 8,
        right: 120,
        top: 8,
        bottom: 8,
        nodeWidth: 12,
        nodeGap: 10,
        layoutIterations: 0,
        data: nodes,
        links: movement.map((m) => ({ source: `from:${m.from}`, target: `to:${m.to}`, value: m.count })),
        label: { color: '#3b4458', formatter: (p: { name: string }) => nodeLabel(p.name) },
        lineStyle: { color: 'gradient', opacity: 0.35 },
        emphasis: { focus: 'adjacency' },
      },
    ],
  };
}

/** Cluster sizes, largest first. */
export function clusterSizeChart(clusters: ClusterDescription[], name: (c: ClusterDescription) => string, series: string, fmt: Format): EChartsCoreOption {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => fmt.number(v) },
    grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: clusters.map(name), axisTick: { show: false }, axisLine, axisLabel: { ...axisLabel, interval: 0, width: 110, overflow: 'break' } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine },
    series: [{ name: series, type: 'bar', colorBy: 'data', data: clusters.map((c) => c.size), barMaxWidth: 36, itemStyle: { borderRadius: [3, 3, 0, 0] }, label: { show: true, position: 'top', color: '#6b7489', formatter: (p: { dataIndex: number }) => fmt.percent(clusters[p.dataIndex]!.share) } }],
  };
}

/** Each cluster's centroid on the clustering features, in standard deviations from everyone's mean. */
export function clusterRadar(clusters: ClusterDescription[], features: { code: string; name: string }[], name: (c: ClusterDescription) => string, series: string): EChartsCoreOption {
  const values = clusters.flatMap((c) => features.map((f) => Math.abs(c.centroid[f.code] ?? 0)));
  const m = Math.max(1, Math.ceil(Math.max(0, ...values) * 2) / 2);
  return {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, textStyle: { color: '#3b4458' } },
    radar: {
      indicator: features.map((f) => ({ name: f.name, min: -m, max: m })),
      radius: '62%',
      center: ['50%', '46%'],
      splitNumber: 4,
      axisName: { color: '#3b4458', fontSize: 11 },
      splitLine: { lineStyle: { color: '#e4e7ef' } },
      splitArea: { areaStyle: { color: ['#fbfcfe', '#f4f6fb'] } },
    },
    series: [
      {
        name: series,
        type: 'radar',
        symbolSize: 4,
        data: clusters.map((c) => ({ name: name(c), value: features.map((f) => c.centroid[f.code] ?? 0), areaStyle: { opacity: 0.08 } })),
      },
    ],
  };
}
