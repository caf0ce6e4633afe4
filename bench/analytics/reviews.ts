/**
 * The reviews report and the sentiment model on an imported world: the report over the default range (30
 * days) and over 90 days, by category and by item (each scores every review text of its range in
 * TypeScript, up to the 50,000 cap); raw scoring speed of the model (reviews/s on one core); and a
 * retrain on every star-rated review (the model goes to a temp dir, never into the world's data dir).
 *
 *   node bin/run-ts.js bench/analytics/reviews.ts --data DIR [--runs 7]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, ratedReviews, reviews, type ReviewsReport } from '../../src/analytics/index.ts';
import { analyse, defaultModel, trainShopModels } from '../../src/analytics/sentiment/index.ts';
import { isMain, runAlone, timeRuns, type BenchOptions, type BenchResult, type Runtime } from './lib.ts';

export async function bench(rt: Runtime, opts: BenchOptions): Promise<BenchResult[]> {
  const note = (r: ReviewsReport) => `${r.totals.reviews} reviews, ${r.totals.scored} scored${r.totals.capped ? ` (capped at ${r.totals.cap})` : ''}, ${r.groups.length} groups`;
  const r90 = { ...opts.range, from: addDays(opts.range.to, -90) };
  const rows = [
    await timeRuns('reviews: last 30 days by category', opts.runs, () => reviews(rt.olap, { ...opts.range, by: 'category', lang: 'all' }), note),
    await timeRuns('reviews: last 90 days by category', opts.runs, () => reviews(rt.olap, { ...r90, by: 'category', lang: 'all' }), note),
    await timeRuns('reviews: last 90 days by item', opts.runs, () => reviews(rt.olap, { ...r90, by: 'item', lang: 'all' }), note),
  ];

  // scoring alone, over the world's own review texts
  const texts = (await ratedReviews(rt.olap)).slice(0, 20_000);
  const models = { zh: defaultModel('zh'), en: defaultModel('en') };
  rows.push(await timeRuns(`sentiment: score ${texts.length} review texts`, Math.min(opts.runs, 3), async () => {
    let pos = 0;
    for (const r of texts) if (analyse(models[r.lang], r.text).positive) pos++;
    return pos;
  }, () => `one core; the report's scoring cost per review`));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-sentiment-'));
  try {
    rows.push(await timeRuns('sentiment: retrain on every rated review', 1, () => trainShopModels(rt.olap, dir, { minReviews: 50 }), (res) =>
      res.map((x) => (x.trained ? `${x.lang}: ${x.train} trained, held-out ${(x.shop!.accuracy * 100).toFixed(1)}% vs default ${(x.default!.accuracy * 100).toFixed(1)}%` : `${x.lang}: ${x.reason}`)).join('; ')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (isMain(import.meta.url)) await runAlone(bench);
