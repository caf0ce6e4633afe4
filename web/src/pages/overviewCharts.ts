import { useMemo } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { useI18n, type Format, type MessageKey, type Translate } from '../i18n/index.tsx';
import type { ActiveUsers, MetricBreakdown, Overview } from '../types.ts';

const NONE = '(none)';

export interface Labels {
  series: { gmv: string; orders: string; activeUsers: string; users: string };
  device(d: string): string;
  channel(c: string): string;
  category(c: string): string;
}

/** Display names for series and for the values the API reports raw ('(none)', device types). */
export function useLabels(): Labels {
  const { t } = useI18n();
  return useMemo(() => {
    const known = new Set(['mobile', 'desktop', 'tablet', 'tv', 'wearable']);
    return {
      series: { gmv: t('series.gmv'), orders: t('series.orders'), activeUsers: t('series.activeUsers'), users: t('series.users') },
      device: (d) => (d === NONE ? t('none.device') : known.has(d.toLowerCase()) ? t(`device.${d.toLowerCase()}` as MessageKey) : d),
      channel: (c) => (c === NONE ? t('none.channel') : c),
      category: (c) => (c === NONE ? t('none.category') : c),
    };
  }, [t]);
}

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };

/** The ECharts options of the overview page; every label comes from the dictionaries. */
export function overviewCharts(d: Overview, l: Labels, fmt: Format): Record<'trend' | 'categories' | 'devices', EChartsCoreOption> {
  const money = (v: number) => fmt.money(v, d.currency);
  const trend: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 8, top: 44, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: d.trend.map((p) => p.date.slice(5)),
      axisLine: { lineStyle: { color: '#d5d9e3' } },
      axisTick: { show: false },
      axisLabel,
    },
    yAxis: [
      // left: money; right: counts (the legend names the series, so the axes carry no titles)
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine },
      { type: 'value', axisLabel, splitLine: { show: false }, minInterval: 1 },
    ],
    series: [
      { name: l.series.gmv, type: 'bar', yAxisIndex: 0, data: d.trend.map((p) => p.gmv), barMaxWidth: 18, itemStyle: { borderRadius: [3, 3, 0, 0] }, tooltip: { valueFormatter: (v: number) => money(v) } },
      { name: l.series.orders, type: 'line', yAxisIndex: 1, data: d.trend.map((p) => p.orders), symbolSize: 5 },
      { name: l.series.activeUsers, type: 'line', yAxisIndex: 1, data: d.trend.map((p) => p.activeUsers), symbolSize: 5 },
    ],
  };

  const cats = [...d.topCategories].reverse(); // largest at the top of a horizontal bar chart
  const categories: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => money(v) },
    grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine },
    yAxis: { type: 'category', data: cats.map((c) => l.category(c.category)), axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: '#3b4458' } },
    series: [
      {
        name: l.series.gmv,
        type: 'bar',
        data: cats.map((c) => c.gmv),
        barMaxWidth: 16,
        itemStyle: { borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: 'right', color: '#6b7489', formatter: (p: { value: number }) => fmt.compact(p.value) },
      },
    ],
  };

  const devices: EChartsCoreOption = {
    tooltip: { trigger: 'item', formatter: (p: { name: string; value: number; percent: number }) => `${p.name}<br/>${l.series.activeUsers}: ${fmt.number(p.value)} (${fmt.percent(p.percent / 100)})` },
    legend: { bottom: 0, icon: 'circle', itemWidth: 8, itemHeight: 8, textStyle: { color: '#3b4458' } },
    series: [
      {
        name: l.series.activeUsers,
        type: 'pie',
        radius: ['46%', '70%'],
        center: ['50%', '45%'],
        avoidLabelOverlap: true,
        itemStyle: { borderColor: '#fff', borderWidth: 2 },
        label: { formatter: (p: { name: string; percent: number }) => `${p.name}\n${fmt.percent(p.percent / 100)}`, color: '#3b4458' },
        data: d.devices.filter((x) => x.users > 0).map((x) => ({ name: l.device(x.deviceType), value: x.users })),
      },
    ],
  };
  return { trend, categories, devices };
}

/** DAU bars with the rolling WAU and MAU lines, and the day's active users split into new and returning. */
export function activeCharts(a: ActiveUsers, t: Translate, fmt: Format): Record<'active' | 'newReturning', EChartsCoreOption> {
  const days = a.days.map((d) => d.date.slice(5));
  const legend = { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } };
  const grid = { left: 8, right: 8, top: 44, bottom: 8, containLabel: true };
  const xAxis = { type: 'category', data: days, axisLine: { lineStyle: { color: '#d5d9e3' } }, axisTick: { show: false }, axisLabel };
  const active: EChartsCoreOption = {
    tooltip: { trigger: 'axis' },
    legend, grid, xAxis,
    yAxis: [
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
      { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine: { show: false }, min: 0 },
    ],
    series: [
      { name: t('series.dau'), type: 'bar', data: a.days.map((d) => d.dau), barMaxWidth: 14, itemStyle: { borderRadius: [3, 3, 0, 0] } },
      { name: t('series.wau'), type: 'line', data: a.days.map((d) => d.wau), symbolSize: 4 },
      { name: t('series.mau'), type: 'line', data: a.days.map((d) => d.mau), symbolSize: 4 },
      { name: t('series.stickiness'), type: 'line', yAxisIndex: 1, data: a.days.map((d) => d.stickiness), symbolSize: 4, lineStyle: { type: 'dashed' }, tooltip: { valueFormatter: (v: number) => fmt.percent(v) } },
    ],
  };
  const newReturning: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend, grid, xAxis,
    yAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => fmt.compact(v) }, splitLine, minInterval: 1 },
    series: [
      { name: t('series.returningUsers'), type: 'bar', stack: 'dau', data: a.days.map((d) => d.returningUsers), barMaxWidth: 14 },
      { name: t('series.newUsers'), type: 'bar', stack: 'dau', data: a.days.map((d) => d.newUsers), barMaxWidth: 14, itemStyle: { borderRadius: [3, 3, 0, 0] } },
    ],
  };
  return { active, newReturning };
}

/** A metric per breakdown group: this period against the previous one, largest first from the top. */
export function breakdownChart(b: MetricBreakdown, label: (g: string) => string, t: Translate, value: (v: number) => string, axis: (v: number) => string): EChartsCoreOption {
  const groups = [...b.groups].slice(0, 15).reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => value(v) },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: axis }, splitLine },
    yAxis: { type: 'category', data: groups.map((g) => label(g.group)), axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: '#3b4458' } },
    series: [
      { name: t('series.previous'), type: 'bar', data: groups.map((g) => g.previous), barMaxWidth: 12, itemStyle: { color: '#c3c8d4', borderRadius: [0, 3, 3, 0] } },
      { name: t('series.current'), type: 'bar', data: groups.map((g) => g.current), barMaxWidth: 12, itemStyle: { borderRadius: [0, 3, 3, 0] } },
    ],
  };
}
