import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { ENTRY_ID, journeyGraph } from './journeyGraph.ts';
import type { Journey, JourneyStep, StepStats } from './types.ts';

const W = 190;
const H = 96;
const GX = 70;
const GY = 28;

const KNOWN = new Set(['entry', 'wait', 'split', 'condition', 'send', 'exit']);

/** A short description of a step's settings (wait time, channel, condition…), read loosely from its fields. */
function stepDetail(s: JourneyStep | null, j: Journey, t: (k: MessageKey, v?: Record<string, string | number>) => string): string {
  if (!s) {
    const e = j.entry ?? {};
    const ev = e.event ?? (e as { events?: unknown }).events;
    if (ev) return t('cmp.j.onEvent', { event: Array.isArray(ev) ? ev.join(', ') : String(ev) });
    if (e.segmentId) return t('cmp.j.onSegment', { segment: String(e.segmentId) });
    return e.kind ? String(e.kind) : '';
  }
  const parts: string[] = [];
  const dur = s.duration ?? s.hours ?? s.minutes ?? s.days ?? (s.wait as { duration?: unknown } | undefined)?.duration;
  if (dur !== undefined) parts.push(typeof dur === 'number' ? `${dur}${s.hours !== undefined ? 'h' : s.minutes !== undefined ? 'm' : s.days !== undefined ? 'd' : ''}` : String(dur));
  const until = (s.until as { event?: unknown } | undefined)?.event ?? s.event;
  if (until) parts.push(t('cmp.j.until', { event: String(until) }));
  if (s.channel) parts.push(t(`cmp.channel.${String(s.channel)}` as MessageKey));
  if (s.condition || s.when) parts.push(JSON.stringify(s.condition ?? s.when).slice(0, 60));
  if (s.reason) parts.push(String(s.reason));
  return parts.join(' · ');
}

/**
 * A journey drawn read-only, left to right: boxes for the entry and each step (wait, split, send, exit) with
 * how many people entered, wait there now and went on; arrows labelled with the branch they take.
 */
export function JourneyCanvas({ journey, stats }: { journey: Journey; stats?: StepStats }) {
  const { t, fmt } = useI18n();
  const g = journeyGraph(journey);
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
            const a = pos.get(e.from);
            const b = pos.get(e.to);
            if (!a || !b) return null;
            const x1 = a.x + W;
            const y1 = a.y + H / 2;
            const x2 = b.x;
            const y2 = b.y + H / 2;
            const back = x2 <= x1;
            const d = back
              ? `M${x1},${y1} C${x1 + 40},${y1 + H} ${x2 - 40},${y2 + H} ${x2},${y2}`
              : `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`;
            return (
              <g key={i} data-edge={`${e.from}->${e.to}`}>
                <path d={d} fill="none" stroke="#9aa3b5" strokeWidth={1.5} markerEnd="url(#cmp-arrow)" />
                {e.label && (
                  <text x={(x1 + x2) / 2} y={(y1 + y2) / 2 - 4 + (back ? H / 2 : 0)} textAnchor="middle" className="cmp-edge-label">
                    {e.label}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        {g.nodes.map((n) => {
          const p = pos.get(n.id)!;
          const s = n.id === ENTRY_ID ? undefined : stats?.[n.id];
          const kind = KNOWN.has(n.kind) ? n.kind : 'other';
          return (
            <div key={n.id} className={`cmp-node k-${kind}`} style={{ left: p.x, top: p.y, width: W, height: H }} data-step={n.id} data-kind={n.kind}>
              <div className="cmp-node-head">
                <span className="cmp-node-kind">{KNOWN.has(n.kind) ? t(`cmp.j.kind.${n.kind}` as MessageKey) : n.kind}</span>
                {n.step?.name && <span className="cmp-node-name">{String(n.step.name)}</span>}
              </div>
              <div className="cmp-node-detail muted small">{stepDetail(n.step, journey, t)}</div>
              {s && (
                <div className="cmp-node-stats small" data-entered={s.entered} data-waiting={s.waiting} data-completed={s.completed}>
                  <span title={t('cmp.j.entered')}>→ {fmt.number(s.entered)}</span>
                  {s.waiting > 0 && <span title={t('cmp.j.waiting')}>⏸ {fmt.number(s.waiting)}</span>}
                  <span title={t('cmp.j.completed')}>✓ {fmt.number(s.completed)}</span>
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
