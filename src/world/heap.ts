// Binary min-heap keyed by (time, sequence) with parallel arrays: no per-entry wrapper objects, and
// the sequence tie-break makes the pop order (hence the output) fully deterministic.

export class TimeHeap<T> {
  private ts: number[] = [];
  private seqs: number[] = [];
  private vals: T[] = [];

  get size(): number {
    return this.ts.length;
  }

  peekTime(): number {
    return this.ts.length ? this.ts[0] : Infinity;
  }

  peek(): T | undefined {
    return this.vals[0];
  }

  private less(i: number, j: number): boolean {
    const a = this.ts[i];
    const b = this.ts[j];
    return a < b || (a === b && this.seqs[i] < this.seqs[j]);
  }

  private swap(i: number, j: number): void {
    const t = this.ts[i];
    this.ts[i] = this.ts[j];
    this.ts[j] = t;
    const s = this.seqs[i];
    this.seqs[i] = this.seqs[j];
    this.seqs[j] = s;
    const v = this.vals[i];
    this.vals[i] = this.vals[j];
    this.vals[j] = v;
  }

  push(t: number, seq: number, v: T): void {
    this.ts.push(t);
    this.seqs.push(seq);
    this.vals.push(v);
    let i = this.ts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): T | undefined {
    const n = this.ts.length;
    if (n === 0) return undefined;
    const top = this.vals[0];
    const lastT = this.ts.pop()!;
    const lastS = this.seqs.pop()!;
    const lastV = this.vals.pop()!;
    if (n > 1) {
      this.ts[0] = lastT;
      this.seqs[0] = lastS;
      this.vals[0] = lastV;
      const m = n - 1;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        const c = r < m && this.less(r, l) ? r : l;
        if (!this.less(c, i)) break;
        this.swap(c, i);
        i = c;
      }
    }
    return top;
  }
}
