/**
 * The labelled review corpora the default Chinese model learns from. They live outside the repository, in
 * `../shared/data/sentiment/` beside the project (see that folder's README for sources and licences):
 * `ChnSentiCorp_htl_all.csv` (hotel reviews) and `waimai_10k.csv` (food-delivery reviews), both `label,review`
 * with label 1 = positive, 0 = negative.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Example } from './train.ts';

export const CORPORA = {
  hotel: { file: 'ChnSentiCorp_htl_all.csv', describe: 'ChnSentiCorp hotel reviews (ChnSentiCorp_htl_all)' },
  waimai: { file: 'waimai_10k.csv', describe: 'waimai_10k food-delivery reviews' },
} as const;
export type CorpusName = keyof typeof CORPORA;

/** `../shared/data/sentiment` as seen from the repository root, or HX_SENTIMENT_DATA when set. */
export function corpusDir(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  return process.env.HX_SENTIMENT_DATA ?? path.resolve(root, '../shared/data/sentiment');
}

export const corporaPresent = (dir = corpusDir()) => Object.values(CORPORA).every((c) => fs.existsSync(path.join(dir, c.file)));

/** One corpus as examples with a stable key per row (corpus name + row number) for the held-out split. */
export function readCorpus(name: CorpusName, dir = corpusDir()): (Example & { key: string })[] {
  const rows = parse(fs.readFileSync(path.join(dir, CORPORA[name].file)), { columns: true, skip_empty_lines: true, relax_quotes: true }) as { label: string; review: string }[];
  return rows
    .filter((r) => (r.label === '0' || r.label === '1') && r.review?.trim())
    .map((r, i) => ({ key: `${name}:${i}`, text: r.review, positive: r.label === '1' }));
}
