import { useI18n, type MessageKey, type Translate } from '../../i18n/index.tsx';
import { ENTRY_ID, journeyGraph, type GraphEdge } from './journeyGraph.ts';
import type { Duration, Entry, Journey, JourneyStep, StepStats } from './types.ts';

const W = 200;
const H = 100;
const GX = 104;
const GY = 28;

export function durationText(d: Duration, t: Translate): string {
  const parts: string[] = [];
  if (d.days) parts.push(t('cmp.j.days', { n: d.days }));
  if (d.hours) parts.push(t('cmp.j.hours', { n: d.hours }));
  if (d.minutes) parts.push(t('cmp.j.minutes', { n: d.minutes }));
  return parts.join(' ');
}

export function entryText(e: Entry, t: Translate, segmentName?: string): string {
  if (e.kind === 'event') return t('cmp.j.onEvent', { event: e.event }) + (e.where?.length ? ` ${t('cmp.j.where', { n: e.where.length })}` : '');
  if (e.kind === 'segment') return t('cmp.j.onSegment', { segment: segmentName ?? e.segmentId });
  return t('cmp.j.onDate', { trait: e.trait, at: e.at });
}

function stepText(s: JourneyStep, t: Translate, lang: string): string {
  switch (s.type) {
    case 'wait':
      return s.until ? t('cmp.j.waitUntil', { event: s.until.event, d: durationText(s.duration, t) }) : durationText(s.duration, t);
    case 'split':
      return conditionText(s.condition);
    case 'send': {
      const subject = s.content.subject?.[lang === 'en' ? 'en' : 'zh-CN'] ?? s.content.subject?.['zh-CN'] ?? s.content.subject?.en;
      return `${t(`cmp.channel.${s.channel}` as MessageKey)}${subject ? ` · ${subject}` : ''}`;
    }
    default:
      return '';
  }
}

/** A split's condition, short: `tag op value` for a single tag condition, the rule as JSON otherwise. */
function conditionText(c: unknown): string {
  const o = (c ?? {}) as Record<string, unknown>;
  if (typeof o.tag === 'string' && typeof o.op === 'string') return `${o.tag} ${o.op} ${o.value === undefined ? '' : Array.isArray(o.value) ? o.value.join(', ') : String(o.value)}`.trim();
  return JSON.stringify(c).slice(0, 120);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function edgeLabel(e: GraphEdge, steps: Map<string, JourneyStep>, t: Translate): string {
  if (e.way === 'yes') return t('cmp.j.yes');
  if (e.way === 'no') return t('cmp.j.no');
  if (e.way === 'timeout') return t('cmp.j.timeout');
  if (e.way === 'event') {
    const s = steps.get(e.from);
    return s?.type === 'wait' && s.until ? clip(s.until.event, 16) : t('cmp.j.event');
  }
  return '';
}

/**
 * A journey drawn read-only, left to right: boxes for the entry and each step (wait, split, send, exit) with
 * how many people entered, wait there now and went on; arrows labelled with the way they take.
 */
export function JourneyCanvas({ journey, stats, segmentName }: { journey: Pick<Journey, 'steps' | 'start' | 'entry'>; stats?: StepStats; segmentName?: string }) {
  const { t, fmt, lang } = useI18n();
  const g = journeyGraph(journey);
  const byId = new Map(journey.steps.map((s) => [s.id, s]));
  const pos = new Map(g.nodes.map((n) => [n.id, { x: n.col * (W + GX), y: n.row * (H + GY) }]));
  const width = g.cols * (W + GX) - GX;
  const height = g.rows * (H + GY) - GY;
  return (
    <div className="cmp-canvas-wrap">
      <div className="cmp-canvas" style={{ width, height }} data-testid="journey-canvas">
        <svg width={width} height={height} className="cmp-edges" aria-hidden="true">
          <defs>
            <marker id="cmp-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" fill="#9aa3b5" />
            </marker>
          </defs>
          {g.edges.map((e, i) => {
            const a = pos.get(e.from)!;
            const b = pos.get(e.to)!;
            const x1 = a.x + W;
            const y1 = a.y + H / 2;
            const x2 = b.x;
            const y2 = b.y + H / 2;
            const label = edgeLabel(e, byId, t);
            return (
              <g key={i} data-edge={`${e.from}->${e.to}`} data-way={e.way}>
                <path d={`M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`} fill="none" stroke="#9aa3b5" strokeWidth={1.5} markerEnd="url(#cmp-arrow)" />
                {label && (
                  <text x={(x1 + x2) / 2} y={(y1 + y2) / 2 - 5} textAnchor="middle" className={`cmp-edge-label way-${e.way}`}>
                    {label}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        {g.nodes.map((n) => {
          const p = pos.get(n.id)!;
          const s = n.step ? stats?.[n.id] : undefined;
          return (
            <div key={n.id} className={`cmp-node k-${n.kind}`} style={{ left: p.x, top: p.y, width: W, height: H }} data-step={n.id} data-kind={n.kind}>
              <div className="cmp-node-head">
                <span className="cmp-node-kind">{t(`cmp.j.kind.${n.kind}` as MessageKey)}</span>
                {n.step && <span className="cmp-node-name mono">{n.id}</span>}
              </div>
              <div className="cmp-node-detail muted">{n.step ? stepText(n.step, t, lang) : entryText(journey.entry, t, segmentName)}</div>
              {s && (
                <div className="cmp-node-stats small" data-entered={s.entered} data-waiting={s.waiting} data-completed={s.completed}>
                  <span data-stat="entered">{t('cmp.j.entered')} <b>{fmt.number(s.entered)}</b></span>
                  {s.waiting > 0 && <span data-stat="waiting">{t('cmp.j.waiting')} <b>{fmt.number(s.waiting)}</b></span>}
                  <span data-stat="completed">{t('cmp.j.completed')} <b>{fmt.number(s.completed)}</b></span>
                  {s.heldOut > 0 && <span data-stat="heldOut">{t('cmp.j.heldOutShort')} <b>{fmt.number(s.heldOut)}</b></span>}
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
