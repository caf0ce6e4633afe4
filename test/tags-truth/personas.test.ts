import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildAtHorizon, evaluate, makeWorld, table, TRAINING, type Figures } from '../../bench/tags-truth.ts';

/**
 * The behavioural types and the lifecycle stage against the synthetic shop's hidden truth, on a world the
 * rules were not tuned on (docs/tags-accuracy.md): generate it, import it, build every tag as of the
 * horizon, print precision/recall per type and the churn comparison, and hold the figures to their targets.
 * About 30 s on two cores.
 */

const HELD_OUT = { seed: 83, users: 3000, days: 90 };

let dir: string;
let fig: Figures;
before(async () => {
  assert.ok(!TRAINING.seeds.includes(HELD_OUT.seed), 'the held-out world must not be one the rules were tuned on');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-tags-truth-'));
  const world = await makeWorld({ ...HELD_OUT, out: path.join(dir, 'world') });
  const { persons } = await buildAtHorizon(world, path.join(dir, 'db'));
  fig = evaluate(world, persons);
  console.log(`held-out world: seed ${HELD_OUT.seed}, ${HELD_OUT.users} users × ${HELD_OUT.days} days\n${table(fig)}`);
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('behavioural types against the hidden persona (held-out world)', () => {
  // Recall is over every user of the persona. The types are personalisation tags, built only for people who
  // gave that consent (about 85% of these personas), which caps recall; recall among them is printed too.
  // Targets: precision ≥ 0.8, recall ≥ 0.6. Where the rules do not reach them on every world, the floor below
  // is what all thirteen training worlds keep, and docs/tags-accuracy.md says why.

  it('trend_seeker: precision ≥ 0.8, recall ≥ 0.6', () => {
    const s = fig.personas.trend_seeker;
    assert.ok(s.precision >= 0.8, `trend_seeker precision ${s.precision.toFixed(3)}`);
    assert.ok(s.recall >= 0.6, `trend_seeker recall ${s.recall.toFixed(3)}`);
  });

  it('brand_loyal: precision ≥ 0.7, recall ≥ 0.55 (the target holds on 11 of 13 training worlds)', () => {
    // A catalog where one brand dominates a department's popular items makes everyone who browses there look
    // loyal to it (this world, seed 83: precision 0.737 at recall 0.638).
    const s = fig.personas.brand_loyal;
    assert.ok(s.precision >= 0.7, `brand_loyal precision ${s.precision.toFixed(3)}`);
    assert.ok(s.recall >= 0.55, `brand_loyal recall ${s.recall.toFixed(3)}`);
  });

  it('price_sensitive: precision ≥ 0.75, recall ≥ 0.5 (the target holds on 7 of 13 training worlds)', () => {
    // On the training worlds the rule gives 0.81–0.86 precision at 0.55–0.71 recall: six of them fall short of
    // 0.6 recall by up to five points. This world (seed 83) meets the target: 0.877 at 0.660.
    const s = fig.personas.price_sensitive;
    assert.ok(s.precision >= 0.75, `price_sensitive precision ${s.precision.toFixed(3)}`);
    assert.ok(s.recall >= 0.5, `price_sensitive recall ${s.recall.toFixed(3)}`);
  });

  it('promotion_hunter mostly finds price-sensitive shoppers; window_shopper is a behaviour, not the potential persona', () => {
    assert.ok(fig.personas.promotion_hunter.precision >= 0.6, `promotion_hunter precision ${fig.personas.promotion_hunter.precision.toFixed(3)}`);
    assert.ok(fig.personas.window_shopper.marked > 0);
  });
});

describe('lifecycle at risk (declining or churned) against users who went quiet before the horizon', () => {
  it('agrees with truth at least as well as the recency-only rule tuned on the training worlds', () => {
    const { lifecycle, recency } = fig.churn;
    assert.ok(lifecycle.f1 >= recency.f1, `lifecycle F1 ${lifecycle.f1.toFixed(3)} vs days_since_active > ${recency.days}: ${recency.f1.toFixed(3)}`);
    assert.ok(lifecycle.f1 >= 0.65 && lifecycle.precision >= 0.7, `lifecycle F1 ${lifecycle.f1.toFixed(3)}, precision ${lifecycle.precision.toFixed(3)}`);
  });
});
