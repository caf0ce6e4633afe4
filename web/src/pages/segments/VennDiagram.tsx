import { useI18n } from '../../i18n/index.tsx';
import { palette } from '../../components/Chart.tsx';
import type { Overlap } from '../../types.ts';

/**
 * Two or three equal circles with each region's count written in it (ECharts has no Venn). The circles
 * do not scale with the sizes — the counts and the table beside say how big each part is.
 */
const LAYOUT: Record<2 | 3, { circles: [number, number][]; r: number; labels: Record<string, [number, number]>; names: [number, number, 'start' | 'middle' | 'end'][] }> = {
  2: {
    circles: [[150, 130], [250, 130]],
    r: 95,
    labels: { '0': [105, 130], '1': [295, 130], '0,1': [200, 130] },
    names: [[95, 22, 'middle'], [305, 22, 'middle']],
  },
  3: {
    circles: [[160, 120], [250, 120], [205, 198]],
    r: 82,
    labels: { '0': [122, 98], '1': [288, 98], '2': [205, 252], '0,1': [205, 92], '0,2': [160, 178], '1,2': [250, 178], '0,1,2': [205, 146] },
    names: [[95, 24, 'middle'], [315, 24, 'middle'], [205, 296, 'middle']],
  },
};

export function VennDiagram({ ids, names, overlap }: { ids: string[]; names: string[]; overlap: Overlap }) {
  const { fmt } = useI18n();
  const n = ids.length === 3 ? 3 : 2;
  const l = LAYOUT[n];
  const count = (key: string) => {
    const members = key.split(',').map((i) => ids[Number(i)]!);
    return overlap.regions.find((r) => r.in.length === members.length && members.every((m) => r.in.includes(m)))?.count ?? 0;
  };
  const clip = (s: string) => (s.length > 14 ? `${s.slice(0, 13)}…` : s);
  return (
    <svg className="venn" viewBox={`0 0 400 ${n === 3 ? 310 : 240}`} role="img" aria-label={names.join(' · ')} data-testid="venn">
      {l.circles.map(([cx, cy], i) => (
        <circle key={i} cx={cx} cy={cy} r={l.r} fill={palette[i]} fillOpacity={0.18} stroke={palette[i]} strokeWidth={2} />
      ))}
      {l.names.map(([x, y, anchor], i) => (
        <text key={i} x={x} y={y} textAnchor={anchor} className="venn-name" fill={palette[i]}>
          {String.fromCharCode(65 + i)} · {clip(names[i] ?? '')}
        </text>
      ))}
      {Object.entries(l.labels).map(([key, [x, y]]) => (
        <text key={key} x={x} y={y + 5} textAnchor="middle" className="venn-count" data-region={key}>
          {fmt.number(count(key))}
        </text>
      ))}
    </svg>
  );
}
