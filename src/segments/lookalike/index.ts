import type { OlapStore } from '../../store/olap/index.ts';
import type { TagDef } from '../../tags/index.ts';
import { personsWithTag } from '../../tags/values.ts';
import { CLUSTER_FEATURES, PROFILE_FEATURES, loadFeatures, sampleIndices, standardise } from '../features.ts';
import { fitLogistic, predict } from './logistic.ts';

export { fitLogistic, predict, auc, type LogisticModel } from './logistic.ts';

/** The fewest seed people (after consent) a lookalike model is fitted on. */
export const MIN_SEEDS = 5;
/** Everyone who can be scored is, but at most this many are returned. */
export const MAX_SELECTED = 10_000;

export class LookalikeInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export interface LookalikeDeps {
  olap: OlapStore;
  definitions(): Promise<ReadonlyMap<string, TagDef>>;
}

export interface LookalikeInput {
  /** userIds or anonymousIds; each is resolved to its person */
  seedIds?: string[];
  /** or everyone carrying a tag value (`{ code: 'price_sensitive', value: 'true' }`) */
  seedTag?: { code: string; value: string };
  /** how many to return (default 100 without a threshold) */
  top?: number;
  /** return everyone scoring at least this (0…1) */
  threshold?: number;
  /** seed of the negative sample (default 1) */
  seed?: number;
}

export interface LookalikeResult {
  seeds: number;
  /** seed ids left out: unknown, or without consent to personalisation */
  seedsIgnored: number;
  /** people scored (everyone consenting, less the seeds) */
  scored: number;
  selected: { userId: string; score: number }[];
  /** the model's weights on standardised features, strongest first */
  features: { feature: string; label_zh: string; label_en: string; weight: number }[];
}

const FEATURES = [...CLUSTER_FEATURES, ...PROFILE_FEATURES];

async function seedPersons(deps: LookalikeDeps, input: LookalikeInput): Promise<string[]> {
  if (input.seedTag) {
    const def = (await deps.definitions()).get(input.seedTag.code);
    if (!def) throw new LookalikeInputError('seedTag.code', `seedTag.code: no tag '${input.seedTag.code}'`);
    return personsWithTag(deps.olap, def, input.seedTag.value, 1_000_000);
  }
  const ids = [...new Set(input.seedIds ?? [])];
  const rows = await deps.olap.query<{ distinct_id: string; person_id: string }>(
    `SELECT distinct_id, person_id FROM ${deps.olap.db}.person_ids FINAL WHERE distinct_id IN {ids:Array(String)} AND is_deleted = 0`,
    { ids },
  );
  const person = new Map(rows.map((r) => [r.distinct_id, r.person_id]));
  return [...new Set(ids.map((id) => person.get(id) ?? id))];
}

/**
 * Finds people who look like a seed set: a logistic model on the profile features separates the seed
 * people (positives) from a sample of everyone else, with the two classes weighted equally, and then
 * scores everyone who is not a seed. A score is the model's probability that a person belongs with the
 * seeds rather than with the crowd. Only people who consented to personalisation are used as seeds,
 * sampled or scored.
 */
export async function lookalike(deps: LookalikeDeps, input: LookalikeInput): Promise<LookalikeResult> {
  if (!input.seedIds?.length && !input.seedTag) throw new LookalikeInputError('seedIds', 'seedIds: give seedIds or seedTag');
  const wanted = await seedPersons(deps, input);
  const m = await loadFeatures(deps.olap, FEATURES);
  const row = new Map(m.ids.map((id, i) => [id, i]));
  const seedRows = [...new Set(wanted.map((p) => row.get(p)).filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
  const field = input.seedTag ? 'seedTag' : 'seedIds';
  if (seedRows.length < MIN_SEEDS) {
    throw new LookalikeInputError(field, `${field}: ${seedRows.length} of the seed people have consented to personalisation; a lookalike needs at least ${MIN_SEEDS}`);
  }
  const isSeed = new Uint8Array(m.n);
  for (const i of seedRows) isSeed[i] = 1;
  const others = [...Array(m.n).keys()].filter((i) => !isSeed[i]);
  if (others.length === 0) throw new LookalikeInputError(field, `${field}: everyone who can be scored is in the seed`);

  const Z = standardise(m);
  const negCount = Math.min(others.length, Math.max(5 * seedRows.length, 2_000), 50_000);
  const negRows = sampleIndices(others.length, negCount, input.seed ?? 1).map((k) => others[k]!);
  const X = [...seedRows, ...negRows].map((i) => Z[i]!);
  const y = [...seedRows.map(() => 1), ...negRows.map(() => 0)];
  // each class weighs as much as the other, so a score of 0.5 is "as much like the seeds as like the crowd"
  const half = X.length / 2;
  const w = [...seedRows.map(() => half / seedRows.length), ...negRows.map(() => half / negRows.length)];
  const model = fitLogistic(X, y, { sampleWeight: w, l2: 1 });

  const scores = others.map((i) => ({ userId: m.ids[i]!, score: Math.round(predict(model, Z[i]!) * 1e6) / 1e6 }));
  scores.sort((a, b) => b.score - a.score || (a.userId < b.userId ? -1 : 1));
  const limit = Math.min(input.top ?? (input.threshold === undefined ? 100 : MAX_SELECTED), MAX_SELECTED);
  const selected = (input.threshold === undefined ? scores : scores.filter((s) => s.score >= input.threshold!)).slice(0, limit);
  const features = m.features
    .map((f, j) => ({ feature: f.tag, label_zh: f.zh, label_en: f.en, weight: Math.round(model.weights[j]! * 1000) / 1000 }))
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return { seeds: seedRows.length, seedsIgnored: wanted.length - seedRows.length, scored: others.length, selected, features };
}
