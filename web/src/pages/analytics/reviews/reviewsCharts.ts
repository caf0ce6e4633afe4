import type { EChartsCoreOption } from 'echarts/core';
import type { Format, Translate } from '../../../i18n/index.tsx';
import type { ReviewsReport } from '../../../types.ts';

const axisLabel = { color: '#6b7489' };
const splitLine = { lineStyle: { color: '#eef0f5' } };
const GOOD = '#16b48f';
const BAD = '#ef4f6d';
const STARS = ['#ef4f6d', '#ff8a5b', '#c6a15b', '#6fcf97', '#16b48f'];

type Term = ReviewsReport['terms']['positive'][number];

/** Rating bars, the weekly trend, term bars for each side, and aspects as positive/negative mentions. */
export function reviewsCharts(d: ReviewsReport, t: Translate, fmt: Format, aspectName: (a: ReviewsReport['aspects'][number]) => string) {
  const ratings: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: d.ratings.map((r) => t('reviews.stars', { n: r.rating })), axisLabel },
    yAxis: { type: 'value', axisLabel, splitLine },
    series: [{
      name: t('reviews.count'), type: 'bar', barMaxWidth: 48,
      data: d.ratings.map((r, i) => ({ value: r.count, itemStyle: { color: STARS[i], borderRadius: [4, 4, 0, 0] } })),
      label: { show: true, position: 'top', formatter: (p: { value: number }) => fmt.number(p.value) },
    }],
  };

  const trend: EChartsCoreOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: d.trend.map((w) => w.week), axisLabel },
    yAxis: [
      { type: 'value', axisLabel, splitLine },
      { type: 'value', min: 0, max: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine: { show: false } },
    ],
    series: [
      { name: t('reviews.count'), type: 'bar', data: d.trend.map((w) => w.reviews), itemStyle: { color: '#c9d4ff', borderRadius: [3, 3, 0, 0] }, barMaxWidth: 28 },
      {
        name: t('reviews.trend.positive'), type: 'line', yAxisIndex: 1, data: d.trend.map((w) => w.positiveShare), connectNulls: false, symbolSize: 6, lineStyle: { width: 3 }, itemStyle: { color: GOOD },
        tooltip: { valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : fmt.percent(v)) },
      },
    ],
  };

  const groupTrend: EChartsCoreOption = {
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : fmt.percent(v)) },
    legend: { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: d.trend.map((w) => w.week), axisLabel },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { ...axisLabel, formatter: (v: number) => fmt.percent(v, 0) }, splitLine },
    series: d.groupTrend.map((g) => ({ name: g.label, type: 'line', data: g.weeks.map((w) => w.positiveShare), connectNulls: true, symbolSize: 4 })),
  };

  const termBars = (terms: Term[], color: string): EChartsCoreOption => {
    // the API picks the terms by count × |weight|; drawn by count, the most used at the top
    const rows = [...terms].sort((a, b) => a.reviews - b.reviews);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (ps: { dataIndex: number }[]) => {
        const x = rows[ps[0]!.dataIndex]!;
        return `${x.term}<br/>${t('reviews.count')}: ${fmt.number(x.reviews)} · w=${x.weight}`;
      } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', axisLabel, splitLine },
      yAxis: { type: 'category', data: rows.map((x) => x.term), axisLabel: { ...axisLabel, color: '#3b4458' } },
      series: [{ type: 'bar', data: rows.map((x) => x.reviews), itemStyle: { color, borderRadius: [0, 3, 3, 0] }, barMaxWidth: 16, label: { show: true, position: 'right', color: '#6b7489' } }],
    };
  };

  const shown = d.aspects.filter((a) => a.mentions > 0).reverse();
  const aspects: EChartsCoreOption = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (ps: { dataIndex: number }[]) => {
      const a = shown[ps[0]!.dataIndex]!;
      return `${aspectName(a)}<br/>${t('reviews.aspects.positive')}: ${fmt.number(a.positive)}<br/>${t('reviews.aspects.negative')}: ${fmt.number(a.mentions - a.positive)}<br/>${a.positiveShare === null ? '' : fmt.percent(a.positiveShare)}`;
    } },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: '#3b4458' } },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel, splitLine },
    yAxis: { type: 'category', data: shown.map(aspectName), axisLabel: { ...axisLabel, color: '#3b4458' } },
    series: [
      { name: t('reviews.aspects.positive'), type: 'bar', stack: 'm', data: shown.map((a) => a.positive), itemStyle: { color: GOOD }, barMaxWidth: 18 },
      { name: t('reviews.aspects.negative'), type: 'bar', stack: 'm', data: shown.map((a) => a.mentions - a.positive), itemStyle: { color: BAD }, barMaxWidth: 18 },
    ],
  };

  return { ratings, trend, groupTrend, positiveTerms: termBars(d.terms.positive, GOOD), negativeTerms: termBars(d.terms.negative, BAD), aspects, aspectRows: shown.length };
}
