/**
 * Sorts item indexes best first: score descending, then the lower index — the order of
 * `items.sort((a, b) => score[b] - score[a] || a - b)`, the same result (the order is total: indexes differ),
 * without calling a comparator. A typed array's `sort` with a comparator calls back into JavaScript for every
 * comparison, which made the candidate sorts of a first request cost more than the sums before them (a few
 * hundred items: tens of µs each); here the comparison is inlined. Quicksort on the median of three, insertion
 * sort below 16 items. Scores are finite; one array type (Float64Array), so the element loads stay
 * monomorphic.
 */
export function sortItems(items: Int32Array, n: number, score: Float64Array): void {
  quick(items, 0, n - 1, score);
}

function quick(a: Int32Array, lo: number, hi: number, s: Float64Array): void {
  while (hi - lo >= 16) {
    const i = partition(a, lo, hi, s);
    const j = lastJ;
    // the smaller side by recursion, the larger by the loop
    if (j - lo < hi - i) {
      quick(a, lo, j, s);
      lo = i;
    } else {
      quick(a, i, hi, s);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i]!;
    const xs = s[x]!;
    let j = i - 1;
    for (; j >= lo; j--) {
      const y = a[j]!;
      const ys = s[y]!;
      if (xs > ys || (xs === ys && x < y)) a[j + 1] = y;
      else break;
    }
    a[j + 1] = x;
  }
}

/** where `partition` left its right cursor (a second result without allocating a pair) */
let lastJ = 0;

/**
 * Hoare's partition of a[lo..hi] around the median of three, in the order of `sortItems`: afterwards
 * a[lo..j] come before or tie the pivot and a[i..hi] after or tie it (j < i). Answers i; j is `lastJ`.
 */
function partition(a: Int32Array, lo: number, hi: number, s: Float64Array): number {
  const mid = (lo + hi) >>> 1;
  if (before(a[mid]!, a[lo]!, s)) swap(a, mid, lo);
  if (before(a[hi]!, a[lo]!, s)) swap(a, hi, lo);
  if (before(a[hi]!, a[mid]!, s)) swap(a, hi, mid);
  const p = a[mid]!;
  const ps = s[p]!;
  let i = lo;
  let j = hi;
  while (i <= j) {
    // a[i] before p
    for (;;) {
      const x = a[i]!;
      const xs = s[x]!;
      if (xs > ps || (xs === ps && x < p)) i++;
      else break;
    }
    // p before a[j]
    for (;;) {
      const y = a[j]!;
      const ys = s[y]!;
      if (ps > ys || (ps === ys && p < y)) j--;
      else break;
    }
    if (i <= j) {
      swap(a, i, j);
      i++;
      j--;
    }
  }
  lastJ = j;
  return i;
}

function before(x: number, y: number, s: Float64Array): boolean {
  const xs = s[x]!;
  const ys = s[y]!;
  return xs > ys || (xs === ys && x < y);
}

function swap(a: Int32Array, x: number, y: number): void {
  const t = a[x]!;
  a[x] = a[y]!;
  a[y] = t;
}

/**
 * Moves the `k` best items (the order of `sortItems`) to the front of `items`, in no particular order, and
 * the rest behind them: selection (Hoare's partition on the median of three), linear on average. Sorting just
 * the front then gives the first `k` of the full sort.
 */
export function selectItems(items: Int32Array, n: number, k: number, score: Float64Array): void {
  if (k <= 0 || k >= n) return;
  const a = items;
  const s = score;
  const target = k - 1;
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const i = partition(a, lo, hi, s);
    const j = lastJ;
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
}
