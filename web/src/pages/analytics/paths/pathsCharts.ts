import type { EChartsCoreOption } from 'echarts/core';
import type { Format, Translate } from '../../../i18n/index.tsx';
import type { Paths } from '../../../types.ts';

/** Display name of a step: the markers the API uses are translated, the rest shown as sent. */
export function stepLabel(name: string, t: Translate): string {
  if (name === '(end)') return t('paths.end');
  if (name === '(start)') return t('paths.start');
  if (name === '(other)') return t('paths.other');
  return name;
}

/** The Sankey: one column per step from the anchor (nodes are `<step>:<name>`, so the chart is acyclic). */
export function sankeyOption(d: Paths, t: Translate, fmt: Format): EChartsCoreOption {
  const minStep = Math.min(0, ...d.nodes.map((n) => n.step));
  const nameOf = new Map(d.nodes.map((n) => [n.id, n.name]));
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataType: string; data: { source?: string; target?: string; name?: string; value?: number }; value: number }) =>
        p.dataType === 'edge'
          ? `${stepLabel(nameOf.get(p.data.source!) ?? '', t)} → ${stepLabel(nameOf.get(p.data.target!) ?? '', t)}<br/>${t('paths.sessions')}: ${fmt.number(p.value)}`
          : `${stepLabel(nameOf.get(p.data.name!) ?? '', t)}<br/>${t('paths.sessions')}: ${fmt.number(p.value)}`,
    },
    series: [
      {
        name: t('paths.sankey'),
        type: 'sankey',
        left: 8,
        right: 170,
        top: 12,
        bottom: 12,
        nodeGap: 10,
        nodeWidth: 14,
        draggable: false,
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
        label: { color: '#3b4458', fontSize: 12, formatter: (p: { name: string }) => stepLabel(nameOf.get(p.name) ?? p.name, t) },
        data: d.nodes.map((n) => ({ name: n.id, depth: n.step - minStep, value: n.sessions, itemStyle: n.step === 0 ? { color: '#3461ff' } : n.name.startsWith('(') ? { color: '#c3c8d4' } : undefined })),
        links: d.links.map((l) => ({ source: l.source, target: l.target, value: l.sessions })),
      },
    ],
  };
}
