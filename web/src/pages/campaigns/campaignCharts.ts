import { CustomChart } from 'echarts/charts';
import { MarkLineComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn } from 'echarts';
import { palette } from '../../components/Chart.tsx';
import type { Format, Translate } from '../../i18n/index.tsx';
import type { ArmResult } from './types.ts';

// the uplift chart draws its 95 % intervals as error bars with a custom series, and its zero line as a mark line
echarts.use([CustomChart, MarkLineComponent]);

export const STAGES = ['audience', 'sent', 'delivered', 'opened', 'clicked', 'converted'] as const;

export function armName(arm: string, control: string, t: Translate): string {
  return arm === control ? t('cmp.arm.control') : `${t('cmp.content.variant')} ${arm}`;
}

/** The delivery funnel: one bar per stage for each arm (the control is held out: only its audience and conversions). */
export function funnelOption(arms: ArmResult[], control: string, t: Translate, fmt: Format) {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 56, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: STAGES.map((s) => t(`cmp.stage.${s}`)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => fmt.compact(v) } },
    series: arms.map((a, i) => ({
      name: armName(a.arm, control, t),
      type: 'bar',
      barMaxWidth: 36,
      itemStyle: { color: a.arm === control ? '#9aa3b5' : palette[i % palette.length] },
      data: STAGES.map((s) => (a.arm === control && s !== 'audience' && s !== 'converted' ? null : a[s])),
    })),
  };
}

export type UpliftMetric = 'cvr' | 'gmv';

/**
 * Uplift of each variant against the control — in percentage points of the goal's conversion rate, or in
 * GMV per person (CNY): a bar for the estimate, an error bar for its 95 % interval, and the zero line.
 */
export function upliftOption(arms: ArmResult[], control: string, winner: string | null, t: Translate, fmt: Format, metric: UpliftMetric = 'cvr') {
  const upliftOf = (a: ArmResult) => (metric === 'gmv' ? a.gmvUplift : a.uplift);
  const rows = arms.filter((a) => a.arm !== control && upliftOf(a)).map((a) => ({ ...a, uplift: upliftOf(a) }));
  const unit = metric === 'gmv' ? t('cmp.res.perPerson') : t('cmp.pp');
  const pp = (x: number) => (metric === 'gmv' ? x : x * 100);
  const names = rows.map((a) => armName(a.arm, control, t) + (a.arm === winner ? ' ★' : ''));
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (ps: { dataIndex: number }[]) => {
        const a = rows[ps[0]?.dataIndex ?? 0];
        if (!a?.uplift) return '';
        const u = a.uplift;
        return [
          names[ps[0]!.dataIndex],
          `${t('cmp.res.uplift')}: ${fmt.decimal(pp(u.absolute), 2)} ${unit}`,
          `95% CI: [${fmt.decimal(pp(u.ci[0]), 2)}, ${fmt.decimal(pp(u.ci[1]), 2)}] ${unit}`,
          `p = ${fmt.decimal(u.pValue, 4)}`,
        ].join('<br/>');
      },
    },
    grid: { left: 56, right: 24, top: 24, bottom: 28 },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value', name: unit, axisLabel: { formatter: (v: number) => fmt.decimal(v, 1) } },
    series: [
      {
        name: t('cmp.res.uplift'),
        type: 'bar',
        barMaxWidth: 48,
        data: rows.map((a, i) => ({ value: pp(a.uplift!.absolute), itemStyle: { color: a.uplift!.ci[0] > 0 ? '#16b48f' : a.uplift!.ci[1] < 0 ? '#ef4f6d' : palette[i % palette.length], opacity: 0.75 } })),
        markLine: { silent: true, symbol: 'none', data: [{ yAxis: 0 }], lineStyle: { color: '#7c8799', type: 'dashed' }, label: { show: false } },
      },
      {
        name: t('cmp.res.ci'),
        type: 'custom',
        encode: { x: 0, y: [1, 2] },
        data: rows.map((a, i) => [i, pp(a.uplift!.ci[0]), pp(a.uplift!.ci[1])]),
        z: 10,
        renderItem(_params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI) {
          const x = api.value(0) as number;
          const lo = api.coord([x, api.value(1)]);
          const hi = api.coord([x, api.value(2)]);
          const half = Math.min(14, ((api.size!([1, 0]) as number[])[0] ?? 40) * 0.18);
          const style = { stroke: '#1d2433', lineWidth: 1.6 };
          return {
            type: 'group',
            children: [
              { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
              { type: 'line', shape: { x1: lo[0]! - half, y1: lo[1], x2: lo[0]! + half, y2: lo[1] }, style },
              { type: 'line', shape: { x1: hi[0]! - half, y1: hi[1], x2: hi[0]! + half, y2: hi[1] }, style },
            ],
          } as CustomSeriesRenderItemReturn;
        },
      },
    ],
  };
}
