import type { Journey, JourneyStep } from './types.ts';

export interface GraphNode {
  id: string;
  kind: string;
  step: JourneyStep | null;
  col: number;
  row: number;
}
export interface GraphEdge {
  from: string;
  to: string;
  label: string;
}

/** Step fields that point at another step, with the label the drawing gives the arrow ('' for the plain next). */
const EDGE_KEYS: Record<string, string> = {
  next: '',
  then: 'yes',
  yes: 'yes',
  else: 'no',
  no: 'no',
  onEvent: 'event',
  onTimeout: 'timeout',
  timeoutNext: 'timeout',
};

export const ENTRY_ID = '__entry';

/**
 * A journey as a left-to-right graph: the entry, then each step in the column of its distance from the
 * entry. Arrows come from each step's `next`, its yes/no (or then/else) branches, an event/timeout exit of
 * a wait, and `branches: [{ next, label }]`; a journey whose steps name no arrows is drawn in its order.
 */
export function journeyGraph(j: Journey): { nodes: GraphNode[]; edges: GraphEdge[]; cols: number; rows: number } {
  const steps = j.steps ?? [];
  const ids = new Set(steps.map((s) => s.id));
  const edges: GraphEdge[] = [];
  const targets = (v: unknown): string | null => (typeof v === 'string' && ids.has(v) ? v : v && typeof v === 'object' && 'next' in v && typeof (v as { next: unknown }).next === 'string' && ids.has((v as { next: string }).next) ? (v as { next: string }).next : null);
  for (const s of steps) {
    for (const [k, label] of Object.entries(EDGE_KEYS)) {
      const to = targets(s[k]);
      if (to) edges.push({ from: s.id, to, label });
    }
    // a wait's `until: { event, timeout, next, timeoutNext }`, a split's `branches`/`cases`
    for (const k of ['until', 'timeout', 'wait']) {
      const v = s[k];
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        const to = targets(o.next);
        if (to) edges.push({ from: s.id, to, label: k === 'timeout' ? 'timeout' : String(o.event ?? 'event') });
        const t2 = targets(o.timeoutNext ?? o.onTimeout);
        if (t2) edges.push({ from: s.id, to: t2, label: 'timeout' });
      }
    }
    for (const k of ['branches', 'cases', 'paths']) {
      const v = s[k];
      if (Array.isArray(v)) {
        v.forEach((b, i) => {
          const to = targets(b);
          const o = (b ?? {}) as Record<string, unknown>;
          if (to) edges.push({ from: s.id, to, label: String(o.label ?? o.name ?? o.when ?? (i === v.length - 1 && v.length > 1 ? 'else' : `#${i + 1}`)) });
        });
      }
    }
  }
  if (!edges.length) for (let i = 0; i + 1 < steps.length; i++) edges.push({ from: steps[i]!.id, to: steps[i + 1]!.id, label: '' });
  // the entry points at the first step (or the one the journey names)
  const first = typeof j.start === 'string' && ids.has(j.start) ? j.start : typeof j.first === 'string' && ids.has(j.first) ? j.first : steps[0]?.id;
  if (first) edges.unshift({ from: ENTRY_ID, to: first, label: '' });

  // columns by the shortest distance from the entry (unreached steps go after the rest)
  const col = new Map<string, number>([[ENTRY_ID, 0]]);
  const queue = [ENTRY_ID];
  while (queue.length) {
    const at = queue.shift()!;
    for (const e of edges) if (e.from === at && !col.has(e.to)) (col.set(e.to, col.get(at)! + 1), queue.push(e.to));
  }
  let maxCol = Math.max(0, ...col.values());
  for (const s of steps) if (!col.has(s.id)) col.set(s.id, ++maxCol);
  const rowsIn = new Map<number, number>();
  const nodes: GraphNode[] = [{ id: ENTRY_ID, kind: 'entry', step: null, col: 0, row: 0 }];
  rowsIn.set(0, 1);
  for (const s of steps) {
    const c = col.get(s.id)!;
    const r = rowsIn.get(c) ?? 0;
    rowsIn.set(c, r + 1);
    nodes.push({ id: s.id, kind: stepKind(s), step: s, col: c, row: r });
  }
  return { nodes, edges, cols: maxCol + 1, rows: Math.max(1, ...rowsIn.values()) };
}

export function stepKind(s: JourneyStep): string {
  return String(s.kind ?? s.type ?? 'step');
}
