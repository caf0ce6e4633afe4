/**
 * What a `ReplacingMergeTree(version)` keeps of each key once its parts merge: the row of the highest
 * version. For reads that take a few rows as stored (every version) and resolve them in the process
 * rather than with `FINAL` or `argMax … GROUP BY` in the engine.
 */
export function latestVersions<T extends { version: number | string }>(rows: Iterable<T>, key: (r: T) => string): Map<string, T> {
  const latest = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const seen = latest.get(k);
    if (!seen || Number(r.version) > Number(seen.version)) latest.set(k, r);
  }
  return latest;
}
