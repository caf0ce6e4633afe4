import { useEffect, useRef } from 'react';
import { BarChart, HeatmapChart, LineChart, PieChart, RadarChart, SankeyChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, RadarComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Lang } from '../i18n/index.tsx';

// Only what the dashboard draws, so the bundle stays small.
echarts.use([BarChart, LineChart, PieChart, HeatmapChart, RadarChart, SankeyChart, GridComponent, RadarComponent, TooltipComponent, LegendComponent, DatasetComponent, VisualMapComponent, CanvasRenderer]);

export const palette = ['#3461ff', '#16b48f', '#ff9f2e', '#9b5cff', '#ef4f6d', '#22a7e0', '#7c8799', '#c6a15b', '#4c5bd4', '#38c172'];

const fontFamily = 'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

/**
 * An ECharts canvas that follows its container's size. ECharts' own texts (tooltips of the built-in
 * components) follow the dashboard language: the chart is re-created when `lang` changes.
 */
export function Chart({ option, lang, height = 320, label }: { option: EChartsCoreOption; lang: Lang; height?: number; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const node = el.current!;
    const c = echarts.init(node, null, { renderer: 'canvas', locale: lang === 'en' ? 'EN' : 'ZH' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(node);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [lang]);

  useEffect(() => {
    chart.current?.setOption({ color: palette, textStyle: { fontFamily }, animationDuration: 500, ...option }, true);
  }, [option, lang]);

  // the series names, for people using a screen reader and for tests: the canvas itself has no text
  const series = ((option as { series?: { name?: string }[] }).series ?? []).map((s) => s.name ?? '').join(' · ');
  return <div className="chart" ref={el} style={{ height }} role="img" aria-label={series || label} data-chart={label} data-series={series} />;
}
