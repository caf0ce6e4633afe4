import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clauses, detectLang, featureStrings } from './features.ts';
import { decodeModel, encodeModel, logit } from './model.ts';
import { defaultModel } from './registry.ts';
import { evaluate, isHeldOut, train } from './train.ts';

test('language by script, clauses at punctuation', () => {
  assert.equal(detectLang('质量很好 good'), 'zh');
  assert.equal(detectLang('Great quality.'), 'en');
  assert.deepEqual(clauses('物流很快，质量很好！ 会回购。'), ['物流很快', '质量很好', '会回购']);
});

test('a negator marks the words after it, within its clause only', () => {
  const zh = featureStrings('一点都不新鲜，味道很好');
  assert.ok(zh.includes('!新鲜'), zh.join(' '));
  assert.ok(zh.includes('味道') && !zh.includes('!味道'), 'the next clause is not negated');
  const en = featureStrings("Not worth the price, don't buy. Love it");
  assert.ok(en.includes('!worth') && en.includes('!price') && en.includes('!buy'), en.join(' '));
  assert.ok(en.includes('love'));
  assert.ok(en.includes('worth|the'), 'bigrams of raw words');
});

test('the default English model reads negation', () => {
  const m = defaultModel('en');
  assert.ok(logit(m, 'Good quality, I love it.') > 0);
  assert.ok(logit(m, 'Not good, I do not love it.') < 0);
  assert.ok(logit(m, 'Terrible quality, very disappointed.') < 0);
});

test('training is seeded, learns a toy language, and survives the compact file', () => {
  const pos = ['很好 喜欢', '非常好', '喜欢 推荐', '好评 满意', '满意 推荐'];
  const neg = ['很差 失望', '差评', '不好 失望', '不满意 退货', '不推荐 差'];
  const examples = Array.from({ length: 40 }, (_, i) => ({ text: (i % 2 ? pos : neg)[i % 5]!, positive: i % 2 === 1 }));
  const a = train(examples, { lang: 'zh', trainedOn: 'toy', seed: 3, buckets: 4096 });
  const b = train(examples, { lang: 'zh', trainedOn: 'toy', seed: 3, buckets: 4096 });
  assert.deepEqual([...a.weights], [...b.weights], 'same seed, same weights');
  assert.equal(evaluate(a, examples, 'toy').accuracy, 1);
  const back = decodeModel(encodeModel(a));
  for (const e of examples) assert.ok(Math.abs(logit(back, e.text) - logit(a, e.text)) < 0.01, e.text);
  assert.throws(() => decodeModel(JSON.stringify({ format: 'other' })), /not a huaxiang-sentiment/);
});

test('the held-out split is stable and about a fifth', () => {
  const keys = Array.from({ length: 5000 }, (_, i) => `r_${i}`);
  const held = keys.filter((k) => isHeldOut(k)).length;
  assert.ok(Math.abs(held / keys.length - 0.2) < 0.02, `${held} of ${keys.length}`);
  assert.deepEqual(keys.filter((k) => isHeldOut(k)), keys.filter((k) => isHeldOut(k)));
});
