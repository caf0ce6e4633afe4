import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize } from './tokenize.ts';

test('Chinese text is segmented into words and function words are dropped', () => {
  assert.deepEqual(tokenize('这款手机的电池续航很好'), ['款', '手机', '电池', '续航', '好']);
});

test('Latin text is lower-cased and split on punctuation; digits-only tokens and stopwords go', () => {
  assert.deepEqual(tokenize('The iPhone 15 is GREAT, isn\'t it?'), ['iphone', 'great', "isn't"]);
});

test('mixed text keeps both scripts in order, and keepStopwords keeps function words', () => {
  assert.deepEqual(tokenize('Nike跑步鞋 很舒服'), ['nike', '跑步', '鞋', '舒服']);
  assert.deepEqual(tokenize('很好', { keepStopwords: true }), ['很', '好']);
});
