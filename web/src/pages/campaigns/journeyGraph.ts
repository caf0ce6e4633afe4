import type { Journey, JourneyStep } from './types.ts';

export interface GraphNode {
  id: string;
  kind: 'entry' | JourneyStep['type'];
  step: JourneyStep | null;
  col: number;
  row: number;
}
export interface GraphEdge {
  from: string;
  to: string;
  /** which way out of the step: '' (next), 'yes'/'no' (split), 'event'/'timeout' (a wait with until) */
  way: '' | 'yes' | 'no' | 'event' | 'timeout';
}

export const ENTRY_ID = '__entry';

/** The arrows out of a step, as the journey engine follows them (src/campaigns/journeys/definition.ts, edgesOf). */
function edgesOf(s: JourneyStep): GraphEdge[] {
  switch (s.type) {
    case 'wait':
      return s.until && s.onEvent
        ? [{ from: s.id, to: s.onEvent, way: 'event' }, { from: s.id, to: s.next, way: 'timeout' }]
        : [{ from: s.id, to: s.next, way: '' }];
    case 'split':
      return [{ from: s.id, to: s.yes, way: 'yes' }, { from: s.id, to: s.no, way: 'no' }];
    case 'send':
      return s.next ? [{ from: s.id, to: s.next, way: '' }] : [];
    default:
      return [];
  }
}

/**
 * A journey as a left-to-right graph: the entry, then each step in the column of its longest path from the
 * entry (journeys are acyclic), so an exit several branches share sits right of all of them.
 */
export function journeyGraph(j: Pick<Journey, 'steps' | 'start'>): { nodes: GraphNode[]; edges: GraphEdge[]; cols: number; rows: number } {
  const steps = j.steps;
  const ids = new Set(steps.map((s) => s.id));
  const edges = steps.flatMap(edgesOf).filter((e) => ids.has(e.to));
  const first = j.start && ids.has(j.start) ? j.start : steps[0]?.id;
  if (first) edges.unshift({ from: ENTRY_ID, to: first, way: '' });
  const col = new Map<string, number>([[ENTRY_ID, 0]]);
  // longest path by relaxation; at most one pass per step (a cycle, which the engine refuses, cannot loop here)
  for (let pass = 0; pass <= steps.length; pass++) {
    let moved = false;
    for (const e of edges) {
      const from = col.get(e.from);
      if (from === undefined || from >= steps.length) continue;
      if ((col.get(e.to) ?? -1) < from + 1) (col.set(e.to, from + 1), (moved = true));
    }
    if (!moved) break;
  }
  let maxCol = Math.max(0, ...col.values());
  for (const s of steps) if (!col.has(s.id)) col.set(s.id, ++maxCol);
  const rowsIn = new Map<number, number>([[0, 1]]);
  const nodes: GraphNode[] = [{ id: ENTRY_ID, kind: 'entry', step: null, col: 0, row: 0 }];
  for (const s of steps) {
    const c = col.get(s.id)!;
    const r = rowsIn.get(c) ?? 0;
    rowsIn.set(c, r + 1);
    nodes.push({ id: s.id, kind: s.type, step: s, col: c, row: r });
  }
  return { nodes, edges, cols: maxCol + 1, rows: Math.max(1, ...rowsIn.values()) };
}
