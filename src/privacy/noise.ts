import { randomFillSync } from 'node:crypto';
import { z } from 'zod';

/**
 * Differential-privacy noise for aggregate reports shared outside the team (docs/privacy.md, "Differential
 * privacy"). A noisy report is given a budget ε; it is split evenly over the numbers of the answer that
 * count people or sum what they did (its *cells*) that one person can change: all of them (a segment
 * breakdown's overlapping groups, a funnel's nested steps, cohorts of every period a person returned in),
 * or, where each person is in exactly one group or cohort, that group's cells and the total's. So whatever
 * one person did moves the whole answer by at most ε (sequential composition across the cells a person is
 * in, parallel composition across disjoint groups).
 *
 * - counts of people: each person adds at most 1 to a cell (sensitivity 1); the two-sided geometric
 *   mechanism (the discrete Laplace) adds an integer with P(z) ∝ α^|z|, α = e^(−ε_cell).
 * - sums (GMV, orders): each person's contribution to a cell is clipped to `clip` in the query, so the
 *   sensitivity is `clip`; Laplace noise of scale b = clip / ε_cell, then rounded (GMV to cents).
 *
 * Every noisy value is clamped at 0 (post-processing costs no privacy), and ratios (conversion, rates, AOV)
 * are computed from the noisy numbers. Randomness comes from node:crypto, never Math.random. The two
 * samplers are the textbook inverse CDFs; a library (@stdlib/random-base-laplace, -geometric) was weighed
 * and holds the same one-line formulas behind some two hundred packages.
 */

const POOL = 1024;
const pool = new BigUint64Array(POOL);
let next = POOL;

/** A uniform number in the open interval (0, 1), 53 bits from the operating system's CSPRNG. */
export function uniform(): number {
  if (next === POOL) randomFillSync(pool), (next = 0);
  return (Number(pool[next++]! >> 11n) + 0.5) / 2 ** 53;
}

/** Laplace(0, b): density e^(−|x|/b) / 2b, variance 2b². */
export function laplace(b: number): number {
  const u = uniform() - 0.5;
  return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/** Two-sided geometric with P(z) ∝ α^|z| (0 < α < 1): the difference of two geometric draws; variance 2α/(1−α)². */
export function twoSidedGeometric(alpha: number): number {
  const g = () => Math.floor(Math.log(uniform()) / Math.log(alpha));
  return g() - g();
}

export interface NoiseMarker {
  mechanism: 'two-sided geometric (counts) + Laplace (sums)';
  /** the budget of this answer */
  epsilon: number;
  /** numbers of the answer that carry noise */
  cells: number;
  /** the most of them one person can change; the budget is split evenly over these */
  cellsPerPerson: number;
  epsilonPerCell: number;
  /** noise on people counts: sensitivity 1, α = e^(−ε_cell), its standard deviation */
  counts: { sensitivity: 1; alpha: number; stddev: number };
  /** noise on sums: each person clipped to `clip` per cell, Laplace scale b = clip / ε_cell (none when the answer has no sums) */
  sums: { what: string; clip: number; scale: number; stddev: number }[];
  /** groups below the minimum group size were left out on their exact counts, before noise */
  minGroupSize: number;
  note: string;
}

export interface NoiseSetting {
  /** the budget of one answer */
  epsilon: number;
}

/**
 * The noise of one answer: built once the number of cells is known, then applied cell by cell. `sums`
 * names the kinds of sums the answer has (GMV, orders) with each one's per-person clip.
 */
export class ReportNoise {
  readonly epsilonPerCell: number;
  private readonly alpha: number;
  private drawn = 0;

  constructor(
    private readonly setting: NoiseSetting,
    readonly cellsPerPerson: number,
    private readonly sums: { what: string; clip: number }[] = [],
    private readonly minGroupSize = 0,
  ) {
    this.epsilonPerCell = setting.epsilon / Math.max(1, cellsPerPerson);
    this.alpha = Math.exp(-this.epsilonPerCell);
  }

  /** A people count with noise: an integer ≥ 0. */
  count(x: number): number {
    this.drawn++;
    return Math.max(0, x + twoSidedGeometric(this.alpha));
  }

  /** A sum of the kind `what`, clipped per person in the query, with noise; rounded to `decimals`, ≥ 0. */
  sum(what: string, x: number, decimals = 2): number {
    const kind = this.sums.find((s) => s.what === what);
    if (!kind) throw new Error(`this answer was budgeted without sums of ${what}`);
    this.drawn++;
    const f = 10 ** decimals;
    return Math.max(0, Math.round((x + laplace(kind.clip / this.epsilonPerCell)) * f) / f);
  }

  marker(): NoiseMarker {
    const a = this.alpha;
    return {
      mechanism: 'two-sided geometric (counts) + Laplace (sums)',
      epsilon: this.setting.epsilon,
      cells: this.drawn,
      cellsPerPerson: this.cellsPerPerson,
      epsilonPerCell: this.epsilonPerCell,
      counts: { sensitivity: 1, alpha: a, stddev: Math.sqrt((2 * a) / (1 - a) ** 2) },
      sums: this.sums.map((s) => ({ ...s, scale: s.clip / this.epsilonPerCell, stddev: (Math.SQRT2 * s.clip) / this.epsilonPerCell })),
      minGroupSize: this.minGroupSize,
      note: 'counts and sums carry random noise (ratios are computed from the noisy numbers, times between steps are withheld); groups were left out on exact counts before the noise',
    };
  }
}

/** Whether an answer is noisy: asked for (`noise=true`) or forced by `privacy.dp.always`. */
export const wantsNoise = (asked: boolean | undefined, config: { always: boolean }) => config.always || asked === true;

/** The `privacy` marker of a noisy answer, for the routes' OpenAPI docs. */
export const noiseMarkerSchema = z.object({
  mechanism: z.string(),
  epsilon: z.number().describe('the budget of this answer'),
  cells: z.number().describe('numbers of the answer that carry noise'),
  cellsPerPerson: z.number().describe('the most of them one person can change; ε is split evenly over these'),
  epsilonPerCell: z.number(),
  counts: z.object({ sensitivity: z.number(), alpha: z.number(), stddev: z.number() }).describe('two-sided geometric noise on people counts'),
  sums: z.array(z.object({ what: z.string(), clip: z.number(), scale: z.number(), stddev: z.number() })).describe('Laplace noise on sums clipped per person'),
  minGroupSize: z.number(),
  note: z.string(),
}).describe('present when the answer carries differential-privacy noise (noise=true, or privacy.dp.always)');
