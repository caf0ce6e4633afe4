import { createHash } from 'node:crypto';

/**
 * Stable assignment of units (people) to arms: the first 8 bytes of SHA-256("<experiment>:<unit>") as a
 * number in [0, 1), compared with the arms' cumulative weights. The same person always lands in the same
 * arm of an experiment, on every server and after restarts, with no stored assignment; different
 * experiments split independently.
 */
export interface Arm {
  name: string;
  /** share of units (weights are normalised to sum 1) */
  weight: number;
}

export function bucket(experimentId: string, unitId: string): number {
  const h = createHash('sha256').update(`${experimentId}:${unitId}`).digest();
  // 53 bits of the hash as a fraction
  return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

export function assignArm(experimentId: string, unitId: string, arms: readonly Arm[]): string {
  const total = arms.reduce((s, a) => s + a.weight, 0);
  const x = bucket(experimentId, unitId) * total;
  let acc = 0;
  for (const a of arms) {
    acc += a.weight;
    if (x < acc) return a.name;
  }
  return arms[arms.length - 1]!.name;
}
