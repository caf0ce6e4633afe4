// Review texts must agree with their ratings: a known truth for the sentiment analytics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bankOf, sentimentOfRating } from './reviews.ts';
import { sampleWorld, STATS_WORLD } from './testing.ts';

const w = sampleWorld(STATS_WORLD);
const reviews = [...w.messages, ...w.futureMessages]
  .filter((m) => m.event === 'Product Reviewed')
  .map((m) => m.properties as { rating: number; review_body: string; product_id: string });

test('ratings are 1–5 and positive-bank reviews rate higher than negative-bank ones', () => {
  assert.ok(reviews.length > 200, `enough reviews (${reviews.length})`);
  const byBank: Record<string, number[]> = {};
  for (const r of reviews) {
    assert.ok(Number.isInteger(r.rating) && r.rating >= 1 && r.rating <= 5);
    (byBank[bankOf(r.review_body) ?? 'none'] ??= []).push(r.rating);
  }
  const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
  assert.ok(!byBank.none, 'every review comes from a phrase bank');
  assert.ok(byBank.negative?.length > 5, 'some negative reviews');
  assert.ok(mean(byBank.positive) > mean(byBank.negative) + 2, `positive ${mean(byBank.positive)} vs negative ${mean(byBank.negative)}`);
  for (const r of reviews) assert.equal(bankOf(r.review_body), sentimentOfRating(r.rating));
});

test('reviews come in Chinese and English, and better items are rated higher', () => {
  const en = reviews.filter((r) => /^[A-Z]/.test(r.review_body)).length;
  assert.ok(en > 0 && en < reviews.length * 0.3, `some English reviews (${en})`);
  const pairs = reviews.map((r) => [w.items.get(r.product_id)!.quality as number, r.rating]);
  const hi = pairs.filter(([q]) => q > 0.8).map(([, r]) => r);
  const lo = pairs.filter(([q]) => q < 0.5).map(([, r]) => r);
  const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
  assert.ok(mean(hi) > mean(lo) + 1, `quality drives rating (${mean(hi)} vs ${mean(lo)})`);
});
