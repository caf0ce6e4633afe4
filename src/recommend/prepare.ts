import type { Interactions } from './types.ts';

/**
 * Preparation after a training: the people most likely to ask soon get their serving state and their
 * home-scene candidates blended ahead of their first request, as a recommendation cache would hold them.
 * A first request is then a rank over kept candidates (filters, diversity, exploration, reasons) instead
 * of running every model. The work is done in slices of a few milliseconds with the event loop turned in
 * between, so requests are answered while it runs; a new training stops it.
 */

/** the rows (people) of `x` whose last interaction is at or after `since`, the `max` most recent, least recent first */
export function recentPeople(x: Interactions, since: number, max: number): Int32Array {
  const n = x.persons.length;
  const last = new Float64Array(n);
  let count = 0;
  for (let u = 0; u < n; u++) {
    let t = -Infinity;
    for (let k = x.ptr[u]!; k < x.ptr[u + 1]!; k++) if (x.last[k]! > t) t = x.last[k]!;
    last[u] = t;
    if (t >= since) count++;
  }
  const rows = new Int32Array(count);
  for (let u = 0, j = 0; u < n; u++) if (last[u]! >= since) rows[j++] = u;
  rows.sort((a, b) => last[a]! - last[b]! || a - b);
  return max < rows.length ? rows.subarray(rows.length - max) : rows;
}

export interface PreparationProgress {
  /** people to prepare */
  total: number;
  done: number;
  startedAt: string;
  /** seconds it took, once finished */
  seconds?: number;
  /** true when a newer training (or a stop) ended it before the last person */
  stopped?: boolean;
}

/**
 * Runs `one(row)` for every row, in slices of about `sliceMs` of work, yielding to the event loop between
 * slices, while `still()` holds. Updates `progress` as it goes.
 */
export async function prepareInSlices(rows: Int32Array, one: (row: number) => void, still: () => boolean, progress: PreparationProgress, sliceMs = 4): Promise<void> {
  const t0 = performance.now();
  let sliceStart = t0;
  for (let j = 0; j < rows.length; j++) {
    if (!still()) {
      progress.stopped = true;
      return;
    }
    one(rows[j]!);
    progress.done = j + 1;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((r) => setImmediate(r));
      sliceStart = performance.now();
    }
  }
  progress.seconds = Math.round(performance.now() - t0) / 1000;
}
