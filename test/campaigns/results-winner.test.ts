/**
 * The automatic winner rule over given figures: nothing before every variant has minSample sends; then
 * the best variant on the chosen metric wins only when its lead over the runner-up is significant (the
 * lower end of the 95% interval of the difference, computed here by hand, above 0).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickWinner } from '../../src/campaigns/results.ts';
import type { ArmOutcome } from '../../src/campaigns/results/outcomes.ts';
import type { ArmMessages } from '../../src/campaigns/results/messages.ts';

const Z = 1.959963984540054;
const variant = (name: string) => ({ name, weight: 1, content: { body: { en: name } } });
const campaign = (metric: 'ctr' | 'cvr' | 'gmv', minSample: number, names = ['A', 'B', 'C']) => ({
  variants: names.map(variant), experiment: { holdout: 0.1, autoWinner: { metric, minSample } }, winner: null,
});
const out = (arm: string, audience: number, converted: number, gmv = 0, gmvSq = 0): ArmOutcome => ({ arm, audience, converted, orders: converted, gmv, gmvSq });
const msg = (arm: string, sent: number, clicked = 0): ArmMessages => ({ arm, sent, delivered: sent, opened: clicked, clicked, suppressed: 0, failed: 0 });

/** lower end of the interval of p1 − p2 for two rates */
function lower(n1: number, k1: number, n2: number, k2: number): number {
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const v1 = (p1 * (1 - p1) * n1) / (n1 - 1);
  const v2 = (p2 * (1 - p2) * n2) / (n2 - 1);
  return p1 - p2 - Z * Math.sqrt(v1 / n1 + v2 / n2);
}

describe('automatic winner', () => {
  it('waits until every variant has minSample sends', () => {
    const o = [out('control', 100, 10), out('A', 300, 30), out('B', 300, 150), out('C', 300, 30)];
    const d = pickWinner(campaign('cvr', 300), o, [msg('A', 300), msg('B', 300), msg('C', 299)]);
    assert.equal(d.winner, null);
    assert.match(d.reason, /fewer than 300 sends in C/);
    assert.equal(pickWinner(campaign('cvr', 299), o, [msg('A', 300), msg('B', 300), msg('C', 299)]).winner, 'B');
  });

  it('picks the leader only when its lead over the runner-up is significant', () => {
    // B leads C by 4 points: significant with 2000 each, not with 200
    for (const n of [200, 2000]) {
      const kB = n * 0.14;
      const kC = n * 0.1;
      const o = [out('control', n, n * 0.05), out('A', n, n * 0.06), out('B', n, kB), out('C', n, kC)];
      const d = pickWinner(campaign('cvr', 100), o, [msg('A', n), msg('B', n), msg('C', n)]);
      const significant = lower(n, kB, n, kC) > 0;
      assert.equal(d.winner, significant ? 'B' : null, `n = ${n}: ${d.reason}`);
      assert.equal(d.leader?.arm, 'B');
      assert.equal(d.runnerUp?.arm, 'C');
      assert.ok(Math.abs(d.lead!.ci[0] - lower(n, kB, n, kC)) < 1e-12);
      assert.equal(significant, n === 2000, 'the two sizes fall either side of significance');
    }
  });

  it('ranks by CTR over sends, or by GMV per person', () => {
    const o = [out('control', 1000, 100), out('A', 1000, 100), out('B', 1000, 100)];
    assert.equal(pickWinner(campaign('ctr', 100, ['A', 'B']), o, [msg('A', 1000, 50), msg('B', 1000, 120)]).winner, 'B');
    assert.equal(pickWinner(campaign('ctr', 100, ['A', 'B']), o, [msg('A', 1000, 50), msg('B', 1000, 55)]).winner, null);
    // GMV: A spends 20 per person (sd ≈ 60), B 40; sums of squares give the variances
    const gmv = (arm: string, n: number, meanV: number, sd: number) => out(arm, n, 0, n * meanV, (n - 1) * sd * sd + n * meanV * meanV);
    const g = [gmv('control', 1000, 15, 50), gmv('A', 1000, 20, 60), gmv('B', 1000, 40, 80)];
    const d = pickWinner(campaign('gmv', 100, ['A', 'B']), g, [msg('A', 1000), msg('B', 1000)]);
    assert.equal(d.winner, 'B');
    const se = Math.sqrt((80 * 80) / 1000 + (60 * 60) / 1000);
    assert.ok(Math.abs(d.lead!.ci[0] - (20 - Z * se)) < 1e-9);
  });

  it('with one variant, compares it with the control; keeps a winner once chosen; none without a rule', () => {
    const o = [out('control', 500, 25), out('A', 4500, 450)];
    assert.equal(pickWinner(campaign('cvr', 100, ['A']), o, [msg('A', 4500)]).winner, 'A');
    assert.equal(pickWinner(campaign('ctr', 100, ['A']), o, [msg('A', 4500, 400)]).winner, null);
    assert.equal(pickWinner({ ...campaign('cvr', 100), winner: 'C' }, [], []).winner, 'C');
    assert.equal(pickWinner({ variants: [variant('A'), variant('B')], experiment: { holdout: 0.1 }, winner: null }, o, []).winner, null);
  });
});
